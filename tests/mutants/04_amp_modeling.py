"""Plausible wrong solutions for notebook 04; each graded test cell must fail on at least one.

A mutant gives either ``source`` (the whole wrong cell) or ``edits``: ``(old, new)`` pairs applied to the
reference solution cell of ``replace``, each ``old`` occurring there exactly once.
"""

MUTANTS = [
    dict(replace="pre_emphasis", fails=["test_pre_emphasis"], why="torch.roll wraps the last sample round to x[-1]",
         edits=[("torch.cat([x[..., :1], x[..., 1:] - coeff * x[..., :-1]], dim=-1)",
                 "x - coeff * torch.roll(x, 1, dims=-1)")]),
    dict(replace="pre_emphasis", fails=["test_pre_emphasis"], why="filters along the first dimension of a batch",
         edits=[("[x[..., :1], x[..., 1:] - coeff * x[..., :-1]], dim=-1", "[x[:1], x[1:] - coeff * x[:-1]], dim=0")]),
    dict(replace="esr_loss", fails=["test_esr_loss"], why="forgets the pre-emphasis",
         edits=[("    pred, target = pre_emphasis(pred, coeff), pre_emphasis(target, coeff)\n", "")]),
    dict(replace="esr_loss", fails=["test_esr_loss"], why="divides by the energy of the prediction",
         edits=[("/ (target.pow(2)", "/ (pred.pow(2)")]),
    dict(replace="esr_loss", fails=["test_esr_loss"], why="averages the per-sequence ratios instead of one ratio",
         edits=[("return (target - pred).pow(2).mean() / (target.pow(2).mean() + eps)",
                 "return ((target - pred).pow(2).mean(-1) / (target.pow(2).mean(-1) + eps)).mean()")]),
    dict(replace="q_preemphasis", fails=["test_q_preemphasis"], why="thinks it removes DC", source='answer_preemphasis = "a"'),
    dict(replace="memoryless", fails=["test_memoryless"], why="ReLU instead of Tanh",
         edits=[("nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh()", "nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU()")]),
    dict(replace="amp_lstm", fails=["test_amp_lstm"], why="no skip connection",
         edits=[(".squeeze(-1) + x", ".squeeze(-1)")]),
    dict(replace="amp_lstm", fails=["test_amp_lstm"], why="detach_state forgets the state instead of detaching it",
         edits=[("if self.state is not None:\n            self.state = tuple(s.detach() for s in self.state)",
                 "self.state = None")]),
    dict(replace="train_batch", fails=["test_train_batch"], why="no warm-up: the loss also covers the first samples",
         edits=[("    with torch.no_grad():\n        model(dry[:, :warmup])\n", ""),
                ("range(warmup,", "range(0,")]),
    dict(replace="train_batch", fails=["test_train_batch"], why="never clips the gradient",
         edits=[("        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)\n", "")]),
    dict(replace="train_batch", fails=["test_train_batch"], why="does not reset the state left by the previous batch",
         edits=[("    model.reset_state()\n", "")]),
    dict(replace="train_batch", fails=["test_train_batch", "test_lstm_quality"],
         why="forgets optimizer.step(): the weights never change",
         edits=[("        optimizer.step()\n", "")]),
    dict(replace="q_warmup", fails=["test_q_warmup"], why="thinks the warm-up saves memory", source='answer_warmup = "a"'),
    dict(replace="process_clip", fails=["test_process_clip"], why="resets the state before every chunk",
         source="def process_clip(model, dry, chunk=SR):\n"
                "    dev = next(model.parameters()).device\n"
                "    outputs = []\n"
                "    with torch.no_grad():\n"
                "        for part in dry.split(chunk):\n"
                "            model.reset_state()\n"
                "            outputs.append(model(part[None].to(dev))[0].cpu())\n"
                "    return torch.cat(outputs)"),
    dict(replace="process_clip", fails=["test_process_clip"], why="never resets the state: a stale state leaks in",
         edits=[("    model.reset_state()\n", "")]),
    dict(replace="process", fails=["test_process"], why="runs the memoryless baseline instead of the LSTM",
         source="def process(dry):\n"
                "    with torch.no_grad():\n"
                "        return memoryless(dry[None].to(device))[0].cpu()"),
    dict(replace="q_memory", fails=["test_q_memory"], why="blames the model size", source='answer_memory = "a"'),
]
