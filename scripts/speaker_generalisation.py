"""Leave-one-speaker-out accuracy of notebook 03's digit recogniser under variants of its pipeline: the table in
the notebook's section 10. It runs the source notebook's own definitions (its reference solutions), not a copy.

    .venv/bin/python scripts/speaker_generalisation.py --seeds 0 1 [--epochs 8] [--only "word cut"] [--takes]

``--takes`` evaluates on the takes split instead (test: takes 0-4 of all six speakers), as a check that a variant
keeps the seen speakers' accuracy.

Each variant trains six CNNs per seed (one per held-out speaker): about 40 s per variant and seed on 2 CPU cores.
"""
import argparse
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # course_grading is not installed: it is imported from the repository
from course_grading.cells import run_definitions  # noqa: E402

NOTEBOOK = ROOT / "source" / "03_digit_recognition" / "03_digit_recognition.ipynb"
# the cells that define what the variants combine (every other cell trains, plots or tests)
DEFINITIONS = ["setup", "features", "dataset", "cross_entropy", "cnn", "train_step", "predict_classes", "spec_augment",
               "word_span", "remove_utterance_mean"]


def notebook_namespace(threads):
    return run_definitions(nbformat.read(NOTEBOOK, as_version=4), DEFINITIONS,
                           defining=["train_digit_model", "speaker_datasets"], threads=threads)


def variants(ns):
    """name -> (prepare waves, per-clip features, augment)."""
    cut = lambda waves: [w[slice(*ns["word_span"](w))] for w in waves]
    same = lambda x: x
    mean_and_std = lambda f: ns["remove_utterance_mean"](f) / f.std(dim=-1, keepdim=True).clamp_min(1e-5)
    rm, recipe = ns["remove_utterance_mean"], ns["words_at_one_level"]
    return {
        "section 8 pipeline, no augmentation": (same, same, None),
        "section 8 pipeline, SpecAugment": (same, same, ns["spec_augment"]),
        "per-clip mean": (same, rm, None),
        "per-clip mean and standard deviation": (same, mean_and_std, None),
        "word cut": (cut, same, None),
        "word cut, per-clip mean": (cut, rm, None),
        "word cut, per-clip mean, SpecAugment": (cut, rm, ns["spec_augment"]),
        "word cut, per-clip mean, warping": (cut, rm, ns["warp_spectrogram"]),
        "word cut and level": (recipe, same, None),
        "word cut and level, per-clip mean": (recipe, rm, None),
        "word cut and level, per-clip mean, warping (the notebook's)": (recipe, rm, ns["warp_spectrogram"]),
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    ap.add_argument("--epochs", type=int, default=None, help="default: the notebook's LOSO_EPOCHS")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--only", default=None, help="run only the variants whose name contains this text")
    ap.add_argument("--takes", action="store_true", help="test on takes 0-4 of every speaker instead")
    args = ap.parse_args(argv)
    ns = notebook_namespace(args.threads)
    epochs = args.epochs or ns["LOSO_EPOCHS"]
    speakers = [None] if args.takes else ns["fsdd_speakers"]()
    print(f"| pipeline ({epochs} epochs) | seeds | LOSO mean | worst speaker | " + " | ".join(s or "takes 0-4" for s in speakers) + " |")
    print("|---|---|---|---|" + "---|" * len(speakers))
    for name, (prepare, per_clip, augment) in variants(ns).items():
        if args.only and args.only not in name:
            continue
        start, acc = time.time(), {s: [] for s in speakers}
        for speaker in speakers:
            sets = ns["speaker_datasets"](speaker, prepare=prepare, per_clip=per_clip)
            for seed in args.seeds:
                model, _ = ns["train_digit_model"](sets["train"], sets["val"], augment=augment, epochs=epochs, seed=seed,
                                                   desc=f"{speaker}, seed {seed}")
                acc[speaker].append(ns["accuracy_on"](model, sets["test"]))
        per_seed = [sum(acc[s][k] for s in speakers) / len(speakers) for k in range(len(args.seeds))]
        worst = min(min(a) for a in acc.values())
        means = " / ".join(f"{100 * m:.1f}%" for m in per_seed)
        cols = " | ".join(" / ".join(f"{100 * a:.0f}" for a in acc[s]) for s in speakers)
        print(f"| {name} | {' '.join(map(str, args.seeds))} | {means} | {100 * worst:.1f}% | {cols} |  "
              f"<!-- {time.time() - start:.0f} s -->", flush=True)


if __name__ == "__main__":
    main()
