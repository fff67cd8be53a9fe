"""Spoken-digit recognition helpers (notebook 03): the FSDD splits and clip loading.

Splits never put one recording in two sets. Two schemes:

- by take (the upstream convention): takes 0-4 of every speaker are the test set, takes 5-6 the validation set,
  takes 7-19 the training set. The test speakers were heard in training (other takes of the same digits).
- by speaker: all 200 clips of one held-out speaker are the test set; the other five speakers give the
  validation set (their takes 5-6) and the training set (their other takes). This measures how a model does on
  a voice it has never heard.
"""
from functools import lru_cache

import torch

from .data import fsdd_index, fsdd_speakers, load_fsdd

SAMPLE_RATE = 8000
TEST_TAKES = range(0, 5)
VAL_TAKES = range(5, 7)


def fsdd_split(held_out_speaker=None):
    """FSDD items split into {"train": [...], "val": [...], "test": [...]} (lists of :func:`fsdd_index` entries).

    ``held_out_speaker=None``: split by take (test = takes 0-4). A speaker's name: that speaker is the test set."""
    items = fsdd_index()
    if held_out_speaker is None:
        test = [it for it in items if it["take"] in TEST_TAKES]
        rest = [it for it in items if it["take"] not in TEST_TAKES]
    else:
        if held_out_speaker not in fsdd_speakers():
            raise ValueError(f"unknown speaker {held_out_speaker!r}; choose one of {fsdd_speakers()}")
        test = [it for it in items if it["speaker"] == held_out_speaker]
        rest = [it for it in items if it["speaker"] != held_out_speaker]
    val = [it for it in rest if it["take"] in VAL_TAKES]
    train = [it for it in rest if it["take"] not in VAL_TAKES]
    return {"train": train, "val": val, "test": test}


@lru_cache(maxsize=None)
def _load(path):
    wave, sr = load_fsdd({"path": path})
    assert sr == SAMPLE_RATE, f"{path}: expected {SAMPLE_RATE} Hz, found {sr}"
    return wave


def load_clips(items):
    """The waveforms of ``items`` (a list of 1-D float32 tensors at 8 kHz, of varying length; cached in memory)
    and their digits (a LongTensor)."""
    waves = [_load(it["path"]).clone() for it in items]
    labels = torch.tensor([it["digit"] for it in items], dtype=torch.long)
    return waves, labels


def _ranges(numbers):
    """[0, 1, 2, 5, 7, 8] -> "0-2, 5, 7-8"."""
    out, start = [], None
    for i, n in enumerate(numbers):
        start = n if start is None else start
        if i + 1 == len(numbers) or numbers[i + 1] != n + 1:
            out.append(f"{start}-{n}" if n > start else f"{n}")
            start = None
    return ", ".join(out)


def split_summary(split):
    """A one-line description of a split: size, speakers and takes of each part."""
    parts = []
    for name, items in split.items():
        speakers = sorted({it["speaker"] for it in items})
        who = f"{len(speakers)} speakers" if len(speakers) > 1 else f"speaker {speakers[0]}"
        takes = _ranges(sorted({it["take"] for it in items}))
        parts.append(f"{name}: {len(items)} clips, {who}, takes {takes}")
    return " | ".join(parts)


def warp_spectrogram(x, max_warp=0.06, generator=None):
    """Vocal-tract-length and tempo perturbation of a batch of spectrograms ``x`` (B, C, bands, frames): each
    example's frequency axis is stretched by a random factor in [1 - max_warp, 1 + max_warp] about its lowest band
    (a longer or shorter vocal tract moves every formant by the same factor) and its time axis about the centre by
    another (a faster or slower speaker). Returns a new tensor; bands pushed beyond the top repeat the edge."""
    b = x.shape[0]
    scale = 1 + (2 * torch.rand(2, b, generator=generator) - 1) * max_warp
    theta = torch.zeros(b, 2, 3)
    theta[:, 0, 0] = scale[0]           # time: output frame t reads input frame scale * t (about the centre)
    theta[:, 1, 1] = scale[1]           # frequency: band f reads band scale * f, counted from the lowest band
    theta[:, 1, 2] = scale[1] - 1
    grid = torch.nn.functional.affine_grid(theta.to(x), list(x.shape), align_corners=False)
    return torch.nn.functional.grid_sample(x, grid, padding_mode="border", align_corners=False)
