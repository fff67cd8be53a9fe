"""Profiling helpers (notebook 10): small versions of the course's models, the spoken-digit features to test them
on, and an energy meter that reads the hardware where it can and estimates otherwise.

Models (rebuilt here, small, so that notebook 10 does not depend on earlier notebooks):

- :class:`DigitCNN`: the log-mel digit classifier of notebook 03 (conv, batch norm, ReLU, max-pool blocks);
- :class:`AmpLSTM`: the recurrent amplifier model of notebook 04 (an LSTM over samples and a linear read-out);
- :class:`CausalSelfAttention`: one masked multi-head self-attention layer, written with explicit matrix
  products (``torch.nn.functional.scaled_dot_product_attention`` is not counted by ``FlopCounterMode`` on CPU);
- :class:`DigitMLP`: a fully connected digit classifier, the model whose linear layers dynamic int8 quantisation
  speeds up.

Energy: :class:`EnergyMeter` reads Intel/AMD RAPL counters (``/sys/class/powercap``) and NVIDIA's NVML (through
``pynvml``, when installed) where the machine exposes them; otherwise it estimates CPU energy as CPU time x an
assumed power per busy core, and GPU energy as wall time x an assumed board power. Every reading says which.
"""
import math
import time
from functools import lru_cache
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

# --- models --------------------------------------------------------------------------------------------------


class DigitCNN(nn.Module):
    """Log-mel digit classifier (notebook 03): blocks of 3x3 conv, batch norm, ReLU and 2x2 max-pool, global
    average pooling and a linear head. Input (batch, 1, mels, frames), output (batch, n_classes) logits."""

    def __init__(self, channels=(16, 32, 64, 128), n_classes=10):
        super().__init__()
        layers, c_in = [], 1
        for c in channels:
            layers += [nn.Conv2d(c_in, c, 3, padding=1), nn.BatchNorm2d(c), nn.ReLU(), nn.MaxPool2d(2)]
            c_in = c
        self.blocks = nn.Sequential(*layers)
        self.head = nn.Linear(c_in, n_classes)

    def forward(self, x):
        return self.head(self.blocks(x).mean(dim=(-2, -1)))


class AmpLSTM(nn.Module):
    """Recurrent amplifier model (notebook 04): an LSTM over the samples and a linear read-out, plus the input
    (a residual connection). Input and output (batch, time); ``state`` carries the LSTM state between chunks,
    so a signal can be processed in a stream of chunks."""

    def __init__(self, hidden=32):
        super().__init__()
        self.lstm = nn.LSTM(input_size=1, hidden_size=hidden, batch_first=True)
        self.out = nn.Linear(hidden, 1)

    def forward(self, x, state=None):
        h, state = self.lstm(x[..., None], state)
        return x + self.out(h)[..., 0], state


class CausalSelfAttention(nn.Module):
    """Multi-head self-attention in which step t sees steps <= t. Input and output (batch, time, d_model).

    Written with explicit matrix products: q, k, v = x W_qkv; softmax(q k^T / sqrt(d_head) + mask) v; W_out."""

    def __init__(self, d_model=64, n_heads=4):
        super().__init__()
        if d_model % n_heads:
            raise ValueError(f"d_model={d_model} is not divisible by n_heads={n_heads}")
        self.n_heads = n_heads
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.proj = nn.Linear(d_model, d_model)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.n_heads, d // self.n_heads).permute(2, 0, 3, 1, 4)
        scores = q @ k.transpose(-2, -1) / math.sqrt(d // self.n_heads)             # (b, heads, t, t)
        future = torch.ones(t, t, dtype=torch.bool, device=x.device).triu(1)
        weights = scores.masked_fill(future, float("-inf")).softmax(dim=-1)
        return self.proj((weights @ v).transpose(1, 2).reshape(b, t, d))


class DigitMLP(nn.Module):
    """Fully connected digit classifier on flattened log-mel features: Linear, ReLU, Linear, ReLU, Linear."""

    def __init__(self, n_in=40 * 63, hidden=512, n_classes=10):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(n_in, hidden), nn.ReLU(), nn.Linear(hidden, hidden),
                                 nn.ReLU(), nn.Linear(hidden, n_classes))

    def forward(self, x):
        return self.net(x)


# --- data ----------------------------------------------------------------------------------------------------

CLIP_SAMPLES, N_FFT, HOP, N_MELS, LOG_EPS = 8000, 256, 128, 40, 1e-3


def _pad_or_crop(wave, length):
    """The middle ``length`` samples of ``wave``, or ``wave`` zero-padded on both sides (floor on the left)."""
    n = len(wave)
    if n >= length:
        return wave[(n - length) // 2:(n - length) // 2 + length]
    return F.pad(wave, ((length - n) // 2, length - n - (length - n) // 2))


@lru_cache(maxsize=None)
def _features(part, held_out_speaker):
    import torchaudio

    from .digits import SAMPLE_RATE, fsdd_split, load_clips
    waves, labels = load_clips(fsdd_split(held_out_speaker)[part])
    clips = torch.stack([_pad_or_crop(w, CLIP_SAMPLES) for w in waves])
    mel = torchaudio.transforms.MelSpectrogram(sample_rate=SAMPLE_RATE, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS)
    return torch.log(mel(clips) + LOG_EPS), labels


def digit_features(held_out_speaker=None):
    """Log-mel features of the FSDD splits of :func:`course_utils.digits.fsdd_split` as notebook 03 makes them:
    clips cut or zero-padded to 1 s, 40 log-mel bands x 63 frames, normalised per band with the training
    statistics. Returns {"train": (X, y), "val": (X, y), "test": (X, y)} with X of shape (N, 1, 40, 63)."""
    feats = {part: _features(part, held_out_speaker) for part in ("train", "val", "test")}
    mean = feats["train"][0].mean(dim=(0, 2))[:, None]
    std = feats["train"][0].std(dim=(0, 2))[:, None]
    return {part: (((x - mean) / std)[:, None], y.clone()) for part, (x, y) in feats.items()}


# --- energy --------------------------------------------------------------------------------------------------

# Assumed power of one busy CPU core when no counter can be read. Of the order of TDP / cores of current CPUs
# (an AMD EPYC 7763 server CPU: 280 W for 64 cores, 4.4 W per core; an Intel Core i7-1165G7 laptop CPU: 28 W for
# 4 cores, 7 W per core). An assumption, not a measurement: change it for your machine.
WATTS_PER_CORE = 5.0
# Assumed power of a busy GPU board when NVML cannot be read (an NVIDIA A100 PCIe is rated 250-300 W).
GPU_WATTS = 300.0


def read_rapl(root="/sys/class/powercap"):
    """Cumulative energy counters of the RAPL package domains, {name: microjoules}, or {} where the machine has
    none or they are not readable (recent Linux kernels let only root read them)."""
    out = {}
    for domain in sorted(Path(root).glob("intel-rapl:*")):
        if domain.name.count(":") != 1:  # sub-domains (core, dram) are already inside their package
            continue
        try:
            out[domain.name] = int((domain / "energy_uj").read_text())
        except (OSError, ValueError):
            return {}
    return out


def _rapl_range(root, name):
    try:
        return int((Path(root) / name / "max_energy_range_uj").read_text())
    except (OSError, ValueError):
        return 2 ** 32


def _nvml_handle():
    try:
        import pynvml
        pynvml.nvmlInit()
        handle = pynvml.nvmlDeviceGetHandleByIndex(torch.cuda.current_device())
        pynvml.nvmlDeviceGetTotalEnergyConsumption(handle)  # millijoules since the driver loaded (Volta and later)
        return pynvml, handle
    except Exception:  # pynvml missing, no NVIDIA driver, or an older GPU without an energy counter
        return None


class EnergyMeter:
    """Context manager measuring the energy of the code it wraps, as ``joules`` (CPU + GPU) after the block.

    ``cpu_source`` / ``gpu_source`` say where each figure comes from: ``"RAPL"`` / ``"NVML"`` (hardware counters,
    whole package or board: other programs running meanwhile are included) or ``"estimate"`` (CPU time of this
    process x ``watts_per_core``; wall time x ``gpu_watts``). ``clock`` and ``cpu_clock`` can be replaced (tests)."""

    def __init__(self, watts_per_core=WATTS_PER_CORE, gpu_watts=GPU_WATTS, rapl_root="/sys/class/powercap",
                 clock=time.perf_counter, cpu_clock=time.process_time):
        self.watts_per_core, self.gpu_watts, self.rapl_root = watts_per_core, gpu_watts, rapl_root
        self.clock, self.cpu_clock = clock, cpu_clock
        self.cuda = torch.cuda.is_available()

    def __enter__(self):
        self._nvml = _nvml_handle() if self.cuda else None
        self._rapl = read_rapl(self.rapl_root)
        if self.cuda:
            torch.cuda.synchronize()
        self._gpu0 = self._nvml[0].nvmlDeviceGetTotalEnergyConsumption(self._nvml[1]) if self._nvml else None
        self._t0, self._c0 = self.clock(), self.cpu_clock()
        return self

    def __exit__(self, *exc):
        if self.cuda:
            torch.cuda.synchronize()
        self.seconds = self.clock() - self._t0
        self.cpu_seconds = self.cpu_clock() - self._c0
        rapl = read_rapl(self.rapl_root)
        if self._rapl and rapl.keys() == self._rapl.keys():
            # counters wrap around at max_energy_range_uj
            self.cpu_joules = sum((rapl[k] - self._rapl[k]) % _rapl_range(self.rapl_root, k) for k in rapl) * 1e-6
            self.cpu_source = "RAPL"
        else:
            self.cpu_joules = self.cpu_seconds * self.watts_per_core
            self.cpu_source = "estimate"
        if self._nvml:
            gpu1 = self._nvml[0].nvmlDeviceGetTotalEnergyConsumption(self._nvml[1])
            self.gpu_joules, self.gpu_source = (gpu1 - self._gpu0) * 1e-3, "NVML"
        elif self.cuda:
            self.gpu_joules, self.gpu_source = self.seconds * self.gpu_watts, "estimate"
        else:
            self.gpu_joules, self.gpu_source = 0.0, "no GPU"
        self.joules = self.cpu_joules + self.gpu_joules
        return False

    def __repr__(self):
        if not hasattr(self, "joules"):
            return "EnergyMeter(not run yet)"
        return (f"{self.joules:.3g} J in {self.seconds:.3g} s (CPU {self.cpu_joules:.3g} J from {self.cpu_source}, "
                f"GPU {self.gpu_joules:.3g} J from {self.gpu_source})")


# --- a profile with known timings (tests) --------------------------------------------------------------------

# Nested operator calls as the CPU profile of such code shows them, outermost first: aten::conv2d calls
# aten::convolution, ..., which runs the kernel. Backward operators run on the autograd engine's own thread.
PROFILE_CALLS = {
    "a training step": [
        ("aten::conv2d", "aten::convolution", "aten::_convolution", "aten::mkldnn_convolution"),
        ("aten::batch_norm", "aten::_batch_norm_impl_index", "aten::native_batch_norm"),
        ("aten::relu", "aten::clamp_min"),
        ("aten::max_pool2d", "aten::max_pool2d_with_indices"),
        ("aten::linear", "aten::addmm"),
        ("aten::cross_entropy_loss", "aten::log_softmax", "aten::_log_softmax"),
        ("aten::empty",),
        ("autograd::engine::evaluate_function: ConvolutionBackward0", "ConvolutionBackward0",
         "aten::convolution_backward"),
        ("autograd::engine::evaluate_function: NativeBatchNormBackward0", "NativeBatchNormBackward0",
         "aten::native_batch_norm_backward"),
        ("autograd::engine::evaluate_function: AddmmBackward0", "AddmmBackward0", "aten::mm"),
    ],
    "matrix products": [("aten::matmul", "aten::mm"), ("aten::relu", "aten::clamp_min"), ("aten::sum",),
                        ("aten::empty",)],
    "element-wise operations": [("aten::ones", "aten::fill_"), ("aten::cumsum",), ("aten::sin",), ("aten::sum",),
                                ("aten::empty",)],
}


class SyntheticProfile:
    """A stand-in for a finished ``torch.profiler.profile`` of ``kind`` (a key of :data:`PROFILE_CALLS`) whose
    timings come from ``seed`` instead of a clock, so that a test knows the right answer without measuring.
    ``key_averages()`` returns what the profiler returns: the ``EventList`` of ``FunctionEventAvg`` built from
    nested operator calls (the total time of an operator includes the operators it calls, its self time does not),
    one entry per operator name, summed over its calls."""

    def __init__(self, seed, kind="a training step", calls=60):
        from torch.autograd.profiler_util import EventList, FunctionEvent
        g = torch.Generator().manual_seed(seed)
        chains = PROFILE_CALLS[kind]
        typical = 2 + 300 * torch.rand(len(chains), generator=g, dtype=torch.float64) ** 2  # us per call of each kernel
        events, now = [], {}
        for _ in range(calls):
            k = int(torch.randint(len(chains), (1,), generator=g))
            chain = chains[k]
            thread = 2 if chain[0].startswith("autograd::") else 1
            before = torch.randint(1, 15, (len(chain),), generator=g).tolist()  # each level's own work, in us
            after = torch.randint(0, 8, (len(chain),), generator=g).tolist()
            kernel = max(1, round(float(typical[k] * (0.5 + torch.rand((), generator=g, dtype=torch.float64)))))
            start = now.get(thread, 0) + int(torch.randint(0, 30, (1,), generator=g))
            starts = [start + sum(before[:i]) for i in range(len(chain))]
            end = starts[-1] + before[-1] + kernel
            ends = [end + sum(after[i:]) for i in range(len(chain))]
            for name, s, e in zip(chain, starts, ends):
                events.append(FunctionEvent(id=len(events), name=name, thread=thread, start_us=s, end_us=e, stack=[],
                                            input_shapes=[]))
            now[thread] = ends[0]
        self.kind, self._events = kind, EventList(events)
        self._events._build_tree()

    def events(self):
        return self._events

    def key_averages(self, *args, **kwargs):
        return self._events.key_averages(*args, **kwargs)

    def __repr__(self):
        return f"SyntheticProfile({self.kind!r}, {len(self._events)} operator calls)"
