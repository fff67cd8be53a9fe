"""Unit tests of the core course_utils modules."""
import random

import matplotlib
matplotlib.use("Agg")
import numpy as np
import pytest
import torch
from torch import nn

from course_utils import audio, data, device, plotting, testing, toy2d, training


# device and seeding
def test_get_device_is_cpu_without_accelerator(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert device.get_device() == torch.device("cpu")


def test_get_device_prefers_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert device.get_device() == torch.device("cuda")


def test_seed_everything_repeats_python_numpy_torch():
    def draw():
        return random.random(), np.random.rand(), torch.rand(1).item()
    device.seed_everything(3)
    first = draw()
    device.seed_everything(3)
    assert draw() == first
    device.seed_everything(4)
    assert draw() != first


def _fake_cgroup(tmp_path, v2=None, v1=None, path="/user.slice/jupyter-ana"):
    """A cgroup tree in tmp_path: v2 ``cpu.max`` text, or v1 (quota, period) microseconds, at ``path``."""
    folder = tmp_path / ("" if v2 is not None else "cpu") / path.strip("/")
    folder.mkdir(parents=True)
    if v2 is not None:
        (folder / "cpu.max").write_text(v2 + "\n")
        line = f"0::{path}\n"
    else:
        (folder / "cpu.cfs_quota_us").write_text(f"{v1[0]}\n")
        (folder / "cpu.cfs_period_us").write_text(f"{v1[1]}\n")
        line = f"4:memory:/x\n3:cpu,cpuacct:{path}\n"
    (tmp_path / "proc_cgroup").write_text(line)
    return dict(cgroup_root=str(tmp_path), proc_cgroup=str(tmp_path / "proc_cgroup"))


@pytest.mark.parametrize("v2, v1, cores, expected", [
    ("150000 100000", None, 64, 1),   # 1.5 CPUs granted: one thread
    ("200000 100000", None, 64, 2),   # a 2-CPU hub server on a 64-core host
    ("max 100000", None, 8, 8),       # no quota: the cores it may run on
    (None, (400000, 100000), 64, 4),  # cgroup v1
    (None, (-1, 100000), 3, 3),       # v1 without quota
    ("50000 100000", None, 4, 1),     # half a CPU: still one thread
    ("800000 100000", None, 2, 2),    # a quota above the affinity: the affinity
])
def test_cpu_threads_follow_cgroup_quota_and_affinity(tmp_path, monkeypatch, v2, v1, cores, expected):
    monkeypatch.delenv(device.THREADS_ENV, raising=False)
    monkeypatch.setattr(device.os, "sched_getaffinity", lambda pid: set(range(cores)))
    assert device.cpu_threads(**_fake_cgroup(tmp_path, v2, v1)) == expected


def test_cpu_threads_quota_of_a_parent_cgroup_counts(tmp_path, monkeypatch):
    monkeypatch.delenv(device.THREADS_ENV, raising=False)
    monkeypatch.setattr(device.os, "sched_getaffinity", lambda pid: set(range(32)))
    paths = _fake_cgroup(tmp_path, "max 100000", path="/hub.slice/ana")
    (tmp_path / "hub.slice" / "cpu.max").write_text("300000 100000\n")
    assert device.cpu_threads(**paths) == 3


def test_thread_override_and_setup_applies_it(tmp_path, monkeypatch):
    monkeypatch.setattr(device.os, "sched_getaffinity", lambda pid: set(range(64)))
    monkeypatch.setenv(device.THREADS_ENV, "3")
    assert device.cpu_threads(**_fake_cgroup(tmp_path, "200000 100000")) == 3
    monkeypatch.setenv(device.THREADS_ENV, "many")
    with pytest.raises(ValueError, match="COURSE_NUM_THREADS"):
        device.cpu_threads()
    before = torch.get_num_threads()
    try:
        monkeypatch.setenv(device.THREADS_ENV, "1")
        device.setup(seed=0, verbose=False)
        assert torch.get_num_threads() == 1
        device.setup(seed=0, verbose=False, threads=2)
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


# toy datasets
@pytest.mark.parametrize("name", sorted(toy2d.DATASETS))
def test_toy_dataset_shapes_balance_and_seed(name):
    X, y = toy2d.make_dataset(name, n=500, seed=0)
    assert X.shape == (500, 2) and y.shape == (500,) and X.dtype == torch.float32
    assert set(y.unique().tolist()) == {0.0, 1.0}
    assert 0.4 < y.mean().item() < 0.6
    X2, y2 = toy2d.make_dataset(name, n=500, seed=0)
    assert torch.equal(X, X2) and torch.equal(y, y2)
    X3, _ = toy2d.make_dataset(name, n=500, seed=1)
    assert not torch.equal(X, X3)


def test_xor_is_point_symmetric_with_a_margin():
    X, y = toy2d.make_xor(n=400, seed=0, margin=0.1)
    assert torch.equal(X[200:], -X[:200]) and torch.equal(y[200:], y[:200])
    assert X.abs().min() >= 0.1
    assert torch.equal(y, (X[:, 0] * X[:, 1] > 0).float())


def test_unknown_dataset_is_rejected():
    with pytest.raises(ValueError, match="choose one of"):
        toy2d.make_dataset("moons")


# training loop
def test_fit_learns_a_linear_problem_and_records_history():
    torch.manual_seed(0)
    X, y = toy2d.make_blobs(n=400, seed=0)
    model = nn.Sequential(nn.Linear(2, 1), nn.Flatten(0))
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    loss = nn.functional.binary_cross_entropy_with_logits
    metric = lambda out, t: ((out > 0).float() == t).float().mean()
    hist = training.fit(model, (X, y), loss, opt, epochs=5, val_data=(X, y), metric_fn=metric, progress=False)
    assert len(hist["train_loss"]) == len(hist["val_loss"]) == len(hist["val_metric"]) == 5
    assert hist["train_loss"][-1] < hist["train_loss"][0]
    assert hist["val_metric"][-1] > 0.95


def test_fit_records_further_validation_sets_every_epoch():
    torch.manual_seed(0)
    X, y = toy2d.make_blobs(n=200, seed=0)
    model = nn.Sequential(nn.Linear(2, 1), nn.Flatten(0))
    loss = nn.functional.binary_cross_entropy_with_logits
    metric = lambda out, t: ((out > 0).float() == t).float().mean()
    hist = training.fit(model, (X, y), loss, torch.optim.SGD(model.parameters(), lr=0.5), epochs=3, val_data=(X, y),
                        metric_fn=metric, progress=False, also_val={"flipped": (X, 1 - y)})
    assert len(hist["flipped_loss"]) == len(hist["flipped_metric"]) == 3
    for a, b in zip(hist["val_metric"], hist["flipped_metric"]):
        assert abs(a + b - 1) < 1e-6  # the flipped labels are wrong exactly where the true ones are right


def test_batches_cover_every_example_once():
    x = torch.arange(10)
    seen = torch.cat([b for (b,) in training.batches(x, batch_size=3, generator=torch.Generator().manual_seed(0))])
    assert sorted(seen.tolist()) == list(range(10))


# checks
def test_check_close_passes_and_fails_with_a_teaching_message():
    testing.check_close(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0 + 1e-7]))
    with pytest.raises(AssertionError, match=r"at index \(1,\): expected 2\.5, found 2 .*\nHint: look here"):
        testing.check_close(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.5]), hint="look here")
    with pytest.raises(AssertionError, match="shape"):
        testing.check_close(torch.zeros(3), torch.zeros(3, 1))
    with pytest.raises(AssertionError, match="NaN or inf"):
        testing.check_close(torch.tensor([float("nan")]), torch.tensor([0.0]))


def test_check_close_rejects_objects_that_fake_equality():
    class Liar:
        def __eq__(self, other):
            return True
    with pytest.raises(AssertionError, match="should be a tensor"):
        testing.check_close(Liar(), torch.zeros(2))


def test_check_shape_dtype_range_choice_equal():
    testing.check_shape(torch.zeros(2, 3), (2, None))
    with pytest.raises(AssertionError, match=r"shape \(2, 4\), found \(2, 3\)"):
        testing.check_shape(torch.zeros(2, 3), (2, 4))
    with pytest.raises(AssertionError, match="dtype torch.int64"):
        testing.check_dtype(torch.zeros(2), torch.int64)
    with pytest.raises(AssertionError, match=r"lie in \[0.9, 1\]"):
        testing.check_range(0.5, 0.9, 1, "accuracy")
    assert testing.check_range(0.95, 0.9, 1) is None  # a value left in a test cell would be partial credit
    with pytest.raises(AssertionError, match="one of"):
        testing.check_choice("e", {"a", "b"})
    with pytest.raises(AssertionError, match="one of"):
        testing.check_choice(["a"], {"a", "b"})
    testing.check_equal(torch.tensor([1, 2]), [1, 2])
    with pytest.raises(AssertionError):
        testing.check_equal("a", "b")


# data and audio
def test_fsdd_index_matches_the_shipped_subset():
    items = data.fsdd_index()
    assert len(items) == 1200
    assert data.fsdd_speakers() == ["george", "jackson", "lucas", "nicolas", "theo", "yweweler"]
    wave, sr = data.load_fsdd(items[0])
    assert sr == 8000 and wave.dim() == 1 and wave.dtype == torch.float32 and wave.abs().max() <= 1


def test_ljspeech_noise_and_text_load():
    wave, sr, text = data.load_ljspeech(1)
    assert sr == 22050 and wave.dim() == 1 and text == "in being comparatively modern."
    assert len(data.ljspeech_index()) == 32
    noise, sr = data.load_noise()
    assert sr == 16000 and noise.shape[0] > 90 * sr
    assert data.load_shakespeare().startswith("First Citizen:")


def test_missing_data_file_says_how_to_fix():
    with pytest.raises(FileNotFoundError, match="Reinstall the course"):
        data.data_path("no_such_dataset")


def test_audio_roundtrip_and_resample(tmp_path):
    t = torch.arange(8000) / 8000
    tone = 0.5 * torch.sin(2 * torch.pi * 440 * t)
    audio.save_audio(tmp_path / "tone.wav", tone, 8000)
    back, sr = audio.load_audio(tmp_path / "tone.wav")
    assert sr == 8000 and back.shape == (1, 8000)
    assert torch.allclose(back[0], tone, atol=1e-4)
    up = audio.resample(tone, 8000, 16000)
    assert up.shape == (16000,)
    assert audio.resample(tone, 8000, 8000) is tone
    player = audio.play(tone, 8000)
    assert "audio/wav" in player._repr_html_() or player.data


def test_plots_draw_without_errors():
    X, y = toy2d.make_circles(n=100)
    ax = plotting.plot_decision_boundary(lambda P: torch.sigmoid(P[:, 0]), X, y, resolution=20)
    assert ax.get_aspect() in (1.0, "equal")
    plotting.plot_history({"train_loss": [1.0, 0.5]})
    plotting.plot_spectrogram(torch.rand(20, 30), sample_rate=8000, hop_length=80)
    plotting.plot_waveform(torch.randn(800), 8000)
    plotting.plot_confusion_matrix(torch.eye(3) * 5, normalize=True)
    matplotlib.pyplot.close("all")
