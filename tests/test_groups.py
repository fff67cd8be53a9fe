"""Group grading of the course project (course_grading.groups) on a tiny fake assignment, end to end.

Groups of 1, 2 and 3 members: one where the members submitted different notebooks (the later one counts),
one where only one member submitted, and a student in no group (graded alone). The real command runs the
course's batch grader (sandboxed, scores from the outputs) once per group.
"""
import csv

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from course_grading import groups
from course_grading.pipeline import generate_release, make_course

NAME = "project_x"


def _nb(answer):
    meta = lambda **m: {"nbgrader": {"schema_version": 3, "locked": False, "solution": False, "grade": False, **m}}
    return new_notebook(cells=[
        new_markdown_cell("# Tiny project\n\n**Run time:** about 1 s on 2 CPU cores", metadata=meta(grade_id="title", locked=True)),
        new_code_cell(f"def double(x):\n    ### BEGIN SOLUTION\n    return {answer}\n    ### END SOLUTION",
                      metadata=meta(grade_id="double", solution=True)),
        new_code_cell("assert double(2) == 4\n### BEGIN HIDDEN TESTS\nassert double(-3) == -6\n### END HIDDEN TESTS",
                      metadata=meta(grade_id="test_double", grade=True, locked=True, points=2)),
    ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})


def _submit(course, student, answer, when):
    folder = course / "submitted" / student / NAME
    folder.mkdir(parents=True)
    nbformat.write(_nb(answer), folder / f"{NAME}.ipynb")
    (folder / "timestamp.txt").write_text(f"2026-11-{when} 12:00:00.000000 UTC")


GROUPS = "group,student\nsolo,alice\npair,bob\npair,carol\ntrio,dave\ntrio,erin\ntrio,frank\n"


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = make_course(tmp_path_factory.mktemp("groups"), [])
    (course / "source" / NAME).mkdir(parents=True)
    nbformat.write(_nb("2 * x"), course / "source" / NAME / f"{NAME}.ipynb")
    generate_release(course, NAME)
    _submit(course, "alice", "2 * x", "20")
    _submit(course, "bob", "x + x", "21")     # the pair's later submission: correct
    _submit(course, "carol", "x * 3", "19")   # the pair's earlier one, a different notebook: wrong
    _submit(course, "erin", "2 * x", "22")    # the only member of the trio who submitted
    _submit(course, "zoe", "0", "22")         # in no group
    (course / "groups.csv").write_text(GROUPS)
    log = []
    assert groups.main(["grade", NAME, "--groups", str(course / "groups.csv"), "--course", str(course),
                        "--workers", "2", "--timeout", "120", "--cell-timeout", "60", "--mem-gb", "6"]) == 0
    return course, {r["student"]: r for r in csv.DictReader(open(course / f"grades_{NAME}_groups.csv"))}


def test_every_member_gets_the_group_grade_in_the_csv(graded):
    _, rows = graded
    assert {s: (r["group"], r["graded"], r["score"]) for s, r in rows.items()} == {
        "alice": ("solo", "alice", "2"), "bob": ("pair", "bob", "2"), "carol": ("pair", "bob", "2"),
        "dave": ("trio", "erin", "2"), "erin": ("trio", "erin", "2"), "frank": ("trio", "erin", "2"),
        "zoe": ("", "zoe", "0")}
    assert rows["carol"]["submitted"] == "yes" and rows["dave"]["submitted"] == "no"
    assert "different notebook" in rows["carol"]["note"] and "different" not in rows["bob"]["note"]
    assert "no group" in rows["zoe"]["note"]
    assert all(r["max_score"] == "2" and r["test_double"] == r["score"] for r in rows.values())


def test_gradebook_export_and_feedback_show_it_for_each_member(graded):
    course, _ = graded
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        scores = {s: gb.find_submission(NAME, s).score for s in ["alice", "bob", "carol", "dave", "erin", "frank", "zoe"]}
    assert scores == {"alice": 2, "bob": 2, "carol": 2, "dave": 2, "erin": 2, "frank": 2, "zoe": 0}
    from course_grading.pipeline import nbgrader
    nbgrader(course, "export", "--to", str(course / "export.csv"))
    exported = {r["student_id"]: r["score"] for r in csv.DictReader(open(course / "export.csv"))}
    assert {s: float(v) for s, v in exported.items()} == {k: float(v) for k, v in scores.items()}
    for s in ["carol", "dave", "frank"]:
        assert (course / "autograded" / s / NAME / f"{NAME}.ipynb").exists()
        assert (course / "feedback" / s / NAME / f"{NAME}.html").exists()


def test_manual_grades_of_one_member_go_to_the_group(graded):
    course, _ = graded
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        g = gb.find_grade("test_double", NAME, NAME, "frank")
        g.manual_score = 1.5
        gb.find_comment("double", NAME, NAME, "frank").manual_comment = "partly right"
        gb.db.commit()
    done = groups.copy_manual(course, NAME, groups.read_groups(course / "groups.csv"), progress=lambda s: None)
    assert done == {"pair": None, "solo": None, "trio": "frank"}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for s in ["dave", "erin"]:
            assert gb.find_grade("test_double", NAME, NAME, s).score == 1.5
            assert gb.find_comment("double", NAME, NAME, s).manual_comment == "partly right"
        assert gb.find_grade("test_double", NAME, NAME, "bob").score == 2


@pytest.mark.parametrize("text, message", [
    ("group,student\na,x\nb,x\n", "in two groups"),
    ("group,student\n,x\n", "empty group name"),
    ("group,student\na,\n", "empty student id"),
    ("group,student,email\na,x,x@y\n", "unknown columns: email"),
    ("team,member\na,x\n", "header must be"),
    ("group,student\na,x,extra\n", "expected 2 fields"),
    ("group,student\na,w\na,x\na,y\na,z\n", "4 members"),
    ("group,student\n", "no groups"),
])
def test_a_malformed_groups_file_is_refused_with_a_clear_message(tmp_path, text, message):
    (tmp_path / "g.csv").write_text(text)
    with pytest.raises(groups.GroupsError, match=message):
        groups.read_groups(tmp_path / "g.csv")


def test_groups_file_is_read_sorted(tmp_path):
    (tmp_path / "g.csv").write_text("group,student\nb, y\nb,x\n\na,z\n")
    assert groups.read_groups(tmp_path / "g.csv") == {"a": ["z"], "b": ["x", "y"]}


def test_the_report_is_graded_by_hand_once_per_group(tmp_path):
    """project_3_report: the group's copy waits for a manual grade for every member; an instructor grades one
    member's copy (here: in the gradebook, as formgrader does) and copy-manual gives it to the other."""
    name = "project_3_report"
    course = make_course(tmp_path / "c", [name])
    release = generate_release(course, name)
    nb = nbformat.read(release, as_version=4)
    for cell in nb.cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            cell.source = "Our answer."
    for student in ["ann", "ben"]:
        folder = course / "submitted" / student / name
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{name}.ipynb")
        (folder / "timestamp.txt").write_text(f"2026-12-{10 + (student == 'ben')} 09:00:00.000000 UTC")
    (course / "groups.csv").write_text("group,student\nreporters,ann\nreporters,ben\n")
    g = groups.read_groups(course / "groups.csv")
    choices, results = groups.grade_groups(course, name, g, workers=1, feedback=False, progress=lambda s: None,
                                           timeout=120, cell_timeout=60, mem_gb=6)
    assert [c.graded for c in choices] == ["ben"] and results["ben"].total == 0
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for s in ["ann", "ben"]:
            grades = gb.find_submission_notebook(name, name, s).grades
            assert grades and all(x.needs_manual_grade for x in grades if x.cell_type == "markdown"), \
                (s, [(x.name, x.needs_manual_grade, x.auto_score) for x in grades])
        for x in gb.find_submission_notebook(name, name, "ann").grades:  # the instructor grades ann's copy
            x.manual_score = x.max_score - 1
        gb.db.commit()
        max_total = gb.find_submission(name, "ann").max_score
    assert groups.main(["copy-manual", name, "--groups", str(course / "groups.csv"), "--course", str(course)]) == 0
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        assert gb.find_submission(name, "ben").score == gb.find_submission(name, "ann").score == max_total - 7
