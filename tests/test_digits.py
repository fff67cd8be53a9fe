"""Unit tests of course_utils.digits: the FSDD splits and clip loading."""
import pytest
import torch

from course_utils import digits
from course_utils.data import fsdd_speakers


def keys(items):
    return {(it["digit"], it["speaker"], it["take"]) for it in items}


@pytest.mark.parametrize("speaker", [None, *fsdd_speakers()])
def test_splits_are_disjoint_and_cover_the_data(speaker):
    split = digits.fsdd_split(speaker)
    parts = [keys(split[name]) for name in ("train", "val", "test")]
    assert sum(len(p) for p in parts) == 1200 and len(set().union(*parts)) == 1200
    for name in ("train", "val", "test"):
        assert {it["digit"] for it in split[name]} == set(range(10)), f"{name} lacks a digit"


def test_split_by_take_follows_the_upstream_convention():
    split = digits.fsdd_split()
    assert {it["take"] for it in split["test"]} == set(range(5))
    assert {it["take"] for it in split["val"]} == {5, 6}
    assert {it["take"] for it in split["train"]} == set(range(7, 20))
    assert [len(split[n]) for n in ("train", "val", "test")] == [780, 120, 300]


def test_split_by_speaker_holds_one_voice_out():
    split = digits.fsdd_split("theo")
    assert {it["speaker"] for it in split["test"]} == {"theo"} and len(split["test"]) == 200
    for name in ("train", "val"):
        assert "theo" not in {it["speaker"] for it in split[name]}
    assert len(split["train"]) == 900 and len(split["val"]) == 100
    with pytest.raises(ValueError, match="unknown speaker"):
        digits.fsdd_split("nobody")


def test_load_clips_returns_waves_and_labels():
    items = digits.fsdd_split()["val"][:7]
    waves, labels = digits.load_clips(items)
    assert labels.dtype == torch.long and labels.tolist() == [it["digit"] for it in items]
    assert len(waves) == 7 and all(w.dim() == 1 and w.dtype == torch.float32 for w in waves)
    assert all(0.1 * digits.SAMPLE_RATE < len(w) < 2.5 * digits.SAMPLE_RATE for w in waves)
    waves[0].zero_()  # callers get copies: the cache stays intact
    assert digits.load_clips(items[:1])[0][0].abs().max() > 0


def test_split_summary_names_sizes_and_takes():
    text = digits.split_summary(digits.fsdd_split("lucas"))
    assert "test: 200 clips, speaker lucas, takes 0-19" in text
    assert "train: 900 clips, 5 speakers, takes 0-4, 7-19" in text
    assert digits._ranges([0, 1, 2, 5, 7, 8]) == "0-2, 5, 7-8"


def test_warp_spectrogram_stretches_each_example_and_keeps_the_input():
    from course_utils.digits import warp_spectrogram
    x = torch.zeros(2, 1, 40, 20)
    x[:, :, 10] = 1.0                                   # a "formant" in band 10
    g = torch.Generator().manual_seed(0)
    y = warp_spectrogram(x, max_warp=0.2, generator=g)
    assert y.shape == x.shape and x[:, :, 10].eq(1).all()
    peaks = y[:, 0].mean(-1).argmax(-1)                 # the band each example's formant moved to
    assert (peaks - 10).abs().max() <= 3 and not torch.allclose(y, x, atol=1e-3)
    same = warp_spectrogram(x, max_warp=0.0)
    assert torch.allclose(same, x, atol=1e-5)
    a = warp_spectrogram(x, 0.2, torch.Generator().manual_seed(1))
    b = warp_spectrogram(x, 0.2, torch.Generator().manual_seed(1))
    assert torch.equal(a, b)
