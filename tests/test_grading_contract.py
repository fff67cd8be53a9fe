"""The grading contract of COURSE_DESIGN.md, proved for every notebook in source/.

Adding a notebook needs no new code here: only its mutants in tests/mutants/NN_topic.py.
"""
import json
import re

import nbformat
import pytest

from course_grading.cells import error_of, grade_id, is_test, stderr_of, graded_test_cells
from course_grading.mutants import check_mutants
from course_grading.pipeline import REPO, autograde

from conftest import ASSIGNMENTS, TIMINGS, load_mutants, manual_cells, manual_only, stated_seconds

BUDGET_S = 120
STUB = "raise NotImplementedError()"
LEFTOVERS = re.compile(r"BEGIN SOLUTION|END SOLUTION|BEGIN HIDDEN TESTS|END HIDDEN TESTS")


def agrees(measured, stated):
    """Measured and stated times agree within a factor 1.5 (with 5 s of slack for notebooks of a few seconds)."""
    return stated / 1.5 - 5 <= measured <= stated * 1.5 + 5


def source_path(name):
    return REPO / "source" / name / f"{name}.ipynb"


def release_path(name):
    return REPO / "release" / name / f"{name}.ipynb"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_source_metadata(name):
    nb = nbformat.read(source_path(name), as_version=4)
    ids = [grade_id(c) for c in nb.cells if grade_id(c)]
    assert len(ids) == len(set(ids)), f"{name}: duplicate grade_ids {sorted(i for i in ids if ids.count(i) > 1)}"
    tests = graded_test_cells(nb)
    if manual_only(name):  # graded by hand: answer cells with points, the rubric in a locked cell above each
        for cell in manual_cells(nb):
            m = cell.metadata.nbgrader
            assert m.get("solution") and not m.get("locked"), f"{name}: {grade_id(cell)} must be an unlocked answer cell"
            assert m.get("points", 0) > 0, f"{name}: {grade_id(cell)} has no points"
            above = nb.cells[nb.cells.index(cell) - 1]
            assert above.metadata.get("nbgrader", {}).get("locked") and "Rubric" in above.source, \
                f"{name}: the cell above {grade_id(cell)} should state its rubric"
        total = sum(c.metadata.nbgrader["points"] for c in manual_cells(nb))
        assert f"**Points:** {total}" in nb.cells[0].source, f"{name}: the title cell should state **Points:** {total}"
    assert tests or manual_only(name), f"{name}: no graded test cells"
    for cell in tests:
        assert cell.metadata.nbgrader.get("points", 0) > 0, f"{name}: {grade_id(cell)} has no points"
        assert "BEGIN HIDDEN TESTS" in cell.source, f"{name}: {grade_id(cell)} has no hidden tests"
    for cell in nb.cells:
        assert cell.cell_type != "code" or not cell.outputs, f"{name}: source committed with outputs"
    assert grade_id(nb.cells[1]) == "setup", f"{name}: the second cell should be the locked setup cell"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_release_is_generated_from_source(course, name):
    generated = json.loads((course / "release" / name / f"{name}.ipynb").read_text())
    committed = json.loads(release_path(name).read_text())
    assert committed == generated, f"release/{name} is out of date: run `make release` and commit the result"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_release_has_no_solutions_or_hidden_tests(name):
    text = release_path(name).read_text()
    assert not LEFTOVERS.search(text), f"release/{name} contains solution or hidden-test markers"
    nb = nbformat.read(source_path(name), as_version=4)
    for cell in graded_test_cells(nb):
        hidden = cell.source.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0]
        for line in (l.strip() for l in hidden.splitlines()):
            if len(line) > 25 and line not in cell.source.split("### BEGIN HIDDEN TESTS")[0]:
                assert line not in text, f"release/{name} leaks a hidden test line: {line}"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_hidden_tests_are_judged_outside_the_kernel(name):
    """Every hidden test records the submission's answers and ends with a judge block, which the kernel never
    sees (course_grading/judge.py): the kernel's part computes no verdict of its own."""
    from course_grading import judge
    nb = nbformat.read(source_path(name), as_version=4)
    setup = "".join(c.source for c in nb.cells if grade_id(c) == "setup")
    for cell in graded_test_cells(nb):
        assert "### BEGIN HIDDEN TESTS" in cell.source, f"{name}/{grade_id(cell)}: a test cell without hidden tests"
        hidden = cell.source.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0]
        kernel, code = judge.split(hidden)
        assert code, f"{name}/{grade_id(cell)}: the hidden tests have no judge block"
        assert "record(" in kernel, f"{name}/{grade_id(cell)}: the hidden tests record nothing for the judge"
        assert "records[" not in kernel, f"{name}/{grade_id(cell)}: the kernel's part reads records (a verdict inside the kernel)"
        compile(code, f"<judge {grade_id(cell)}>", "exec")
        # the grader's prelude imports numpy and math; run as a plain notebook, the judge needs its own imports
        for alias, statement in [("np", "import numpy as np"), ("math", "import math")]:
            if re.search(rf"\b{alias}\.", code) and statement not in code + setup:
                pytest.fail(f"{name}/{grade_id(cell)}: the judge uses {alias} without `{statement}`")


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_source_scores_full_points_within_budget(course, name):
    graded = autograde(course, name, source_path(name), student="reference")
    TIMINGS[name] = graded.seconds
    if manual_only(name):  # nothing autograded: 0 auto points, every answer waits for an instructor
        assert graded.scores == {} and graded.total == 0
        manual = _manual_grades(course, name, "reference")
        assert manual and all(need and score == 0 for score, need in manual), \
            f"{name}: every answer should wait for a manual grade: {manual}"
    lost = {k: v for k, v in graded.scores.items() if v[0] < v[1]}
    assert graded.max_total > 0 or manual_only(name)
    details = {grade_id(c): error_of(c) or stderr_of(c)[:300] for c in graded.notebook.cells
               if is_test(c) and grade_id(c) in lost}
    assert not lost, f"{name}: the reference solution loses points: {lost}\n{details}"
    for cell in graded.notebook.cells:
        if is_test(cell):
            assert not stderr_of(cell), f"{name}: test cell {grade_id(cell)} writes to stderr: {stderr_of(cell)[:300]}"
    stated = stated_seconds(name)
    print(f"{name}: {graded.seconds:.1f} s (stated: {stated} s)")
    assert graded.seconds <= BUDGET_S, f"{name}: took {graded.seconds:.0f} s, budget {BUDGET_S} s on 2 CPU cores"
    assert stated is not None, f"{name}: the title cell should state '**Run time:** about N s on 2 CPU cores'"
    assert agrees(graded.seconds, stated), \
        f"{name}: took {graded.seconds:.0f} s but its title cell states about {stated} s: measure it and update the cell"


def test_stated_and_measured_times_agree_within_a_factor_1_5():
    assert agrees(40, 40) and agrees(58, 40) and agrees(30, 40) and agrees(11, 6)
    assert not agrees(70, 40) and not agrees(20, 40) and not agrees(300, 60)


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_nothing_follows_the_stub_in_a_release_block(name):
    """Set-up that is not the task must sit outside the solution region: code after ``raise
    NotImplementedError()`` in the same block never runs, and a student who replaces the stub loses it."""
    nb = nbformat.read(release_path(name), as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code" or STUB not in cell.source:
            continue
        lines = cell.source.splitlines()
        for k, line in enumerate(lines):
            if line.strip() != STUB:
                continue
            indent = len(line) - len(line.lstrip())
            after = [l for l in lines[k + 1:] if l.strip() and not l.strip().startswith("#")]
            assert not after or len(after[0]) - len(after[0].lstrip()) < indent, \
                f"release/{name}, cell {grade_id(cell) or cell.get('id')}: {after[0].strip()!r} follows the stub in the same " \
                "block and never runs; move it before ### BEGIN SOLUTION in the source"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_release_scores_zero(course, name):
    graded = autograde(course, name, course / "release" / name / f"{name}.ipynb", student="untouched")
    if manual_only(name):
        manual = _manual_grades(course, name, "untouched")  # nbgrader gives 0 to an unchanged answer
        assert graded.scores == {} and manual and all(score == 0 for score, _ in manual)
        return
    assert graded.max_total > 0
    assert graded.total == 0, f"{name}: the untouched student version scores {graded.total}: " \
        f"{ {k: v for k, v in graded.scores.items() if v[0]} }"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_every_test_cell_fails_on_a_plausible_wrong_solution(name):
    """Runs the reference under another global seed (seed 1; the released notebooks use 0), so the same run
    proves that the hidden tests do not depend on the seed (`make determinism` tries 20)."""
    if manual_only(name):
        pytest.skip(f"{name} is graded by hand only: it has no autograded test cell for a mutant to fail")
    mutants = load_mutants(name)
    assert mutants, f"{name}: add plausible wrong solutions to tests/mutants/{name}.py"
    nb = nbformat.read(source_path(name), as_version=4)
    results, errors = check_mutants(source_path(name), mutants, seed=1)
    assert not errors, f"{name}: the reference solution fails with seed 1: {errors}"
    survivors = [(m["why"], gid) for k, m in enumerate(mutants) for gid, err in results[k].items() if err is None]
    assert not survivors, f"{name}: these wrong solutions pass their tests: {survivors}"
    killed = {gid for r in results.values() for gid, err in r.items() if err}
    unproven = [grade_id(c) for c in graded_test_cells(nb) if grade_id(c) not in killed]
    assert not unproven, f"{name}: no mutant makes these test cells fail: {unproven}"


def _manual_grades(course, name, student):
    """(score, needs a manual grade) of each manually graded answer of ``student``'s submission."""
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        sub = gb.find_submission_notebook(name, name, student)
        return [(float(g.score), bool(g.needs_manual_grade)) for g in sub.grades if g.cell_type == "markdown"]
