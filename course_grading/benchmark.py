"""How much faster is the parallel autograder than plain nbgrader, and what does grading cost on top of
running the notebooks?

    python -m course_grading.benchmark 01_binary_classification --copies 6 --workers 2

Submits N copies of the source notebook to a throw-away course and times, on this machine:
1. plain ``nbgrader autograde <assignment>`` (one process, one submission after the other, default threads);
2. ``course_grading.batch`` with W workers and one torch thread each;
3. executing the same N notebooks with ``jupyter nbconvert --execute`` in W parallel processes, one torch
   thread each (no grading at all): the overhead of 2 over 3 is what grading costs.

    python -m course_grading.benchmark 01_binary_classification --sandbox-pairs 3

instead times what the sandbox costs: P pairs of plain ``nbgrader autograde`` of the source notebook, one
without the sandbox (COURSE_SANDBOX=off) and one with it, in alternating order, and prints the ratio of
each pair and their median (pairs cancel most of the drift of a machine whose load changes).
"""
import argparse
import concurrent.futures as cf
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .batch import grade_all, nbgrader_env, run_nbgrader
from .pipeline import REPO, generate_release, make_course


def submit_copies(course, name, n, prefix):
    students = []
    for k in range(1, n + 1):
        target = course / "submitted" / f"{prefix}{k}" / name
        target.mkdir(parents=True, exist_ok=True)
        (target / f"{name}.ipynb").write_bytes((REPO / "source" / name / f"{name}.ipynb").read_bytes())
        students.append(f"{prefix}{k}")
    return students


def execute_copies(course, name, n, workers):
    """Run N copies with nbconvert in ``workers`` parallel processes, one thread each; returns seconds."""
    out = course / "executed"
    out.mkdir(exist_ok=True)
    env = nbgrader_env({"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"})
    src = course / "source" / name / f"{name}.ipynb"

    def one(k):
        subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                        "--ExecutePreprocessor.timeout=900", f"--output-dir={out}", f"--output=copy{k}", str(src)],
                       cwd=src.parent, env=env, check=True, capture_output=True)

    start = time.perf_counter()
    with cf.ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, range(n)))
    return time.perf_counter() - start


def sandbox_overhead(name, pairs, progress=print):
    """[(seconds unsandboxed, seconds sandboxed)] for ``pairs`` alternating pairs of plain autograde runs."""
    from .sandbox import describe
    course = make_course(Path(tempfile.mkdtemp(prefix="sandbox-overhead-")), [name])
    generate_release(course, name)
    submit_copies(course, name, 1, "s")
    progress(f"sandbox here: {describe()}")
    times = []
    for k in range(pairs):
        pair = {}
        for mode in (["off", "auto"] if k % 2 == 0 else ["auto", "off"]):
            saved = os.environ.get("COURSE_SANDBOX")
            os.environ["COURSE_SANDBOX"] = mode
            try:
                start = time.perf_counter()
                run_nbgrader(course, "autograde", name, "--student", "s1", "--force")
                pair[mode] = time.perf_counter() - start
            finally:
                os.environ.pop("COURSE_SANDBOX") if saved is None else os.environ.update(COURSE_SANDBOX=saved)
        times.append((pair["off"], pair["auto"]))
        progress(f"  pair {k + 1}: unsandboxed {pair['off']:.1f} s, sandboxed {pair['auto']:.1f} s, "
                 f"ratio {pair['auto'] / pair['off']:.3f}")
    return times


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("assignment")
    ap.add_argument("--copies", type=int, default=6)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--sandbox-pairs", type=int, default=0, help="time the sandbox instead (P pairs of runs)")
    args = ap.parse_args(argv)
    name, n = args.assignment, args.copies
    if args.sandbox_pairs:
        import statistics
        times = sandbox_overhead(name, args.sandbox_pairs)
        ratios = [b / a for a, b in times]
        print(f"{name}: sandbox overhead, median of {len(ratios)} paired ratios: "
              f"{100 * (statistics.median(ratios) - 1):+.1f}% (load average {os.getloadavg()[0]:.1f}, "
              f"{os.cpu_count()} CPU cores)")
        return 0
    course = make_course(Path(tempfile.mkdtemp(prefix="benchmark-")), [name])
    generate_release(course, name)

    submit_copies(course, name, n, "plain")
    start = time.perf_counter()
    run_nbgrader(course, "autograde", name, "--create", "--force")
    plain = time.perf_counter() - start

    students = submit_copies(course, name, n, "batch")
    start = time.perf_counter()
    results = grade_all(course, name, students, workers=args.workers, threads=1, feedback=False,
                        progress=lambda s: None)
    batch = time.perf_counter() - start
    assert all(r.status == "ok" for r in results), [(r.student, r.status, r.note) for r in results]

    executed = execute_copies(course, name, n, args.workers)
    print(f"{name}, {n} copies, {os.cpu_count()} CPU cores:")
    print(f"  plain nbgrader autograde:          {plain:7.1f} s")
    print(f"  course_grading.batch, {args.workers} workers:   {batch:7.1f} s   speed-up {plain / batch:.2f}x")
    print(f"  nbconvert --execute, {args.workers} processes: {executed:7.1f} s   grading overhead "
          f"{100 * (batch / executed - 1):+.0f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
