"""Plausible wrong solutions for notebook 02; each graded test cell must fail on at least one.

A mutant gives either ``source`` (the whole wrong cell) or ``edits``: ``(old, new)`` pairs applied to the
reference solution cell of ``replace``, each ``old`` occurring there exactly once.
"""

MUTANTS = [
    dict(replace="channels", fails=["test_channels"], why="reshape instead of permute: scrambles the samples",
         edits=[("return x.permute(0, 2, 1)", "B, T, C = x.shape\n    return x.reshape(B, C, T)")]),
    dict(replace="channels", fails=["test_channels"], why="mono as the channel average over dim=1 (only right for 3-D)",
         edits=[("x.mean(dim=-2,", "x.mean(dim=1,")]),
    dict(replace="channels", fails=["test_channels"], why="sums the channels instead of averaging",
         edits=[("x.mean(", "x.sum(")]),
    dict(replace="images", fails=["test_images"], why="reshape (H, W, C) -> (C, H, W) instead of permute",
         edits=[("return x.permute(2, 0, 1)", "H, W, C = x.shape\n    return x.reshape(C, H, W)")]),
    dict(replace="images", fails=["test_images"], why="statistics shaped for a batch only: a single image gains a dimension",
         edits=[("device=images.device)\n    std", "device=images.device).view(1, -1, 1, 1)\n    std"),
                ("device=images.device)\n    return", "device=images.device).view(1, -1, 1, 1)\n    return"),
                ("(images - mean[:, None, None]) / std[:, None, None]", "(images - mean) / std")]),
    dict(replace="vocab", fails=["test_vocab"], why="vocabulary in order of first appearance, not sorted",
         edits=[("sorted(set(text))", "list(dict.fromkeys(text))")]),
    dict(replace="vocab", fails=["test_vocab"], why="no dtype: an empty string encodes to a float32 tensor",
         edits=[(", dtype=torch.long)", ")")]),
    dict(replace="one_hot", fails=["test_one_hot"], why="detaches the weight: same values, but no gradient reaches the embedding",
         edits=[("@ weight", "@ weight.detach()")]),
    dict(replace="one_hot", fails=["test_one_hot"], why="one-hot left as bool",
         edits=[("device=ids.device)).float()", "device=ids.device))")]),
    dict(replace="q_embedding", fails=["test_q_embedding"], why="thinks the lookup only approximates the product",
         source='answer_embedding = "a"'),
    dict(replace="collate", fails=["test_collate"], why="pads at the front instead of the end",
         edits=[("batch[i, 0, :len(w)] = w", "batch[i, 0, batch.shape[-1] - len(w):] = w")]),
    dict(replace="collate", fails=["test_collate"], why="lengths measured before resampling",
         edits=[("    lengths = torch.tensor([len(w) for w in waves], dtype=torch.long)\n", ""),
                ("    waves = [resample",
                 "    lengths = torch.tensor([len(w) for w in waves], dtype=torch.long)\n    waves = [resample"),
                ("int(lengths.max())", "max(len(w) for w in waves)")]),
    dict(replace="frame", fails=["test_frame"], why="counts T // hop frames, running past the end",
         edits=[("max(0, 1 + (x.shape[-1] - frame_length) // hop_length)", "x.shape[-1] // hop_length"),
                ("x[..., idx]", "x[..., idx.clamp(max=x.shape[-1] - 1)]")]),
    dict(replace="frame", fails=["test_frame"], why="unfold without handling signals shorter than a frame",
         source="def frame_signal(x, frame_length, hop_length):\n"
                "    return x.unfold(-1, frame_length, hop_length)"),
    dict(replace="stft", fails=["test_stft"], why="no centre padding",
         edits=[('    x = F.pad(x, (n_fft // 2, n_fft // 2), mode="reflect")\n', "")]),
    dict(replace="stft", fails=["test_stft"], why="zero padding instead of reflection",
         edits=[(', mode="reflect"', "")]),
    dict(replace="stft", fails=["test_stft"], why="forgets the window",
         edits=[(" * window", "")]),
    dict(replace="db", fails=["test_db"], why="amplitude formula 20 log10 on a power spectrogram",
         edits=[("db = 10 *", "db = 20 *")]),
    dict(replace="db", fails=["test_db"], why="top_db floor from the maximum of the whole batch",
         edits=[("db.amax(dim=(-2, -1), keepdim=True)", "db.max()")]),
    dict(replace="q_resolution", fails=["test_q_resolution"], why="thinks a small hop sharpens time resolution",
         source='answer_resolution = "b"'),
    dict(replace="mel", fails=["test_mel"], why="triangle corners equally spaced in Hz, not in mel",
         edits=[("corners = mel_to_hz(mels)", "corners = torch.linspace(f_min, f_max, n_mels + 2)")]),
    dict(replace="mel", fails=["test_mel"], why="mel spectrogram of the magnitude instead of the power",
         edits=[(".abs() ** 2", ".abs()")]),
    dict(replace="mfcc", fails=["test_mfcc"], why="unnormalised DCT: every row scaled by sqrt(2 / M)",
         edits=[("    D[0] = D[0] / math.sqrt(2)\n", "")]),
    dict(replace="mfcc", fails=["test_mfcc"], why="off by half a band: cos(pi k m / M)",
         edits=[("(m + 0.5)", "m")]),
    dict(replace="ola", fails=["test_ola"], why="writes frames instead of adding them: overlaps are overwritten",
         source="def overlap_add(frames, hop_length):\n"
                "    n_frames, frame_length = frames.shape[-2:]\n"
                "    out = frames.new_zeros(*frames.shape[:-2], (n_frames - 1) * hop_length + frame_length)\n"
                "    for t in range(n_frames):\n"
                "        out[..., t * hop_length:t * hop_length + frame_length] = frames[..., t, :]\n"
                "    return out\n\n\n"
                "def window_envelope(window, hop_length, n_frames):\n"
                "    return overlap_add((window ** 2).expand(n_frames, -1), hop_length)"),
    dict(replace="ola", fails=["test_ola"], why="envelope of the window, not of the squared window",
         edits=[("(window ** 2)", "window")]),
    dict(replace="q_nola", fails=["test_q_nola"], why="believes non-overlapping frames are never invertible",
         source='answer_nola = "a"'),
    dict(replace="istft", fails=["test_istft"], why="divides by the sum of windows, not of squared windows",
         edits=[("window_envelope(window, hop_length, frames.shape[-2])",
                 "overlap_add(window.expand(frames.shape[-2], n_fft), hop_length)")]),
    dict(replace="istft", fails=["test_istft"], why="keeps the centre padding: the signal comes out shifted",
         edits=[("keep = slice(n_fft // 2, n_fft // 2 + length)", "keep = slice(0, length)")]),
    # wrong solutions that pass the visible checks: only the hidden tests catch them
    dict(replace="vocab", fails=["test_vocab"], why="decode only accepts tensors, not lists of ids",
         edits=[("torch.as_tensor(ids).tolist()", "ids.tolist()")]),
    dict(replace="frame", fails=["test_frame"], why="indexes the first dimension: breaks on batches",
         edits=[("x[..., idx]", "x[idx]")]),
    dict(replace="stft", fails=["test_stft"], why="pads without flattening the leading dimensions: no 4-D batches",
         edits=[("    leading = x.shape[:-1]\n    x = x.reshape(-1, x.shape[-1])\n",
                 "    single = x.dim() == 1\n    if single:\n        x = x[None]\n"),
                ("return spec.transpose(-1, -2).reshape(*leading, n_fft // 2 + 1, -1)",
                 "spec = spec.transpose(-1, -2)\n    return spec[0] if single else spec")]),
    dict(replace="mel", fails=["test_mel"], why="ignores f_min and f_max",
         edits=[("float(hz_to_mel(f_min)), float(hz_to_mel(f_max))",
                 "float(hz_to_mel(0.0)), float(hz_to_mel(sample_rate // 2))")]),
    dict(replace="mel", fails=["test_mel"], why="true Nyquist frequency sample_rate / 2, unlike torchaudio's sample_rate // 2",
         edits=[("f_max = sample_rate // 2 if f_max is None", "f_max = sample_rate / 2 if f_max is None"),
                ("torch.linspace(0, sample_rate // 2, n_freqs)", "torch.linspace(0, sample_rate / 2, n_freqs)")]),
    dict(replace="istft", fails=["test_istft"], why="divides before cropping: 0/0 = NaN where the envelope is 0",
         edits=[("y = y[..., keep] / envelope[keep]", "y = (y / envelope)[..., keep]")]),
    dict(replace="mfcc", fails=["test_mfcc"], why="applies the DCT along the frames instead of the mel bands",
         edits=[("dct_matrix(n_mfcc, log_mel.shape[-2]).to(log_mel.device) @ log_mel",
                 "log_mel @ dct_matrix(n_mfcc, log_mel.shape[-1]).to(log_mel.device).T")]),
    dict(replace="ola", fails=["test_ola"], why="loops over the first dimension: only works for 2-D frames",
         source="def overlap_add(frames, hop_length):\n"
                "    n_frames, frame_length = frames.shape\n"
                "    out = torch.zeros((n_frames - 1) * hop_length + frame_length)\n"
                "    for t in range(n_frames):\n"
                "        out[t * hop_length:t * hop_length + frame_length] += frames[t]\n"
                "    return out\n\n\n"
                "def window_envelope(window, hop_length, n_frames):\n"
                "    return overlap_add((window ** 2).expand(n_frames, -1), hop_length)"),
    dict(replace="istft", fails=["test_istft"], why="returns fewer than `length` samples when the frames end early",
         edits=[("return F.pad(y, (0, length - y.shape[-1]))", "return y")]),
]
