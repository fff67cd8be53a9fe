"""SI-SDR (and PESQ) improvement of notebook 06's U-Net per noise type, with another noise type held out of training,
another number of steps or other features: the figures quoted in the notebook's section 8. It runs the source
notebook's own definitions (its reference solutions), not a copy.

    .venv/bin/python scripts/denoiser_variants.py --unseen hum --steps 400 [--seeds 0 1] [--pesq]
    .venv/bin/python scripts/denoiser_variants.py --floor-quantile mean --pesq

One run of 400 steps takes about 20 s of training on 2 CPU cores (1250 steps: about 60 s), plus the evaluation.
"""
import argparse
import sys
import time
from pathlib import Path

import nbformat
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # course_grading is not installed: it is imported from the repository
from course_grading.cells import run_definitions  # noqa: E402
from course_utils.denoising import NOISE_FLOOR_QUANTILE, SAMPLE_RATE

NOTEBOOK = ROOT / "source" / "06_denoising" / "06_denoising.ipynb"
DEFINITIONS = ["setup", "mix_at_snr", "noisy_speech", "unet", "si_sdr_loss", "train_step"]


def notebook_namespace(threads):
    return run_definitions(nbformat.read(NOTEBOOK, as_version=4), DEFINITIONS, threads=threads,
                           namespace={"SR": SAMPLE_RATE})  # the rate, defined in a cell that also plots


def train(ns, seen, steps, seed, floor_quantile, batch=16, lr=3e-3):
    """The notebook's training recipe (section 7) on the noise types ``seen``."""
    dn = ns["dn"]
    torch.manual_seed(seed)
    data = ns["NoisySpeech"](dn.speech_clips("train"), seen, length=steps * batch, seed=seed)
    model = dn.MaskDenoiser(ns["UNet"](), floor_quantile)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=steps, pct_start=0.1)
    for noisy, clean in torch.utils.data.DataLoader(data, batch_size=batch):
        model.train()
        ns["train_step"](model, optimizer, noisy, clean)
        scheduler.step()
    return model.eval()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--unseen", default="kitchen", help="the noise type kept out of training (default: the notebook's)")
    ap.add_argument("--steps", type=int, default=1250)
    ap.add_argument("--floor-quantile", default=str(NOISE_FLOOR_QUANTILE),
                    help="the quantile of each bin subtracted in the features, or 'mean' (default: the notebook's)")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--pesq", action="store_true", help="also PESQ (slower)")
    args = ap.parse_args(argv)
    ns = notebook_namespace(args.threads)
    dn = ns["dn"]
    seen = tuple(k for k in dn.NOISE_TYPES if k != args.unseen)
    metrics = ["SI-SDR", "PESQ"] if args.pesq else ["SI-SDR"]
    for seed in args.seeds:
        start = time.time()
        floor = None if args.floor_quantile == "mean" else float(args.floor_quantile)
        model = train(ns, seen, args.steps, seed, floor)
        rows = dn.evaluate({"noisy": None, "baseline": None, "U-Net": lambda noisy, item: model(noisy)},
                           pesq_stoi=args.pesq)
        per_type = dn.summarize(rows, {k: (k,) for k in dn.NOISE_TYPES})
        print(f"held out: {args.unseen}, {args.steps} steps, features minus each bin's "
              f"{'mean' if floor is None else f'{floor:g} quantile'}, seed {seed} ({time.time() - start:.0f} s)")
        for metric in metrics:
            for method in ["baseline", "U-Net"]:
                gains = {k: per_type[(method, k)][metric] - per_type[("noisy", k)][metric] for k in dn.NOISE_TYPES}
                seen_mean = sum(gains[k] for k in seen) / len(seen)
                print(f"  {metric} improvement, {method:8s}" + "".join(
                    f"  {k}{'*' if k == args.unseen else ''} {v:+.2f}" for k, v in gains.items()) +
                      f"  | seen mean {seen_mean:+.2f}")


if __name__ == "__main__":
    main()
