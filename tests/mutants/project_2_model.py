"""Plausible wrong solutions for the project's milestone 2 (the model); each graded test cell must fail on at least
one.

A mutant with ``edits`` is the reference solution cell with each (old, new) applied; ``source`` is a whole cell.
"""

MUTANTS = [
    dict(replace="denoiser", fails=["test_denoiser"], why="no padding: inputs shorter than one STFT frame fail",
         edits=[("x = F.pad(noisy, (0, max(0, N_FFT - length)))", "x = noisy")]),
    dict(replace="denoiser", fails=["test_denoiser"], why="the level is averaged over the whole batch",
         edits=[("level.mean(1, keepdim=True)", "level.mean((0, 1), keepdim=True)")]),
    dict(replace="denoiser", fails=["test_denoiser"], why="the level is the mean over the whole recording",
         edits=[("return F.avg_pool1d(x, 2 * self.average + 1, 1, self.average, count_include_pad=False)",
                 "return x.mean(2, keepdim=True).expand_as(x)")]),
    dict(replace="denoiser", fails=["test_denoiser"], why="the context forgets the STFT windows (frames only)",
         edits=[("self.context = N_FFT + (sum(dilations) + average) * HOP", "self.context = (sum(dilations) + average) * HOP")]),
    dict(replace="denoiser", fails=["test_denoiser"], why="the context forgets the frames of the local level",
         edits=[("self.context = N_FFT + (sum(dilations) + average) * HOP", "self.context = N_FFT + sum(dilations) * HOP")]),
    dict(replace="denoiser", fails=["test_denoiser"], why="dropout left on in eval mode",
         edits=[("h = h + F.relu(self.conv(block, h))", "h = h + F.dropout(F.relu(self.conv(block, h)), 0.1, training=True)")]),
    dict(replace="denoiser", fails=["test_checkpoint"], why="part of the state in a plain attribute, not a buffer",
         edits=[("self.register_buffer(\"window\", torch.hann_window(N_FFT))",
                 "self.window = torch.hann_window(N_FFT) * (1 + 0.1 * torch.rand(N_FFT))")]),
    dict(replace="checkpoint", fails=["test_checkpoint"], why="load_checkpoint builds the model but never loads the state",
         edits=[("    model.load_state_dict(torch.load(path, weights_only=True, map_location=\"cpu\"))\n", "")]),
    dict(replace="checkpoint", fails=["test_checkpoint"], why="saves the pickled module instead of the state dict",
         edits=[("torch.save({k: v.detach().cpu() for k, v in model.state_dict().items()}, path)",
                 "torch.save(model, path)")]),
    dict(replace="enhance_long", fails=["test_enhance_long"], why="chunks without context: a click at every boundary",
         edits=[("lo, hi = max(0, start - context), min(len(wave), start + chunk + context)",
                 "lo, hi = start, min(len(wave), start + chunk)")]),
    dict(replace="enhance_long", fails=["test_enhance_long"], why="the whole recording in one call",
         source="@torch.no_grad()\ndef enhance_long(model, wave, chunk_seconds=2.0):\n"
                "    model.eval()\n    return model.enhance(wave.float()).cpu()\n"),
    dict(replace="training", fails=["test_quality"], why="the loss has the wrong sign: training maximises distortion",
         edits=[("return -(10 * torch.log10(", "return (10 * torch.log10(")]),
    dict(replace="causal", fails=["test_causal"], why="symmetric padding: the convolutions still look ahead",
         edits=[("F.pad(h, (2 * d, 0))", "F.pad(h, (d, d))")]),
    dict(replace="causal", fails=["test_causal"], why="keeps the symmetric local level: it looks 256 ms ahead",
         edits=[("    def local_mean(self, x):\n", "    def past_mean(self, x):\n")]),
    dict(replace="causal", fails=["test_causal"], why="states a latency of zero: the STFT window looks ahead too",
         edits=[("self.latency = N_FFT", "self.latency = 0")]),
    dict(replace="q1", fails=["test_q1"], why="counts the whole receptive field as latency", source="answer_q1 = \"c\"\n"),
]
