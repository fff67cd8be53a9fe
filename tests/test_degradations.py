"""Unit tests of course_utils.degradations: controlled degradations and the keyword detector's scores."""
import math

import pytest
import torch

from course_utils import degradations as D


def db(x):
    return 10 * math.log10(x)


def tone(freq, sample_rate=16000, seconds=1.0):
    t = torch.arange(int(sample_rate * seconds)) / sample_rate
    return torch.cos(2 * math.pi * freq * t)


def speechlike(n=8000, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, generator=g) * torch.hann_window(n)


def test_noise_clip_is_seeded_and_checks_length():
    a = D.noise_clip(4000, 8000, seed=1)
    assert a.shape == (4000,) and a.dtype == torch.float32
    assert torch.equal(a, D.noise_clip(4000, 8000, seed=1))
    assert not torch.equal(a, D.noise_clip(4000, 8000, seed=2))
    with pytest.raises(ValueError, match="noise"):
        D.noise_clip(10**9, 8000)


@pytest.mark.parametrize("snr_db", [20, 0, -5])
def test_add_noise_hits_the_snr(snr_db):
    clean, noise = speechlike(seed=0), speechlike(seed=1)
    noisy = D.add_noise(clean, noise, snr_db)
    assert db(D.energy(clean) / D.energy(noisy - clean)) == pytest.approx(snr_db, abs=1e-3)


def test_add_noise_works_on_batches_and_rejects_shape_mismatch():
    clean = torch.stack([speechlike(seed=0), 3 * speechlike(seed=2)])
    noise = torch.stack([speechlike(seed=1), speechlike(seed=3)])
    noisy = D.add_noise(clean, noise, 10)
    snr = 10 * torch.log10(D.energy(clean) / D.energy(noisy - clean))
    assert torch.allclose(snr, torch.tensor([10.0, 10.0]), atol=1e-3)
    with pytest.raises(ValueError, match="same shape"):
        D.add_noise(clean, noise[:, :-1], 10)


def test_gain_delay_and_clip():
    x = speechlike()
    assert torch.allclose(D.apply_gain(x, 6), x * 10 ** (6 / 20))
    y = D.delay(x, 5)
    assert y.shape == x.shape and torch.equal(y[:5], torch.zeros(5)) and torch.equal(y[5:], x[:-5])
    assert torch.equal(D.delay(x, 0), x)
    with pytest.raises(ValueError):
        D.delay(x, -1)
    c = D.clip(x, 0.3)
    limit = 0.3 * x.abs().max()
    assert c.abs().max() <= limit + 1e-7
    inside = x.abs() < limit
    assert torch.equal(c[inside], x[inside])
    with pytest.raises(ValueError):
        D.clip(x, 0)


def test_lowpass_passes_low_and_stops_high_tones_without_delay():
    sr = 16000
    low, high = tone(500, sr), tone(3000, sr)
    mid = slice(1000, -1000)  # away from the edges, where the filter sees zeros
    y_low, y_high = D.lowpass(low, sr, 1000), D.lowpass(high, sr, 1000)
    assert torch.allclose(y_low[mid], low[mid], atol=1e-2)       # passband: unchanged and not delayed
    assert db(D.energy(high[mid]) / D.energy(y_high[mid])) > 40  # stopband: at least 40 dB down
    batch = torch.stack([low, high])
    assert torch.allclose(D.lowpass(batch, sr, 1000)[1], y_high, atol=1e-6)
    with pytest.raises(ValueError):
        D.lowpass(low, sr, 9000)


def test_phase_shift_keeps_magnitudes_and_turns_cosines_into_sines():
    sr = 8000
    t = torch.arange(sr, dtype=torch.float64) / sr
    x = torch.cos(2 * math.pi * 440 * t)
    assert torch.allclose(D.phase_shift(x, 90), torch.sin(2 * math.pi * 440 * t), atol=1e-9)
    y = speechlike(8001)
    z = D.phase_shift(y, 90)
    assert z.shape == y.shape and z.dtype == y.dtype
    assert torch.allclose(torch.fft.rfft(z).abs()[1:], torch.fft.rfft(y).abs()[1:], atol=1e-4)
    assert torch.allclose(D.phase_shift(y, 0), y, atol=1e-6)


def test_standard_degradations_keep_shape():
    x = speechlike(16000)
    out = D.standard_degradations(x, 16000)
    assert list(out)[0] == "identical" and len(out) == 13
    for name, y in out.items():
        assert y.shape == x.shape and y.dtype == x.dtype, name
    assert db(D.energy(x) / D.energy(out["noise 10 dB SNR"] - x)) == pytest.approx(10, abs=1e-3)


def test_keyword_features_do_not_depend_on_the_batch():
    a, b = speechlike(3000, seed=4), speechlike(7000, seed=5)
    together = D.keyword_features([a, b])
    assert together.shape == (2, 32 * 6)
    assert torch.allclose(together[0], D.keyword_features([a])[0], atol=1e-5)
    assert torch.isfinite(together).all()


def test_keyword_detector_scores():
    out = D.keyword_detector_scores(keyword=7, snr_db=10.0, seed=0)
    assert set(out) == {"val", "test"}
    for (scores, labels), n in zip(out.values(), [120, 300]):  # the validation and test takes of digits.fsdd_split
        assert scores.shape == labels.shape == (n,)
        assert scores.dtype == torch.float32 and labels.dtype == torch.int64
        assert int(labels.sum()) == n // 10  # 6 speakers x 2 or 5 takes of the keyword
        pos, neg = scores[labels == 1], scores[labels == 0]
        auc = (pos[:, None] > neg[None]).double().mean() + 0.5 * (pos[:, None] == neg[None]).double().mean()
        assert 0.9 < auc < 1.0  # a good but imperfect detector: the ROC has something to show
    again = D.keyword_detector_scores(keyword=7, snr_db=10.0, seed=0)
    assert torch.equal(again["test"][0], out["test"][0])
    out["test"][0].zero_()  # callers get copies: the cache stays intact
    assert torch.equal(D.keyword_detector_scores(keyword=7, snr_db=10.0, seed=0)["test"][0], again["test"][0])
