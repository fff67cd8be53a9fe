"""Test signals and spectral plots: tones, chirps, clicks, a synthetic picture, spectrograms with axes in
seconds and hertz, filterbanks and overlap-add envelopes.

Every generator is deterministic and returns float32 tensors (the picture: a uint8 array, as an image file
decodes), so notebooks and their tests can rebuild exactly the same input.
"""
import math

import matplotlib.pyplot as plt
import numpy as np
import torch


def _axes(ax, figsize):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def _numpy(x):
    return torch.as_tensor(x).detach().cpu().float().numpy()


def time_axis(duration, sample_rate):
    """Sample times n / sample_rate (float64) of a signal lasting ``duration`` seconds."""
    return torch.arange(round(duration * sample_rate), dtype=torch.float64) / sample_rate


def tone(freq, duration, sample_rate, amplitude=1.0, phase=0.0):
    """A sinusoid ``amplitude * sin(2 pi freq t + phase)`` lasting ``duration`` seconds."""
    t = time_axis(duration, sample_rate)
    return (amplitude * torch.sin(2 * math.pi * freq * t + phase)).float()


def chirp(f0, f1, duration, sample_rate, method="linear", amplitude=1.0):
    """A sweep whose instantaneous frequency goes from ``f0`` to ``f1`` Hz in ``duration`` seconds.

    ``method="linear"``: f(t) = f0 + (f1 - f0) t / D. ``method="exponential"``: f(t) = f0 (f1 / f0)^(t / D), equal
    time per octave. The phase is 2 pi times the integral of f, so the waveform has no jumps."""
    t = time_axis(duration, sample_rate)
    if method == "linear":
        phase = 2 * math.pi * (f0 * t + (f1 - f0) * t ** 2 / (2 * duration))
    elif method == "exponential":
        if f0 <= 0 or f1 <= 0:
            raise ValueError("an exponential chirp needs positive frequencies f0 and f1")
        if f0 == f1:
            phase = 2 * math.pi * f0 * t
        else:
            k = math.log(f1 / f0)
            phase = 2 * math.pi * f0 * duration / k * (torch.exp(k * t / duration) - 1)
    else:
        raise ValueError(f"unknown method {method!r}; choose 'linear' or 'exponential'")
    return (amplitude * torch.sin(phase)).float()


def instantaneous_frequency(f0, f1, duration, t, method="linear"):
    """The frequency in Hz of :func:`chirp` at times ``t`` (seconds): for drawing it over a spectrogram."""
    t = torch.as_tensor(t, dtype=torch.float64)
    if method == "linear":
        return f0 + (f1 - f0) * t / duration
    return f0 * (f1 / f0) ** (t / duration)


def clicks(times, duration, sample_rate, amplitude=1.0):
    """Unit impulses (one sample each) at the given ``times`` in seconds: perfectly localised in time."""
    x = torch.zeros(round(duration * sample_rate))
    for t in times:
        n = round(t * sample_rate)
        if not 0 <= n < len(x):
            raise ValueError(f"click at {t} s lies outside the signal (0 to {duration} s)")
        x[n] = amplitude
    return x


def synthetic_image(height=96, width=128):
    """A small RGB picture (sky, sun, hills, a tree) as a (height, width, 3) uint8 NumPy array: the layout and
    dtype that decoding a PNG or JPEG file gives."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    v, u = y / height, x / width
    img = np.zeros((height, width, 3))
    img[...] = np.stack([0.35 + 0.6 * v, 0.55 + 0.35 * v, 0.95 - 0.35 * v], -1)      # sky: blue to orange
    sun = (u - 0.72) ** 2 + ((v - 0.3) * height / width) ** 2 < 0.011
    img[sun] = [1.0, 0.85, 0.25]
    hills = v > 0.62 + 0.08 * np.sin(2 * np.pi * (1.3 * u + 0.1))
    img[hills] = np.stack([0.15 + 0.1 * v, 0.45 + 0.2 * (1 - v), 0.12 + 0 * v], -1)[hills]
    trunk = (np.abs(u - 0.25) < 0.015) & (v > 0.45) & (v < 0.7)
    img[trunk] = [0.4, 0.25, 0.1]
    crown = (u - 0.25) ** 2 + ((v - 0.42) * height / width) ** 2 < 0.006
    img[crown] = [0.1, 0.35, 0.1]
    return np.round(255 * np.clip(img, 0, 1)).astype(np.uint8)


def bin_frequencies(n_fft, sample_rate):
    """Centre frequency in Hz of each of the ``n_fft // 2 + 1`` bins of a one-sided spectrum: k * sr / n_fft."""
    return torch.arange(n_fft // 2 + 1, dtype=torch.float64) * sample_rate / n_fft


def plot_stft(spec, sample_rate, hop_length, ax=None, title=None, db=True, top_db=80.0, f_max=None, colorbar=True,
              interpolation="antialiased"):
    """A one-sided spectrogram (n_fft // 2 + 1 bins, frames) with time in seconds and frequency in Hz.

    ``spec`` is complex (an STFT), or a magnitude (``db`` converts 20 log10) or power (pass a real tensor and
    ``db="power"`` for 10 log10); frames are taken as centred on sample t * hop_length, as with center=True."""
    ax = _axes(ax, (8, 3))
    s = torch.as_tensor(spec).detach().cpu()
    if s.is_complex():
        s = s.abs()
    s = s.double()
    if db:
        s = (10 if db == "power" else 20) * torch.log10(s.clamp(min=1e-10))
        s = s.clamp(min=float(s.max()) - top_db)
    n_bins, n_frames = s.shape
    nyquist = sample_rate / 2
    half_bin = nyquist / (n_bins - 1) / 2
    half_hop = hop_length / sample_rate / 2
    extent = [-half_hop, (n_frames - 0.5) * hop_length / sample_rate, -half_bin, nyquist + half_bin]
    im = ax.imshow(s.numpy(), origin="lower", aspect="auto", cmap="magma", extent=extent,
                   interpolation=interpolation)
    ax.set_ylim(0, min(f_max or nyquist, nyquist))
    ax.set_xlabel("time (s)")
    ax.set_ylabel("frequency (Hz)")
    if colorbar:
        plt.colorbar(im, ax=ax, label="dB" if db else None)
    if title:
        ax.set_title(title)
    return ax


def plot_filterbank(fbank, sample_rate, ax=None, title="Filterbank"):
    """The rows of an (n_filters, n_fft // 2 + 1) filterbank as curves over frequency in Hz."""
    ax = _axes(ax, (8, 2.5))
    fb = _numpy(fbank)
    freqs = np.linspace(0, sample_rate / 2, fb.shape[1])
    ax.plot(freqs, fb.T, lw=0.8)
    ax.set_xlim(0, sample_rate / 2)
    ax.set_xlabel("frequency (Hz)")
    ax.set_ylabel("weight")
    if title:
        ax.set_title(title)
    return ax


def plot_frames(wave, sample_rate, frame_length, hop_length, n_frames=4, ax=None, title=None):
    """The first ``n_frames`` frames of ``wave`` drawn as shaded, overlapping spans over the waveform."""
    ax = _axes(ax, (8, 2.5))
    w = _numpy(wave).reshape(-1)
    end = min(len(w), (n_frames - 1) * hop_length + frame_length + hop_length)
    t = np.arange(end) / sample_rate
    ax.plot(t, w[:end], color="k", lw=0.7)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    low, high = w[:end].min(), w[:end].max()
    span = high - low or 1.0
    for i in range(n_frames):
        start = i * hop_length
        if start + frame_length > len(w):
            break
        ax.axvspan(start / sample_rate, (start + frame_length) / sample_rate, color=colors[i % len(colors)],
                   alpha=0.18)
        level = high + span * (0.08 + 0.1 * i)
        ax.plot([start / sample_rate, (start + frame_length) / sample_rate], [level, level],
                color=colors[i % len(colors)], lw=3, label=f"frame {i}")
    ax.set_xlim(0, end / sample_rate)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("amplitude")
    ax.legend(loc="lower right", fontsize=8, ncol=n_frames)
    if title:
        ax.set_title(title)
    return ax
