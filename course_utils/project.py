"""The course project (a speech denoiser): which clean speech and noise each split may use, at the course rate.

The three splits share no speaker, no utterance and no stretch of a noise recording:

===========  ==========================  ======================  ==========================================
split        FSDD speakers (sorted)      LJ Speech utterances    kitchen recording (seconds)
===========  ==========================  ======================  ==========================================
``train``    the first four              0-19                    0-60
``val``      the fifth                   20-23                   60-75
``test``     the sixth (instructors')    24-31                   75-95
===========  ==========================  ======================  ==========================================

The ``test`` split is the instructors' leaderboard material: the students' data providers must never use it.
Generated noise (white, pink, brown, hum, babble) is drawn from seeded generators in ``course_utils.denoising``.
"""
from functools import lru_cache

import torch
import torch.nn.functional as F

from .audio import resample
from .data import fsdd_index, fsdd_speakers, load_fsdd, load_ljspeech, load_noise
from .denoising import SAMPLE_RATE, colored_noise, mix_at_snr

SPLITS = ("train", "val", "test")
LJ_UTTERANCES = {"train": tuple(range(0, 20)), "val": tuple(range(20, 24)), "test": tuple(range(24, 32))}
KITCHEN_SECONDS = {"train": (0, 60), "val": (60, 75), "test": (75, None)}
CHECKPOINT = "denoiser.pt"  # the file name of a milestone-2 model's state_dict, next to its notebook
# The grade_ids of the milestone-2 cells that define the model, in notebook order: the leaderboard runs only these
# cells in a fresh process, then builds Denoiser(), loads CHECKPOINT into it and calls model.enhance(wave).
MODEL_CELLS = ("setup", "denoiser")


def _check(split):
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}: choose one of {SPLITS}")


def speakers(split):
    """The FSDD speakers of ``split``: four for ``"train"``, one each for ``"val"`` and ``"test"``."""
    _check(split)
    names = fsdd_speakers()
    return {"train": names[:4], "val": names[4:5], "test": names[5:]}[split]


@lru_cache(maxsize=None)
def _clean_speech(split):
    clips = [resample(load_ljspeech(i)[0], 22050, SAMPLE_RATE) for i in LJ_UTTERANCES[split]]
    chosen = set(speakers(split))
    clips += [load_fsdd(item)[0] for item in fsdd_index() if item["speaker"] in chosen]
    return tuple(clips)


def clean_speech(split):
    """The clean utterances of ``split`` at 8 kHz, as a list of 1-D float32 tensors (fresh copies): the LJ Speech
    utterances first, then every FSDD clip of the split's speakers (about 0.5 s each)."""
    _check(split)
    return [c.clone() for c in _clean_speech(split)]


@lru_cache(maxsize=1)
def _kitchen():
    wave, sr = load_noise()
    return resample(wave, sr, SAMPLE_RATE)


def kitchen_noise(split):
    """The split's stretch of the shipped kitchen recording at 8 kHz (1-D float32 tensor, a fresh copy)."""
    _check(split)
    start, stop = KITCHEN_SECONDS[split]
    return _kitchen()[start * SAMPLE_RATE:None if stop is None else stop * SAMPLE_RATE].clone()


def fixed_validation_mixtures(seconds=0.4, count=12, seed=4321):
    """``count`` mixtures of ``seconds`` each from the ``val`` split, independent of any student's data code:
    LJ Speech excerpts and strings of FSDD digits at peaks 0.1-1, in kitchen, white, pink, brown or babble noise
    at 0-10 dB SNR. Returns ``(noisy, clean)``, two ``(count, samples)`` tensors; the same seed gives the same
    mixtures (milestone 2's hidden quality test)."""
    g = torch.Generator().manual_seed(seed)
    speech = clean_speech("val")
    lj, fsdd = speech[:len(LJ_UTTERANCES["val"])], speech[len(LJ_UTTERANCES["val"]):]
    kitchen = kitchen_noise("val")
    n = int(seconds * SAMPLE_RATE)
    cleans, noisys = [], []
    for k in range(count):
        if k % 2 == 0:
            clip = lj[k % len(lj)]
            s = int(torch.randint(0, len(clip) - n, (1,), generator=g))
            clean = clip[s:s + n]
        else:
            clean = torch.cat([fsdd[int(torch.randint(0, len(fsdd), (1,), generator=g))] for _ in range(8)])[:n]
            clean = F.pad(clean, (0, n - len(clean)))
        clean = clean * (10 ** (-float(torch.rand(1, generator=g))) / clean.abs().max())
        kind = k % 5
        if kind == 0:
            s = int(torch.randint(0, len(kitchen) - n, (1,), generator=g))
            noise = kitchen[s:s + n]
        elif kind < 4:
            noise = colored_noise(n, float(kind - 1), g)
        else:
            noise = sum(fsdd[int(torch.randint(0, len(fsdd), (1,), generator=g))].repeat(n // 2000 + 2)[:n]
                        for _ in range(4))
        cleans.append(clean)
        noisys.append(mix_at_snr(clean, noise, float(10 * torch.rand(1, generator=g))))
    return torch.stack(noisys), torch.stack(cleans)
