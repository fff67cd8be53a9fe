"""Speech denoising: clean speech and noise at the course rate, mixing, STFT masking, a classical baseline, a
wrapper that turns a mask network into a waveform denoiser, and the evaluation table (SI-SDR, PESQ, STOI).

Everything runs offline and is deterministic: the speech comes from the shipped LJ Speech and FSDD clips, the noise
from the shipped kitchen recording or from generators driven by a seed.

The course rate is 8 kHz: FSDD is recorded at 8 kHz, narrow-band PESQ is defined there, and a spectrogram of 129
bins keeps a U-Net small enough to train on a CPU in a minute.
"""
import math
from functools import lru_cache

import torch
import torch.nn.functional as F
from torch import nn

from .audio import resample
from .data import fsdd_index, fsdd_speakers, load_fsdd, load_ljspeech, load_noise

SAMPLE_RATE = 8000
N_FFT = 256          # 32 ms window, 129 frequency bins of 31.25 Hz
HOP = 64             # 8 ms hop: 75 % overlap, so that a Hann window overlap-adds to a constant
NOISE_TYPES = ("white", "pink", "brown", "hum", "babble", "kitchen")
LJ_VAL = (22, 23)                # LJ Speech utterances for the validation curve
LJ_TEST = tuple(range(24, 32))   # LJ Speech utterances kept out of training and validation
FSDD_TEST_SPEAKERS = 2           # the last two FSDD speakers (sorted by name) are kept out of training
LEAD_IN = 0.3                    # seconds of noise alone before the speech in every evaluation clip


# --- Clean speech ----------------------------------------------------------------------------------------------

def speech_clips(split="train"):
    """Clean speech at 8 kHz as a list of 1-D float32 tensors (fresh copies), peak-normalised to 0.9.

    ``"train"``: LJ Speech utterances 0-21 and the FSDD clips of the first four speakers, the clips of each speaker
    concatenated and cut into pieces of 4 s. ``"val"``: LJ Speech utterances 22-23. ``"test"``: utterances 24-31.
    ``"babble_test"``: the FSDD clips of the last two speakers (voices never trained on), for the babble of the test
    mixtures. The three splits share no utterance."""
    return [c.clone() for c in _speech_clips(split)]


@lru_cache(maxsize=None)
def _speech_clips(split):
    speakers = fsdd_speakers()
    if split == "train":
        clips = [_lj(i) for i in range(32) if i not in LJ_TEST + LJ_VAL]
        clips += _fsdd_pieces(speakers[:-FSDD_TEST_SPEAKERS])
    elif split == "val":
        clips = [_lj(i) for i in LJ_VAL]
    elif split == "test":
        clips = [_lj(i) for i in LJ_TEST]
    elif split == "babble_test":
        clips = _fsdd_pieces(speakers[-FSDD_TEST_SPEAKERS:])
    else:
        raise ValueError(f"unknown split {split!r}: choose 'train', 'val', 'test' or 'babble_test'")
    return tuple(0.9 * c / c.abs().max() for c in clips)


def _lj(index):
    wave, sr, _ = load_ljspeech(index)
    return resample(wave, sr, SAMPLE_RATE)


def _fsdd_pieces(speakers, seconds=4.0):
    pieces = []
    for speaker in speakers:
        stream = torch.cat([load_fsdd(item)[0] for item in fsdd_index() if item["speaker"] == speaker])
        pieces += list(stream.split(int(seconds * SAMPLE_RATE)))[:-1]  # drop the short tail
    return pieces


# --- Noise -----------------------------------------------------------------------------------------------------

def _unit_rms(x):
    return (x / x.pow(2).mean().sqrt().clamp(min=1e-12)).float()


def colored_noise(length, exponent, generator=None):
    """Gaussian noise whose power spectrum falls as 1 / f^exponent: 0 white, 1 pink, 2 brown (red). The shaping is
    done in the frequency domain (bins below 20 Hz get the 20 Hz gain, DC is removed); unit RMS."""
    n = 2 * length  # shape a longer signal and keep its middle: no wrap-around at the ends
    spec = torch.fft.rfft(torch.randn(n, generator=generator, dtype=torch.float64))
    freqs = torch.fft.rfftfreq(n, 1 / SAMPLE_RATE, dtype=torch.float64)
    spec = spec * freqs.clamp(min=20.0).pow(-exponent / 2)
    spec[0] = 0
    return _unit_rms(torch.fft.irfft(spec, n)[length // 2:length // 2 + length])


def hum(length, generator=None, mains=None, harmonics=8):
    """Mains hum: a 50 or 60 Hz tone (``mains``; random if None) with ``harmonics`` harmonics of random phase whose
    amplitudes fall roughly as 1/k, slowly modulated in level (by up to 20 %); unit RMS."""
    if mains is None:
        mains = (50.0, 60.0)[int(torch.randint(0, 2, (1,), generator=generator))]
    t = torch.arange(length, dtype=torch.float64) / SAMPLE_RATE
    x = torch.zeros(length, dtype=torch.float64)
    for k in range(1, harmonics + 1):
        amp = (0.5 + torch.rand(1, generator=generator, dtype=torch.float64)) / k
        phase = 2 * math.pi * torch.rand(1, generator=generator, dtype=torch.float64)
        x += amp * torch.sin(2 * math.pi * k * mains * t + phase)
    rate = 0.2 + torch.rand(1, generator=generator, dtype=torch.float64)  # level modulation, 0.2-1.2 Hz
    x *= 1 + 0.2 * torch.sin(2 * math.pi * rate * t)
    return _unit_rms(x)


def babble(length, generator=None, talkers=4, split="train"):
    """Babble: ``talkers`` speech excerpts of the ``split`` clips (see :func:`speech_clips`; the test babble uses
    voices never trained on), each at unit RMS and a random offset, summed; unit RMS."""
    clips = _speech_clips(split)
    x = torch.zeros(length)
    for _ in range(talkers):
        clip = clips[int(torch.randint(0, len(clips), (1,), generator=generator))]
        reps = -(-length // len(clip)) + 1
        looped = clip.repeat(reps)
        start = int(torch.randint(0, len(clip), (1,), generator=generator))
        x += _unit_rms(looped[start:start + length])
    return _unit_rms(x)


@lru_cache(maxsize=1)
def _kitchen():
    wave, sr = load_noise()
    return resample(wave, sr, SAMPLE_RATE)


def kitchen(length, generator=None, split="train"):
    """An excerpt of the shipped kitchen recording at a random offset: the first 75 s for ``"train"``, the last
    20 s for ``"test"`` (looped if ``length`` is longer); unit RMS."""
    wave = _kitchen()
    cut = 75 * SAMPLE_RATE
    part = wave[:cut] if split == "train" else wave[cut:]
    if length > len(part):
        part = part.repeat(-(-length // len(part)))
    start = int(torch.randint(0, len(part) - length + 1, (1,), generator=generator))
    return _unit_rms(part[start:start + length])


def make_noise(kind, length, generator=None, split="train"):
    """``length`` samples of noise of type ``kind`` (one of :data:`NOISE_TYPES`) at unit RMS, drawn with
    ``generator``. ``split="test"`` takes babble and kitchen noise from material kept out of training."""
    if kind == "white":
        return colored_noise(length, 0.0, generator)
    if kind == "pink":
        return colored_noise(length, 1.0, generator)
    if kind == "brown":
        return colored_noise(length, 2.0, generator)
    if kind == "hum":
        return hum(length, generator)
    if kind == "babble":
        return babble(length, generator, split="babble_test" if split == "test" else "train")
    if kind == "kitchen":
        return kitchen(length, generator, split)
    raise ValueError(f"unknown noise type {kind!r}; choose one of {NOISE_TYPES}")


def mix_at_snr(clean, noise, snr_db):
    """Reference mixing: ``clean + g * noise`` with the noise looped or cropped to the length of ``clean`` and g such
    that 10 log10(sum clean^2 / sum (g noise)^2) = snr_db exactly. Both 1-D; silence raises ValueError."""
    if clean.dim() != 1 or noise.dim() != 1:
        raise ValueError(f"clean and noise must be 1-D, found {tuple(clean.shape)} and {tuple(noise.shape)}")
    if len(noise) < len(clean):
        noise = noise.repeat(-(-len(clean) // len(noise)))
    noise = noise[:len(clean)]
    e_clean, e_noise = clean.double().pow(2).sum(), noise.double().pow(2).sum()
    if e_clean == 0 or e_noise == 0:
        raise ValueError("the SNR of silence is undefined: clean and noise must not be all zeros")
    g = torch.sqrt(e_clean / (e_noise * 10 ** (snr_db / 10)))
    return clean + (g * noise.double()).to(clean.dtype)


# --- STFT and masks --------------------------------------------------------------------------------------------

def stft(wave, n_fft=N_FFT, hop=HOP):
    """Complex STFT (..., n_fft // 2 + 1, frames) of a (..., time) signal: Hann window, centred frames."""
    shape = wave.shape
    spec = torch.stft(wave.reshape(-1, shape[-1]), n_fft, hop, window=torch.hann_window(n_fft, device=wave.device),
                      center=True, return_complex=True)
    return spec.reshape(*shape[:-1], *spec.shape[-2:])


def istft(spec, length, n_fft=N_FFT, hop=HOP):
    """Inverse of :func:`stft`: a (..., length) signal, exactly ``length`` samples long."""
    shape = spec.shape
    wave = torch.istft(spec.reshape(-1, *shape[-2:]), n_fft, hop,
                       window=torch.hann_window(n_fft, device=spec.device), center=True, length=length)
    return wave.reshape(*shape[:-2], length)


def apply_mask(noisy, mask, n_fft=N_FFT, hop=HOP):
    """Multiply the STFT of ``noisy`` (..., time) by a real ``mask`` (..., bins, frames) and invert: the noisy
    phase is kept. Returns a signal of the same length."""
    return istft(stft(noisy, n_fft, hop) * mask, noisy.shape[-1], n_fft, hop)


NOISE_FLOOR_QUANTILE = 0.2  # the quantile of a bin's log-magnitude over the frames taken as its noise floor


def mask_features(spec, floor_quantile=NOISE_FLOOR_QUANTILE):
    """The input of a mask network: the log-magnitude of a complex STFT (B, bins, frames), each frequency bin minus
    its noise floor, then scaled per example to unit variance, as (B, 1, bins, frames).

    A bin's noise floor is its ``floor_quantile`` quantile over the frames: speech fills any one bin only part of the
    time, so a low quantile is the level the bin sits at between syllables, which is the noise (the idea of
    minimum-statistics noise estimation, Martin 2001). What is left after subtracting it is how far each bin rises
    above its noise, a rough local SNR; neither the recording's level nor a steady noise survives.
    ``floor_quantile=None`` subtracts each bin's mean instead (for comparison)."""
    logmag = torch.log(spec.abs() + 1e-5)
    if floor_quantile is None:
        floor = logmag.mean(-1, keepdim=True)
    elif logmag.numel() <= 2 ** 24:
        floor = logmag.quantile(floor_quantile, dim=-1, keepdim=True)
    else:  # torch.quantile refuses inputs of more than 2**24 elements (a recording of about half an hour): bin by bin
        rows = logmag.reshape(-1, logmag.shape[-1])
        floor = torch.stack([r.quantile(floor_quantile, dim=-1, keepdim=True) for r in rows]).reshape(
            *logmag.shape[:-1], 1)
    centred = logmag - floor
    return (centred / (centred.std((-2, -1), keepdim=True) + 1e-5)).unsqueeze(1)


class MaskDenoiser(nn.Module):
    """Turns a mask network into a waveform denoiser: (B, time) noisy waves -> (B, time) enhanced waves.

    ``net`` maps :func:`mask_features` (B, 1, bins, frames) to a mask of the same shape with values in [0, 1];
    the mask multiplies the noisy STFT and the inverse STFT gives a signal of the input's length."""

    def __init__(self, net, floor_quantile=NOISE_FLOOR_QUANTILE):
        super().__init__()
        self.net = net
        self.floor_quantile = floor_quantile

    def forward(self, noisy):
        length = noisy.shape[-1]
        if length < N_FFT:  # the centred STFT needs at least n_fft // 2 + 1 samples: pad short inputs
            noisy = F.pad(noisy, (0, N_FFT - length))
        spec = stft(noisy)
        mask = self.net(mask_features(spec, self.floor_quantile)).squeeze(1)
        return istft(spec * mask, noisy.shape[-1])[..., :length]


# --- Classical baseline ----------------------------------------------------------------------------------------

def spectral_subtraction(noisy, noise_seconds=0.25, oversubtract=2.0, floor=0.1):
    """Power spectral subtraction with a noise estimate from the first ``noise_seconds`` (assumed speech-free):
    gain = sqrt(max(1 - oversubtract * N / |Y|^2, floor^2)), applied to the noisy STFT (noisy phase kept).
    Works on (..., time); returns a signal of the same shape."""
    spec = stft(noisy)
    power = spec.abs().pow(2)
    frames = max(1, int(noise_seconds * SAMPLE_RATE / HOP))
    noise_power = power[..., :frames].mean(-1, keepdim=True)
    gain = (1 - oversubtract * noise_power / power.clamp(min=1e-12)).clamp(min=floor ** 2).sqrt()
    return istft(spec * gain, noisy.shape[-1])


# --- Evaluation ------------------------------------------------------------------------------------------------

def si_sdr(estimate, target):
    """Scale-invariant SDR in dB along the last dimension (zero-mean signals, as torchmetrics computes it)."""
    from torchmetrics.functional.audio import scale_invariant_signal_distortion_ratio
    return scale_invariant_signal_distortion_ratio(estimate.double(), target.double())


def eval_set(noise_types=NOISE_TYPES, snrs=(0, 5, 10), clips=4, seconds=2.5, seed=1234, first=0):
    """The fixed held-out mixtures: ``clips`` test utterances from number ``first`` on, each cut to ``seconds`` s (from 0.3 s into
    the utterance) behind :data:`LEAD_IN` s of silence, so that a clip starts with noise alone. For every noise type
    (test material, a seeded draw per clip) and SNR: a dict with keys clean, noise, noisy (tensors (clips, time)),
    kind, snr. Cached; returns fresh copies."""
    return [{k: (v.clone() if torch.is_tensor(v) else v) for k, v in item.items()}
            for item in _eval_set(tuple(noise_types), tuple(snrs), clips, seconds, seed, first)]


@lru_cache(maxsize=8)
def _eval_set(noise_types, snrs, clips, seconds, seed, first):
    speech = _speech_clips("test")[first:first + clips]
    if len(speech) < clips:
        raise ValueError(f"there are {len(LJ_TEST)} test utterances; asked for {clips} from number {first}")
    body = int(seconds * SAMPLE_RATE) - int(LEAD_IN * SAMPLE_RATE)
    start = int(0.3 * SAMPLE_RATE)
    clean = torch.stack([F.pad(c[start:start + body], (int(LEAD_IN * SAMPLE_RATE), 0)) for c in speech])
    items = []
    for t, kind in enumerate(noise_types):
        for s, snr in enumerate(snrs):
            g = torch.Generator().manual_seed(seed + 1000 * t + s)
            noisy = torch.stack([mix_at_snr(c, make_noise(kind, clean.shape[-1], g, "test"), snr) for c in clean])
            items.append({"kind": kind, "snr": snr, "clean": clean.clone(), "noisy": noisy, "noise": noisy - clean})
    return tuple(items)


def ideal_ratio_mask_reference(clean, noise):
    """The oracle mask |S|^2 / (|S|^2 + |N|^2) of the STFTs (a reference for the table)."""
    s, n = stft(clean).abs().pow(2), stft(noise).abs().pow(2)
    return s / (s + n).clamp(min=1e-12)


def _scores(estimate, clean, pesq_stoi=True):
    from torchmetrics.functional.audio import (perceptual_evaluation_speech_quality,
                                               short_time_objective_intelligibility)
    out = {"SI-SDR": si_sdr(estimate, clean).mean().item()}
    if pesq_stoi:
        out["PESQ"] = float(sum(float(perceptual_evaluation_speech_quality(e, c, SAMPLE_RATE, "nb"))
                                for e, c in zip(estimate.float(), clean.float())) / len(clean))
        out["STOI"] = float(sum(float(short_time_objective_intelligibility(e, c, SAMPLE_RATE))
                                for e, c in zip(estimate.float(), clean.float())) / len(clean))
    return out


def evaluate(methods, items=None, pesq_stoi=True, progress=False):
    """Scores of denoisers on the held-out mixtures (:func:`eval_set` by default).

    ``methods``: dict name -> function (noisy (clips, time) CPU tensor, item) -> enhanced (clips, time). Use
    ``"noisy"``/``"baseline"``/``"oracle"`` as names of the built-in rows with value None. Returns a list of dicts
    with method, kind, snr and the mean SI-SDR, PESQ (narrow-band) and STOI over the clips."""
    from tqdm.auto import tqdm
    items = eval_set() if items is None else items
    builtin = {"noisy": lambda noisy, item: noisy,
               "baseline": lambda noisy, item: spectral_subtraction(noisy),
               "oracle": lambda noisy, item: apply_mask(noisy, ideal_ratio_mask_reference(item["clean"],
                                                                                           item["noise"]))}
    rows = []
    for item in tqdm(items, desc="evaluating", disable=not progress, leave=False):
        for name, fn in methods.items():
            fn = builtin[name] if fn is None else fn
            with torch.no_grad():
                est = fn(item["noisy"].clone(), item).detach().cpu()
            rows.append({"method": name, "kind": item["kind"], "snr": item["snr"],
                         **_scores(est, item["clean"], pesq_stoi)})
    return rows


def summarize(rows, groups):
    """Average ``rows`` of :func:`evaluate` over SNRs and over the noise types of each group: ``groups`` is a dict
    label -> tuple of noise types. Returns {(method, label): {metric: mean}}."""
    out = {}
    metrics = [k for k in rows[0] if k not in ("method", "kind", "snr")]
    for method in dict.fromkeys(r["method"] for r in rows):
        for label, kinds in groups.items():
            sel = [r for r in rows if r["method"] == method and r["kind"] in kinds]
            out[(method, label)] = {m: sum(r[m] for r in sel) / len(sel) for m in metrics}
    return out


def format_table(summary, groups, reference="noisy"):
    """A text table of :func:`summarize`'s result; columns ``Δ`` give the improvement over ``reference``."""
    methods = list(dict.fromkeys(m for m, _ in summary))
    metrics = list(next(iter(summary.values())))
    lines = []
    for label in groups:
        lines.append(f"{label}")
        head = f"  {'method':<12}" + "".join(f"{m:>9}{'Δ':>7}" for m in metrics)
        lines.append(head)
        for method in methods:
            s, r = summary[(method, label)], summary[(reference, label)]
            lines.append(f"  {method:<12}" + "".join(f"{s[m]:9.2f}{s[m] - r[m]:+7.2f}" for m in metrics))
    return "\n".join(lines)


# --- Inference on recordings of any length and rate ------------------------------------------------------------

@torch.no_grad()
def denoise_chunked(model, wave, sample_rate, chunk_seconds=4.0, overlap_seconds=0.5):
    """Run a waveform denoiser ``model`` ((B, time) -> (B, time) at 8 kHz) on a 1-D signal of any length and rate:
    resample to 8 kHz, process overlapping chunks, cross-fade them (linear ramps over the overlap), resample back.
    Returns a 1-D float32 CPU tensor of the same length."""
    dev = next(model.parameters()).device
    x = resample(wave.detach().float().cpu(), sample_rate, SAMPLE_RATE)
    chunk, overlap = int(chunk_seconds * SAMPLE_RATE), int(overlap_seconds * SAMPLE_RATE)
    out = torch.zeros_like(x)
    weight = torch.zeros_like(x)
    step = chunk - overlap
    for start in range(0, max(1, len(x) - overlap), step):
        piece = x[start:start + chunk]
        y = model(piece[None].to(dev))[0].cpu()
        w = torch.ones(len(piece))
        ramp = torch.linspace(0, 1, overlap + 2)[1:-1]
        if start > 0:
            w[:overlap] = ramp[:len(piece)]
        if start + chunk < len(x):
            w[-overlap:] = ramp.flip(0)
        out[start:start + len(piece)] += w * y
        weight[start:start + len(piece)] += w
    y = out / weight.clamp(min=1e-8)
    y = resample(y, SAMPLE_RATE, sample_rate)
    return F.pad(y, (0, max(0, len(wave) - len(y))))[:len(wave)].float()
