"""The course on a real JupyterHub (hub/jupyterhub_config.py), end to end through the same HTTP endpoints that
the students' Assignments tab and the instructor's formgrader call: release, fetch, submit, collect,
autograde with the course's grader, feedback, and feedback fetched into each student's private home."""
import json
import os
import stat
import time
from pathlib import Path

import nbformat

from course_grading.pipeline import REPO
from hubtools import ASSIGNMENT

COURSE_ID = "dl-speech-audio"
GRADE_TIMEOUT = 900  # one autograde request; notebook 01 takes ~10 s on a quiet machine


def assignments(hub, student):
    return hub.request("GET", f"/user/{student}/assignments?course_id={COURSE_ID}")


def status_of(listing, assignment=ASSIGNMENT):
    return [a["status"] for a in listing["value"] if a["assignment_id"] == assignment]


def test_release_fetch_submit_grade_feedback_on_the_hub(course_hub):
    hub = course_hub
    inst, (alice, bob) = hub.instructor, hub.students
    fg = f"/user/{inst}/formgrader/api"
    start = time.perf_counter()
    hub.start_servers([inst, alice, bob])
    started = time.perf_counter()

    # the instructor's server lets its own pages frame the formgrader (jupyter/nbgrader#1870)
    page, headers = hub.request("GET", f"/user/{inst}/formgrader", raw=True, headers=True)
    assert "Manage Assignments" in page
    assert headers.get("Content-Security-Policy", "").startswith("frame-ancestors 'self'"), dict(headers)

    # instructor: generate the student version and release it (formgrader's buttons)
    result = hub.request("POST", f"{fg}/assignment/{ASSIGNMENT}/assign", timeout=300)
    assert result["success"], result.get("log") or result.get("error")
    result = hub.request("POST", f"{fg}/assignment/{ASSIGNMENT}/release")
    assert result["success"], result.get("log") or result.get("error")

    # students: the Assignments tab lists it as released; Fetch
    for student in (alice, bob):
        assert status_of(assignments(hub, student)) == ["released"], assignments(hub, student)
        listing = hub.request("POST", f"/user/{student}/assignments/fetch",
                              {"assignment_id": ASSIGNMENT, "course_id": COURSE_ID})
        assert "fetched" in status_of(listing), listing

    # alice writes a correct solution (the reference, saved through the contents API); bob submits as fetched
    reference = nbformat.read(REPO / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    path = f"/user/{alice}/api/contents/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
    hub.request("PUT", path, {"type": "notebook", "format": "json", "content": reference})
    for student in (alice, bob):
        listing = hub.request("POST", f"/user/{student}/assignments/submit",
                              {"assignment_id": ASSIGNMENT, "course_id": COURSE_ID})
        assert "submitted" in status_of(listing), listing
        cache = Path(f"/home/{student}/.local/share/jupyter/nbgrader_cache/{COURSE_ID}")
        assert cache.is_dir(), f"no cached submission in {cache}"

    # instructor: collect, autograde each submission with the course's grader
    result = hub.request("POST", f"{fg}/assignment/{ASSIGNMENT}/collect")
    assert result["success"], result.get("log") or result.get("error")
    for student in (alice, bob):
        result = hub.request("POST", f"{fg}/submission/{ASSIGNMENT}/{student}/autograde", timeout=GRADE_TIMEOUT)
        assert result["success"], result.get("log") or result.get("error")
    submissions = {s["student"]: s for s in hub.request("GET", f"{fg}/submissions/{ASSIGNMENT}")}
    full = submissions[alice]["max_score"]
    assert full > 0
    assert submissions[alice]["score"] == full, f"the reference solution scored {submissions[alice]['score']}/{full}"
    assert submissions[bob]["score"] == 0, f"the untouched release scored {submissions[bob]['score']}/{full}"
    assert submissions[alice]["autograded"] and submissions[bob]["autograded"]

    # instructor: feedback for everybody; students fetch it into their own homes
    for action in ("generate_feedback", "release_feedback"):
        result = hub.request("POST", f"{fg}/assignment/{ASSIGNMENT}/{action}", timeout=300)
        assert result["success"], result.get("log") or result.get("error")
    feedback = {}
    for student in (alice, bob):
        listing = hub.request("POST", f"/user/{student}/assignments/fetch_feedback",
                              {"assignment_id": ASSIGNMENT, "course_id": COURSE_ID})
        submitted = [s for a in listing["value"] if a["status"] == "submitted" for s in a.get("submissions", [a])]
        assert any(s.get("has_local_feedback") for s in submitted), json.dumps(listing)[:2000]
        files = sorted(Path(f"/home/{student}/{ASSIGNMENT}/feedback").glob(f"*/{ASSIGNMENT}.html"))
        assert files, f"no feedback file arrived in {student}'s home"
        feedback[student] = files[-1]

    for student, other in ((alice, bob), (bob, alice)):
        html = feedback[student]
        assert html.stat().st_uid == hub.uids[student], f"{html} is not owned by {student}"
        assert hub.as_user(student, "cat", str(html)).returncode == 0, f"{student} cannot read their feedback"
        denied = hub.as_user(other, "cat", str(html))
        assert denied.returncode != 0, f"{other} can read {student}'s feedback {html}"
        home = Path(f"/home/{student}")
        assert not stat.S_IMODE(os.stat(home).st_mode) & 0o077, f"{home} is open to other users"
    text = feedback[alice].read_text()
    assert "BEGIN HIDDEN TESTS" not in text and f"{full}" in text
    # the course's instructor-only parts stay closed to students
    denied = hub.as_user(alice, "cat", str(hub.course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"))
    assert denied.returncode != 0, "a student can read the source notebook (solutions and hidden tests)"
    print(f"hub flow: {time.perf_counter() - start:.0f} s (servers started in {started - start:.0f} s)")
