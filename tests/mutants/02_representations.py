"""Plausible wrong solutions for notebook 02; each graded test cell must fail on at least one."""

MUTANTS = [
    dict(replace="channels", fails=["test_channels"], why="reshape instead of permute: scrambles the samples",
         source="def channels_first(x):\n"
                "    B, T, C = x.shape\n"
                "    return x.reshape(B, C, T)\n\n\n"
                "def to_mono(x):\n"
                "    return x.mean(dim=-2, keepdim=True)"),
    dict(replace="channels", fails=["test_channels"], why="mono as the channel average over dim=1 (only right for 3-D)",
         source="def channels_first(x):\n"
                "    return x.permute(0, 2, 1)\n\n\n"
                "def to_mono(x):\n"
                "    return x.mean(dim=1, keepdim=True)"),
    dict(replace="channels", fails=["test_channels"], why="sums the channels instead of averaging",
         source="def channels_first(x):\n"
                "    return x.permute(0, 2, 1)\n\n\n"
                "def to_mono(x):\n"
                "    return x.sum(dim=-2, keepdim=True)"),
    dict(replace="images", fails=["test_images"], why="reshape (H, W, C) -> (C, H, W) instead of permute",
         source="def image_to_tensor(img):\n"
                "    x = torch.as_tensor(img)\n"
                "    H, W, C = x.shape\n"
                "    return x.reshape(C, H, W).float() / 255\n\n\n"
                "def normalize(images, mean, std):\n"
                "    mean = torch.as_tensor(mean, dtype=images.dtype)\n"
                "    std = torch.as_tensor(std, dtype=images.dtype)\n"
                "    return (images - mean[:, None, None]) / std[:, None, None]"),
    dict(replace="images", fails=["test_images"], why="statistics shaped for a batch only: a single image gains a dimension",
         source="def image_to_tensor(img):\n"
                "    return torch.as_tensor(img).permute(2, 0, 1).float() / 255\n\n\n"
                "def normalize(images, mean, std):\n"
                "    mean = torch.as_tensor(mean, dtype=images.dtype).view(1, -1, 1, 1)\n"
                "    std = torch.as_tensor(std, dtype=images.dtype).view(1, -1, 1, 1)\n"
                "    return (images - mean) / std"),
    dict(replace="vocab", fails=["test_vocab"], why="vocabulary in order of first appearance, not sorted",
         source="def build_vocab(text):\n"
                "    itos = list(dict.fromkeys(text))\n"
                "    stoi = {ch: i for i, ch in enumerate(itos)}\n"
                "    return stoi, itos\n\n\n"
                "def encode(text, stoi):\n"
                "    return torch.tensor([stoi[ch] for ch in text], dtype=torch.long)\n\n\n"
                "def decode(ids, itos):\n"
                "    return ''.join(itos[i] for i in torch.as_tensor(ids).tolist())"),
    dict(replace="vocab", fails=["test_vocab"], why="no dtype: an empty string encodes to a float32 tensor",
         source="def build_vocab(text):\n"
                "    itos = sorted(set(text))\n"
                "    return {ch: i for i, ch in enumerate(itos)}, itos\n\n\n"
                "def encode(text, stoi):\n"
                "    return torch.tensor([stoi[ch] for ch in text])\n\n\n"
                "def decode(ids, itos):\n"
                "    return ''.join(itos[i] for i in torch.as_tensor(ids).tolist())"),
    dict(replace="one_hot", fails=["test_one_hot"], why="detaches the weight: same values, but no gradient reaches the embedding",
         source="def one_hot(ids, vocab_size):\n"
                "    return (ids[..., None] == torch.arange(vocab_size)).float()\n\n\n"
                "def embed_with_one_hot(ids, weight):\n"
                "    return one_hot(ids, weight.shape[0]) @ weight.detach()"),
    dict(replace="one_hot", fails=["test_one_hot"], why="one-hot left as bool",
         source="def one_hot(ids, vocab_size):\n"
                "    return ids[..., None] == torch.arange(vocab_size)\n\n\n"
                "def embed_with_one_hot(ids, weight):\n"
                "    return one_hot(ids, weight.shape[0]).to(weight.dtype) @ weight"),
    dict(replace="q_embedding", fails=["test_q_embedding"], why="thinks the lookup only approximates the product",
         source='answer_embedding = "a"'),
    dict(replace="collate", fails=["test_collate"], why="pads at the front instead of the end",
         source="def collate_audio(waves, sample_rates, target_rate):\n"
                "    waves = [resample(w, sr, target_rate) for w, sr in zip(waves, sample_rates)]\n"
                "    lengths = torch.tensor([len(w) for w in waves])\n"
                "    T = int(lengths.max())\n"
                "    return torch.stack([F.pad(w, (T - len(w), 0)) for w in waves])[:, None], lengths"),
    dict(replace="collate", fails=["test_collate"], why="lengths measured before resampling",
         source="def collate_audio(waves, sample_rates, target_rate):\n"
                "    lengths = torch.tensor([len(w) for w in waves])\n"
                "    waves = [resample(w, sr, target_rate) for w, sr in zip(waves, sample_rates)]\n"
                "    T = max(len(w) for w in waves)\n"
                "    return torch.stack([F.pad(w, (0, T - len(w))) for w in waves])[:, None], lengths"),
    dict(replace="frame", fails=["test_frame"], why="counts T // hop frames, running past the end",
         source="def frame_signal(x, frame_length, hop_length):\n"
                "    n_frames = x.shape[-1] // hop_length\n"
                "    idx = torch.arange(n_frames)[:, None] * hop_length + torch.arange(frame_length)[None, :]\n"
                "    return x[..., idx.clamp(max=x.shape[-1] - 1)]"),
    dict(replace="frame", fails=["test_frame"], why="unfold without handling signals shorter than a frame",
         source="def frame_signal(x, frame_length, hop_length):\n"
                "    return x.unfold(-1, frame_length, hop_length)"),
    dict(replace="stft", fails=["test_stft"], why="no centre padding",
         source="def stft(x, n_fft, hop_length, window):\n"
                "    frames = frame_signal(x, n_fft, hop_length) * window\n"
                "    return torch.fft.rfft(frames, dim=-1).transpose(-1, -2)"),
    dict(replace="stft", fails=["test_stft"], why="zero padding instead of reflection",
         source="def stft(x, n_fft, hop_length, window):\n"
                "    x = F.pad(x, (n_fft // 2, n_fft // 2))\n"
                "    frames = frame_signal(x, n_fft, hop_length) * window\n"
                "    return torch.fft.rfft(frames, dim=-1).transpose(-1, -2)"),
    dict(replace="stft", fails=["test_stft"], why="forgets the window",
         source="def stft(x, n_fft, hop_length, window):\n"
                "    leading = x.shape[:-1]\n"
                "    x = F.pad(x.reshape(-1, x.shape[-1]), (n_fft // 2, n_fft // 2), mode='reflect')\n"
                "    spec = torch.fft.rfft(frame_signal(x, n_fft, hop_length), dim=-1)\n"
                "    return spec.transpose(-1, -2).reshape(*leading, n_fft // 2 + 1, -1)"),
    dict(replace="db", fails=["test_db"], why="amplitude formula 20 log10 on a power spectrogram",
         source="def power_to_db(power, top_db=80.0):\n"
                "    db = 20 * torch.log10(torch.clamp(power, min=1e-10))\n"
                "    if top_db is not None:\n"
                "        db = torch.maximum(db, db.amax(dim=(-2, -1), keepdim=True) - top_db)\n"
                "    return db"),
    dict(replace="db", fails=["test_db"], why="top_db floor from the maximum of the whole batch",
         source="def power_to_db(power, top_db=80.0):\n"
                "    db = 10 * torch.log10(torch.clamp(power, min=1e-10))\n"
                "    if top_db is not None:\n"
                "        db = torch.clamp(db, min=float(db.max()) - top_db)\n"
                "    return db"),
    dict(replace="q_resolution", fails=["test_q_resolution"], why="thinks a small hop sharpens time resolution",
         source='answer_resolution = "b"'),
    dict(replace="mel", fails=["test_mel"], why="triangle corners equally spaced in Hz, not in mel",
         source="def hz_to_mel(f):\n"
                "    return 2595 * torch.log10(1 + f / 700)\n\n\n"
                "def mel_to_hz(m):\n"
                "    return 700 * (10 ** (m / 2595) - 1)\n\n\n"
                "def mel_filterbank(n_freqs, sample_rate, n_mels, f_min=0.0, f_max=None):\n"
                "    f_max = sample_rate / 2 if f_max is None else f_max\n"
                "    freqs = torch.linspace(0, sample_rate / 2, n_freqs)\n"
                "    c = torch.linspace(f_min, f_max, n_mels + 2)\n"
                "    rising = (freqs - c[:-2, None]) / (c[1:-1, None] - c[:-2, None])\n"
                "    falling = (c[2:, None] - freqs) / (c[2:, None] - c[1:-1, None])\n"
                "    return torch.clamp(torch.minimum(rising, falling), min=0)\n\n\n"
                "def mel_spectrogram(x, sample_rate, n_fft, hop_length, n_mels):\n"
                "    power = stft(x, n_fft, hop_length, torch.hann_window(n_fft)).abs() ** 2\n"
                "    return mel_filterbank(n_fft // 2 + 1, sample_rate, n_mels) @ power"),
    dict(replace="mel", fails=["test_mel"], why="mel spectrogram of the magnitude instead of the power",
         source="def hz_to_mel(f):\n"
                "    return 2595 * torch.log10(1 + f / 700)\n\n\n"
                "def mel_to_hz(m):\n"
                "    return 700 * (10 ** (m / 2595) - 1)\n\n\n"
                "def mel_filterbank(n_freqs, sample_rate, n_mels, f_min=0.0, f_max=None):\n"
                "    f_max = sample_rate / 2 if f_max is None else f_max\n"
                "    freqs = torch.linspace(0, sample_rate / 2, n_freqs)\n"
                "    c = mel_to_hz(torch.linspace(hz_to_mel(torch.tensor(f_min)), hz_to_mel(torch.tensor(f_max)),"
                " n_mels + 2))\n"
                "    rising = (freqs - c[:-2, None]) / (c[1:-1, None] - c[:-2, None])\n"
                "    falling = (c[2:, None] - freqs) / (c[2:, None] - c[1:-1, None])\n"
                "    return torch.clamp(torch.minimum(rising, falling), min=0)\n\n\n"
                "def mel_spectrogram(x, sample_rate, n_fft, hop_length, n_mels):\n"
                "    magnitude = stft(x, n_fft, hop_length, torch.hann_window(n_fft)).abs()\n"
                "    return mel_filterbank(n_fft // 2 + 1, sample_rate, n_mels) @ magnitude"),
    dict(replace="mfcc", fails=["test_mfcc"], why="unnormalised DCT: every row scaled by sqrt(2 / M)",
         source="def dct_matrix(n_mfcc, n_mels):\n"
                "    k = torch.arange(n_mfcc)[:, None]\n"
                "    m = torch.arange(n_mels)[None, :]\n"
                "    return torch.cos(math.pi * k * (m + 0.5) / n_mels) * math.sqrt(2 / n_mels)\n\n\n"
                "def mfcc(log_mel, n_mfcc):\n"
                "    return dct_matrix(n_mfcc, log_mel.shape[-2]) @ log_mel"),
    dict(replace="mfcc", fails=["test_mfcc"], why="off by half a band: cos(pi k m / M)",
         source="def dct_matrix(n_mfcc, n_mels):\n"
                "    k = torch.arange(n_mfcc)[:, None]\n"
                "    m = torch.arange(n_mels)[None, :]\n"
                "    D = torch.cos(math.pi * k * m / n_mels) * math.sqrt(2 / n_mels)\n"
                "    D[0] = D[0] / math.sqrt(2)\n"
                "    return D\n\n\n"
                "def mfcc(log_mel, n_mfcc):\n"
                "    return dct_matrix(n_mfcc, log_mel.shape[-2]) @ log_mel"),
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
         source="def overlap_add(frames, hop_length):\n"
                "    n_frames, frame_length = frames.shape[-2:]\n"
                "    idx = torch.arange(n_frames)[:, None] * hop_length + torch.arange(frame_length)[None, :]\n"
                "    out = frames.new_zeros(*frames.shape[:-2], (n_frames - 1) * hop_length + frame_length)\n"
                "    return out.index_add_(-1, idx.flatten(), frames.flatten(-2))\n\n\n"
                "def window_envelope(window, hop_length, n_frames):\n"
                "    return overlap_add(window.expand(n_frames, -1), hop_length)"),
    dict(replace="q_nola", fails=["test_q_nola"], why="believes non-overlapping frames are never invertible",
         source='answer_nola = "a"'),
    dict(replace="istft", fails=["test_istft"], why="divides by the sum of windows, not of squared windows",
         source="def istft(spec, n_fft, hop_length, window, length):\n"
                "    frames = torch.fft.irfft(spec.transpose(-1, -2), n=n_fft, dim=-1) * window\n"
                "    y = overlap_add(frames, hop_length)\n"
                "    envelope = overlap_add(window.expand(frames.shape[-2], n_fft), hop_length)\n"
                "    y = (y / envelope)[..., n_fft // 2:n_fft // 2 + length]\n"
                "    return F.pad(y, (0, length - y.shape[-1]))"),
    dict(replace="istft", fails=["test_istft"], why="keeps the centre padding: the signal comes out shifted",
         source="def istft(spec, n_fft, hop_length, window, length):\n"
                "    frames = torch.fft.irfft(spec.transpose(-1, -2), n=n_fft, dim=-1) * window\n"
                "    y = overlap_add(frames, hop_length)\n"
                "    envelope = overlap_add((window ** 2).expand(frames.shape[-2], n_fft), hop_length)\n"
                "    y = (y / envelope.clamp(min=1e-8))[..., :length]\n"
                "    return F.pad(y, (0, length - y.shape[-1]))"),
    # wrong solutions that pass the visible checks: only the hidden tests catch them
    dict(replace="vocab", fails=["test_vocab"], why="decode only accepts tensors, not lists of ids",
         source="def build_vocab(text):\n"
                "    itos = sorted(set(text))\n"
                "    return {ch: i for i, ch in enumerate(itos)}, itos\n\n\n"
                "def encode(text, stoi):\n"
                "    return torch.tensor([stoi[ch] for ch in text], dtype=torch.long)\n\n\n"
                "def decode(ids, itos):\n"
                "    return ''.join(itos[i] for i in ids.tolist())"),
    dict(replace="frame", fails=["test_frame"], why="indexes the first dimension: breaks on batches",
         source="def frame_signal(x, frame_length, hop_length):\n"
                "    n_frames = max(0, 1 + (x.shape[-1] - frame_length) // hop_length)\n"
                "    idx = torch.arange(n_frames)[:, None] * hop_length + torch.arange(frame_length)[None, :]\n"
                "    return x[idx]"),
    dict(replace="stft", fails=["test_stft"], why="pads without flattening the leading dimensions: no 4-D batches",
         source="def stft(x, n_fft, hop_length, window):\n"
                "    single = x.dim() == 1\n"
                "    if single:\n"
                "        x = x[None]\n"
                "    x = F.pad(x, (n_fft // 2, n_fft // 2), mode='reflect')\n"
                "    spec = torch.fft.rfft(frame_signal(x, n_fft, hop_length) * window, dim=-1).transpose(-1, -2)\n"
                "    return spec[0] if single else spec"),
    dict(replace="mel", fails=["test_mel"], why="ignores f_min and f_max",
         source="def hz_to_mel(f):\n"
                "    return 2595 * torch.log10(1 + f / 700)\n\n\n"
                "def mel_to_hz(m):\n"
                "    return 700 * (10 ** (m / 2595) - 1)\n\n\n"
                "def mel_filterbank(n_freqs, sample_rate, n_mels, f_min=0.0, f_max=None):\n"
                "    freqs = torch.linspace(0, sample_rate / 2, n_freqs)\n"
                "    c = mel_to_hz(torch.linspace(0, float(hz_to_mel(torch.tensor(sample_rate / 2))), n_mels + 2))\n"
                "    rising = (freqs - c[:-2, None]) / (c[1:-1, None] - c[:-2, None])\n"
                "    falling = (c[2:, None] - freqs) / (c[2:, None] - c[1:-1, None])\n"
                "    return torch.clamp(torch.minimum(rising, falling), min=0)\n\n\n"
                "def mel_spectrogram(x, sample_rate, n_fft, hop_length, n_mels):\n"
                "    power = stft(x, n_fft, hop_length, torch.hann_window(n_fft)).abs() ** 2\n"
                "    return mel_filterbank(n_fft // 2 + 1, sample_rate, n_mels) @ power"),
    dict(replace="mfcc", fails=["test_mfcc"], why="applies the DCT along the frames instead of the mel bands",
         source="def dct_matrix(n_mfcc, n_mels):\n"
                "    k = torch.arange(n_mfcc)[:, None]\n"
                "    m = torch.arange(n_mels)[None, :]\n"
                "    D = torch.cos(math.pi * k * (m + 0.5) / n_mels) * math.sqrt(2 / n_mels)\n"
                "    D[0] = D[0] / math.sqrt(2)\n"
                "    return D\n\n\n"
                "def mfcc(log_mel, n_mfcc):\n"
                "    return log_mel @ dct_matrix(n_mfcc, log_mel.shape[-1]).T"),
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
         source="def istft(spec, n_fft, hop_length, window, length):\n"
                "    frames = torch.fft.irfft(spec.transpose(-1, -2), n=n_fft, dim=-1) * window\n"
                "    y = overlap_add(frames, hop_length)\n"
                "    envelope = overlap_add((window ** 2).expand(frames.shape[-2], n_fft), hop_length)\n"
                "    return (y / envelope)[..., n_fft // 2:n_fft // 2 + length]"),
]
