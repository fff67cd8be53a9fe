"""Unit tests of course_utils.asr: digit utterances, decoder files, text normalisation and the pretrained systems."""
import itertools
import math

import pytest
import torch

from course_utils import asr
from course_utils.audio import resample
from course_utils.data import load_ljspeech
from course_utils.digits import TEST_TAKES


def test_grammar_is_a_distribution():
    P = asr.grammar_transitions()
    assert P.shape == (11, 10)
    assert torch.allclose(P.sum(dim=1), torch.ones(11, dtype=P.dtype))
    assert ((P > 0.1).sum(dim=1) == 3).all()  # three likely successors per row


def test_sequences_are_seeded_and_in_range():
    a, b = asr.sample_digit_sequences(50, seed=3), asr.sample_digit_sequences(50, seed=3)
    assert a == b and a != asr.sample_digit_sequences(50, seed=4)
    assert all(asr.MIN_DIGITS <= len(s) <= asr.MAX_DIGITS and all(0 <= d <= 9 for d in s) for s in a)


def test_connected_digits_are_deterministic_and_use_their_takes():
    waves, digits = asr.connected_digits("test", 4, seed=5)
    again, digits2 = asr.connected_digits("test", 4, seed=5)
    assert digits == digits2 and all(torch.equal(w, v) for w, v in zip(waves, again))
    assert all(w.dtype == torch.float32 and w.dim() == 1 for w in waves)
    # each digit lasts at least 0.1 s and each pause at least 0.05 s
    assert all(len(w) > (0.1 * len(d) + 0.05 * (len(d) + 1)) * asr.SAMPLE_RATE for w, d in zip(waves, digits))
    table, speakers = asr._clips_by_speaker_digit("test")
    assert len(speakers) == 6 and all(len(v) == len(TEST_TAKES) for v in table.values())
    noisy, _ = asr.connected_digits("test", 4, seed=5, snr_db=0.0)
    for clean, dirty in zip(waves, noisy):
        snr = 10 * torch.log10(clean.pow(2).sum() / (dirty - clean).pow(2).sum())
        assert abs(float(snr)) < 0.1


def test_bigram_lm_is_normalised_and_decoder_reads_the_files(tmp_path):
    seqs = asr.sample_digit_sequences(300, seed=1)
    unigrams, bigrams = asr.bigram_log10_probs(seqs)
    for h in ["<s>"] + [str(d) for d in range(10)]:
        total = sum(10 ** lp for (a, _), lp in bigrams.items() if a == h)
        assert math.isclose(total, 1.0, rel_tol=1e-6)
    files = asr.write_decoder_files(tmp_path, seqs)
    # confident emissions that spell 4 0 7 7 (a blank between the two 7s): a light LM keeps them,
    # a heavy LM replaces the improbable "0 7" transition
    path = [0, 5, 0, 1, 1, 0, 8, 0, 8, 8, 0]
    lp = torch.log(torch.nn.functional.one_hot(torch.tensor(path), 11).float() * 0.99 + 0.001)
    for weight, expected in [(0.1, [4, 0, 7, 7])]:
        decoder = asr.quiet_ctc_decoder(lexicon=None, tokens=files["tokens"], lm=files["lm"], lm_weight=weight,
                                        blank_token="-", sil_token="|")
        tokens = decoder(asr.with_boundary(lp)[None].contiguous())[0][0].tokens
        assert asr.tokens_to_digits(tokens) == expected


def _ctc_log_prob(log_probs, labels):
    """log p(labels | x) summed over all CTC alignments, by PyTorch's CTC loss."""
    target = torch.tensor([labels], dtype=torch.long) if labels else torch.zeros(1, 0, dtype=torch.long)
    return -torch.nn.functional.ctc_loss(log_probs[:, None], target, torch.tensor([len(log_probs)]),
                                         torch.tensor([len(labels)]), reduction="sum").item()


def test_ctc_lm_beam_search_is_exact_with_a_wide_beam():
    g = torch.Generator().manual_seed(3)
    table = torch.randn(4, 4, generator=g, dtype=torch.float64).log_softmax(-1)  # P(c | prev), prev 0 = start

    def lm_score(prev, c):
        return table[0 if prev is None else prev, 0 if c is None else c].item()

    for trial in range(6):
        T, K = (4, 3) if trial % 2 else (5, 4)
        log_probs = (2 * torch.randn(T, K, generator=g, dtype=torch.float64)).log_softmax(-1)
        weight, bonus = [(0.0, 0.0), (1.0, 0.5), (2.0, -1.0)][trial % 3]
        sequences = [list(s) for n in range(T + 1) for s in itertools.product(range(1, K), repeat=n)]

        def fused(s):
            lm = sum(lm_score(p, c) for p, c in zip([None] + s, s + [None]))
            return _ctc_log_prob(log_probs, s) + weight * lm + bonus * len(s)

        scores = sorted((fused(s), s) for s in sequences if _ctc_log_prob(log_probs, s) > -math.inf)
        (labels, score), = asr.ctc_lm_beam_search(log_probs, lm_score, weight, bonus, beam_size=10_000,
                                                  prune=math.inf)
        assert labels == scores[-1][1] and score == pytest.approx(scores[-1][0], abs=1e-9)


def test_ctc_lm_beam_search_follows_the_language_model():
    # frames that sound equally like label 1 and label 2; the LM prefers 2
    log_probs = torch.tensor([[0.1, 0.45, 0.45], [0.9, 0.05, 0.05]]).log()
    prefers_two = lambda prev, c: math.log({None: 0.5, 1: 0.1, 2: 0.4}[c])
    assert asr.ctc_lm_beam_search(log_probs, prefers_two, lm_weight=0.0)[0][0] in ([1], [2])
    assert asr.ctc_lm_beam_search(log_probs, prefers_two, lm_weight=1.0)[0][0] == [2]
    nbest = asr.ctc_lm_beam_search(log_probs, prefers_two, lm_weight=1.0, nbest=3)
    assert len(nbest) == 3 and [s for _, s in nbest] == sorted((s for _, s in nbest), reverse=True)


def test_quiet_ctc_decoder_writes_nothing_to_stderr(tmp_path, capfd):
    files = asr.write_decoder_files(tmp_path, asr.sample_digit_sequences(20, seed=2))
    asr.quiet_ctc_decoder(lexicon=None, tokens=files["tokens"], lm=files["lm"])
    assert capfd.readouterr().err == ""


def test_normalize_text():
    assert asr.normalize_text('The "lower-case" Book, don\'t!') == "the lower case book don't"
    assert asr.normalize_text("  Has never been surpassed. ") == "has never been surpassed"


@pytest.fixture(scope="module")
def short_clip():
    wave, sr, text = load_ljspeech(7)  # "has never been surpassed."
    return wave, sr, asr.normalize_text(text)


def test_pocketsphinx_transcribes_offline(short_clip):
    wave, sr, text = short_clip
    out = asr.transcribe_pocketsphinx(wave, sr)
    assert isinstance(out, str) and "never been surpassed" in out
    assert asr.transcribe_pocketsphinx(resample(wave, sr, 16000), 16000) == out or "surpassed" in out
    assert asr.pocketsphinx_decoder(lm_weight=3.0).config["bestpathlw"] == 3.0


def test_whisper_transcribes_offline(short_clip):
    wave, sr, text = short_clip
    assert asr.transcribe_whisper(wave, sr) == text
    assert asr.transcribe_whisper(resample(wave, sr, 8000), 8000).endswith("surpassed")
