"""Plausible wrong solutions for notebook 05; each graded test cell must fail on at least one."""

_PRF = ("def precision_recall_f1(cm):\n"
        "    tn, fp, fn, tp = (int(v) for v in cm.flatten())\n"
        "    precision = tp / (tp + fp) if tp + fp > 0 else 0.0\n"
        "    recall = tp / (tp + fn) if tp + fn > 0 else 0.0\n"
        "    f1 = 2 * tp / (2 * tp + fp + fn) if tp > 0 else 0.0\n"
        "    return precision, recall, f1\n")
_CM = ("def confusion_matrix_2x2(preds, labels):\n"
       "    preds, labels = preds.flatten().long(), labels.flatten().long()\n"
       "    return torch.bincount(2 * labels + preds, minlength=4).reshape(2, 2)\n\n\n")

_ROC_HEAD = ("def roc_curve(scores, labels):\n"
             "    labels = labels.flatten().double()\n"
             "    n_pos = labels.sum()\n"
             "    n_neg = len(labels) - n_pos\n")
_ROC_CHECK = ("    if n_pos == 0 or n_neg == 0:\n"
              "        raise ValueError('only one class')\n")
_ROC_BODY = ("    order = torch.argsort(scores.flatten(), descending=True)\n"
             "    s, y = scores.flatten()[order], labels[order]\n"
             "    tps, fps = torch.cumsum(y, 0), torch.cumsum(1 - y, 0)\n"
             "    last = torch.ones_like(s, dtype=torch.bool)\n"
             "    last[:-1] = s[1:] != s[:-1]\n"
             "    zero = torch.zeros(1, dtype=torch.float64)\n"
             "    fpr = torch.cat([zero, fps[last] / n_neg])\n"
             "    tpr = torch.cat([zero, tps[last] / n_pos])\n"
             "    thresholds = torch.cat([torch.full((1,), math.inf, dtype=s.dtype), s[last]])\n"
             "    return fpr, tpr, thresholds\n")

_SHAPES = ("    if estimate.shape != target.shape:\n"
           "        raise ValueError('estimate and target must have the same shape')\n")

_STFT_MAG = ("RESOLUTIONS = ((512, 50, 240), (1024, 120, 600), (2048, 240, 1200))\n\n\n"
             "def stft_magnitude(x, n_fft, hop_length, win_length):\n"
             "    window = torch.hann_window(win_length, device=x.device)\n"
             "    X = torch.stft(x, n_fft, hop_length, win_length, window=window, return_complex=True)\n"
             "    return torch.sqrt(torch.clamp(X.real ** 2 + X.imag ** 2, min=1e-7))\n\n\n")


def _mr_stft(sc, mag, reduce):
    return (_STFT_MAG +
            "def mr_stft_loss(estimate, target, resolutions=RESOLUTIONS):\n" + _SHAPES +
            "    total = 0.0\n"
            "    for n_fft, hop_length, win_length in resolutions:\n"
            "        S = stft_magnitude(target, n_fft, hop_length, win_length)\n"
            "        S_hat = stft_magnitude(estimate, n_fft, hop_length, win_length)\n"
            f"        total = total + {sc} + {mag}\n"
            f"    return {reduce}\n")


def _lsd(reduce, log):
    return ("def log_spectral_distance(estimate, target, n_fft=512, hop_length=128, eps=1e-8):\n" + _SHAPES +
            "    window = torch.hann_window(n_fft, device=target.device)\n"
            "    def log_power(x):\n"
            "        X = torch.stft(x, n_fft, hop_length, window=window, return_complex=True)\n"
            f"        return {log}(X.abs().pow(2) + eps)\n"
            "    diff = log_power(target) - log_power(estimate)\n"
            f"    return {reduce}\n")


def _optimise(step):
    return ("def optimise_waveform(loss_fn, target, init, steps=300, lr=1e-4, progress=True, desc='optimising'):\n"
            "    wave = init.detach().clone().requires_grad_(True)\n"
            "    optimizer = torch.optim.Adam([wave], lr=lr)\n"
            "    losses = []\n"
            "    for _ in tqdm(range(steps), desc=desc, disable=not progress, leave=False):\n"
            f"{step}"
            "    return wave.detach(), losses\n")


MUTANTS = [
    dict(replace="confusion", fails=["test_confusion"], why="rows are the predicted class: the matrix is transposed",
         source="def confusion_matrix_2x2(preds, labels):\n"
                "    preds, labels = preds.flatten().long(), labels.flatten().long()\n"
                "    return torch.bincount(2 * preds + labels, minlength=4).reshape(2, 2)\n\n\n" + _PRF),
    dict(replace="confusion", fails=["test_confusion"], why="F1 as the arithmetic mean of precision and recall",
         source=_CM + _PRF.replace("2 * tp / (2 * tp + fp + fn) if tp > 0 else 0.0", "(precision + recall) / 2")),
    dict(replace="confusion", fails=["test_confusion"], why="no guard against a zero denominator",
         source=_CM + "def precision_recall_f1(cm):\n"
                      "    tn, fp, fn, tp = (int(v) for v in cm.flatten())\n"
                      "    precision, recall = tp / (tp + fp), tp / (tp + fn)\n"
                      "    return precision, recall, 2 * precision * recall / (precision + recall)\n"),
    dict(replace="roc", fails=["test_roc"], why="ties ignored: one ROC point per example",
         source=_ROC_HEAD + _ROC_CHECK + _ROC_BODY.replace("    last[:-1] = s[1:] != s[:-1]\n", "")),
    dict(replace="roc", fails=["test_roc"], why="a single class gives nan rates instead of an error",
         source=_ROC_HEAD + _ROC_BODY),
    dict(replace="roc", fails=["test_roc"], why="scores sorted in increasing order",
         source=_ROC_HEAD + _ROC_CHECK + _ROC_BODY.replace("descending=True", "descending=False")),
    dict(replace="auc", fails=["test_auc"], why="rectangles instead of trapezoids: ties are not counted by half",
         source="def roc_auc(scores, labels):\n"
                "    fpr, tpr, _ = roc_curve(scores, labels)\n"
                "    return ((fpr[1:] - fpr[:-1]) * tpr[:-1]).sum()\n"),
    dict(replace="auc", fails=["test_auc"], why="pairwise count with strict > only (ties count 0)",
         source="def roc_auc(scores, labels):\n"
                "    pos, neg = scores[labels == 1], scores[labels == 0]\n"
                "    return (pos[:, None] > neg[None]).double().mean()\n"),
    dict(replace="threshold", fails=["test_threshold"], why="strict inequality: a budget met exactly is rejected",
         source="def threshold_at_fpr(scores, labels, max_fpr):\n"
                "    fpr, _, thresholds = roc_curve(scores, labels)\n"
                "    return float(thresholds[int(torch.nonzero(fpr < max_fpr).max())])\n"),
    dict(replace="threshold", fails=["test_threshold"], why="takes the first point within budget (the strictest)",
         source="def threshold_at_fpr(scores, labels, max_fpr):\n"
                "    fpr, _, thresholds = roc_curve(scores, labels)\n"
                "    return float(thresholds[int(torch.nonzero(fpr <= max_fpr).min())])\n"),
    dict(replace="kws", fails=["test_kws"], why="the threshold is tuned on the test set",
         source="kws_threshold = threshold_at_fpr(test_scores, test_labels, max_fpr=0.02)\n"
                "kws_cm = confusion_matrix_2x2((test_scores >= kws_threshold).long(), test_labels)\n"),
    dict(replace="kws", fails=["test_kws"], why="reports the confusion matrix of the validation clips",
         source="kws_threshold = threshold_at_fpr(val_scores, val_labels, max_fpr=0.02)\n"
                "kws_cm = confusion_matrix_2x2((val_scores >= kws_threshold).long(), val_labels)\n"),
    dict(replace="snr", fails=["test_snr"], why="ratio of norms instead of energies (off by a factor 2 in dB)",
         source="def snr(estimate, target):\n" + _SHAPES +
                "    eps = torch.finfo(target.dtype).eps\n"
                "    return 10 * torch.log10((target.norm(dim=-1) + eps) / ((target - estimate).norm(dim=-1) + eps))\n"),
    dict(replace="snr", fails=["test_snr"], why="no eps: silence gives nan or inf",
         source="def snr(estimate, target):\n" + _SHAPES +
                "    return 10 * torch.log10(target.pow(2).sum(-1) / (target - estimate).pow(2).sum(-1))\n"),
    dict(replace="snr", fails=["test_snr"], why="no shape check: different lengths are not rejected clearly",
         source="def snr(estimate, target):\n"
                "    n = min(estimate.shape[-1], target.shape[-1])\n"
                "    estimate, target = estimate[..., :n], target[..., :n]\n"
                "    eps = torch.finfo(target.dtype).eps\n"
                "    return 10 * torch.log10((target.pow(2).sum(-1) + eps) / ((target - estimate).pow(2).sum(-1) + eps))\n"),
    dict(replace="si_sdr", fails=["test_si_sdr"], why="scales the estimate onto the target instead of the target",
         source="def si_sdr(estimate, target):\n" + _SHAPES +
                "    eps = torch.finfo(target.dtype).eps\n"
                "    alpha = ((estimate * target).sum(-1, keepdim=True) + eps) / (estimate.pow(2).sum(-1, keepdim=True) + eps)\n"
                "    scaled = alpha * estimate\n"
                "    return 10 * torch.log10((target.pow(2).sum(-1) + eps) / ((target - scaled).pow(2).sum(-1) + eps))\n"),
    dict(replace="si_sdr", fails=["test_si_sdr"], why="no eps: silence gives nan",
         source="def si_sdr(estimate, target):\n" + _SHAPES +
                "    alpha = (estimate * target).sum(-1, keepdim=True) / target.pow(2).sum(-1, keepdim=True)\n"
                "    scaled = alpha * target\n"
                "    return 10 * torch.log10(scaled.pow(2).sum(-1) / (scaled - estimate).pow(2).sum(-1))\n"),
    dict(replace="lsd", fails=["test_lsd"], why="one RMS over all bins and frames instead of per frame",
         source=_lsd("diff.pow(2).mean((-2, -1)).sqrt()", "10 * torch.log10")),
    dict(replace="lsd", fails=["test_lsd"], why="natural log instead of decibels",
         source=_lsd("diff.pow(2).mean(-2).sqrt().mean(-1)", "torch.log")),
    dict(replace="mr_stft", fails=["test_mr_stft"], why="L1 of magnitudes instead of log-magnitudes",
         source=_mr_stft("torch.linalg.norm(S - S_hat) / torch.linalg.norm(S)", "(S - S_hat).abs().mean()",
                         "total / len(resolutions)")),
    dict(replace="mr_stft", fails=["test_mr_stft"], why="spectral convergence normalised by the estimate",
         source=_mr_stft("torch.linalg.norm(S - S_hat) / torch.linalg.norm(S_hat)",
                         "(torch.log(S) - torch.log(S_hat)).abs().mean()", "total / len(resolutions)")),
    dict(replace="mr_stft", fails=["test_mr_stft"], why="sum over the resolutions instead of the mean",
         source=_mr_stft("torch.linalg.norm(S - S_hat) / torch.linalg.norm(S)",
                         "(torch.log(S) - torch.log(S_hat)).abs().mean()", "total")),
    dict(replace="q_invariance", fails=["test_q_gain"], why="thinks SNR ignores a gain",
         source='answer_gain = "a"\nanswer_phase = "c"\nanswer_delay = "c"'),
    dict(replace="q_invariance", fails=["test_q_phase"], why="blames the log-spectral distance for the phase",
         source='answer_gain = "b"\nanswer_phase = "a"\nanswer_delay = "c"'),
    dict(replace="q_invariance", fails=["test_q_delay"], why="thinks STOI aligns the signals in time",
         source='answer_gain = "b"\nanswer_phase = "c"\nanswer_delay = "d"'),
    dict(replace="optimise", fails=["test_optimise"], why="gradients never cleared: they accumulate",
         source=_optimise("        loss = loss_fn(wave, target)\n"
                          "        loss.backward()\n"
                          "        optimizer.step()\n"
                          "        losses.append(loss.item())\n")),
    dict(replace="optimise", fails=["test_optimise"], why="records the loss after the update",
         source=_optimise("        optimizer.zero_grad()\n"
                          "        loss_fn(wave, target).backward()\n"
                          "        optimizer.step()\n"
                          "        losses.append(loss_fn(wave, target).item())\n")),
    dict(replace="q_losses", fails=["test_q_losses"], why="blames the learning rate", source='answer_losses = "a"'),
]
