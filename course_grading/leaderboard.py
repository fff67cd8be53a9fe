"""The instructors' leaderboard of the course project: every group's milestone-2 denoiser on the hidden test set.

    python -m course_grading.leaderboard --groups groups.csv             # submitted/<member>/project_2_model/
    python -m course_grading.leaderboard --folders teams/*/              # one folder per group, named by it

For each group the folder of the submission that counts (the rule of ``course_grading.groups``: the member who
submitted last) must hold ``project_2_model.ipynb`` and ``denoiser.pt``. A worker process loads the model by the
fixed contract (``course_grading/model_worker.py``: only the cells whose grade_id is in
``course_utils.project.MODEL_CELLS``, then ``Denoiser()``, ``load_state_dict``, ``eval``) and answers
``model.enhance(wave)`` for each noisy input the grader sends it over a pipe.

**Isolation.** The worker runs in the course's bubblewrap sandbox (``course_grading.sandbox``): it sees its group
folder read-only, the Python environment and the ``course_utils`` code read-only, but not the shipped data (an
empty folder over ``course_utils/data``), not the course, not other groups; no network, a private ``/tmp``, its
own PID namespace, no GPU, one thread, a memory limit. The test set exists only in the grader's memory: the worker
receives the noisy inputs one at a time and never the clean references. Without bubblewrap (or with
``COURSE_SANDBOX=off``) the workers run unsandboxed and the output says so.

**The test set** (built here from the ``"test"`` split of ``course_utils.project``, seeded by ``--seed``): clips of
3 s that start with 0.3 s of noise alone: the LJ Speech test utterances and the sixth FSDD speaker's clips joined
into 3 s pieces; noise: the kitchen recording's test stretch, mains hum (a type the training split never has),
pink noise and babble of other test-split speech; SNR 0, 5 and 10 dB; ``--per-condition`` clips per noise and SNR.

**The scores** (computed here): mean improvement over the noisy input of SI-SDR (dB), narrow-band PESQ and STOI,
and the real-time factor (wall time of each request, measured by the grader, over the audio's duration; one CPU
thread). ``leaderboard.csv`` (sorted by SI-SDR improvement), ``leaderboard_details.csv`` (per noise type and SNR)
and ``leaderboard.png``. Two reference rows run through the same worker path: the noisy input itself and
spectral subtraction (``course_utils.denoising.spectral_subtraction``). A model that cannot be loaded, raises,
returns the wrong length, dtype or non-finite samples, or hangs (``--timeout``) gets a row with its error.
"""
import argparse
import concurrent.futures as cf
import csv
import json
import math
import os
import resource
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import psutil
import torch
from threadpoolctl import threadpool_limits

from . import batch, groups as groups_mod, sandbox
from .pipeline import REPO

ASSIGNMENT = "project_2_model"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
WORKER = Path(__file__).with_name("model_worker.py")
SECONDS = 3.0
LEAD_IN = 0.3
NOISES = ("kitchen", "hum", "pink", "babble")
SNRS = (0, 5, 10)
DEFAULT_SEED = 2026
METRICS = ("SI-SDR", "PESQ", "STOI")


# --------------------------------------------------------------------------------------------- test set
def _pieces(wave, length, lead):
    """Cut ``wave`` into pieces of ``length - lead`` samples, each behind ``lead`` samples of silence."""
    body = length - lead
    return [torch.cat([torch.zeros(lead), wave[k:k + body]]) for k in range(0, len(wave) - body + 1, body)]


def test_set(seed=DEFAULT_SEED, per_condition=2, noises=NOISES, snrs=SNRS):
    """The hidden test mixtures: a list of dicts kind, snr, clean, noisy (1-D float32 tensors at 8 kHz)."""
    from course_utils import denoising, project
    sr = denoising.SAMPLE_RATE
    length, lead = int(SECONDS * sr), int(LEAD_IN * sr)
    speech = project.clean_speech("test")
    n_lj = len(project.LJ_UTTERANCES["test"])
    lj, fsdd = speech[:n_lj], speech[n_lj:]
    clips = []  # (clean, source): babble never uses the target's own source
    for i, wave in enumerate(lj):
        clips.append((_pieces(wave[int(0.2 * sr):], length, lead)[0], f"lj{i}"))
    joined = torch.cat(fsdd)
    clips += [(p, "fsdd") for p in _pieces(joined, length, lead)]
    sources = [(w, f"lj{i}") for i, w in enumerate(lj)] + [(joined, "fsdd")]
    g = torch.Generator().manual_seed(seed)
    order = torch.randperm(len(clips), generator=g).tolist()
    kitchen = project.kitchen_noise("test")
    items, k = [], 0
    for kind in noises:
        for snr in snrs:
            for _ in range(per_condition):
                clean, source = clips[order[k % len(clips)]]
                k += 1
                clean = 0.5 * clean / clean.abs().max()
                if kind == "kitchen":
                    start = int(torch.randint(0, len(kitchen) - length, (1,), generator=g))
                    noise = kitchen[start:start + length].clone()
                elif kind == "hum":
                    noise = denoising.hum(length, g)
                elif kind == "pink":
                    noise = denoising.colored_noise(length, 1.0, g)
                elif kind == "babble":
                    others = [w for w, s in sources if s != source]
                    noise = torch.zeros(length)
                    for _ in range(3):
                        w = others[int(torch.randint(0, len(others), (1,), generator=g))]
                        w = w.repeat(-(-length // len(w)) + 1)
                        start = int(torch.randint(0, len(w) - length, (1,), generator=g))
                        part = w[start:start + length]
                        noise += part / part.pow(2).mean().sqrt().clamp(min=1e-8)
                else:
                    raise ValueError(f"unknown noise {kind!r}")
                noisy = denoising.mix_at_snr(clean, noise, snr).float()
                items.append({"kind": kind, "snr": snr, "clean": clean.float(), "noisy": noisy})
    return items


# Scoring runs one clip at a time, with numpy's OpenBLAS on one thread: its threaded matrix products deadlocked when
# called from several threads, and hung waiting for pool threads in a long-lived process (the test suite).
_SCORING = threading.Lock()


def item_scores(estimate, clean):
    """SI-SDR (dB), narrow-band PESQ and STOI of one estimate. A PESQ that cannot be computed (no speech
    left) counts as 1.0, the bottom of its scale; a STOI that cannot, as 0. One thread at a time."""
    with _SCORING, threadpool_limits(limits=1, user_api="blas"):
        from course_utils.denoising import SAMPLE_RATE, si_sdr
        out = {"SI-SDR": float(si_sdr(estimate, clean))}
        e, c = estimate.double().numpy(), clean.double().numpy()
        try:
            from pesq import pesq
            out["PESQ"] = float(pesq(SAMPLE_RATE, c, e, "nb"))
        except Exception:
            out["PESQ"] = 1.0
        try:
            from pystoi import stoi
            value = float(stoi(c, e, SAMPLE_RATE, extended=False))
            out["STOI"] = value if math.isfinite(value) else 0.0
        except Exception:
            out["STOI"] = 0.0
        return out


# ------------------------------------------------------------------------------------------ the worker
class WorkerError(Exception):
    pass


_ORPHANS = set()  # pids of workers' processes that may come to us (the subreaper) when their parent dies


def reap():
    """Collect the workers' processes that ended as our children (zombies otherwise): bubblewrap's own
    intermediate processes come to us too."""
    for p in psutil.Process().children():
        try:
            if p.status() == psutil.STATUS_ZOMBIE and p.name() in ("bwrap", "prlimit", "python", "python3", "sleep"):
                _ORPHANS.add(p.pid)
        except psutil.Error:
            pass
    for pid in list(_ORPHANS):
        try:
            if os.waitpid(pid, os.WNOHANG)[0]:
                _ORPHANS.discard(pid)
        except ChildProcessError:
            try:
                if psutil.Process(pid).ppid() != os.getpid():
                    _ORPHANS.discard(pid)  # not ours (any more)
            except psutil.Error:
                _ORPHANS.discard(pid)
        except OSError:
            _ORPHANS.discard(pid)


class Worker:
    """One group's model in its own (sandboxed) process, spoken to over its stdin and stdout."""

    def __init__(self, folder, mem_gb=6.0):
        self.folder = Path(folder).resolve()
        self.job = uuid.uuid4().hex
        self.level, self.detail = sandbox.probe()
        self.log = tempfile.TemporaryFile()
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/tmp", "TMPDIR": "/tmp", "LANG": "C.UTF-8",
               "PYTHONPATH": str(REPO), "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg",
               "MPLCONFIGDIR": "/tmp/matplotlib", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
               "COURSE_NUM_THREADS": "1", "CUDA_VISIBLE_DEVICES": "", batch.MARKER: self.job}
        cmd = [sys.executable, "-c", WORKER.read_text()]
        if self.level != sandbox.UNSANDBOXED:
            env["COURSE_SANDBOXED"] = "1"
            cmd = sandbox.bwrap_args(self.folder, None, job_readonly=True, hide_data=True, gpu=False) + ["--"] + cmd
            if shutil.which("prlimit"):
                cmd = ["prlimit", "--nproc=256", "--"] + cmd
        mem = int(mem_gb * 2**30)

        def limits():
            if mem:
                resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
            resource.setrlimit(resource.RLIMIT_FSIZE, (2**28, 2**28))  # what it prints, what it writes in /tmp
        self.proc = subprocess.Popen(cmd, cwd=self.folder, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.log, start_new_session=True, preexec_fn=limits)
        self._buf = bytearray()
        os.set_blocking(self.proc.stdin.fileno(), False)

    @property
    def sandbox(self):
        return self.detail if self.level != sandbox.UNSANDBOXED else f"{sandbox.UNSANDBOXED} ({self.detail})"

    def _read(self, n, deadline):
        fd = self.proc.stdout.fileno()
        while len(self._buf) < n:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                raise WorkerError(f"the worker ended ({self.stderr_tail()})")
            self._buf += chunk
        out, self._buf = bytes(self._buf[:n]), self._buf[n:]
        return out

    def _readline(self, deadline):
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buf:
            if len(self._buf) > 1 << 16:
                raise WorkerError("the worker sent something that is not a message")
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                raise WorkerError(f"the worker ended ({self.stderr_tail()})")
            self._buf += chunk
        line, _, self._buf = bytes(self._buf).partition(b"\n")
        self._buf = bytearray(self._buf)
        try:
            message = json.loads(line)
        except ValueError:
            raise WorkerError("the worker sent something that is not a message") from None
        if not isinstance(message, dict):
            raise WorkerError("the worker sent something that is not a message")
        return message

    def _write(self, data, deadline):
        fd, view = self.proc.stdin.fileno(), memoryview(data)
        while view:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([], [fd], [], left)[1]:
                raise TimeoutError
            try:
                view = view[os.write(fd, view):]
            except BrokenPipeError:
                raise WorkerError(f"the worker ended ({self.stderr_tail()})") from None

    def ready(self, timeout):
        message = self._readline(time.monotonic() + timeout)
        if "error" in message:
            raise WorkerError(str(message["error"]))
        return message

    def enhance(self, wave, deadline):
        wave = wave.contiguous().numpy().astype("<f4")
        self._write(json.dumps({"n": len(wave)}).encode() + b"\n" + wave.tobytes(), deadline)
        message = self._readline(deadline)
        if "error" in message:
            raise WorkerError(str(message["error"]))
        if message.get("n") != len(wave):
            raise WorkerError(f"enhance returned {message.get('n')} samples, expected {len(wave)}")
        out = torch.from_numpy(np.frombuffer(self._read(4 * len(wave), deadline), dtype="<f4").copy())
        if not torch.isfinite(out).all():
            raise WorkerError(f"enhance returned {int((~torch.isfinite(out)).sum())} NaN or infinite samples")
        return out

    def stderr_tail(self, chars=300):
        try:
            self.log.seek(0, os.SEEK_END)
            size = self.log.tell()
            self.log.seek(max(0, size - chars))
            text = self.log.read().decode(errors="replace").strip()
            return f"its last output: {text[-chars:]}" if text else "no output"
        except (OSError, ValueError):
            return "no output"

    def close(self):
        """Stop the worker and every process it started; returns how many had to be killed."""
        def descendants():
            try:
                return psutil.Process(self.proc.pid).children(recursive=True)
            except psutil.Error:
                return []
        procs = descendants()  # before they end and come to us as orphans
        try:
            self._write(b'{"quit": true}\n', time.monotonic() + 1)
            self.proc.wait(timeout=3)
        except (TimeoutError, WorkerError, subprocess.TimeoutExpired, OSError, ValueError):
            pass
        procs += [p for p in descendants() if p not in procs]
        procs += batch.job_processes(self.job)
        try:
            os.killpg(self.proc.pid, 9)
        except (ProcessLookupError, PermissionError):
            pass
        for p in procs:
            try:
                p.kill()
            except psutil.Error:
                pass
        psutil.wait_procs(procs, timeout=10)
        _ORPHANS.update(p.pid for p in procs)
        reap()
        self.proc.kill()
        self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout, self.log):
            try:
                f.close()
            except OSError:
                pass
        return len([p for p in procs if p.is_running() and p.status() != psutil.STATUS_ZOMBIE])


# -------------------------------------------------------------------------------------------- one group
@dataclass
class Row:
    group: str
    members: str = ""
    status: str = "ok"
    error: str = ""
    scores: dict = field(default_factory=dict)  # metric -> mean improvement over the noisy input
    absolute: dict = field(default_factory=dict)  # metric -> mean of the enhanced output
    details: list = field(default_factory=list)  # per condition: {kind, snr, metric improvements}
    rtf: float = float("nan")
    seconds: float = 0.0
    sandbox: str = ""
    baseline: bool = False


def run_group(row, folder, items, reference, timeout=120.0, load_timeout=120.0, mem_gb=6.0):
    """Fill ``row`` with the scores of the model in ``folder`` on ``items`` (whose noisy scores are
    ``reference``); any failure becomes the row's status and error."""
    start = time.perf_counter()
    worker = Worker(folder, mem_gb=mem_gb)
    row.sandbox = worker.sandbox
    outputs, busy = [], 0.0
    try:
        try:
            worker.ready(load_timeout)
        except TimeoutError:
            raise WorkerError(f"timeout: the model was not loaded within {load_timeout:.0f} s") from None
        deadline = time.monotonic() + timeout
        for item in items:
            t0 = time.perf_counter()
            try:
                outputs.append(worker.enhance(item["noisy"], deadline))
            except TimeoutError:
                raise WorkerError(f"timeout: enhance did not finish the test set within {timeout:.0f} s "
                                  f"({len(outputs)} of {len(items)} clips done)") from None
            busy += time.perf_counter() - t0
    except WorkerError as err:
        row.status, row.error = "error", str(err)
    finally:
        worker.close()
    if row.status == "ok":
        from course_utils.denoising import SAMPLE_RATE
        row.rtf = busy / sum(len(i["noisy"]) / SAMPLE_RATE for i in items)
        scores = [item_scores(out, item["clean"]) for out, item in zip(outputs, items)]
        for m in METRICS:
            row.absolute[m] = float(np.mean([s[m] for s in scores]))
            row.scores[m] = float(np.mean([s[m] - r[m] for s, r in zip(scores, reference)]))
        conditions = sorted({(i["kind"], i["snr"]) for i in items}, key=lambda c: (NOISES.index(c[0]) if c[0] in NOISES else 9, c[1]))
        for kind, snr in conditions:
            idx = [k for k, i in enumerate(items) if (i["kind"], i["snr"]) == (kind, snr)]
            row.details.append({"kind": kind, "snr": snr, **{m: float(np.mean([scores[k][m] - reference[k][m] for k in idx]))
                                                             for m in METRICS}})
    row.seconds = time.perf_counter() - start
    return row


BASELINES = {
    "noisy input": "class Denoiser(nn.Module):\n    def enhance(self, wave):\n        return wave.clone()",
    "spectral subtraction": "class Denoiser(nn.Module):\n    def enhance(self, wave):\n"
                            "        return spectral_subtraction(wave).float()",
}


def baseline_folder(parent, name, code):
    """A group folder whose model is a reference method, loaded by the same contract as the groups'."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook
    folder = Path(parent) / name.replace(" ", "_")
    folder.mkdir(parents=True)
    meta = lambda gid: {"nbgrader": {"grade_id": gid, "grade": False, "solution": False, "locked": True}}
    nbformat.write(new_notebook(cells=[
        new_code_cell("import torch\nfrom torch import nn\nfrom course_utils.denoising import spectral_subtraction",
                      metadata=meta("setup")),
        new_code_cell(code, metadata=meta("denoiser"))]), folder / NOTEBOOK)
    from course_utils.project import CHECKPOINT
    torch.save({}, folder / CHECKPOINT)
    return folder


# ----------------------------------------------------------------------------------------------- driver
def run(entries, out_dir=".", seed=DEFAULT_SEED, per_condition=2, workers=2, timeout=120.0, load_timeout=120.0,
        mem_gb=6.0, baselines=True, progress=print):
    """Score every entry ``(group, members, folder or None)``; writes the CSV files and the chart into
    ``out_dir`` and returns the rows (sorted)."""
    batch.become_subreaper()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    items = test_set(seed, per_condition)
    reference = [item_scores(i["noisy"], i["clean"]) for i in items]
    progress(f"test set: {len(items)} clips of {SECONDS:g} s (seed {seed}), built in {time.perf_counter() - t0:.1f} s; "
             f"workers run in: {sandbox.describe()}")
    tmp = Path(tempfile.mkdtemp(prefix="leaderboard-"))
    jobs = []
    if baselines:
        for name, code in BASELINES.items():
            jobs.append((Row(name, "(reference)", baseline=True), baseline_folder(tmp, name, code)))
    rows = []
    for group, members, folder in entries:
        row = Row(group, members)
        if folder is None:
            row.status, row.error = "error", "not submitted: no member submitted project_2_model"
            rows.append(row)
        else:
            jobs.append((row, folder))
    try:
        with cf.ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            futures = [pool.submit(run_group, row, folder, items, reference, timeout, load_timeout, mem_gb)
                       for row, folder in jobs]
            for fut in cf.as_completed(futures):
                row = fut.result()
                rows.append(row)
                progress(f"{row.group}: " + (f"SI-SDR {row.scores['SI-SDR']:+.2f} dB, PESQ {row.scores['PESQ']:+.2f}, "
                                             f"STOI {row.scores['STOI']:+.3f}, RTF {row.rtf:.3f}" if row.status == "ok"
                                             else f"error: {row.error}") + f" ({row.seconds:.0f} s)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        time.sleep(0.2)
        reap()
    rows.sort(key=lambda r: (r.status != "ok", -r.scores.get("SI-SDR", 0.0), r.group))
    write_csv(out_dir / "leaderboard.csv", rows)
    write_details(out_dir / "leaderboard_details.csv", rows)
    plot(out_dir / "leaderboard.png", rows)
    progress(f"leaderboard in {out_dir / 'leaderboard.csv'}, {out_dir / 'leaderboard_details.csv'} and "
             f"{out_dir / 'leaderboard.png'} ({time.perf_counter() - t0:.0f} s)")
    return rows


def _f(x, digits):
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def write_csv(path, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["rank", "group", "members", "si_sdr_improvement_db", "pesq_improvement", "stoi_improvement",
                    "si_sdr_db", "pesq", "stoi", "rtf", "status", "error", "sandbox"])
        rank = 0
        for r in rows:
            ranked = r.status == "ok" and not r.baseline
            rank += ranked
            w.writerow([rank if ranked else "", r.group, r.members, _f(r.scores.get("SI-SDR"), 2),
                        _f(r.scores.get("PESQ"), 3), _f(r.scores.get("STOI"), 4), _f(r.absolute.get("SI-SDR"), 2),
                        _f(r.absolute.get("PESQ"), 3), _f(r.absolute.get("STOI"), 4),
                        _f(r.rtf, 4), r.status, r.error, r.sandbox])


def write_details(path, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["group", "noise", "snr_db", "si_sdr_improvement_db", "pesq_improvement", "stoi_improvement"])
        for r in rows:
            for d in r.details:
                w.writerow([r.group, d["kind"], d["snr"], _f(d["SI-SDR"], 2), _f(d["PESQ"], 3), _f(d["STOI"], 4)])


def plot(path, rows):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    ok = [r for r in rows if r.status == "ok"][::-1]
    fig, axes = plt.subplots(1, 3, figsize=(12, 0.9 + 0.35 * max(len(ok), 1)), sharey=True)
    for ax, (m, unit) in zip(axes, [("SI-SDR", " (dB)"), ("PESQ", ""), ("STOI", "")]):
        ax.barh(range(len(ok)), [r.scores[m] for r in ok], color=["0.6" if r.baseline else "C0" for r in ok])
        ax.axvline(0, color="k", lw=0.8)
        ax.set_title(f"{m} improvement{unit}")
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_yticks(range(len(ok)), [r.group + (" (reference)" if r.baseline else "") for r in ok])
    failed = len(rows) - len(ok)
    fig.suptitle("Project leaderboard: the instructors' test set" + (f" ({failed} entries failed, see the CSV)" if failed else ""))
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def entries_from_groups(course, groups):
    """(group, members, folder) for each group (and each student in no group who submitted), with the folder
    of the submission that counts (course_grading.groups.choose)."""
    out = []
    for c in groups_mod.choose(course, ASSIGNMENT, groups):
        folder = Path(course) / "submitted" / c.graded / ASSIGNMENT if c.graded else None
        out.append((c.group or c.members[0], " ".join(c.members), folder))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--groups", help="groups CSV 'group,student' (submissions in <course>/submitted/)")
    src.add_argument("--folders", nargs="+", help="one folder per group, named by the group")
    ap.add_argument("--course", default=".", help="course folder (default: the current one)")
    ap.add_argument("--out", default=".", help="folder for leaderboard.csv/.png (default: the current one)")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"the test set's seed (default {DEFAULT_SEED})")
    ap.add_argument("--per-condition", type=int, default=2, help="clips per noise type and SNR (default 2)")
    ap.add_argument("--workers", type=int, default=2, help="groups scored at once (default 2)")
    ap.add_argument("--timeout", type=float, default=120, help="s for one group's whole test set (default 120)")
    ap.add_argument("--load-timeout", type=float, default=120, help="s to load a model (default 120)")
    ap.add_argument("--mem-gb", type=float, default=6.0, help="address-space limit per worker, GiB (default 6)")
    args = ap.parse_args(argv)
    if args.groups:
        try:
            entries = entries_from_groups(args.course, groups_mod.read_groups(args.groups))
        except (groups_mod.GroupsError, OSError) as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
    else:
        entries = [(Path(f).resolve().name, "", Path(f)) for f in args.folders]
    run(entries, args.out, seed=args.seed, per_condition=args.per_condition, workers=args.workers,
        timeout=args.timeout, load_timeout=args.load_timeout, mem_gb=args.mem_gb)
    return 0


if __name__ == "__main__":
    sys.exit(main())
