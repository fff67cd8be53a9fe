"""Controlled degradations of a clean signal, and the scores of a small keyword detector built on FSDD.

Each degradation takes a 1-D (or (..., time)) float tensor and returns a tensor of the same shape, so that a
metric can compare it sample by sample with the clean signal. They are deterministic: the noise is cut from the
course's recording at a seeded offset.
"""
import math
from functools import lru_cache

import torch
import torch.nn.functional as F
import torchaudio.functional as AF

from .audio import resample
from .data import fsdd_index, load_fsdd, load_noise
from .digits import fsdd_split


def energy(x):
    """Sum of squares along the last (time) dimension."""
    return x.pow(2).sum(-1)


def noise_clip(length, sample_rate, seed=0):
    """``length`` samples of the course's kitchen noise at ``sample_rate``, cut at a seeded random offset."""
    noise = _noise_at(sample_rate)
    if length > len(noise):
        raise ValueError(f"asked for {length} samples of noise, the recording has {len(noise)} at {sample_rate} Hz")
    g = torch.Generator().manual_seed(seed)
    start = int(torch.randint(0, len(noise) - length + 1, (1,), generator=g))
    return noise[start:start + length].clone()


@lru_cache(maxsize=4)
def _noise_at(sample_rate):
    noise, sr = load_noise()
    return resample(noise, sr, sample_rate)


def add_noise(clean, noise, snr_db):
    """``clean + g * noise`` with the gain g chosen so that the signal-to-noise ratio is exactly ``snr_db``:
    10 log10(energy(clean) / energy(g * noise)) = snr_db. Works along the last dimension."""
    if clean.shape != noise.shape:
        raise ValueError(f"clean {tuple(clean.shape)} and noise {tuple(noise.shape)} must have the same shape")
    g = torch.sqrt(energy(clean) / (energy(noise) * 10 ** (snr_db / 10)))
    return clean + g.unsqueeze(-1) * noise


def apply_gain(x, gain_db):
    """Scale the signal by ``gain_db`` decibels (amplitude factor 10^(gain_db / 20))."""
    return x * 10 ** (gain_db / 20)


def delay(x, samples):
    """Delay by ``samples`` (>= 0): zeros enter at the start, the end is cut, the length stays the same."""
    if samples < 0:
        raise ValueError("the delay must be >= 0 samples")
    if samples == 0:
        return x.clone()
    return F.pad(x[..., :-samples], (samples, 0))


def lowpass(x, sample_rate, cutoff_hz, taps=255):
    """Zero-phase low-pass filter: a Hann-windowed sinc FIR with ``taps`` coefficients (odd), applied so that the
    output is aligned with the input (no delay). Attenuation above ``cutoff_hz`` is about 40 dB or more."""
    if taps % 2 == 0:
        raise ValueError("taps must be odd for a zero-phase filter")
    if not 0 < cutoff_hz < sample_rate / 2:
        raise ValueError(f"cutoff_hz must lie in (0, {sample_rate / 2}), found {cutoff_hz}")
    n = torch.arange(taps, dtype=torch.float64) - (taps - 1) / 2
    fc = cutoff_hz / sample_rate
    h = 2 * fc * torch.sinc(2 * fc * n) * torch.hann_window(taps, periodic=False, dtype=torch.float64)
    h = (h / h.sum()).to(x.dtype).to(x.device)
    shape = x.shape
    y = F.conv1d(x.reshape(-1, 1, shape[-1]), h.flip(0).view(1, 1, -1), padding=(taps - 1) // 2)
    return y.reshape(shape)


def clip(x, fraction):
    """Hard clipping at ``fraction`` (0 < fraction <= 1) of the signal's peak amplitude."""
    if not 0 < fraction <= 1:
        raise ValueError("fraction must lie in (0, 1]")
    limit = fraction * x.abs().amax(-1, keepdim=True)
    return torch.maximum(torch.minimum(x, limit), -limit)


def phase_shift(x, degrees=90.0):
    """Shift the phase of every frequency component by ``degrees`` (an all-pass filter: the magnitude spectrum
    stays the same). 90 degrees turns every cosine into a sine: the Hilbert transform of x."""
    n = x.shape[-1]
    X = torch.fft.rfft(x.double())
    rot = torch.full((X.shape[-1],), complex(math.cos(math.radians(degrees)), -math.sin(math.radians(degrees))),
                     dtype=X.dtype, device=X.device)
    rot[0] = math.cos(math.radians(degrees))  # DC (and Nyquist) are real: only their cosine part survives
    if n % 2 == 0:
        rot[-1] = math.cos(math.radians(degrees))
    return torch.fft.irfft(X * rot, n=n).to(x.dtype)


def standard_degradations(clean, sample_rate, seed=0):
    """The degradations of the metrics table, as an ordered dict name -> degraded copy of ``clean`` (1-D)."""
    noise = noise_clip(clean.shape[-1], sample_rate, seed=seed).to(clean.device)
    out = {"identical": clean.clone()}
    for snr in (20, 10, 0):
        out[f"noise {snr} dB SNR"] = add_noise(clean, noise, snr)
    out["gain -6 dB"] = apply_gain(clean, -6)
    out["gain +6 dB"] = apply_gain(clean, 6)
    out["delay 1 ms"] = delay(clean, round(sample_rate / 1000))
    out["delay 10 ms"] = delay(clean, round(sample_rate / 100))
    out["low-pass 4 kHz"] = lowpass(clean, sample_rate, 4000)
    out["low-pass 1 kHz"] = lowpass(clean, sample_rate, 1000)
    out["clip at 30% of peak"] = clip(clean, 0.3)
    out["clip at 5% of peak"] = clip(clean, 0.05)
    out["phase shift 90 deg"] = phase_shift(clean, 90)
    return out


# --- A small keyword detector on FSDD --------------------------------------------------------------------

KWS_SAMPLE_RATE = 8000


def keyword_features(waves, sample_rate=KWS_SAMPLE_RATE, n_fft=256, hop=80, n_mels=32, segments=6):
    """Fixed-length features of clips of any length: the log-mel spectrogram averaged over ``segments`` equal
    stretches of each clip, flattened to ``n_mels * segments`` numbers. ``waves`` is a list of 1-D tensors;
    returns an (N, n_mels * segments) tensor. The clips are processed as one batch; each clip is zero-padded by
    ``n_fft // 2`` on both sides first, so its features do not depend on the other clips of the batch."""
    lengths = torch.tensor([len(w) for w in waves])
    half = n_fft // 2
    batch = torch.nn.utils.rnn.pad_sequence([F.pad(w, (half, half)) for w in waves], batch_first=True)
    spec = torch.stft(batch, n_fft, hop, window=torch.hann_window(n_fft, device=batch.device), center=False,
                      return_complex=True).abs().pow(2)
    fbank = AF.melscale_fbanks(n_fft // 2 + 1, 0.0, sample_rate / 2, n_mels, sample_rate).to(batch.device)
    logmel = torch.log(torch.einsum("nft,fm->nmt", spec, fbank) + 1e-6)
    frames = 1 + lengths // hop  # frames centred on samples 0, hop, 2 hop, ... inside the clip
    t = torch.arange(logmel.shape[-1])
    segment = (t[None] * segments // frames[:, None]).clamp(max=segments - 1)  # (N, T): stretch of each frame
    weight = F.one_hot(segment, segments).float() * (t[None] < frames[:, None]).float()[..., None]
    weight = weight.to(logmel.device)
    return (torch.einsum("nmt,ntk->nmk", logmel, weight) / weight.sum(1, keepdim=True)).flatten(1)


def keyword_detector_scores(keyword=7, snr_db=10.0, seed=0):
    """Scores of a small keyword spotter for the spoken digit ``keyword`` in FSDD, with the clips mixed into
    kitchen noise at ``snr_db`` (None: clean).

    A logistic regression on :func:`keyword_features` is trained on the training split of
    :func:`course_utils.digits.fsdd_split` (takes 7-19 of every speaker and digit); its takes 5-6 are the
    validation split and takes 0-4 (FSDD's official test takes) the test split. Returns a
    dict ``{"val": (scores, labels), "test": (scores, labels)}``: scores are float32 logits (higher: more
    likely the keyword) and labels are int64 (1: the keyword was said). Deterministic for a given seed; the result
    is cached, and every call returns fresh copies."""
    scores = _keyword_detector_scores(keyword, snr_db, seed)
    return {name: (s.clone(), y.clone()) for name, (s, y) in scores.items()}


@lru_cache(maxsize=8)
def _keyword_detector_scores(keyword, snr_db, seed):
    items = fsdd_index()
    g = torch.Generator().manual_seed(seed)
    waves = []
    for item in items:
        wave, _ = load_fsdd(item)
        if snr_db is not None:
            noise_seed = int(torch.randint(0, 2**31 - 1, (1,), generator=g))
            wave = add_noise(wave, noise_clip(len(wave), KWS_SAMPLE_RATE, seed=noise_seed), snr_db)
        waves.append(wave)
    X = keyword_features(waves).double()
    y = torch.tensor([int(item["digit"] == keyword) for item in items])
    paths = [item["path"] for item in items]
    split = {name: torch.tensor([p in {it["path"] for it in part} for p in paths]) for name, part in fsdd_split().items()}
    Xtr = X[split["train"]]
    mean, std = Xtr.mean(0), Xtr.std(0)
    X = (X - mean) / std
    w = torch.zeros(X.shape[1], dtype=X.dtype, requires_grad=True)
    b = torch.zeros((), dtype=X.dtype, requires_grad=True)
    opt = torch.optim.LBFGS([w, b], max_iter=300, line_search_fn="strong_wolfe")
    Xtr, ytr = X[split["train"]], y[split["train"]].double()

    def closure():
        opt.zero_grad()
        loss = F.binary_cross_entropy_with_logits(Xtr @ w + b, ytr) + 1e-2 * w.pow(2).sum()
        loss.backward()
        return loss

    with torch.enable_grad():  # also when called under torch.no_grad()
        opt.step(closure)
    with torch.no_grad():
        scores = (X @ w + b).float()
    return {name: (scores[split[name]].clone(), y[split[name]].clone()) for name in ("val", "test")}
