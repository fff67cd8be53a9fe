"""The datasets shipped with the course (no downloads): paths and loaders.

Every dataset lives in ``course_utils/data/<name>/`` with a README that gives its source and licence.
"""
import csv
from functools import lru_cache
from pathlib import Path

from .audio import load_audio

DATA_DIR = Path(__file__).resolve().parent / "data"


def data_path(*parts):
    """Path of a shipped data file, e.g. ``data_path("fsdd", "recordings")``; fails with a clear message."""
    path = DATA_DIR.joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: the course data ships inside course_utils/data. "
                                "Reinstall the course (`make lab`) or restore the folder from git.")
    return path


@lru_cache(maxsize=None)
def fsdd_index():
    """The Free Spoken Digit Dataset subset: a list of dicts with path, digit, speaker and take.

    1200 clips: 6 speakers x 10 digits x takes 0-19, mono, 8 kHz. Upstream convention: takes 0-4 are the test set.
    """
    items = []
    for path in sorted(data_path("fsdd", "recordings").glob("*.wav")):
        digit, speaker, take = path.stem.split("_")
        items.append({"path": path, "digit": int(digit), "speaker": speaker, "take": int(take)})
    return items


def fsdd_speakers():
    """The six FSDD speakers, sorted by name."""
    return sorted({item["speaker"] for item in fsdd_index()})


def load_fsdd(item):
    """Load one FSDD clip (an entry of :func:`fsdd_index`): returns (waveform 1-D float32 tensor, 8000)."""
    wave, sr = load_audio(item["path"])
    return wave[0], sr


@lru_cache(maxsize=None)
def ljspeech_index():
    """The 32 LJ Speech utterances shipped with the course: a list of dicts with id, path and text."""
    folder = data_path("ljspeech")
    with open(folder / "transcripts_all32.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f, delimiter="|", quoting=csv.QUOTE_NONE))
    return [{"id": uid, "path": folder / "wavs" / f"{uid}.flac", "text": text} for uid, text in rows]


def load_ljspeech(index):
    """Load LJ Speech utterance number ``index`` (0-31): returns (waveform 1-D tensor, 22050, transcript)."""
    item = ljspeech_index()[index]
    wave, sr = load_audio(item["path"])
    return wave[0], sr, item["text"]


def load_noise():
    """95 s of kitchen noise (Speech Commands background noise), 16 kHz: returns (1-D tensor, 16000)."""
    wave, sr = load_audio(data_path("noise", "doing_the_dishes.wav"))
    return wave[0], sr


def load_shakespeare():
    """Tiny Shakespeare (1.1 MB of plain text) as one string."""
    return data_path("tinyshakespeare", "input.txt").read_text(encoding="utf-8")
