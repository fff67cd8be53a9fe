"""Autograde every submission of an assignment in parallel, with limits, and export the grades.

    python -m course_grading.batch 01_binary_classification                   # submitted/*/01_.../
    python -m course_grading.batch 01_binary_classification --from export.zip # notebooks from the platform

Each submission is graded by its own ``nbgrader autograde`` process in a private copy of the course (its own
gradebook file, so parallel workers never write the same database), with one torch thread, a wall-clock
limit for the whole notebook and a memory limit (``RLIMIT_AS``) that the kernel inherits. When a worker
ends, whatever happened, every process it started is killed (the batch process is their subreaper, so not
even a daemonised child escapes) and its grades are copied into the course gradebook by this process alone.

A submission that hangs, kills its kernel, exhausts memory or is not a valid notebook still gets a grade
row (0 for what did not run) and a feedback file that says what happened. At the end ``nbgrader
generate_feedback`` writes the feedback (hidden tests removed, see preprocessors.py), the feedback is
checked for hidden test code, and ``grades_<assignment>.csv`` gets one row per student with every test
cell's score.
"""
import argparse
import concurrent.futures as cf
import csv
import ctypes
import multiprocessing
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import psutil
from nbformat.v4 import new_markdown_cell, new_output

from .cells import HIDDEN, grade_id, is_test
from .pipeline import REPO

MARKER = "COURSE_GRADING_JOB"  # environment variable that tags every process of one grading job


@dataclass
class Result:
    student: str
    status: str = "ok"  # ok, or what went wrong: timeout, invalid notebook, grader failed
    note: str = ""  # what the feedback and the CSV say about it
    scores: dict = field(default_factory=dict)  # grade_id -> (score, max score)
    seconds: float = 0.0
    job: dict = None  # what the grading job wrote in its gradebook (None if it did not finish)
    leftovers: int = 0  # processes still alive after the job ended (killed)
    sandbox: str = ""  # what isolated the kernel (course_grading.sandbox), or "unsandboxed (why)"
    findings: list = field(default_factory=list)  # integrity report: [{cell, kind, detail}]

    @property
    def total(self):
        return sum(s for s, _ in self.scores.values())


def become_subreaper():
    """Orphans of our children (a kernel whose nbgrader was killed) become our children, not init's."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        pass


def job_processes(job):
    """Our descendants that belong to grading job ``job``."""
    found = []
    for p in psutil.Process().children(recursive=True):
        try:
            if p.environ().get(MARKER) == job:
                found.append(p)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            pass
    return found


def kill_job(job):
    """Kill every process of ``job``; returns how many were still alive."""
    procs = job_processes(job)
    for p in procs:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(procs, timeout=10)
    return len(procs)


def db_url(course):
    return os.environ.get("COURSE_GRADEBOOK", f"sqlite:///{Path(course) / 'gradebook.db'}")


def nbgrader_env(extra=None):
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["PYTHONPATH"] = os.pathsep.join(p for p in [str(REPO), env.get("PYTHONPATH")] if p)
    env.update(extra or {})
    return env


def run_nbgrader(course, *args, timeout=None):
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, capture_output=True, text=True,
                          env=nbgrader_env(), timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc


# ----------------------------------------------------------------------------------------------- inputs
def student_id(path, assignment):
    """A gradebook-safe student id from an exported file: its name, or its folder's if the name is the
    assignment's (``jdoe/01_binary_classification.ipynb``)."""
    stem = path.stem if path.stem != assignment else path.parent.name
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", stem).strip("._") or "student"


def import_submissions(course, assignment, source):
    """Copy the notebooks of a folder or zip into ``submitted/<student>/<assignment>/``; returns the ids."""
    source = Path(source)
    tmp = None
    if source.suffix == ".zip":
        tmp = Path(tempfile.mkdtemp(prefix="submissions-"))
        with zipfile.ZipFile(source) as z:
            z.extractall(tmp)
        source = tmp
    students = []
    for nb in sorted(p for p in source.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts):
        sid = student_id(nb, assignment)
        while sid in students:
            sid += "_2"
        target = Path(course) / "submitted" / sid / assignment
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        shutil.copy(nb, target / f"{assignment}.ipynb")
        students.append(sid)
    if tmp:
        shutil.rmtree(tmp, ignore_errors=True)
    return students


def ensure_assignment(course, assignment):
    """The assignment must be in the gradebook (``nbgrader generate_assignment`` puts it there)."""
    from nbgrader.api import Gradebook, MissingEntry
    with Gradebook(db_url(course)) as gb:
        try:
            gb.find_notebook(assignment, assignment)
            return
        except MissingEntry:
            pass
    run_nbgrader(course, "generate_assignment", assignment, "--force")


# ------------------------------------------------------------------------------------------- one job
_FORKSERVER = None


def _forkserver():
    """Workers fork from a server that has imported nbgrader once (a fresh ``python -m nbgrader`` per
    submission spends a second or two of CPU on imports)."""
    global _FORKSERVER
    if _FORKSERVER is None:
        _FORKSERVER = multiprocessing.get_context("forkserver")
        _FORKSERVER.set_forkserver_preload(["nbgrader.apps.nbgraderapp", "nbgrader.converters.autograde",
                                            "course_grading.preprocessors"])
    return _FORKSERVER


def _autograde(work, assignment, student, env, mem_bytes):
    """A worker: ``nbgrader autograde`` of one submission in ``work``, in its own session, with the limits
    (inherited by the kernel it starts) and the job's environment; output to nbgrader.log."""
    os.setsid()
    if mem_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (mem_bytes, mem_bytes))
    os.chdir(work)
    os.environ.clear()
    os.environ.update(env)
    log = os.open(work / "nbgrader.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(log, 1)
    os.dup2(log, 2)
    from nbgrader.apps.nbgraderapp import NbGraderApp
    try:
        NbGraderApp.launch_instance(argv=["autograde", assignment, "--student", student, "--create", "--force"])
    finally:
        sys.stdout.flush()
        sys.stderr.flush()


def grade_one(course, assignment, student, template_db, opts):
    """Autograde one submission in a private copy of the course; returns (Result, job folder)."""
    start = time.perf_counter()
    result = Result(student)
    submitted = Path(course) / "submitted" / student / assignment
    try:
        nbformat.read(submitted / f"{assignment}.ipynb", as_version=4)
    except Exception as err:  # not JSON, not a notebook, missing file (nbgrader copes with the rest)
        result.status, result.note = "invalid notebook", f"the submission is not a valid notebook ({type(err).__name__}: {str(err)[:200]})"
        return result, None
    work = Path(tempfile.mkdtemp(prefix=f"grade-{student}-", dir=opts.workdir))
    shutil.copy(Path(course) / "nbgrader_config.py", work)
    shutil.copytree(Path(course) / "source" / assignment, work / "source" / assignment)  # a copy: no way back
    shutil.copytree(submitted, work / "submitted" / student / assignment)
    shutil.copy(template_db, work / "gradebook.db")
    job = uuid.uuid4().hex
    env = nbgrader_env({MARKER: job, "COURSE_GRADEBOOK": f"sqlite:///{work / 'gradebook.db'}",
                        "COURSE_CELL_TIMEOUT": str(opts.cell_timeout),
                        # every thread pool, torch's too (setup() reads COURSE_NUM_THREADS): two kernels that
                        # each took all cores would wait on each other's threads
                        "OMP_NUM_THREADS": str(opts.threads), "MKL_NUM_THREADS": str(opts.threads),
                        "COURSE_NUM_THREADS": str(opts.threads)})
    proc = _forkserver().Process(target=_autograde, args=(work, assignment, student, env, int(opts.mem_gb * 2**30)))
    proc.start()
    proc.join(timeout=opts.timeout)
    if proc.exitcode is None:
        result.status = "timeout"
        result.note = f"grading stopped after {opts.timeout:.0f} s (the limit for a whole notebook)"
    result.leftovers = kill_job(job)
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # the worker leads its own session
    except (ProcessLookupError, PermissionError):
        pass
    proc.join()
    graded = work / "autograded" / student / assignment / f"{assignment}.ipynb"
    if not result.sandbox:
        result.sandbox = sandbox_line(work / "nbgrader.log")
    if result.status == "ok":
        if proc.exitcode != 0 or not graded.exists():
            tail = (work / "nbgrader.log").read_text()[-2000:].strip()
            result.status = "grader failed"
            result.note = f"nbgrader could not grade this submission: {tail.splitlines()[-1] if tail else proc.exitcode}"
        else:
            nb = nbformat.read(graded, as_version=4)
            result.note = notes_of(nb)
            integrity = nb.metadata.get("course_integrity", {})
            result.sandbox = integrity.get("sandbox", "unknown (no report in the graded notebook)")
            result.findings = list(integrity.get("findings", []))
            result.findings += restored_cells(submitted / f"{assignment}.ipynb", nb)
            result.job, problems = scores_from_outputs(work, assignment, student, nb, course)
            result.findings += problems
    result.seconds = time.perf_counter() - start
    return result, work


def sandbox_line(log):
    """What the job's log says isolated its kernel."""
    from .sandbox import LOG_PREFIX
    try:
        for line in Path(log).read_text(errors="replace").splitlines():
            if LOG_PREFIX in line:
                return line.split(LOG_PREFIX, 1)[1].split(" for /")[0].strip()
    except OSError:
        pass
    return "unknown"


def scores_from_outputs(work, assignment, student, nb, course):
    """Each test cell's score, decided here (not in the kernel) from the outputs of the graded notebook,
    with the points of the instructor's source notebook; the job gradebook is only checked against it (no
    triggers or views, no other student's rows, the same scores). Returns (job, integrity findings)."""
    import sqlite3
    from nbgrader.utils import determine_grade
    source = nbformat.read(Path(course) / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    points = {grade_id(c): c.metadata.nbgrader["points"] for c in source.cells
              if c.get("metadata", {}).get("nbgrader", {}).get("grade")}
    grades, problems = {}, []
    for cell in nb.cells:
        gid = grade_id(cell)
        if gid in points and cell.metadata.nbgrader.get("grade") and gid not in grades:
            cell.metadata.nbgrader["points"] = points[gid]
            score, _ = determine_grade(cell)  # None: a written answer that needs a manual grade
            grades[gid] = (float(score or 0.0), score is None)
    for gid in points.keys() - grades.keys():
        grades[gid] = (0.0, False)
        problems.append(dict(cell=gid, kind="test cell missing", detail="not in the graded notebook: 0 points"))
    timestamp = None
    try:
        db = sqlite3.connect(f"file:{work / 'gradebook.db'}?mode=ro", uri=True)
        odd = db.execute("select type, name from sqlite_master where type not in ('table', 'index')").fetchall()
        if odd:
            problems.append(dict(cell="(gradebook)", kind="gradebook tampered", detail=f"job gradebook has {odd}"))
        others = db.execute("select count(*) from submitted_assignment join student on student.id = "
                            "submitted_assignment.student_id where student.id != ?", (student,)).fetchone()[0]
        if others:
            problems.append(dict(cell="(gradebook)", kind="gradebook tampered",
                                 detail=f"{others} submissions of other students in the job gradebook"))
        db.close()
        from nbgrader.api import Gradebook
        with Gradebook(f"sqlite:///{work / 'gradebook.db'}") as gb:
            timestamp = gb.find_submission(assignment, student).timestamp
            sub = gb.find_submission_notebook(assignment, assignment, student)
            job = {g.name: g.auto_score for g in sub.grades if g.name in grades and not grades[g.name][1]}
        differ = {k: (v, grades[k][0]) for k, v in job.items() if float(v or 0.0) != grades[k][0]}
        if differ:
            problems.append(dict(cell="(gradebook)", kind="scores differ",
                                 detail=f"job gradebook vs outputs (the outputs count): {differ}"))
    except Exception as err:  # a broken job gradebook does not stop grading: the outputs decide
        problems.append(dict(cell="(gradebook)", kind="gradebook unreadable", detail=f"{type(err).__name__}: {err}"))
    return dict(timestamp=timestamp, grades=grades), problems


def restored_cells(submitted, graded):
    """Test and locked cells that the graded notebook has in another form than the submission (nbgrader
    put back the instructor's version: edited, deleted, retyped or duplicated cells)."""
    try:
        mine = nbformat.read(submitted, as_version=4)
    except Exception:
        return []
    by_id = {}
    for c in mine.cells:
        by_id.setdefault(grade_id(c), []).append(c)
    found = []
    for cell in graded.cells:
        gid = grade_id(cell)
        if not gid or not (is_test(cell) or cell.metadata.get("nbgrader", {}).get("locked")):
            continue
        theirs = by_id.get(gid, [])
        if not theirs:
            found.append(dict(cell=gid, kind="cell restored", detail="deleted or retyped in the submission"))
        elif theirs[0].source.rstrip() != HIDDEN.sub("", cell.source).rstrip() or theirs[0].cell_type != cell.cell_type \
                or len(theirs) > 1:  # the student's version has no hidden tests
            found.append(dict(cell=gid, kind="cell restored", detail="edited or duplicated in the submission"))
    return found


def notes_of(nb):
    """What went wrong in an autograded notebook, in words."""
    names = {o.get("ename") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
             if o.get("output_type") == "error"}
    said = {"DeadKernelError": "the kernel died (exit, crash or memory limit)", "NotRun": "cells after it were not run",
            "CellTimeoutError": "a cell ran past the time limit", "MemoryError": "a cell ran out of memory",
            "GradingIntegrityError": "the test environment had been tampered with"}
    return "; ".join(text for name, text in said.items() if name in names)


# ------------------------------------------------------------------------------------ into the course
def record(course, assignment, result, work):
    """Write one result into the course: autograded notebook and gradebook rows (called by one thread)."""
    import warnings
    from nbgrader.api import Gradebook
    warnings.filterwarnings("ignore", module="nbgrader")  # SQLAlchemy notes from nbgrader's own queries
    target = Path(course) / "autograded" / result.student / assignment
    if target.exists():
        shutil.rmtree(target)
    if result.job:
        shutil.copytree(work / "autograded" / result.student / assignment, target, symlinks=True)
    else:
        target.mkdir(parents=True)
        nbformat.write(not_graded_notebook(course, assignment, result.note), target / f"{assignment}.ipynb")
    with Gradebook(db_url(course)) as gb:
        gb.update_or_create_student(result.student)
        gb.update_or_create_submission(assignment, result.student,
                                       **({"timestamp": result.job["timestamp"]} if result.job else {}))
        sub = gb.find_submission_notebook(assignment, assignment, result.student)
        for g in sub.grades:
            g.auto_score, g.needs_manual_grade = result.job["grades"].get(g.name, (0.0, False)) if result.job \
                else (0.0, False)
        gb.db.commit()
        result.scores = {g.name: (float(g.score), float(g.max_score)) for g in sub.grades if g.cell_type == "code"}


def not_graded_notebook(course, assignment, reason):
    """The student version with a note on top and an error in every test cell: feedback for a submission
    that could not be run."""
    nb = nbformat.read(Path(course) / "release" / assignment / f"{assignment}.ipynb", as_version=4)
    nb.cells.insert(0, new_markdown_cell(f"**This submission could not be graded: {reason}.** "
                                         "Every test scores 0. Check that the notebook opens and runs "
                                         "from top to bottom (Kernel > Restart and Run All), then submit again."))
    for cell in nb.cells:
        if is_test(cell):
            cell.outputs = [new_output("error", ename="NotGraded", evalue=reason, traceback=[f"NotGraded: {reason}"])]
    return nb


# What in the integrity report asks for a human look (restored cells alone are ordinary mistakes).
REVIEW = {"suspicious code", "link removed", "guard failure", "restored before test", "changed during test", "threads running", "gradebook tampered",
          "scores differ", "test cell missing", "gradebook unreadable"}


def flagged(result):
    return sorted({f["kind"] for f in result.findings if f["kind"] in REVIEW})


def write_csv(path, assignment, results, test_ids):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["student", "assignment", "status", "score", "max_score", *test_ids, "seconds", "sandbox",
                    "review", "note"])
        for r in sorted(results, key=lambda r: r.student):
            max_total = sum(m for _, m in r.scores.values())
            w.writerow([r.student, assignment, r.status, f"{r.total:g}", f"{max_total:g}",
                        *[f"{r.scores.get(t, (0, 0))[0]:g}" for t in test_ids], f"{r.seconds:.1f}", r.sandbox,
                        "; ".join(flagged(r)), r.note])


def write_integrity_csv(path, assignment, results):
    """One row per thing the grader saw: student, cell, kind, detail (for review, nothing is zeroed here)."""
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["student", "assignment", "cell", "kind", "detail", "sandbox"])
        for r in sorted(results, key=lambda r: r.student):
            for x in r.findings:
                w.writerow([r.student, assignment, x["cell"], x["kind"], x["detail"], r.sandbox])


def make_feedback(course, assignment, progress=print):
    """``nbgrader generate_feedback`` for every autograded submission, checked for hidden test code."""
    from .feedback import check_course
    run_nbgrader(course, "generate_feedback", assignment, "--force")
    leaked = {p: l for p, l in check_course(course, assignment).items() if l}
    if leaked:
        raise RuntimeError(f"feedback shows hidden tests: {leaked}")
    progress(f"feedback in {Path(course) / 'feedback'}/<student>/{assignment}/ (checked: no hidden test code)")


# -------------------------------------------------------------------------------------------- driver
def grade_all(course, assignment, students=None, workers=2, timeout=900, cell_timeout=300, mem_gb=8.0,
              threads=1, feedback=True, csv_path=None, progress=print):
    """Grade ``students`` (default: every folder in submitted/ with this assignment); returns the results.
    Workers are forked from a multiprocessing forkserver: a script that calls this needs the usual
    ``if __name__ == "__main__":`` guard."""
    course = Path(course).resolve()
    os.environ["PATH"] = nbgrader_env()["PATH"]  # a new gradebook runs `alembic` from PATH
    opts = argparse.Namespace(timeout=timeout, cell_timeout=cell_timeout, mem_gb=mem_gb, threads=threads,
                              workdir=None)
    become_subreaper()
    ensure_assignment(course, assignment)
    if students is None:
        students = sorted(p.parent.name for p in (course / "submitted").glob(f"*/{assignment}") if p.is_dir())
    tmp = Path(tempfile.mkdtemp(prefix=f"batch-{assignment}-"))
    opts.workdir = tmp
    template = tmp / "gradebook.db"
    shutil.copy(db_url(course).removeprefix("sqlite:///"), template)
    results = []
    start = time.perf_counter()
    try:
        with cf.ThreadPoolExecutor(max_workers=workers) as pool:
            jobs = [pool.submit(grade_one, course, assignment, s, template, opts) for s in students]
            for k, fut in enumerate(cf.as_completed(jobs), 1):
                result, work = fut.result()
                record(course, assignment, result, work)  # only this thread writes the gradebook
                results.append(result)
                progress(f"[{k}/{len(students)}] {result.student}: {result.total:g} points, {result.status}"
                         f"{' (' + result.note + ')' if result.note else ''}, {result.seconds:.0f} s")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    progress(f"graded {len(results)} submissions in {time.perf_counter() - start:.0f} s with {workers} workers")
    if feedback and results:
        make_feedback(course, assignment, progress)
    source = nbformat.read(course / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    test_ids = [grade_id(c) for c in source.cells if is_test(c)]
    csv_path = Path(csv_path or course / f"grades_{assignment}.csv")
    write_csv(csv_path, assignment, results, test_ids)
    progress(f"grades in {csv_path}")
    integrity = csv_path.with_name(f"integrity_{assignment}.csv")
    write_integrity_csv(integrity, assignment, results)
    review = {r.student: flagged(r) for r in results if flagged(r)}
    sandboxes = sorted({r.sandbox for r in results if r.sandbox})
    progress(f"kernels ran in: {'; '.join(sandboxes) or 'unknown'}")
    progress(f"integrity report in {integrity}: " + (f"{len(review)} submissions to review: " + ", ".join(
        f"{s} ({', '.join(k)})" for s, k in sorted(review.items())) if review else "nothing to review"))
    return results


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("assignment")
    ap.add_argument("--course", default=".", help="course folder (default: the current one)")
    ap.add_argument("--from", dest="source", help="folder or .zip of exported notebooks to grade")
    ap.add_argument("--students", nargs="*", help="grade only these students")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="parallel workers (default: CPU cores)")
    ap.add_argument("--timeout", type=float, default=900, help="wall-clock limit per notebook, s (default 900)")
    ap.add_argument("--cell-timeout", type=int, default=300, help="limit per cell, s (default 300)")
    ap.add_argument("--mem-gb", type=float, default=None,
                    help="address-space limit per process, GiB (default 8; 0 = none, the default with a GPU: "
                         "CUDA reserves far more address space than it uses)")
    ap.add_argument("--threads", type=int, default=1, help="torch/OpenMP threads per worker (default 1)")
    ap.add_argument("--csv", help="where to write the grades (default: grades_<assignment>.csv in the course)")
    ap.add_argument("--no-feedback", action="store_true", help="do not generate feedback")
    args = ap.parse_args(argv)
    if args.mem_gb is None:
        args.mem_gb = 0.0 if shutil.which("nvidia-smi") else 8.0
    students = args.students
    if args.source:
        students = import_submissions(args.course, args.assignment, args.source)
    results = grade_all(args.course, args.assignment, students, workers=args.workers, timeout=args.timeout,
                        cell_timeout=args.cell_timeout, mem_gb=args.mem_gb, threads=args.threads,
                        feedback=not args.no_feedback, csv_path=args.csv)
    return 0 if results else 1


if __name__ == "__main__":
    sys.exit(main())
