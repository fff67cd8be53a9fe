"""Unit tests of course_utils.guitar_amp: the synthetic guitar, the simulated amplifier, the splits and plots."""
import math

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest
import torch
import torchaudio.functional as AF

from course_utils import guitar_amp as ga

SR = ga.SAMPLE_RATE


def peak_hz(x, sample_rate=SR):
    spectrum = torch.fft.rfft(x.double() * torch.hann_window(len(x), dtype=torch.float64)).abs()
    return spectrum.argmax().item() * sample_rate / len(x)


def test_midi_to_hz():
    assert float(ga.midi_to_hz(69)) == pytest.approx(440.0)
    assert float(ga.midi_to_hz(81)) == pytest.approx(880.0)
    assert float(ga.midi_to_hz(ga.OPEN_STRINGS[0])) == pytest.approx(82.41, abs=0.01)  # low E


def test_pluck_pitch_decay_and_release():
    note = ga.pluck(220.0, SR, velocity=0.5, release=160)
    assert note.dtype == torch.float64 and note.shape == (SR,)
    assert peak_hz(note[:4000]) == pytest.approx(220.0, abs=4.0)
    first, last = note[:4000].pow(2).mean(), note[-4160:-160].pow(2).mean()
    assert last < 0.5 * first                      # it decays
    assert note[-1].abs() < 1e-12                    # the release fades to silence
    assert ga.pluck(220.0, 1000, velocity=1.0).abs().max() == pytest.approx(
        2 * ga.pluck(220.0, 1000, velocity=0.5).abs().max())


def test_pluck_partials_stay_below_nyquist_and_damping_dulls():
    high = ga.pluck(3000.0, 4000)                   # partials above 0.45 * SR are left out
    assert peak_hz(high) == pytest.approx(3000.0, abs=8.0)
    bright = ga.pluck(110.0, 8000, decay_2khz=5.0)
    dull = ga.pluck(110.0, 8000, decay_2khz=200.0)
    def treble_share(x):
        p = torch.fft.rfft(x).abs().pow(2)
        return p[len(p) // 4:].sum() / p.sum()   # share of power above SR / 8
    assert treble_share(dull) < 0.5 * treble_share(bright)


def test_guitar_di_is_seeded_and_plausible():
    a, b, c = ga.guitar_di(6.0, seed=1), ga.guitar_di(6.0, seed=1), ga.guitar_di(6.0, seed=2)
    assert a.dtype == torch.float32 and a.shape == (6 * SR,)
    assert torch.equal(a, b)
    assert not torch.allclose(a, c)
    assert 0.02 < a.pow(2).mean().sqrt() < 0.3          # a plausible DI level
    assert a.abs().max() < 1.0                           # no full-scale overload
    frames = a[: len(a) // 400 * 400].reshape(-1, 400).pow(2).mean(1)
    assert (frames > 1e-3).float().mean() > 0.5          # mostly playing ...
    assert ga.guitar_di(0.5, seed=1, sample_rate=8000).shape == (4000,)


def test_guitar_di_plays_a_variety_of_events():
    rng = torch.Generator().manual_seed(5)
    events = ga._note_events(60.0, rng)
    assert events and all(0 <= e["time"] < 60.0 for e in events)
    assert {e["string"] for e in events} == set(range(6))
    assert any(e["muted"] for e in events) and not all(e["muted"] for e in events)
    velocities = torch.tensor([e["velocity"] for e in events])
    assert velocities.min() < 0.4 and velocities.max() > 0.8   # varied dynamics
    assert all(0 <= e["fret"] <= ga.N_FRETS + 2 for e in events)


@pytest.mark.parametrize("kind, reference", [
    ("lowpass", lambda x: AF.lowpass_biquad(x, SR, 1000.0, 0.707)),
    ("highpass", lambda x: AF.highpass_biquad(x, SR, 1000.0, 0.707)),
    ("peak", lambda x: AF.equalizer_biquad(x, SR, 1000.0, 6.0, 0.707)),
    ("lowshelf", lambda x: AF.bass_biquad(x, SR, 6.0, 1000.0, 0.707)),
    ("highshelf", lambda x: AF.treble_biquad(x, SR, 6.0, 1000.0, 0.707)),
])
def test_biquads_match_torchaudio(kind, reference):
    x = 0.1 * torch.randn(3000, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    ours = ga._biquad(x, kind, 1000.0, SR, gain_db=6.0, q=0.707)
    assert torch.allclose(ours, reference(x), atol=1e-9)


def test_biquads_do_not_clamp_and_reject_unknown_kinds():
    x = torch.full((100,), 3.0, dtype=torch.float64)
    assert ga._biquad(x, "lowpass", 1000.0, SR)[-1] == pytest.approx(3.0, rel=1e-3)
    with pytest.raises(ValueError):
        ga._biquad(x, "bandstop", 1000.0, SR)


def test_one_pole_time_constant():
    step = torch.ones(SR, dtype=torch.float64)
    y = ga._one_pole(step, 40.0, SR)
    assert y[round(0.040 * SR)] == pytest.approx(1 - math.exp(-1), abs=1e-3)  # 63 % after one time constant
    assert y[-1] == pytest.approx(1.0, abs=1e-6)


def test_soft_clip_is_asymmetric():
    u = torch.tensor([-100.0, 0.0, 100.0])
    y = ga.soft_clip(u, bias=0.4)
    assert y[1] == 0
    assert y[2] == pytest.approx(1 - math.tanh(0.4), abs=1e-6)
    assert y[0] == pytest.approx(-1 - math.tanh(0.4), abs=1e-6)
    assert torch.equal(ga.soft_clip(u, bias=0.0), torch.tanh(u))


def test_amp_shape_dtype_and_batches():
    x = ga.guitar_di(1.0, seed=3)
    y = ga.amp(x)
    assert y.dtype == torch.float32 and y.shape == x.shape
    batch = ga.amp(torch.stack([x, 0.5 * x]))
    assert batch.shape == (2, len(x))
    assert torch.allclose(batch[0], y, atol=1e-6)
    assert 0.02 < y.pow(2).mean().sqrt() < 0.5


def test_amp_is_nonlinear_and_has_memory():
    x = ga.guitar_di(1.0, seed=4)
    y = ga.amp(x)
    assert not torch.allclose(ga.amp(2 * x), 2 * y, atol=1e-3)  # nonlinear
    # two inputs that agree on the last 100 samples but not before give different outputs there: memory
    other = torch.cat([torch.zeros(len(x) - 100), x[-100:]])
    assert (ga.amp(other)[-100:] - y[-100:]).abs().max() > 1e-2
    # the clipper's DC offset is removed: the output has (nearly) zero mean
    assert abs(y.mean()) < 0.05 * y.abs().mean()


def test_amp_settings_override_and_validate():
    x = ga.guitar_di(1.0, seed=5)
    clean = ga.amp(x, gain_db=-20.0, sag=0.0)
    assert torch.allclose(ga.amp(2 * x, gain_db=-20.0, sag=0.0), 2 * clean, rtol=0.05, atol=1e-3)  # almost linear
    assert not torch.allclose(ga.amp(x, sag=0.0), ga.amp(x), atol=1e-3)
    with pytest.raises(ValueError):
        ga.amp(x, volume=11)


def test_amp_pair_is_cached_but_safe_to_modify():
    dry, wet = ga.amp_pair(1.0, seed=6)
    assert torch.equal(wet, ga.amp(dry))
    dry[:] = 0
    again, _ = ga.amp_pair(1.0, seed=6)
    assert again.abs().max() > 0


def test_splits_use_different_seeds_and_durations():
    seeds = [s["seed"] for s in ga.SPLITS.values()]
    assert len(set(seeds)) == len(seeds)
    dry, wet = ga.load_split("val")
    assert dry.shape == wet.shape == (round(ga.SPLITS["val"]["duration"] * SR),)
    with pytest.raises(ValueError):
        ga.load_split("dev")


def test_segments():
    x = torch.arange(10.0)
    s = ga.segments(x, 4)
    assert s.shape == (2, 4) and torch.equal(s[1], torch.tensor([4.0, 5, 6, 7]))
    assert ga.segments(x, 4, hop=2).shape == (4, 4)
    with pytest.raises(ValueError):
        ga.segments(x, 11)


def test_power_spectrum_peak_and_scaling():
    t = torch.arange(SR) / SR
    x = torch.sin(2 * math.pi * 1000 * t)
    freqs, p = ga.power_spectrum(x, SR, n_fft=512)
    assert freqs.shape == p.shape == (257,)
    assert freqs[p.argmax()].item() == pytest.approx(1000.0, abs=SR / 512)
    _, p2 = ga.power_spectrum(2 * x, SR, n_fft=512)
    assert torch.allclose(p2, 4 * p)


def test_plot_error_spectrum():
    target = ga.guitar_di(1.0, seed=7)
    ax = ga.plot_error_spectrum(target, {"half": 0.5 * target, "zero": torch.zeros_like(target)})
    assert len(ax.lines) == 3
    # the error of 0.5 * target is the target's spectrum 6 dB down; the error of zero is the target itself
    target_db, half_db, zero_db = (line.get_ydata() for line in ax.lines)
    assert abs((target_db - half_db)[5:200].mean() - 6.02) < 0.01
    assert abs(target_db - zero_db).max() < 1e-9
    with pytest.raises(ValueError):
        ga.plot_error_spectrum(target, {"short": target[:100]})
    plt.close("all")
