"""Correct solutions for notebook 08 written independently of the reference; together they must score full
points (tests/test_adversarial.py grades them in the sandbox)."""

ALTERNATIVES = [
    dict(replace="wer", why="full DP table",
         source="def edit_distance(reference, hypothesis):\n"
                "    n, m = len(reference), len(hypothesis)\n"
                "    d = [[0] * (m + 1) for _ in range(n + 1)]\n"
                "    for i in range(n + 1):\n        d[i][0] = i\n"
                "    for j in range(m + 1):\n        d[0][j] = j\n"
                "    for i in range(1, n + 1):\n        for j in range(1, m + 1):\n"
                "            d[i][j] = min(d[i-1][j] + 1, d[i][j-1] + 1, d[i-1][j-1] + int(reference[i-1] != hypothesis[j-1]))\n"
                "    return d[n][m]\n\n\n"
                "def wer(references, hypotheses):\n"
                "    e = n = 0\n"
                "    for r, h in zip(references, hypotheses):\n"
                "        e += edit_distance(r.split(), h.split())\n        n += len(r.split())\n"
                "    return float(e / n)"),
    dict(replace="greedy", why="unique_consecutive",
         source="def ctc_greedy_decode(log_probs, blank=0):\n"
                "    path = torch.unique_consecutive(log_probs.argmax(-1))\n"
                "    return [int(k) for k in path if int(k) != blank]"),
    dict(replace="ctc_forward", why="python-loop alpha",
         source="def ctc_log_alpha(log_probs, target, blank=0):\n"
                "    ext = [blank]\n    for l in target.tolist():\n        ext += [l, blank]\n"
                "    T, S = log_probs.shape[0], len(ext)\n"
                "    alpha = torch.full((T, S), -math.inf, dtype=log_probs.dtype)\n"
                "    alpha[0, 0] = log_probs[0, blank]\n"
                "    if S > 1:\n        alpha[0, 1] = log_probs[0, ext[1]]\n"
                "    for t in range(1, T):\n        for s in range(S):\n"
                "            terms = [alpha[t - 1, s]]\n"
                "            if s >= 1:\n                terms.append(alpha[t - 1, s - 1])\n"
                "            if s >= 2 and ext[s] != blank and ext[s] != ext[s - 2]:\n                terms.append(alpha[t - 1, s - 2])\n"
                "            alpha[t, s] = torch.logsumexp(torch.stack(terms), 0) + log_probs[t, ext[s]]\n"
                "    return alpha\n\n\n"
                "def ctc_loss(log_probs, target, blank=0):\n"
                "    a = ctc_log_alpha(log_probs, target, blank)\n"
                "    if len(target) == 0:\n        return -a[-1, -1]\n"
                "    return -torch.logaddexp(a[-1, -1], a[-1, -2])"),
    dict(replace="rescore", why="sorted by total",
         source="def rescore(nbest, lm_weight, word_score=0.0):\n"
                "    scored = sorted(nbest, key=lambda it: it[1] + lm_weight * lm_logprob(it[0]) + word_score * len(it[0]))\n"
                "    return [int(d) for d in scored[-1][0]]"),
]
