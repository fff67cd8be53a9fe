"""A synthetic electric guitar and a simulated guitar amplifier: the data of the amp-modelling notebook.

No small, freely licensed recordings of a real amplifier exist, so the course makes its own pairs:

- :func:`guitar_di` plays a seeded "performance" (single-note lines, let-ring chords, rhythmic strumming and
  palm-muted chugs, with varied dynamics and short rests) on a modal model of a six-string guitar, as the
  signal of a magnetic pickup recorded straight into the desk (a *DI* signal).
- :func:`amp` sends it through a documented amplifier: input filter, gain, asymmetric soft clipping, power-supply
  sag, tone stack and output filter (see :data:`AMP`). The clipper makes it nonlinear, the filters and the sag
  give it memory: the output depends on the recent past of the input, not only on the current sample.
- :func:`amp_pair` and :func:`load_split` give (dry, wet) pairs; train, validation and test are generated with
  different seeds, so they share no notes.

Everything is deterministic for a given seed and returned as float32 tensors at :data:`SAMPLE_RATE`.
"""
import math
from functools import lru_cache

import torch
import torchaudio.functional as AF

SAMPLE_RATE = 16000

OPEN_STRINGS = (40, 45, 50, 55, 59, 64)  # MIDI notes of standard tuning: E2 A2 D3 G3 B3 E4
N_FRETS = 15

# Chord shapes: the fret on each string from low E to high E, None for a string that is not played.
CHORD_SHAPES = {
    "E": (0, 2, 2, 1, 0, 0), "Em": (0, 2, 2, 0, 0, 0), "A": (None, 0, 2, 2, 2, 0), "Am": (None, 0, 2, 2, 1, 0),
    "D": (None, None, 0, 2, 3, 2), "Dm": (None, None, 0, 2, 3, 1), "G": (3, 2, 0, 0, 0, 3),
    "C": (None, 3, 2, 0, 1, 0), "E7": (0, 2, 0, 1, 0, 0), "Asus2": (None, 0, 2, 2, 0, 0),
}
BARRE_SHAPES = {"E-shape major": (0, 2, 2, 1, 0, 0), "E-shape minor": (0, 2, 2, 0, 0, 0),
                "A-shape major": (None, 0, 2, 2, 2, 0), "A-shape minor": (None, 0, 2, 2, 1, 0)}

# The simulated amplifier, stage by stage (the filters are RBJ-cookbook biquads and one-pole filters).
AMP = dict(
    input_highpass_hz=90.0,    # 1. input filter: 2nd-order high-pass (removes rumble before the gain) ...
    mid_boost_hz=800.0,        #    ... and a peaking filter that pushes the mids into the clipper
    mid_boost_db=6.0,
    gain_db=18.0,              # 2. preamp gain in front of the clipper
    bias=0.4,                  # 3. asymmetric soft clipper y = tanh(u + bias) - tanh(bias)
    sag=0.3,                   # 4. sag: the gain is divided by 1 + sag * e[n] / sag_level, where e is the ...
    sag_ms=40.0,               #    ... one-pole average of |x| over about 40 ms
    sag_level=0.08,
    bass_db=3.0,               # 5. tone stack: low shelf at 150 Hz, mid cut at 500 Hz, high shelf at 2.5 kHz
    middle_db=-4.0,
    treble_db=2.0,
    output_lowpass_hz=5000.0,  # 6. output: 2nd-order low-pass (a speaker-like roll-off) and a 2nd-order
    output_highpass_hz=60.0,   #    high-pass (output transformer), which also removes the clipper's DC offset,
    output_level=0.35,         #    then a fixed output level
)


def midi_to_hz(note):
    """Frequency in Hz of a MIDI note number (69 is A4 = 440 Hz), for numbers or tensors."""
    return 440.0 * 2.0 ** ((torch.as_tensor(note, dtype=torch.float64) - 69) / 12)


# ---------------------------------------------------------------------------------------------------- guitar
def pluck(freq, length, sample_rate=SAMPLE_RATE, velocity=1.0, pluck_position=0.2, decay_low=1.0,
          decay_2khz=6.0, inharmonicity=1e-4, release=0, max_partials=60):
    """One plucked string, ``length`` samples long, by modal synthesis (a sum of decaying partials).

    Partial k (k = 1, 2, ...) has frequency f_k = k f sqrt(1 + B k^2) (a stiff string, B = ``inharmonicity``),
    amplitude sin(pi k p) / k (plucked at fraction p of the string, seen by a velocity-sensing magnetic pickup)
    and decays as exp(-sigma_k t) with sigma_k = b1 + b3 (2 pi f_k)^2 (frequency-dependent losses as in
    Chaigne and Askenfelt, 1994): ``decay_low`` is b1 in 1/s and ``decay_2khz`` the rate of a 2 kHz partial.
    The last ``release`` samples fade out (the player stops the string). Returns a float64 tensor."""
    t = torch.arange(length, dtype=torch.float64) / sample_rate
    k = torch.arange(1, max_partials + 1, dtype=torch.float64)
    fk = k * freq * torch.sqrt(1 + inharmonicity * k ** 2)
    keep = fk < 0.45 * sample_rate
    k, fk = k[keep], fk[keep]
    b3 = max(decay_2khz - decay_low, 0.0) / (2 * math.pi * 2000) ** 2
    sigma = decay_low + b3 * (2 * math.pi * fk) ** 2
    amp = torch.sin(math.pi * k * pluck_position) / k
    partials = amp[:, None] * torch.exp(-sigma[:, None] * t) * torch.sin(2 * math.pi * fk[:, None] * t)
    note = velocity * partials.sum(0)
    if release > 0:
        n = min(release, length)
        note[length - n:] *= torch.linspace(1, 0, n, dtype=torch.float64) ** 2
    return note


def _note_events(duration, rng):
    """A random performance: a list of note dicts (time, string, fret, velocity, muted, length in s)."""
    events, t = [], 0.0

    def play(time, string, fret, velocity, muted=False, length=3.0):
        events.append(dict(time=time, string=string, fret=fret, velocity=velocity, muted=muted, length=length))

    def uniform(low, high):
        return low + (high - low) * torch.rand((), generator=rng).item()

    def choice(options):
        return options[int(torch.randint(len(options), (), generator=rng))]

    def strum(time, frets, velocity, down=True, spread=0.015, strings=range(6), muted=False, length=3.0):
        order = [s for s in strings if frets[s] is not None]
        order = order if down else order[::-1]
        for i, s in enumerate(order):
            play(time + i * spread * uniform(0.7, 1.3), s, frets[s], velocity * uniform(0.8, 1.0), muted, length)

    def random_chord():
        if uniform(0, 1) < 0.5:
            return CHORD_SHAPES[choice(sorted(CHORD_SHAPES))]
        shape, offset = BARRE_SHAPES[choice(sorted(BARRE_SHAPES))], int(torch.randint(1, 8, (), generator=rng))
        return tuple(None if f is None else f + offset for f in shape)

    while t < duration:
        kind = choice(["single", "single", "chords", "strum", "chug"])
        dynamic = uniform(0.25, 1.0)  # how hard the phrase is played
        if kind == "single":  # a line on a minor pentatonic scale
            root = int(torch.randint(0, 8, (), generator=rng))
            scale = [0, 3, 5, 7, 10]
            for _ in range(int(torch.randint(4, 13, (), generator=rng))):
                string = int(torch.randint(0, 6, (), generator=rng))
                fret = root + choice(scale) + 12 * int(uniform(0, 1) < 0.25)
                fret = min(fret, N_FRETS)
                step = choice([0.125, 0.1875, 0.25, 0.375, 0.5])
                play(t, string, fret, dynamic * uniform(0.6, 1.0), length=step * uniform(0.9, 3.0))
                t += step
        elif kind == "chords":  # let-ring chords, slowly strummed
            for _ in range(int(torch.randint(1, 4, (), generator=rng))):
                strum(t, random_chord(), dynamic, spread=uniform(0.01, 0.04))
                t += uniform(0.8, 2.0)
        elif kind == "strum":  # eighth notes, down on the beat, up in between
            chord, beat = random_chord(), 60 / uniform(80, 150)
            for i in range(int(torch.randint(8, 17, (), generator=rng))):
                down = i % 2 == 0
                accent = 1.0 if i % 4 == 0 else uniform(0.5, 0.85)
                strings = range(6) if down else range(2, 6)
                strum(t, chord, dynamic * accent, down=down, spread=uniform(0.004, 0.012), strings=strings)
                t += beat / 2
                if i % 4 == 3 and uniform(0, 1) < 0.3:
                    chord = random_chord()
        else:  # palm-muted power chords on the low strings
            low = int(torch.randint(0, 2, (), generator=rng))
            fret, step = int(torch.randint(0, 8, (), generator=rng)), 60 / uniform(90, 160) / 2
            frets = [None] * 6
            frets[low], frets[low + 1], frets[low + 2] = fret, fret + 2, fret + 2
            for i in range(int(torch.randint(6, 17, (), generator=rng))):
                if i % 8 == 7 and uniform(0, 1) < 0.5:  # an open, ringing accent
                    strum(t, frets, dynamic, spread=0.006, length=1.0)
                else:
                    strum(t, frets, dynamic * uniform(0.6, 0.9), spread=0.004, muted=True, length=step)
                t += step
        t += uniform(0.05, 0.8)  # a short rest between phrases
    return [e for e in events if e["time"] < duration]


def guitar_di(duration, seed, sample_rate=SAMPLE_RATE, level=0.25, noise=3e-4):
    """A seeded synthetic electric-guitar DI signal: 1-D float32 tensor of ``round(duration * sample_rate)`` samples.

    Each string sounds one note at a time: a new note on a string stops the previous one (with a 10 ms fade).
    Muted notes decay about 20 times faster and sound duller. ``level`` scales a full-velocity note; a little
    white ``noise`` stands for the pickup's hum and hiss."""
    rng = torch.Generator().manual_seed(seed)
    n_total = round(duration * sample_rate)
    out = torch.zeros(n_total, dtype=torch.float64)
    events = sorted(_note_events(duration, rng), key=lambda e: e["time"])
    release = round(0.01 * sample_rate)
    next_start = [n_total] * 6
    for e in reversed(events):  # each note ends where the next note on its string starts
        start = round(e["time"] * sample_rate)
        end = min(next_start[e["string"]] + release, start + round(e["length"] * sample_rate) + release, n_total)
        next_start[e["string"]] = start
        if end - start < 2:
            continue
        freq = float(midi_to_hz(OPEN_STRINGS[e["string"]] + e["fret"]))
        freq *= 2 ** (0.03 * (torch.rand((), generator=rng).item() - 0.5) / 12)  # strings slightly out of tune
        brightness = 0.1 + 0.15 * torch.rand((), generator=rng).item()        # where the pick hits
        decay_low = 0.4 + 1.2 * torch.rand((), generator=rng).item() + 0.02 * freq / 10
        decay_2khz = 4.0 + 6.0 * torch.rand((), generator=rng).item()
        if e["muted"]:
            decay_low, decay_2khz = 20 * decay_low + 8, 6 * decay_2khz + 40
        out[start:end] += level * pluck(freq, end - start, sample_rate, e["velocity"], brightness, decay_low,
                                        decay_2khz, release=release)
    out += noise * torch.randn(n_total, generator=rng, dtype=torch.float64)
    return out.float()


# ---------------------------------------------------------------------------------------------------- amplifier
def _biquad(x, kind, freq, sample_rate, gain_db=0.0, q=0.7071):
    """An RBJ Audio-EQ-Cookbook biquad (R. Bristow-Johnson) applied along the last dimension without clamping."""
    w0 = 2 * math.pi * freq / sample_rate
    cw, alpha, A = math.cos(w0), math.sin(w0) / (2 * q), 10 ** (gain_db / 40)
    if kind == "lowpass":
        b, a = [(1 - cw) / 2, 1 - cw, (1 - cw) / 2], [1 + alpha, -2 * cw, 1 - alpha]
    elif kind == "highpass":
        b, a = [(1 + cw) / 2, -(1 + cw), (1 + cw) / 2], [1 + alpha, -2 * cw, 1 - alpha]
    elif kind == "peak":
        b, a = [1 + alpha * A, -2 * cw, 1 - alpha * A], [1 + alpha / A, -2 * cw, 1 - alpha / A]
    elif kind in ("lowshelf", "highshelf"):
        s = 1 if kind == "lowshelf" else -1
        r = 2 * math.sqrt(A) * alpha
        b = [A * ((A + 1) - s * (A - 1) * cw + r), s * 2 * A * ((A - 1) - s * (A + 1) * cw),
             A * ((A + 1) - s * (A - 1) * cw - r)]
        a = [(A + 1) + s * (A - 1) * cw + r, -s * 2 * ((A - 1) + s * (A + 1) * cw), (A + 1) + s * (A - 1) * cw - r]
    else:
        raise ValueError(f"unknown filter kind {kind!r}")
    b = torch.tensor(b, dtype=x.dtype, device=x.device)
    a = torch.tensor(a, dtype=x.dtype, device=x.device)
    return AF.lfilter(x, a, b, clamp=False)


def _one_pole(x, ms, sample_rate):
    """One-pole low-pass (exponential moving average) with time constant ``ms`` milliseconds."""
    p = math.exp(-1000 / (ms * sample_rate))
    a = torch.tensor([1.0, -p], dtype=x.dtype, device=x.device)
    b = torch.tensor([1 - p, 0.0], dtype=x.dtype, device=x.device)
    return AF.lfilter(x, a, b, clamp=False)


def soft_clip(u, bias=AMP["bias"]):
    """The amp's asymmetric soft clipper tanh(u + bias) - tanh(bias): 0 at u = 0, slope 1 - tanh(bias)^2 there,
    saturating at 1 - tanh(bias) for large positive u and at -1 - tanh(bias) for large negative u."""
    return torch.tanh(u + bias) - math.tanh(bias)


def amp(x, sample_rate=SAMPLE_RATE, **settings):
    """The simulated guitar amplifier: maps a DI tensor (..., time) to the amp's output, float32, same shape.

    Stages, with the default values of :data:`AMP` (keyword arguments override them):

    1. input filter: 2nd-order high-pass at 90 Hz, then a +6 dB peak at 800 Hz;
    2. gain: 18 dB (x 7.9), reduced by the sag of stage 4;
    3. asymmetric soft clipping, :func:`soft_clip` with bias 0.4: the positive half-wave clips earlier than the
       negative one, which adds even harmonics (as a single-ended tube stage does);
    4. sag: the gain is divided by 1 + 0.3 e[n] / 0.08, where e is the 40 ms one-pole average of |x|: playing
       hard compresses a little, as when a tube amp's power supply droops;
    5. tone stack: +3 dB low shelf at 150 Hz, -4 dB peak at 500 Hz, +2 dB high shelf at 2.5 kHz;
    6. output: 2nd-order low-pass at 5 kHz, 2nd-order high-pass at 60 Hz (it also removes the DC offset that
       the asymmetric clipper creates), and a level of 0.35.

    The filters are linear with memory, the clipper is memoryless and nonlinear, and the sag is a slow gain
    change: the output depends on the last tens of milliseconds of input, not only on the current sample."""
    s = {**AMP, **settings}
    unknown = set(settings) - set(AMP)
    if unknown:
        raise ValueError(f"unknown amp settings {sorted(unknown)}; known: {sorted(AMP)}")
    x = torch.as_tensor(x).double()
    u = _biquad(x, "highpass", s["input_highpass_hz"], sample_rate)
    u = _biquad(u, "peak", s["mid_boost_hz"], sample_rate, s["mid_boost_db"])
    envelope = _one_pole(x.abs(), s["sag_ms"], sample_rate)
    gain = 10 ** (s["gain_db"] / 20) / (1 + s["sag"] * envelope / s["sag_level"])
    y = soft_clip(gain * u, s["bias"])
    y = _biquad(y, "lowshelf", 150.0, sample_rate, s["bass_db"])
    y = _biquad(y, "peak", 500.0, sample_rate, s["middle_db"])
    y = _biquad(y, "highshelf", 2500.0, sample_rate, s["treble_db"])
    y = _biquad(y, "lowpass", s["output_lowpass_hz"], sample_rate)
    y = _biquad(y, "highpass", s["output_highpass_hz"], sample_rate)
    return (s["output_level"] * y).float()


# ---------------------------------------------------------------------------------------------------- datasets
SPLITS = {"train": dict(seed=100, duration=120.0), "val": dict(seed=200, duration=10.0),
          "test": dict(seed=300, duration=30.0)}


@lru_cache(maxsize=8)
def _cached_pair(duration, seed, sample_rate):
    dry = guitar_di(duration, seed, sample_rate)
    return dry, amp(dry, sample_rate)


def amp_pair(duration, seed, sample_rate=SAMPLE_RATE):
    """(dry, wet): a DI signal of ``duration`` seconds made with ``seed`` and the amplifier's output (cached)."""
    dry, wet = _cached_pair(float(duration), int(seed), int(sample_rate))
    return dry.clone(), wet.clone()


def load_split(name):
    """The (dry, wet) pair of split ``name`` in :data:`SPLITS` ("train", "val" or "test")."""
    if name not in SPLITS:
        raise ValueError(f"unknown split {name!r}; choose one of {sorted(SPLITS)}")
    return amp_pair(**SPLITS[name])


def segments(x, length, hop=None):
    """Cut a 1-D signal into a (n_segments, length) tensor of segments ``hop`` samples apart (default: no overlap);
    the incomplete tail is dropped."""
    hop = hop or length
    if len(x) < length:
        raise ValueError(f"the signal ({len(x)} samples) is shorter than one segment ({length})")
    return x.unfold(0, length, hop).contiguous()


# ---------------------------------------------------------------------------------------------------- analysis
def power_spectrum(x, sample_rate=SAMPLE_RATE, n_fft=1024):
    """Average power spectrum of a 1-D signal (Welch's method: Hann-windowed frames, half overlapping).

    Returns (frequencies in Hz, power per bin), both float64 tensors of n_fft // 2 + 1 values. Summed over the
    bins it gives about the mean of x^2 times n_fft times the window's mean square, so ratios of two spectra
    (an error over a target) are energy ratios per frequency."""
    x = torch.as_tensor(x).detach().cpu().double().reshape(-1)
    window = torch.hann_window(n_fft, dtype=torch.float64)
    spec = torch.stft(x, n_fft, n_fft // 2, window=window, center=False, return_complex=True)
    freqs = torch.arange(n_fft // 2 + 1, dtype=torch.float64) * sample_rate / n_fft
    return freqs, spec.abs().pow(2).mean(-1)


def plot_error_spectrum(target, predictions, sample_rate=SAMPLE_RATE, n_fft=1024, ax=None,
                        title="Where the errors are"):
    """The target's average power spectrum and that of each model's error (target - prediction), in dB.

    ``predictions``: a dict {label: prediction}, each a 1-D signal as long as ``target``. A model is accurate at the
    frequencies where its error curve lies far below the target's."""
    import matplotlib.pyplot as plt
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.5))
    target = torch.as_tensor(target).detach().cpu().reshape(-1)
    freqs, power = power_spectrum(target, sample_rate, n_fft)
    ax.plot(freqs, 10 * torch.log10(power + 1e-12), color="k", lw=1.2, label="target")
    for label, pred in predictions.items():
        pred = torch.as_tensor(pred).detach().cpu().reshape(-1)
        if pred.shape != target.shape:
            raise ValueError(f"prediction {label!r} has shape {tuple(pred.shape)}, the target {tuple(target.shape)}")
        _, err = power_spectrum(target - pred, sample_rate, n_fft)
        ax.plot(freqs, 10 * torch.log10(err + 1e-12), lw=1, label=f"error of {label}")
    ax.set_xscale("log")
    ax.set_xlim(20, sample_rate / 2)
    ax.set_xlabel("frequency (Hz)")
    ax.set_ylabel("power (dB)")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    if title:
        ax.set_title(title)
    return ax
