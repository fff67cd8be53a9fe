"""Unit tests of course_utils.signals: test signals, the synthetic picture and the spectral plots."""
import math

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from course_utils import signals


def peak_frequencies(x, sample_rate, n_fft=512, hop=128):
    """Frequency of the strongest bin in each STFT frame."""
    X = torch.stft(x, n_fft, hop, window=torch.hann_window(n_fft), return_complex=True)
    return X.abs().argmax(0).double() * sample_rate / n_fft


def test_time_axis_counts_samples():
    t = signals.time_axis(0.5, 8000)
    assert len(t) == 4000 and t[0] == 0 and t[1] == pytest.approx(1 / 8000)


def test_tone_frequency_amplitude_and_dtype():
    x = signals.tone(1000, 1.0, 8000, amplitude=0.5)
    assert x.dtype == torch.float32 and x.shape == (8000,)
    assert x.abs().max().item() == pytest.approx(0.5, abs=1e-3)
    spectrum = torch.fft.rfft(x).abs()
    assert spectrum.argmax().item() == 1000        # 1 s long: bin k is k Hz
    assert signals.tone(440, 0.1, 8000, phase=math.pi / 2)[0].item() == pytest.approx(1.0)


@pytest.mark.parametrize("method", ["linear", "exponential"])
def test_chirp_follows_its_instantaneous_frequency(method):
    sr, duration = 16000, 2.0
    x = signals.chirp(300, 6000, duration, sr, method=method)
    assert x.dtype == torch.float32 and x.shape == (32000,)
    found = peak_frequencies(x, sr)
    frame_times = torch.arange(len(found)) * 128 / sr
    expected = signals.instantaneous_frequency(300, 6000, duration, frame_times, method=method)
    inner = slice(4, -4)  # frames away from the padded ends
    assert (found[inner] - expected[inner]).abs().max() < 3 * sr / 512


def test_chirps_differ_and_stay_continuous():
    lin = signals.chirp(100, 3000, 1.0, 8000, method="linear")
    exp = signals.chirp(100, 3000, 1.0, 8000, method="exponential")
    assert (lin - exp).abs().max() > 0.5
    max_step = 2 * math.pi * 3000 / 8000  # |d sin(phi)| <= |d phi| per sample
    assert (lin[1:] - lin[:-1]).abs().max() <= max_step + 1e-4
    assert (exp[1:] - exp[:-1]).abs().max() <= max_step + 1e-4


def test_constant_exponential_chirp_is_a_tone_and_bad_arguments_fail():
    assert torch.allclose(signals.chirp(440, 440, 0.2, 8000, method="exponential"), signals.tone(440, 0.2, 8000),
                          atol=1e-5)
    with pytest.raises(ValueError, match="positive"):
        signals.chirp(0, 1000, 1.0, 8000, method="exponential")
    with pytest.raises(ValueError, match="unknown method"):
        signals.chirp(100, 1000, 1.0, 8000, method="quadratic")


def test_clicks_are_single_samples_at_the_given_times():
    x = signals.clicks([0.1, 0.25], 0.5, 8000, amplitude=0.7)
    assert x.shape == (4000,)
    assert torch.nonzero(x).flatten().tolist() == [800, 2000]
    assert x[800].item() == pytest.approx(0.7)
    with pytest.raises(ValueError, match="outside"):
        signals.clicks([0.6], 0.5, 8000)


def test_synthetic_image_layout_and_content():
    img = signals.synthetic_image(96, 128)
    assert isinstance(img, np.ndarray) and img.shape == (96, 128, 3) and img.dtype == np.uint8
    assert np.array_equal(img, signals.synthetic_image(96, 128))
    top, bottom = img[2, 64].astype(int), img[-2, 64].astype(int)
    assert top[2] > top[0]                   # the sky is blue at the top
    assert bottom[1] > bottom[2]             # the hills are green
    sun = img[int(0.3 * 96), int(0.72 * 128)].astype(int)
    assert sun[0] > 200 and sun[1] > 180 and sun[2] < 120
    assert signals.synthetic_image(40, 60).shape == (40, 60, 3)


def test_bin_frequencies():
    f = signals.bin_frequencies(512, 16000)
    assert len(f) == 257 and f[0] == 0 and f[-1] == 8000 and f[1] == pytest.approx(31.25)


def test_plot_stft_axes_in_seconds_and_hertz():
    sr, hop = 8000, 64
    x = signals.tone(1000, 0.5, sr)
    X = torch.stft(x, 256, hop, window=torch.hann_window(256), return_complex=True)
    ax = signals.plot_stft(X, sr, hop, title="tone")
    assert ax.get_ylim() == (0, 4000)
    assert ax.get_xlabel() == "time (s)" and ax.get_ylabel() == "frequency (Hz)"
    left, right, _, _ = ax.images[0].get_extent()
    assert right == pytest.approx((X.shape[1] - 0.5) * hop / sr)
    image = ax.images[0].get_array()
    assert image.max() - image.min() <= 80 + 1e-6          # top_db limits the range
    ax = signals.plot_stft(X.abs() ** 2, sr, hop, db="power", f_max=10000, colorbar=False)
    assert ax.get_ylim() == (0, 4000)                     # f_max is clipped at the Nyquist frequency
    ax = signals.plot_stft(X.abs(), sr, hop, db=False, f_max=2000)
    assert ax.get_ylim() == (0, 2000)
    assert np.allclose(ax.images[0].get_array(), X.abs().numpy())
    plt.close("all")


def test_plot_filterbank_and_frames_draw():
    fb = torch.rand(5, 129)
    ax = signals.plot_filterbank(fb, 8000)
    assert len(ax.lines) == 5 and ax.get_xlim() == (0, 4000)
    wave = torch.randn(2000)
    ax = signals.plot_frames(wave, 8000, 200, 80, n_frames=4)
    assert len(ax.patches) == 4
    ax = signals.plot_frames(wave[:300], 8000, 200, 80, n_frames=4)  # only two frames fit
    assert len(ax.patches) == 2
    plt.close("all")
