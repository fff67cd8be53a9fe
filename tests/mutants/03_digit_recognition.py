"""Plausible wrong solutions for notebook 03; each graded test cell must fail on at least one.

A mutant with `edits` is the reference solution cell with each (old, new) applied; `source` is a whole cell.
"""

MUTANTS = [
    dict(replace="features", fails=["test_features"], why="pads and crops at the end instead of centring",
         edits=[("start = (n - length) // 2", "start = 0"),
                ("left = (length - n) // 2", "left = 0")]),
    dict(replace="features", fails=["test_features"], why="log of the mel power without the floor: -inf on padding",
         edits=[("mel(waves) + LOG_EPS", "mel(waves)")]),
    dict(replace="dataset", fails=["test_dataset"], why="normalises every set with its own statistics",
         edits=[("if mean is None:", "if True:")]),
    dict(replace="dataset", fails=["test_dataset"], why="one mean and standard deviation for all mel bands",
         edits=[("feats.mean(dim=(0, 2))[:, None]", "feats.mean() * torch.ones(N_MELS, 1)"),
                ("feats.std(dim=(0, 2))[:, None]", "feats.std() * torch.ones(N_MELS, 1)")]),
    dict(replace="cross_entropy", fails=["test_cross_entropy"], why="log of the softmax without the max trick",
         source="def cross_entropy(logits, targets):\n"
                "    p = torch.exp(logits) / torch.exp(logits).sum(dim=1, keepdim=True)\n"
                "    return -torch.log(p[torch.arange(len(targets)), targets]).mean()\n"),
    dict(replace="cnn", fails=["test_cnn"], why="ReLU before the batch norm",
         edits=[("nn.BatchNorm2d(c), nn.ReLU()", "nn.ReLU(), nn.BatchNorm2d(c)")]),
    dict(replace="cnn", fails=["test_cnn"], why="no batch normalisation",
         edits=[("nn.BatchNorm2d(c), ", "")]),
    dict(replace="train_step", fails=["test_train_step"], why="forgets optimizer.zero_grad()",
         edits=[("    optimizer.zero_grad()\n", "")]),
    dict(replace="train_step", fails=["test_train_step", "test_model_quality"], why="never calls optimizer.step()",
         edits=[("    optimizer.step()\n", "")]),
    dict(replace="predict_classes", fails=["test_predict_classes"], why="forgets model.eval(): batch statistics",
         edits=[("    model.eval()\n", "")]),
    dict(replace="spec_augment", fails=["test_spec_augment"], why="one mask for the whole batch",
         edits=[("B, _, M, N = x.shape", "_, _, M, N = x.shape\n    B = 1")]),
    dict(replace="spec_augment", fails=["test_spec_augment"], why="masks in place: changes the training features",
         edits=[("x.masked_fill(", "x.masked_fill_(")]),
    dict(replace="confusion", fails=["test_confusion"], why="rows are the predicted class (transposed)",
         edits=[("targets.long() * n_classes + preds.long()", "preds.long() * n_classes + targets.long()")]),
    dict(replace="confusion", fails=["test_confusion"], why="precision and recall swapped",
         edits=[("return precision, recall", "return recall, precision")]),
    dict(replace="q_precision", fails=["test_q_precision"], why="reads precision as recall", source='answer_precision = "a"'),
    dict(replace="q_speaker", fails=["test_q_speaker"], why="blames the number of epochs", source='answer_speaker = "b"'),
    dict(replace="predict", fails=["test_predict"], why="keeps the first second of a long clip",
         edits=[("pad_or_crop(w.detach().float().cpu().reshape(-1), CLIP_SAMPLES)",
                 "F.pad(w.detach().float().cpu().reshape(-1), (0, max(0, CLIP_SAMPLES - w.numel())))[:CLIP_SAMPLES]")]),
    dict(replace="predict", fails=["test_predict"], why="normalises with the statistics of the clips given",
         edits=[("features = ((log_mel(clips)", "feats = log_mel(clips)\n    features = ((feats"),
                ("train_set.mean) / train_set.std", "feats.mean(dim=(0, 2), keepdim=True)) / feats.std(dim=(0, 2), keepdim=True)")]),
]
