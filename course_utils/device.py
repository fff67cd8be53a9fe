"""Device choice, CPU threads and seeding: the first call of every notebook's setup cell."""
import math
import os
import random
from pathlib import Path

import numpy as np
import torch

THREADS_ENV = "COURSE_NUM_THREADS"  # overrides the thread count that setup() chooses


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


def _read(path):
    try:
        return Path(path).read_text().strip()
    except OSError:
        return None


def _cgroup_quota(cgroup_root, proc_cgroup):
    """CPUs granted by the CFS quota of this process's cgroup and its ancestors (the smallest), or None.

    Reads cgroup v2 (``cpu.max``: "quota period" or "max period") and cgroup v1 (``cpu/cpu.cfs_quota_us`` and
    ``cpu.cfs_period_us``, -1 for no quota). A JupyterHub spawner or a container sets these to limit a server."""
    lines = (_read(proc_cgroup) or "").splitlines()
    quotas = []
    for line in lines:
        hierarchy, controllers, path = (line.split(":", 2) + ["", ""])[:3]
        if hierarchy == "0" and controllers == "":  # v2: one unified hierarchy
            base, files = Path(cgroup_root), ("cpu.max",)
        elif "cpu" in controllers.split(","):  # v1: the cpu controller's own hierarchy
            base, files = Path(cgroup_root) / "cpu", ("cpu.cfs_quota_us", "cpu.cfs_period_us")
            if not base.exists():
                base = Path(cgroup_root) / controllers
        else:
            continue
        parts = [p for p in path.strip("/").split("/") if p]
        for depth in range(len(parts), -1, -1):  # the process's group, then each ancestor up to the root
            folder = base.joinpath(*parts[:depth])
            if len(files) == 1:
                text = _read(folder / files[0])
                if text and text.split()[0] != "max":
                    quota, period = text.split()[:2]
                    quotas.append(int(quota) / int(period))
            else:
                quota, period = _read(folder / files[0]), _read(folder / files[1])
                if quota and period and int(quota) > 0:
                    quotas.append(int(quota) / int(period))
    return min(quotas) if quotas else None


def cpu_threads(cgroup_root="/sys/fs/cgroup", proc_cgroup="/proc/self/cgroup"):
    """How many CPU threads this process can really use: the cores it may run on (CPU affinity), capped by
    its cgroup's CPU quota (rounded down, at least 1). ``COURSE_NUM_THREADS`` overrides the result.

    torch alone starts one thread per core of the *host*, even in a server limited to 2 CPUs; on a shared hub
    those extra threads wait on each other and make small models many times slower."""
    override = os.environ.get(THREADS_ENV, "").strip()
    if override:
        if not override.isdigit() or int(override) < 1:
            raise ValueError(f"{THREADS_ENV}={override!r} should be a positive whole number of threads.")
        return int(override)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        cores = os.cpu_count() or 1
    quota = _cgroup_quota(cgroup_root, proc_cgroup)
    if quota is not None:
        cores = min(cores, max(1, math.floor(quota)))
    return max(1, cores)


def setup(seed=0, verbose=True, threads=None):
    """Seed everything, choose the CPU thread count and the device, and return the device.

    ``threads`` (or the environment variable ``COURSE_NUM_THREADS``) overrides the thread count, which is
    otherwise what this process may really use (see :func:`cpu_threads`). Prints the choice."""
    seed_everything(seed)
    torch.set_num_threads(int(threads) if threads else cpu_threads())
    device = get_device()
    if verbose:
        name = torch.cuda.get_device_name(device) if device.type == "cuda" else device.type.upper()
        print(f"Running on {name} (torch {torch.__version__}, {torch.get_num_threads()} CPU threads), seed {seed}")
    return device
