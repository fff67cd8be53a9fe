"""Plausible wrong solutions for notebook 05; each graded test cell must fail on at least one.

A mutant gives either ``source`` (the whole wrong cell) or ``edits``: ``(old, new)`` pairs applied to the
reference solution cell in source/05_metrics/05_metrics.ipynb, each ``old`` occurring there exactly once.
"""

# The shape check that opens snr, si_sdr, log_spectral_distance and mr_stft_loss in the reference cells.
_SHAPE_CHECK = ("    if estimate.shape != target.shape:\n"
                "        raise ValueError(f\"estimate {tuple(estimate.shape)} and target {tuple(target.shape)} "
                "must have the same shape\")\n")

MUTANTS = [
    dict(replace="confusion", fails=["test_confusion"], why="rows are the predicted class: the matrix is transposed",
         edits=[("2 * labels + preds", "2 * preds + labels")]),
    dict(replace="confusion", fails=["test_confusion"], why="F1 as the arithmetic mean of precision and recall",
         edits=[("f1 = 2 * tp / (2 * tp + fp + fn) if tp > 0 else 0.0", "f1 = (precision + recall) / 2")]),
    dict(replace="confusion", fails=["test_confusion"], why="no guard against a zero denominator",
         edits=[(" if tp + fp > 0 else 0.0", ""), (" if tp + fn > 0 else 0.0", ""),
                ("2 * tp / (2 * tp + fp + fn) if tp > 0 else 0.0", "2 * precision * recall / (precision + recall)")]),
    dict(replace="roc", fails=["test_roc"], why="ties ignored: one ROC point per example",
         edits=[("    last[:-1] = s[1:] != s[:-1]  # the last example of each group of equal scores\n", "")]),
    dict(replace="roc", fails=["test_roc"], why="a single class gives nan rates instead of an error",
         edits=[("    if n_pos == 0 or n_neg == 0:\n"
                 "        raise ValueError(\"the ROC curve needs positive and negative examples; "
                 "these labels have only one class\")\n", "")]),
    dict(replace="roc", fails=["test_roc"], why="scores sorted in increasing order",
         edits=[("descending=True", "descending=False")]),
    dict(replace="auc", fails=["test_auc"], why="rectangles instead of trapezoids: ties are not counted by half",
         edits=[("(tpr[1:] + tpr[:-1]) / 2", "tpr[:-1]")]),
    dict(replace="auc", fails=["test_auc"], why="pairwise count with strict > only (ties count 0)",
         source="def roc_auc(scores, labels):\n"
                "    pos, neg = scores[labels == 1], scores[labels == 0]\n"
                "    return (pos[:, None] > neg[None]).double().mean()\n"),
    dict(replace="threshold", fails=["test_threshold"], why="strict inequality: a budget met exactly is rejected",
         edits=[("fpr <= max_fpr", "fpr < max_fpr")]),
    dict(replace="threshold", fails=["test_threshold"], why="takes the first point within budget (the strictest)",
         edits=[("nonzero(fpr <= max_fpr).max()", "nonzero(fpr <= max_fpr).min()")]),
    dict(replace="kws", fails=["test_kws"], why="the threshold is tuned on the test set",
         edits=[("threshold_at_fpr(val_scores, val_labels,", "threshold_at_fpr(test_scores, test_labels,")]),
    dict(replace="kws", fails=["test_kws"], why="reports the confusion matrix of the validation clips",
         edits=[("(test_scores >= kws_threshold).long(), test_labels)",
                 "(val_scores >= kws_threshold).long(), val_labels)")]),
    dict(replace="snr", fails=["test_snr"], why="ratio of norms instead of energies (off by a factor 2 in dB)",
         edits=[("target.pow(2).sum(-1)", "target.norm(dim=-1)"), ("noise.pow(2).sum(-1)", "noise.norm(dim=-1)")]),
    dict(replace="snr", fails=["test_snr"], why="no eps: silence gives nan or inf",
         edits=[("(target.pow(2).sum(-1) + eps) / (noise.pow(2).sum(-1) + eps)",
                 "target.pow(2).sum(-1) / noise.pow(2).sum(-1)")]),
    dict(replace="snr", fails=["test_snr"], why="no shape check: different lengths are not rejected clearly",
         edits=[(_SHAPE_CHECK, "    n = min(estimate.shape[-1], target.shape[-1])\n"
                               "    estimate, target = estimate[..., :n], target[..., :n]\n")]),
    dict(replace="si_sdr", fails=["test_si_sdr"], why="scales the estimate onto the target instead of the target",
         edits=[("(target.pow(2).sum(-1, keepdim=True) + eps)", "(estimate.pow(2).sum(-1, keepdim=True) + eps)"),
                ("scaled = alpha * target", "scaled = alpha * estimate"),
                ("distortion = scaled - estimate", "distortion = target - scaled"),
                ("(scaled.pow(2).sum(-1) + eps)", "(target.pow(2).sum(-1) + eps)")]),
    dict(replace="si_sdr", fails=["test_si_sdr"], why="no eps: silence gives nan",
         edits=[("((estimate * target).sum(-1, keepdim=True) + eps) / (target.pow(2).sum(-1, keepdim=True) + eps)",
                 "(estimate * target).sum(-1, keepdim=True) / target.pow(2).sum(-1, keepdim=True)"),
                ("(scaled.pow(2).sum(-1) + eps) / (distortion.pow(2).sum(-1) + eps)",
                 "scaled.pow(2).sum(-1) / distortion.pow(2).sum(-1)")]),
    dict(replace="lsd", fails=["test_lsd"], why="one RMS over all bins and frames instead of per frame",
         edits=[("diff.pow(2).mean(-2).sqrt().mean(-1)", "diff.pow(2).mean((-2, -1)).sqrt()")]),
    dict(replace="lsd", fails=["test_lsd"], why="natural log instead of decibels",
         edits=[("10 * torch.log10(X.abs()", "torch.log(X.abs()")]),
    dict(replace="mr_stft", fails=["test_mr_stft"], why="L1 of magnitudes instead of log-magnitudes",
         edits=[("(torch.log(S) - torch.log(S_hat)).abs().mean()", "(S - S_hat).abs().mean()")]),
    dict(replace="mr_stft", fails=["test_mr_stft"], why="spectral convergence normalised by the estimate",
         edits=[("/ torch.linalg.norm(S)", "/ torch.linalg.norm(S_hat)")]),
    dict(replace="mr_stft", fails=["test_mr_stft"], why="sum over the resolutions instead of the mean",
         edits=[("return total / len(resolutions)", "return total")]),
    dict(replace="q_invariance", fails=["test_q_gain"], why="thinks SNR ignores a gain",
         source='answer_gain = "a"\nanswer_phase = "c"\nanswer_delay = "c"'),
    dict(replace="q_invariance", fails=["test_q_phase"], why="blames the log-spectral distance for the phase",
         source='answer_gain = "b"\nanswer_phase = "a"\nanswer_delay = "c"'),
    dict(replace="q_invariance", fails=["test_q_delay"], why="thinks STOI aligns the signals in time",
         source='answer_gain = "b"\nanswer_phase = "c"\nanswer_delay = "d"'),
    dict(replace="optimise", fails=["test_optimise"], why="gradients never cleared: they accumulate",
         edits=[("        optimizer.zero_grad()\n", "")]),
    dict(replace="optimise", fails=["test_optimise"], why="records the loss after the update",
         edits=[("losses.append(loss.item())", "losses.append(loss_fn(wave, target).item())")]),
    dict(replace="q_losses", fails=["test_q_losses"], why="blames the learning rate", source='answer_losses = "a"'),
]
