"""Does the reference solution pass its hidden tests for any global seed?

    python -m course_grading.determinism 01_binary_classification --seeds 20

Grades the source notebook (solutions and hidden tests) with ``course_utils.setup(seed=k)`` for k = 1..N in
a throw-away copy of the course, with the course's parallel autograder, and reports every test cell that
ever loses points, with the seeds and the failure message. Exit status 1 if any did.

``--show REGEX`` also prints, per seed and as a range over the seeds, every number in the output lines that match
REGEX (e.g. ``--show "validation SI-SDR"``). Only what depends on the global seed moves: a cell that seeds its own
training (03's ``train_digit_model(..., seed=0)``) prints the same numbers under every seed, and its spread over
training seeds has to be measured by varying that seed (``scripts/speaker_generalisation.py --seeds``).
"""
import argparse
import re
import sys
import tempfile
from pathlib import Path

import nbformat

from .batch import grade_all
from .cells import error_of, grade_id, is_test
from .pipeline import REPO, generate_release, make_course

SETUP_SEED = re.compile(r"setup\(\s*seed\s*=\s*\d+")
NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?")


def with_seed(nb, seed):
    """A copy of ``nb`` whose setup cell seeds everything with ``seed``."""
    nb = nbformat.from_dict(nb)
    for cell in nb.cells:
        if grade_id(cell) == "setup":
            if SETUP_SEED.search(cell.source):
                cell.source = SETUP_SEED.sub(f"setup(seed={seed}", cell.source)
            else:
                cell.source += f"\nimport course_utils\ncourse_utils.seed_everything({seed})"
            return nb
    raise ValueError("the notebook has no cell with grade_id 'setup'")


def run(name, seeds, workers=2, timeout=600, feedback=False, course=None, progress=print):
    """Grade the source of ``name`` once per seed; returns ({seed: Result}, {grade_id: [(seed, error)]},
    course folder)."""
    course = Path(course or tempfile.mkdtemp(prefix=f"determinism-{name}-"))
    make_course(course, [name])
    generate_release(course, name)
    source = nbformat.read(REPO / "source" / name / f"{name}.ipynb", as_version=4)
    students = []
    for seed in seeds:
        target = course / "submitted" / f"seed_{seed}" / name
        target.mkdir(parents=True, exist_ok=True)
        nbformat.write(with_seed(source, seed), target / f"{name}.ipynb")
        students.append(f"seed_{seed}")
    results = grade_all(course, name, students, workers=workers, timeout=timeout, feedback=feedback,
                        progress=progress)
    by_seed = {int(r.student.split("_")[1]): r for r in results}
    failures = {}
    for seed, r in sorted(by_seed.items()):
        graded = nbformat.read(course / "autograded" / r.student / name / f"{name}.ipynb", as_version=4)
        errors = {grade_id(c): error_of(c) for c in graded.cells if is_test(c)}
        for gid, (score, max_score) in r.scores.items():
            if score < max_score:
                failures.setdefault(gid, []).append((seed, errors.get(gid) or r.note or r.status))
    return by_seed, failures, course


def output_lines(nb, pattern):
    """The lines of the notebook's stream outputs that match the regular expression ``pattern``."""
    lines = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o.get("output_type") == "stream":
                lines += [line for line in o.get("text", "").splitlines() if re.search(pattern, line)]
    return lines


def number_ranges(lines_by_seed):
    """{template: [(min, max) of each number]} over the seeds, where a template is a line with its numbers
    replaced by '#' (so that 'mean 87.8%' and 'mean 85.1%' are one template)."""
    values = {}
    for lines in lines_by_seed.values():
        for line in lines:
            values.setdefault(NUMBER.sub("#", line), []).append([float(x) for x in NUMBER.findall(line)])
    return {t: [(min(col), max(col)) for col in zip(*rows)] for t, rows in values.items()}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("assignments", nargs="+")
    ap.add_argument("--seeds", type=int, default=20, help="number of seeds, 1..N (default 20)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--show", metavar="REGEX", help="print the range over the seeds of the numbers in the output "
                                                   "lines that match REGEX")
    args = ap.parse_args(argv)
    bad = False
    for name in args.assignments:
        by_seed, failures, course = run(name, range(1, args.seeds + 1), workers=args.workers, progress=lambda s: None)
        full = sum(r.total == sum(m for _, m in r.scores.values()) for r in by_seed.values())
        print(f"{name}: full points with {full} of {len(by_seed)} seeds")
        if args.show:
            lines = {seed: output_lines(nbformat.read(course / "autograded" / r.student / name / f"{name}.ipynb",
                                                      as_version=4), args.show) for seed, r in by_seed.items()}
            for seed, found in lines.items():
                print(f"  seed {seed}: " + " | ".join(found))
            for template, ranges in number_ranges(lines).items():
                print(f"  range over {len(lines)} seeds: {template}  <-  " +
                      ", ".join(f"{lo:g}..{hi:g}" for lo, hi in ranges))
        for gid, fails in failures.items():
            bad = True
            print(f"  {gid} fails with seeds {[s for s, _ in fails]}: {fails[0][1]}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
