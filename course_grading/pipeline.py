"""Run nbgrader's steps on a course folder: generate the student version, autograde a notebook, read scores.

The test suite uses these on a throw-away copy of the course, so the grading contract is proved with the
same commands instructors run.
"""
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parent.parent


def assignments(root=REPO):
    """Names of the assignments that have a source notebook, in order."""
    return sorted(p.name for p in (Path(root) / "source").iterdir() if (p / f"{p.name}.ipynb").exists())


def make_course(dest, names=None, root=REPO):
    """A fresh course folder at ``dest`` with the configuration and the given assignments' sources."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(Path(root) / "nbgrader_config.py", dest / "nbgrader_config.py")
    for name in names or assignments(root):
        shutil.copytree(Path(root) / "source" / name, dest / "source" / name, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return dest


def nbgrader(course, *args, timeout=None, check=True):
    """Run ``nbgrader <args>`` inside ``course``; raises with nbgrader's log if it fails and ``check``."""
    env = dict(os.environ)  # nbgrader runs `alembic` from PATH: put this interpreter's scripts first
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["PYTHONPATH"] = os.pathsep.join(p for p in [str(REPO), env.get("PYTHONPATH")] if p)  # course_grading
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, capture_output=True, text=True,
                          timeout=timeout, env=env)
    if check and proc.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def generate_release(course, name):
    """``nbgrader generate_assignment``: returns the path of the student notebook it wrote."""
    nbgrader(course, "generate_assignment", name, "--force")
    return Path(course) / "release" / name / f"{name}.ipynb"


@dataclass
class Graded:
    """What autograding one submission gave: per test cell (score, max score), the notebook, the time."""
    scores: dict
    notebook: nbformat.NotebookNode
    seconds: float

    @property
    def total(self):
        return sum(s for s, _ in self.scores.values())

    @property
    def max_total(self):
        return sum(m for _, m in self.scores.values())


def autograde(course, name, notebook, student="student", timeout=None):
    """Submit ``notebook`` (a path) as ``student``'s work on assignment ``name`` and autograde it."""
    course = Path(course)
    target = course / "submitted" / student / name
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    shutil.copy(notebook, target / f"{name}.ipynb")
    start = time.perf_counter()
    nbgrader(course, "autograde", name, "--student", student, "--create", "--force", timeout=timeout)
    seconds = time.perf_counter() - start
    return Graded(read_scores(course, name, student), read_autograded(course, name, student), seconds)


def read_autograded(course, name, student):
    return nbformat.read(Path(course) / "autograded" / student / name / f"{name}.ipynb", as_version=4)


def read_scores(course, name, student):
    """{grade_id: (score, max_score)} of the autograded test cells, from the gradebook."""
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{Path(course) / 'gradebook.db'}") as gb:
        sub = gb.find_submission_notebook(name, name, student)
        return {g.name: (float(g.score), float(g.max_score)) for g in sub.grades if g.cell_type == "code"}
