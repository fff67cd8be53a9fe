import importlib.util
import json
import os
from pathlib import Path

import pytest

from course_grading.pipeline import REPO, assignments, generate_release, make_course

ASSIGNMENTS = assignments()
TIMINGS = {}  # notebook -> seconds, printed at the end of the run


def load_mutants(name):
    path = REPO / "tests" / "mutants" / f"{name}.py"
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location(f"mutants_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.MUTANTS


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
            terminalreporter.write_line(f"{name}: {seconds:.1f} s")
        (REPO / "tests" / ".timings.json").write_text(json.dumps(TIMINGS, indent=1))


from hubtools import course_hub  # noqa: E402,F401 (one JupyterHub for tests/test_hub*.py and test_browser*.py)
