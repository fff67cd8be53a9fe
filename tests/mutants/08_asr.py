"""Plausible wrong solutions for notebook 08; each graded test cell must fail on at least one.

A mutant with `edits` is the reference solution cell with each (old, new) applied; `source` is a whole cell.
"""

MUTANTS = [
    dict(replace="wer", fails=["test_wer"], why="averages the per-sentence WERs instead of pooling the edits",
         edits=[("    edits = sum(edit_distance(r.split(), h.split()) for r, h in zip(references, hypotheses))\n"
                 "    return edits / sum(len(r.split()) for r in references)",
                 "    return sum(edit_distance(r.split(), h.split()) / len(r.split())\n"
                 "               for r, h in zip(references, hypotheses)) / len(references)")]),
    dict(replace="wer", fails=["test_wer"], why="a substitution costs 2 (a deletion plus an insertion)",
         edits=[("previous[j - 1] + (r != h)", "previous[j - 1] + 2 * (r != h)")]),
    dict(replace="greedy", fails=["test_greedy"], why="drops blanks before merging repeats",
         edits=[("    best = log_probs.argmax(dim=-1).tolist()",
                 "    best = [k for k in log_probs.argmax(dim=-1).tolist() if k != blank]")]),
    dict(replace="greedy", fails=["test_greedy"], why="assumes the blank is class 0",
         edits=[("if k != previous and k != blank:", "if k != previous and k != 0:")]),
    dict(replace="ctc_forward", fails=["test_ctc_forward"], why="allows the jump over the blank between equal labels",
         edits=[("skip[2:] = (ext[2:] != blank) & (ext[2:] != ext[:-2])", "skip[2:] = ext[2:] != blank")]),
    dict(replace="ctc_forward", fails=["test_ctc_forward"], why="ends only on the final blank",
         edits=[("-torch.logsumexp(alpha[-1, -2:], dim=0) if", "-alpha[-1, -1] if")]),
    dict(replace="ctc_forward", fails=["test_ctc_forward"], why="max instead of logsumexp (the Viterbi path)",
         edits=[("alpha[t] = torch.logsumexp(torch.stack([stay, step, jump]), dim=0)",
                 "alpha[t] = torch.stack([stay, step, jump]).max(dim=0).values")]),
    dict(replace="beam_search", fails=["test_beam_search"], why="merges a label into a repeat even after a blank",
         edits=[("                    add(prefix, neg_inf, pnb + y)                 # repeat: the same label continues\n"
                 "                    add(prefix + (c,), neg_inf, pb + y)           # a new label after a blank\n",
                 "                    add(prefix, neg_inf, total + y)\n")]),
    dict(replace="beam_search", fails=["test_beam_search"], why="keeps only the best path per prefix (max, not sum)",
         edits=[("        return m + math.log1p(math.exp(-abs(a - b)))", "        return m")]),
    dict(replace="rescore", fails=["test_rescore"], why="ignores the word score",
         edits=[(" + word_score * len(digits)", "")]),
    dict(replace="rescore", fails=["test_rescore"], why="picks the acoustically best hypothesis (no LM)",
         edits=[("return acoustic + lm_weight * lm_logprob(digits)", "return acoustic + 0 * lm_logprob(digits)")]),
    dict(replace="transcribe", fails=["test_transcribe"], why="forgets to resample to 8 kHz",
         edits=[("wave = resample(wave.detach().float().cpu().reshape(-1), sample_rate, SAMPLE_RATE)",
                 "wave = wave.detach().float().cpu().reshape(-1)")]),
    dict(replace="transcribe", fails=["test_transcribe"], why="returns the digits with spaces",
         edits=[("return asr.digits_to_string(digits)", "return \" \".join(map(str, digits))")]),
    dict(replace="q_lm_weight", fails=["test_q_lm_weight"], why="more LM is always better", source='answer_lm_weight = "a"'),
    dict(replace="q_errors", fails=["test_q_errors"], why="blames the vocabulary", source='answer_errors = "d"'),
]
