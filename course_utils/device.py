"""Device choice and seeding: the first call of every notebook's setup cell."""
import os
import random

import numpy as np
import torch


def get_device():
    """The fastest available device: CUDA, then Apple MPS, then CPU."""
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def seed_everything(seed=0):
    """Seed Python, NumPy and PyTorch (all devices) so that a run can be repeated."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device
    os.environ["PYTHONHASHSEED"] = str(seed)


def setup(seed=0, verbose=True):
    """Seed everything, pick the device and return it. Prints the choice so students know where they run."""
    seed_everything(seed)
    device = get_device()
    if verbose:
        name = torch.cuda.get_device_name(device) if device.type == "cuda" else device.type.upper()
        print(f"Running on {name} (torch {torch.__version__}, {torch.get_num_threads()} CPU threads), seed {seed}")
    return device
