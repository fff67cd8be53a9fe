"""Plausible wrong solutions for notebook 10; each graded test cell must fail on at least one.

A mutant gives either ``source`` (the whole wrong cell) or ``edits``: ``(old, new)`` pairs applied to the
reference solution cell in source/10_profiling/10_profiling.ipynb, each ``old`` occurring there exactly once.
"""

MUTANTS = [
    dict(replace="counting", fails=["test_counting"], why="padding ignored in the output length",
         edits=[("(length + 2 * p - d * (k - 1) - 1) // s + 1", "(length - d * (k - 1) - 1) // s + 1")]),
    dict(replace="counting", fails=["test_counting"], why="groups ignored: every output sees all input channels",
         edits=[("layer.in_channels // layer.groups * math.prod", "layer.in_channels * math.prod")]),
    dict(replace="counting", fails=["test_counting"], why="dilation ignored in the output length",
         edits=[("(length + 2 * p - d * (k - 1) - 1) // s + 1", "(length + 2 * p - (k - 1) - 1) // s + 1")]),
    dict(replace="counting", fails=["test_counting"], why="MACs instead of FLOPs for the linear layer",
         edits=[("return 2 * rows * layer.in_features", "return rows * layer.in_features")]),
    dict(replace="counting", fails=["test_counting"], why="only the first leading dimension counted as rows",
         edits=[("rows = math.prod(input_shape[:-1])", "rows = input_shape[0]")]),
    dict(replace="counting", fails=["test_counting"], why="biases left out of the parameter count",
         edits=[("return sum(p.numel() for p in model.parameters())",
                 "return sum(p.numel() for n, p in model.named_parameters() if 'bias' not in n)")]),
    dict(replace="rnn_attention", fails=["test_rnn_attention"], why="one gate instead of four",
         edits=[("2 * batch * steps * 4 * h * (n_in + h)", "2 * batch * steps * h * (n_in + h)")]),
    dict(replace="rnn_attention", fails=["test_rnn_attention"], why="later layers counted with the input size",
         edits=[("        n_in = h\n", "")]),
    dict(replace="rnn_attention", fails=["test_rnn_attention"], why="causal mask halves the score products",
         edits=[("attention = 2 * 2 * batch * steps * steps * d_model",
                 "attention = 2 * batch * steps * steps * d_model")]),
    dict(replace="rnn_attention", fails=["test_rnn_attention"], why="output projection forgotten",
         edits=[("(3 * d_model + d_model)", "(3 * d_model)")]),
    dict(replace="bytes", fails=["test_bytes"], why="always 4 bytes per element",
         edits=[("    return sum(p.numel() for p in model.parameters()) * size",
                 "    return sum(p.numel() for p in model.parameters()) * 4")]),
    dict(replace="bytes", fails=["test_bytes"], why="containers hooked too: their outputs counted twice",
         edits=[("leaves = [m for m in model.modules() if not list(m.children())]",
                 "leaves = list(model.modules())")]),
    dict(replace="bytes", fails=["test_bytes"], why="hooks never removed",
         edits=[("        for h in hooks:\n            h.remove()\n", "        pass\n")]),
    dict(replace="time_it", fails=["test_time_it"], why="no warm-up: the slow first calls are timed",
         edits=[("    for _ in range(warmup):\n        fn()\n", "")]),
    dict(replace="time_it", fails=["test_time_it"], why="one clock reading around all repeats, divided",
         source="def time_it(fn, warmup=3, repeats=20, clock=time.perf_counter):\n"
                "    for _ in range(warmup):\n"
                "        fn()\n"
                "    start = clock()\n"
                "    for _ in range(repeats):\n"
                "        fn()\n"
                "    if torch.cuda.is_available():\n"
                "        torch.cuda.synchronize()\n"
                "    return torch.full((repeats,), (clock() - start) / repeats, dtype=torch.float64)\n\n\n"
                "def summary(times):\n"
                "    q1, med, q3 = torch.quantile(times, torch.tensor([0.25, 0.5, 0.75], dtype=times.dtype)).tolist()\n"
                "    return f\"{1e3 * med:.3f} ms ± {1e3 * (q3 - q1) / 2:.3f}\"\n"),
    dict(replace="time_it", fails=["test_time_it"], why="no CUDA synchronisation before reading the clock",
         edits=[("        if cuda:\n            torch.cuda.synchronize()\n        times.append", "        times.append")]),
    dict(replace="time_it", fails=["test_time_it"], why="uses time.perf_counter instead of the clock it is given",
         edits=[("        start = clock()", "        start = time.perf_counter()"),
                ("times.append(clock() - start)", "times.append(time.perf_counter() - start)")]),
    dict(replace="q_first_call", fails=["test_q_first_call"], why="thinks the CPU has to warm up",
         source='answer_q1 = "a"'),
    dict(replace="bottleneck", fails=["test_bottleneck"], why="total time (children included) instead of self time",
         edits=[("top = max(events, key=lambda e: e.self_cpu_time_total)",
                 "top = max(events, key=lambda e: e.cpu_time_total)")]),
    dict(replace="bottleneck", fails=["test_bottleneck"], why="share of the top operator's total time",
         edits=[("    total = sum(e.self_cpu_time_total for e in events)\n",
                 "    total = sum(e.cpu_time_total for e in events)\n")]),
    dict(replace="roofline", fails=["test_roofline"], why="weights not counted in the bytes moved",
         edits=[("(batch * n_in + n_in * n_out + batch * n_out)", "(batch * n_in + batch * n_out)")]),
    dict(replace="roofline", fails=["test_roofline"], why="max instead of min: above the roof",
         edits=[("torch.clamp(intensity * bandwidth, max=peak_flops)",
                 "torch.clamp(intensity * bandwidth, min=peak_flops)")]),
    dict(replace="q_memory_bound", fails=["test_q_memory_bound"], why="thinks the big matrix product is memory-bound",
         source='answer_q2 = "a"'),
    dict(replace="energy", fails=["test_energy"], why="watt-hours taken for kWh: divided by 3600 only",
         edits=[("kwh = power_w * seconds / 3.6e6", "kwh = power_w * seconds / 3600")]),
    dict(replace="quantize", fails=["test_quantize"], why="truncates instead of rounding",
         edits=[("q = torch.round(w / scale).clamp(-127, 127).to(torch.int8)",
                 "q = (w / scale).clamp(-127, 127).to(torch.int8)")]),
    dict(replace="quantize", fails=["test_quantize"], why="one scale for the whole tensor",
         edits=[("scale = (w.abs().amax(dim=1, keepdim=True) / 127)",
                 "scale = (w.abs().max().expand(w.shape[0], 1) / 127)")]),
    dict(replace="q_quantize", fails=["test_q_quantize"], why="thinks batch norm undoes the quantisation",
         source='answer_q3 = "c"'),
]
