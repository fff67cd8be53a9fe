"""Unit tests of course_utils.profiling: the small models, the digit features and the energy meter."""
import pytest
import torch
import torchaudio
from torch import nn

from course_utils import profiling


def test_digit_cnn_matches_notebook_03():
    model = profiling.DigitCNN()
    assert sum(p.numel() for p in model.parameters()) == 98922
    assert model(torch.randn(3, 1, 40, 63)).shape == (3, 10)
    assert profiling.DigitCNN((4, 8), 3)(torch.randn(2, 1, 20, 30)).shape == (2, 3)


def test_amp_lstm_streams_like_it_runs_offline():
    torch.manual_seed(0)
    model = profiling.AmpLSTM(hidden=8).eval()
    x = torch.randn(2, 300)
    with torch.no_grad():
        offline, _ = model(x)
        state, chunks = None, []
        for start in range(0, 300, 70):
            out, state = model(x[:, start:start + 70], state)
            chunks.append(out)
    assert offline.shape == x.shape
    torch.testing.assert_close(torch.cat(chunks, dim=1), offline, atol=1e-5, rtol=1e-5)


def test_causal_self_attention_is_causal_and_matches_torch():
    torch.manual_seed(0)
    layer = profiling.CausalSelfAttention(d_model=12, n_heads=3).eval()
    x = torch.randn(2, 9, 12)
    y = layer(x)
    assert y.shape == x.shape
    x2 = x.clone()
    x2[:, 5:] += torch.randn(2, 4, 12)  # changing the future must not change the past
    torch.testing.assert_close(layer(x2)[:, :5], y[:, :5])
    # the same computation with PyTorch's fused attention
    q, k, v = layer.qkv(x).view(2, 9, 3, 3, 4).permute(2, 0, 3, 1, 4)
    fused = torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
    torch.testing.assert_close(layer.proj(fused.transpose(1, 2).reshape(2, 9, 12)), y, atol=1e-5, rtol=1e-5)
    with pytest.raises(ValueError):
        profiling.CausalSelfAttention(10, 3)


def test_digit_mlp_shapes():
    model = profiling.DigitMLP(n_in=30, hidden=7, n_classes=4)
    assert model(torch.randn(5, 3, 10)).shape == (5, 4)
    assert sum(p.numel() for p in model.parameters()) == 30 * 7 + 7 + 7 * 7 + 7 + 7 * 4 + 4


def test_digit_features_are_normalised_log_mels():
    feats = profiling.digit_features()
    (xt, yt), (xv, yv), (xs, ys) = feats["train"], feats["val"], feats["test"]
    assert xt.shape == (780, 1, 40, 63) and xv.shape == (120, 1, 40, 63) and xs.shape == (300, 1, 40, 63)
    assert yt.dtype == torch.long and set(yt.tolist()) == set(range(10))
    torch.testing.assert_close(xt.mean(dim=(0, 1, 3)), torch.zeros(40), atol=1e-4, rtol=0)
    torch.testing.assert_close(xt.std(dim=(0, 1, 3)), torch.ones(40), atol=1e-3, rtol=0)
    # the pad-or-crop of notebook 03: the middle of a long clip, a short clip centred
    w = torch.arange(10.0)
    assert profiling._pad_or_crop(w, 4).tolist() == [3, 4, 5, 6]
    assert profiling._pad_or_crop(w[:3], 6).tolist() == [0, 0, 1, 2, 0, 0]
    mel = torchaudio.transforms.MelSpectrogram(sample_rate=8000, n_fft=256, hop_length=128, n_mels=40)
    assert mel(torch.zeros(8000)).shape == (40, 63)


class FakeClock:
    def __init__(self, step):
        self.now, self.step = 0.0, step

    def __call__(self):
        self.now += self.step
        return self.now


def write_rapl(root, name, uj, max_range=None):
    d = root / name
    d.mkdir(exist_ok=True)
    (d / "energy_uj").write_text(f"{uj}\n")
    if max_range is not None:
        (d / "max_energy_range_uj").write_text(f"{max_range}\n")


def test_read_rapl_reads_packages_only(tmp_path):
    assert profiling.read_rapl(tmp_path / "missing") == {}
    write_rapl(tmp_path, "intel-rapl:0", 123)
    write_rapl(tmp_path, "intel-rapl:0:0", 7)  # a sub-domain (core), inside the package already
    write_rapl(tmp_path, "intel-rapl:1", 5)
    assert profiling.read_rapl(tmp_path) == {"intel-rapl:0": 123, "intel-rapl:1": 5}
    (tmp_path / "intel-rapl:1" / "energy_uj").write_text("not a number")
    assert profiling.read_rapl(tmp_path) == {}


def test_energy_meter_estimates_without_counters(tmp_path, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    meter = profiling.EnergyMeter(watts_per_core=10.0, rapl_root=tmp_path, clock=FakeClock(2.0),
                                  cpu_clock=FakeClock(3.0))
    assert "not run" in repr(meter)
    with meter:
        pass
    assert meter.seconds == 2.0 and meter.cpu_seconds == 3.0
    assert meter.cpu_source == "estimate" and meter.cpu_joules == 30.0
    assert meter.gpu_source == "no GPU" and meter.joules == 30.0
    assert "estimate" in repr(meter)


def test_energy_meter_reads_rapl_with_wraparound(tmp_path, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    write_rapl(tmp_path, "intel-rapl:0", 999_000_000, max_range=1_000_000_000)
    meter = profiling.EnergyMeter(rapl_root=tmp_path)
    with meter:
        write_rapl(tmp_path, "intel-rapl:0", 4_000_000)  # the counter wrapped around
    assert meter.cpu_source == "RAPL"
    assert meter.cpu_joules == pytest.approx(5.0)


def test_energy_meter_estimates_a_gpu_without_nvml(tmp_path, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "synchronize", lambda *a, **k: None)
    monkeypatch.setattr(profiling, "_nvml_handle", lambda: None)
    meter = profiling.EnergyMeter(watts_per_core=1.0, gpu_watts=100.0, rapl_root=tmp_path, clock=FakeClock(0.5),
                                  cpu_clock=FakeClock(0.25))
    with meter:
        pass
    assert meter.gpu_source == "estimate" and meter.gpu_joules == 50.0 and meter.joules == 50.25


def test_synthetic_profile_is_seeded_and_nests_like_a_real_one():
    from course_utils.profiling import PROFILE_CALLS, SyntheticProfile
    for kind in PROFILE_CALLS:
        a, b = SyntheticProfile(5, kind).key_averages(), SyntheticProfile(5, kind).key_averages()
        assert [(e.key, e.self_cpu_time_total) for e in a] == [(e.key, e.self_cpu_time_total) for e in b]
        outermost = {chain[0] for chain in PROFILE_CALLS[kind]}
        for e in a:
            assert 0 < e.self_cpu_time_total <= e.cpu_time_total
            if e.key in outermost and any(len(c) > 1 and c[0] == e.key for c in PROFILE_CALLS[kind]):
                assert e.self_cpu_time_total < e.cpu_time_total, e.key  # it calls other operators
    times = lambda seed: {e.key: e.self_cpu_time_total for e in SyntheticProfile(seed).key_averages()}
    assert times(1) != times(2)
