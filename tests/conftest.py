import importlib.util
import json
import os
import re
from pathlib import Path

import pytest

from course_grading.pipeline import REPO, assignments, generate_release, make_course

ASSIGNMENTS = assignments()
TIMINGS = {}  # notebook -> seconds, printed at the end of the run


def stated_seconds(name):
    """The run time the notebook's title cell states (``**Run time:** about N s on 2 CPU cores``), or None."""
    title = json.loads((REPO / "source" / name / f"{name}.ipynb").read_text())["cells"][0]["source"]
    found = re.search(r"\*\*Run time:\*\* about (\d+) s on 2 CPU cores", "".join(title))
    return int(found.group(1)) if found else None


def manual_cells(nb):
    """The manually graded answer cells of a notebook (nbgrader: grade and solution, markdown)."""
    return [c for c in nb.cells if c.cell_type == "markdown" and c.get("metadata", {}).get("nbgrader", {}).get("grade")]


def manual_only(name):
    """True for an assignment graded only by hand (the project report): no autograded test cell, and at least
    one manually graded answer. The checks of autograded tests (hidden tests, mutants, full points for the
    reference) do not apply to it; every other check does."""
    import nbformat
    from course_grading.cells import graded_test_cells
    nb = nbformat.read(REPO / "source" / name / f"{name}.ipynb", as_version=4)
    return not graded_test_cells(nb) and bool(manual_cells(nb))


def _load_cases(folder, name):
    """The list ``folder.upper()`` of tests/<folder>/<name>.py, or None without such a file."""
    path = REPO / "tests" / folder / f"{name}.py"
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location(f"{folder}_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, folder.upper())


def load_mutants(name):
    """Plausible wrong solutions (tests/mutants/<name>.py): each graded test cell must fail on one."""
    return _load_cases("mutants", name)


def load_alternatives(name):
    """Correct solutions written independently of the reference (tests/alternatives/<name>.py)."""
    return _load_cases("alternatives", name)


@pytest.fixture(scope="session")
def course(tmp_path_factory):
    """A throw-away copy of the course with every assignment's student version generated in it."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    root = make_course(tmp_path_factory.mktemp("course"))
    for name in ASSIGNMENTS:
        generate_release(root, name)
    return root


def pytest_terminal_summary(terminalreporter):
    if TIMINGS:
        terminalreporter.section("notebook wall times (nbgrader autograde of the source, this machine)")
        for name, seconds in sorted(TIMINGS.items()):
            terminalreporter.write_line(f"{name}: {seconds:.1f} s measured, {stated_seconds(name)} s stated")
        (REPO / "tests" / ".timings.json").write_text(json.dumps(TIMINGS, indent=1))


from hubtools import course_hub  # noqa: E402,F401 (one JupyterHub for tests/test_hub*.py and test_browser*.py)
