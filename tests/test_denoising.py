"""Unit tests of course_utils.denoising: speech splits, noise generators, mixing, STFT masking, the baseline, the
mask-model wrapper, the evaluation helpers and chunked inference."""
import math

import pytest
import torch
from torch import nn

from course_utils import denoising as dn


def test_speech_splits_are_disjoint_8khz_and_cached():
    train, val, test, babble = (dn.speech_clips(s) for s in ("train", "val", "test", "babble_test"))
    assert len(val) == 2 and len(test) == 8 and len(train) > 40 and len(babble) > 10
    for clips in (train, val, test, babble):
        assert all(c.dim() == 1 and c.dtype == torch.float32 and c.abs().max() <= 0.9 + 1e-6 for c in clips)
    lengths = {len(c) for c in train}
    assert not lengths & {len(c) for c in test if len(c) != 4 * dn.SAMPLE_RATE}
    a = dn.speech_clips("test")
    a[0].zero_()  # callers get copies: the cache is not modified
    assert dn.speech_clips("test")[0].abs().max() > 0
    with pytest.raises(ValueError, match="split"):
        dn.speech_clips("dev")


@pytest.mark.parametrize("kind", dn.NOISE_TYPES)
def test_noise_is_seeded_unit_rms_and_the_right_length(kind):
    a = dn.make_noise(kind, 5000, torch.Generator().manual_seed(1))
    b = dn.make_noise(kind, 5000, torch.Generator().manual_seed(1))
    c = dn.make_noise(kind, 5000, torch.Generator().manual_seed(2))
    assert a.shape == (5000,) and a.dtype == torch.float32
    assert torch.equal(a, b) and not torch.equal(a, c)
    assert a.pow(2).mean().sqrt().item() == pytest.approx(1.0, rel=1e-4)
    t = dn.make_noise(kind, 5000, torch.Generator().manual_seed(1), split="test")
    assert t.shape == (5000,)


def _low_fraction(x, hz):
    p = torch.fft.rfft(x.double()).abs().pow(2)
    return float(p[:int(len(p) * hz / (dn.SAMPLE_RATE / 2))].sum() / p.sum())


def test_noise_spectra_have_the_expected_tilt():
    g = torch.Generator().manual_seed(0)
    white, pink, brown, hum = (dn.make_noise(k, 16000, g) for k in ("white", "pink", "brown", "hum"))
    assert _low_fraction(white, 500) < _low_fraction(pink, 500) < _low_fraction(brown, 500)
    assert _low_fraction(white, 500) == pytest.approx(500 / 4000, abs=0.03)
    assert _low_fraction(hum, 600) > 0.99
    assert dn.hum(8000, mains=60.0).shape == (8000,)
    with pytest.raises(ValueError, match="noise type"):
        dn.make_noise("rain", 100)


def test_kitchen_train_and_test_parts_differ_and_loop():
    g = torch.Generator().manual_seed(0)
    assert dn.kitchen(100 * dn.SAMPLE_RATE, g, "test").shape == (100 * dn.SAMPLE_RATE,)


@pytest.mark.parametrize("n_clean,n_noise,snr", [(8000, 8000, 5.0), (5000, 300, -5.0), (100, 5000, 20.0)])
def test_mix_at_snr_hits_the_snr_and_loops(n_clean, n_noise, snr):
    g = torch.Generator().manual_seed(0)
    clean, noise = torch.randn(n_clean, generator=g), torch.randn(n_noise, generator=g)
    mix = dn.mix_at_snr(clean, noise, snr)
    assert mix.shape == clean.shape and mix.dtype == clean.dtype
    residual = (mix - clean).double()
    assert 10 * math.log10(clean.double().pow(2).sum() / residual.pow(2).sum()) == pytest.approx(snr, abs=1e-4)
    if n_noise < n_clean:  # looped: the residual repeats with the noise's period
        assert torch.allclose(residual[n_noise:2 * n_noise], residual[:n_noise], atol=1e-6)


def test_mix_at_snr_rejects_silence_and_shapes():
    for clean, noise in [(torch.zeros(10), torch.ones(10)), (torch.ones(10), torch.zeros(10)),
                         (torch.ones(2, 10), torch.ones(10))]:
        with pytest.raises(ValueError):
            dn.mix_at_snr(clean, noise, 0.0)


@pytest.mark.parametrize("length", [300, 8000, 8001])
def test_stft_roundtrip_keeps_length(length):
    x = torch.randn(2, length, generator=torch.Generator().manual_seed(0))
    spec = dn.stft(x)
    assert spec.shape[:2] == (2, dn.N_FFT // 2 + 1) and spec.shape[-1] == 1 + length // dn.HOP
    assert torch.allclose(dn.istft(spec, length), x, atol=1e-5)
    assert torch.allclose(dn.apply_mask(x, torch.ones(spec.shape)), x, atol=1e-5)


def test_oracle_mask_and_baseline_improve_stationary_noise():
    item = next(i for i in dn.eval_set() if i["kind"] == "white" and i["snr"] == 5)
    noisy, clean = item["noisy"], item["clean"]
    before = dn.si_sdr(noisy, clean).mean()
    oracle = dn.apply_mask(noisy, dn.ideal_ratio_mask_reference(clean, item["noise"]))
    base = dn.spectral_subtraction(noisy)
    assert base.shape == noisy.shape
    assert dn.si_sdr(base, clean).mean() > before + 3
    assert dn.si_sdr(oracle, clean).mean() > dn.si_sdr(base, clean).mean()


def test_eval_set_is_fixed_starts_with_noise_and_hits_the_snrs():
    items = dn.eval_set(noise_types=("pink", "kitchen"), snrs=(0, 10), clips=2, seconds=1.5)
    assert [(i["kind"], i["snr"]) for i in items] == [("pink", 0), ("pink", 10), ("kitchen", 0), ("kitchen", 10)]
    again = dn.eval_set(noise_types=("pink", "kitchen"), snrs=(0, 10), clips=2, seconds=1.5)
    for a, b in zip(items, again):
        assert torch.equal(a["noisy"], b["noisy"])
        assert a["clean"].shape == (2, int(1.5 * dn.SAMPLE_RATE))
        assert a["clean"][:, :int(dn.LEAD_IN * dn.SAMPLE_RATE)].abs().max() == 0
        snr = 10 * torch.log10(a["clean"].pow(2).sum(-1) / a["noise"].pow(2).sum(-1))
        assert torch.allclose(snr, torch.full((2,), float(a["snr"])), atol=1e-3)
    with pytest.raises(ValueError):
        dn.eval_set(clips=4, first=6)


class _Identity(nn.Module):
    def __init__(self):
        super().__init__()
        self.p = nn.Parameter(torch.zeros(1))

    def forward(self, features):
        return torch.ones_like(features) + 0 * self.p


def test_mask_features_subtract_each_bins_noise_floor():
    # every bin sits at its own noise level in 40 of 50 frames and 40 dB above it in the other 10: minus the 20th
    # percentile, the noise frames are 0 and the speech frames one positive value; minus the mean, noise is negative
    level = torch.logspace(-1, 1, 129).reshape(1, 129, 1)
    rise = torch.ones(1, 1, 50)
    rise[..., 40:] = 100.0
    spec = (level * rise * torch.exp(1j * torch.linspace(0, 6, 50))).to(torch.complex64)
    feats = dn.mask_features(spec)
    assert feats.shape == (1, 1, 129, 50)
    assert feats[..., :40].abs().max() < 1e-4
    assert feats[..., 40:].min() > 1.0 and feats[..., 40:].max() - feats[..., 40:].min() < 1e-3
    torch.testing.assert_close(dn.mask_features(spec * 30.0), feats, atol=1e-4, rtol=1e-4)  # no level left
    assert dn.mask_features(spec, floor_quantile=None)[..., :40].max() < -0.1
    long = torch.randn(1, 129, 2 ** 24 // 129 + 1, dtype=torch.complex64)  # past torch.quantile's size limit
    assert torch.isfinite(dn.mask_features(long)).all()


@pytest.mark.parametrize("length", [1, 100, 8000, 12345])
def test_mask_denoiser_keeps_length_and_an_all_pass_mask_is_identity(length):
    model = dn.MaskDenoiser(_Identity())
    x = torch.randn(3, length, generator=torch.Generator().manual_seed(0))
    y = model(x)
    assert y.shape == x.shape
    assert torch.allclose(y, x, atol=1e-4)


@pytest.mark.parametrize("rate,n", [(8000, 50), (16000, 16000 * 9 + 3), (44100, 30000)])
def test_denoise_chunked_keeps_length_and_rate(rate, n):
    model = dn.MaskDenoiser(_Identity())
    x = torch.randn(n, generator=torch.Generator().manual_seed(1)) * 0.1
    y = dn.denoise_chunked(model, x, rate, chunk_seconds=2.0, overlap_seconds=0.25)
    assert y.shape == x.shape and y.dtype == torch.float32
    if rate == 8000 or n > 20000:  # an all-pass model returns the input (up to resampling at the band edge)
        low = dn.si_sdr(y, x) if rate == 8000 else None
        if low is not None:
            assert low > 40


def test_evaluate_summarize_and_format():
    items = dn.eval_set(noise_types=("white", "hum"), snrs=(5,), clips=2, seconds=1.0)
    rows = dn.evaluate({"noisy": None, "baseline": None, "oracle": None, "same": lambda noisy, item: noisy},
                       items=items)
    assert len(rows) == 8 and set(rows[0]) == {"method", "kind", "snr", "SI-SDR", "PESQ", "STOI"}
    groups = {"seen": ("white",), "unseen": ("hum",)}
    summary = dn.summarize(rows, groups)
    assert summary[("same", "seen")] == summary[("noisy", "seen")]
    assert summary[("oracle", "seen")]["SI-SDR"] > summary[("noisy", "seen")]["SI-SDR"] + 5
    assert summary[("noisy", "seen")]["SI-SDR"] == pytest.approx(5.0, abs=0.2)
    table = dn.format_table(summary, groups)
    assert "oracle" in table and "unseen" in table
    fast = dn.evaluate({"noisy": None}, items=items, pesq_stoi=False)
    assert set(fast[0]) == {"method", "kind", "snr", "SI-SDR"}
