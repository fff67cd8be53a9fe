"""Group grading for the course project: one submission per group, graded once, the grade given to every member.

    python -m course_grading.groups grade project_1_data --groups groups.csv       # autograde, one per group
    python -m course_grading.groups copy-manual project_3_report --groups groups.csv  # after formgrader

The groups file is a CSV with a header ``group,student`` and one row per member::

    group,student
    denoisers,alice
    denoisers,bob
    solo,carol

Group names and student ids are the ones nbgrader uses (the names of the folders in ``submitted/``); a group
has 1 to 3 members (:data:`MAX_MEMBERS`), a student belongs to at most one group. Other columns, a student in
two groups, an empty name or a group with too many members stop the command with a message that names the line.

**Which submission counts.** For each group and assignment, the graded submission is the member's with the
latest submission time (nbgrader's ``timestamp.txt``, else the notebook's modification time; ties go to the
first member in alphabetical order). It is autograded once by the course's batch grader
(``course_grading.batch``: sandboxed kernel, scores from the outputs) and every member, whether they submitted
or not, gets the same grade rows in the gradebook, the same autograded notebook and the same feedback, so that
formgrader and ``nbgrader export`` show the group's grade for each member. ``grades_<assignment>_groups.csv``
has one row per student with a ``group`` and a ``graded`` column (whose submission was graded).

The command reports groups whose members submitted different notebooks (the SHA-256 of the cells' sources
differs: only the latest counts, the others are not graded), groups where no member submitted, and students
who submitted but are in no group (they are graded alone, with an empty ``group`` column).

**Manually graded notebooks** (the final report): ``grade`` gives every member a copy of the group's submission
that needs a manual grade; the instructor grades ONE member's copy in formgrader (any member; the graded one is
listed in the CSV), then ``copy-manual`` copies the manual scores and comments of the member whose copy has them
to every other member of the group.
"""
import argparse
import csv
import hashlib
import shutil
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import nbformat

from . import batch
from .cells import grade_id, is_test

MAX_MEMBERS = 3
COLUMNS = ("group", "student")


class GroupsError(ValueError):
    """The groups file is malformed (the message names the file and the line)."""


def read_groups(path):
    """``{group: [students, sorted]}`` from a groups CSV (see the module's docstring); raises GroupsError."""
    path = Path(path)
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        header = [h.strip() for h in (reader.fieldnames or [])]
        if sorted(header) != sorted(COLUMNS):
            extra, missing = set(header) - set(COLUMNS), set(COLUMNS) - set(header)
            raise GroupsError(f"{path}: the header must be 'group,student' (found {','.join(header) or 'nothing'}"
                              f"{'; unknown columns: ' + ', '.join(sorted(extra)) if extra else ''}"
                              f"{'; missing: ' + ', '.join(sorted(missing)) if missing else ''})")
        groups, owner = defaultdict(list), {}
        for line, row in enumerate(reader, start=2):
            if None in row or any(v is None for v in row.values()):
                raise GroupsError(f"{path}, line {line}: expected 2 fields 'group,student'")
            row = {k.strip(): v.strip() for k, v in row.items()}
            group, student = row["group"], row["student"]
            if not group and not student:
                continue  # a blank line
            if not group:
                raise GroupsError(f"{path}, line {line}: student {student!r} has an empty group name")
            if not student:
                raise GroupsError(f"{path}, line {line}: group {group!r} has an empty student id")
            if student in owner:
                raise GroupsError(f"{path}, line {line}: student {student!r} is in two groups "
                                  f"({owner[student]!r} and {group!r})")
            owner[student] = group
            groups[group].append(student)
    for group, members in groups.items():
        if len(members) > MAX_MEMBERS:
            raise GroupsError(f"{path}: group {group!r} has {len(members)} members (at most {MAX_MEMBERS})")
    if not groups:
        raise GroupsError(f"{path}: no groups (one row 'group,student' per member)")
    return {g: sorted(m) for g, m in sorted(groups.items())}


def submitted_at(course, assignment, student):
    """When ``student`` submitted ``assignment`` (UTC datetime), or None if there is no submission."""
    folder = Path(course) / "submitted" / student / assignment
    notebook = folder / f"{assignment}.ipynb"
    if not folder.is_dir() or not any(folder.iterdir()):
        return None  # (a folder without the notebook is a submission: it is graded as an invalid notebook)
    stamp = folder / "timestamp.txt"
    if stamp.exists():
        from nbgrader.utils import parse_utc
        try:
            return parse_utc(stamp.read_text().strip())
        except Exception:
            pass
    return datetime.fromtimestamp((notebook if notebook.exists() else folder).stat().st_mtime, tz=timezone.utc)


def content_hash(notebook):
    """SHA-256 of a notebook's cell types and sources (outputs, metadata and ids do not count); '' if unreadable."""
    try:
        nb = nbformat.read(notebook, as_version=4)
    except Exception:
        return ""
    h = hashlib.sha256()
    for cell in nb.cells:
        h.update(cell.cell_type.encode() + b"\0" + cell.source.strip().encode() + b"\0\0")
    return h.hexdigest()


@dataclass
class Choice:
    """Which submission counts for one group (or one student in no group: ``group`` is '')."""
    group: str
    members: list
    graded: str = None  # the member whose submission is graded; None if nobody submitted
    submitted: dict = field(default_factory=dict)  # member -> submission time (members who submitted)
    hashes: dict = field(default_factory=dict)  # member -> content hash

    @property
    def differ(self):
        return len(set(self.hashes.values())) > 1


def choose(course, assignment, groups):
    """One :class:`Choice` per group, plus one per student who submitted but is in no group."""
    course = Path(course)
    choices = []
    grouped = {s for members in groups.values() for s in members}
    on_disk = sorted(p.parent.name for p in (course / "submitted").glob(f"*/{assignment}") if p.is_dir())
    alone = [s for s in on_disk if s not in grouped and submitted_at(course, assignment, s)]
    for group, members in [*groups.items(), *(("", [s]) for s in alone)]:
        c = Choice(group, list(members))
        for m in members:
            when = submitted_at(course, assignment, m)
            if when is not None:
                c.submitted[m] = when
                c.hashes[m] = content_hash(course / "submitted" / m / assignment / f"{assignment}.ipynb")
        if c.submitted:
            c.graded = sorted(c.submitted, key=lambda m: (-c.submitted[m].timestamp(), m))[0]
        choices.append(c)
    return choices


def _copy_tree(src, dst):
    if dst.exists():
        shutil.rmtree(dst)
    if src.exists():
        shutil.copytree(src, dst, symlinks=True)


def give_to_members(course, assignment, choice):
    """Copy the graded member's gradebook rows and autograded notebook to every other member of the group."""
    from nbgrader.api import Gradebook
    course = Path(course)
    with Gradebook(batch.db_url(course)) as gb:
        source = gb.find_submission(assignment, choice.graded)
        nb = gb.find_submission_notebook(assignment, assignment, choice.graded)
        grades = {g.name: g for g in nb.grades}
        comments = {c.name: c for c in nb.comments}
        for member in choice.members:
            if member == choice.graded:
                continue
            gb.update_or_create_student(member)
            gb.update_or_create_submission(assignment, member, timestamp=source.timestamp)
            theirs = gb.find_submission_notebook(assignment, assignment, member)
            for g in theirs.grades:
                mine = grades.get(g.name)
                if mine is not None:
                    g.auto_score, g.manual_score = mine.auto_score, mine.manual_score
                    g.extra_credit, g.needs_manual_grade = mine.extra_credit, mine.needs_manual_grade
            for c in theirs.comments:
                if c.name in comments:
                    c.auto_comment, c.manual_comment = comments[c.name].auto_comment, comments[c.name].manual_comment
        gb.db.commit()
    for member in choice.members:
        if member != choice.graded:
            _copy_tree(course / "autograded" / choice.graded / assignment, course / "autograded" / member / assignment)


def grade_groups(course, assignment, groups, workers=2, feedback=True, csv_path=None, progress=print, **limits):
    """Grade one submission per group with the batch grader and give its grade to every member.
    Returns (choices, {student: batch.Result}). ``limits``: timeout, cell_timeout, mem_gb, threads."""
    course = Path(course).resolve()
    choices = choose(course, assignment, groups)
    graded = [c.graded for c in choices if c.graded]
    for c in choices:
        if c.group and c.differ:
            progress(f"group {c.group}: members submitted different notebooks; graded {c.graded}'s "
                     f"(submitted last), not " + ", ".join(m for m in c.hashes if m != c.graded))
        if c.group and not c.graded:
            progress(f"group {c.group}: no member submitted ({', '.join(c.members)})")
        if not c.group:
            progress(f"{c.members[0]} submitted but is in no group: graded alone")
    results = {}
    if graded:
        batch_csv = course / f"grades_{assignment}.csv"
        for r in batch.grade_all(course, assignment, graded, workers=workers, feedback=False, csv_path=batch_csv,
                                 progress=progress, **limits):
            results[r.student] = r
    for c in choices:
        if c.graded and len(c.members) > 1:
            give_to_members(course, assignment, c)
    if feedback and results:
        batch.make_feedback(course, assignment, progress)
    source = nbformat.read(course / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    test_ids = [grade_id(c) for c in source.cells if is_test(c)]
    csv_path = Path(csv_path or course / f"grades_{assignment}_groups.csv")
    write_csv(csv_path, assignment, choices, results, test_ids)
    progress(f"group grades in {csv_path}")
    return choices, results


def write_csv(path, assignment, choices, results, test_ids):
    """One row per student: the group's grade, whose submission it is and what the instructor should know."""
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["group", "student", "assignment", "graded", "submitted", "status", "score", "max_score",
                    *test_ids, "sandbox", "review", "note"])
        for c in choices:
            r = results.get(c.graded)
            for m in c.members:
                notes = []
                if c.differ and m in c.hashes and c.hashes[m] != c.hashes[c.graded]:
                    notes.append(f"submitted a different notebook from {c.graded}'s (which was graded)")
                if not c.group:
                    notes.append("in no group: graded alone")
                if r is None:
                    w.writerow([c.group, m, assignment, "", "no", "not submitted", "0", "", *["0"] * len(test_ids),
                                "", "", "; ".join(["no member of the group submitted"] + notes)])
                    continue
                if r.note:
                    notes.insert(0, r.note)
                max_total = sum(mx for _, mx in r.scores.values())
                w.writerow([c.group, m, assignment, c.graded, "yes" if m in c.submitted else "no", r.status,
                            f"{r.total:g}", f"{max_total:g}", *[f"{r.scores.get(t, (0, 0))[0]:g}" for t in test_ids],
                            r.sandbox, "; ".join(batch.flagged(r)), "; ".join(notes)])


def copy_manual(course, assignment, groups, progress=print):
    """For each group: the manual scores and comments of the member whose copy an instructor graded (the one
    with the most manual scores set) go to every other member. Returns {group: source member or None}."""
    from nbgrader.api import Gradebook, MissingEntry
    done = {}
    with Gradebook(batch.db_url(course)) as gb:
        for group, members in groups.items():
            notebooks = {}
            for m in members:
                try:
                    notebooks[m] = gb.find_submission_notebook(assignment, assignment, m)
                except MissingEntry:
                    pass
            count = {m: sum(g.manual_score is not None for g in nb.grades) for m, nb in notebooks.items()}
            source = max(sorted(count), key=lambda m: count[m], default=None)
            if source is None or count[source] == 0:
                progress(f"group {group}: no member's copy has manual grades yet")
                done[group] = None
                continue
            grades = {g.name: g for g in notebooks[source].grades}
            comments = {c.name: c for c in notebooks[source].comments}
            for m, nb in notebooks.items():
                if m == source:
                    continue
                if count[m]:
                    progress(f"group {group}: {m}'s manual grades are replaced by {source}'s")
                for g in nb.grades:
                    if g.name in grades:
                        g.manual_score, g.extra_credit = grades[g.name].manual_score, grades[g.name].extra_credit
                        g.needs_manual_grade = grades[g.name].needs_manual_grade
                for c in nb.comments:
                    if c.name in comments:
                        c.manual_comment = comments[c.name].manual_comment
            missing = [m for m in members if m not in notebooks]
            if missing:
                progress(f"group {group}: {', '.join(missing)} have no copy (run `grade` first)")
            done[group] = source
            progress(f"group {group}: {source}'s manual grades copied to "
                     f"{', '.join(m for m in notebooks if m != source) or 'nobody else'}")
        gb.db.commit()
    return done


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    sub = ap.add_subparsers(dest="command", required=True)
    g = sub.add_parser("grade", help="autograde one submission per group, the grade for every member")
    m = sub.add_parser("copy-manual", help="copy manual grades of one member's copy to the group")
    for p in (g, m):
        p.add_argument("assignment")
        p.add_argument("--groups", required=True, help="CSV file 'group,student', one row per member")
        p.add_argument("--course", default=".", help="course folder (default: the current one)")
    g.add_argument("--workers", type=int, default=2)
    g.add_argument("--timeout", type=float, default=900, help="wall-clock limit per notebook, s (default 900)")
    g.add_argument("--cell-timeout", type=int, default=300, help="limit per cell, s (default 300)")
    g.add_argument("--mem-gb", type=float, default=None, help="address-space limit, GiB (default 8; 0 with a GPU)")
    g.add_argument("--csv", help="where to write the grades (default grades_<assignment>_groups.csv)")
    g.add_argument("--no-feedback", action="store_true")
    args = ap.parse_args(argv)
    try:
        groups = read_groups(args.groups)
    except (GroupsError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.command == "copy-manual":
        copy_manual(args.course, args.assignment, groups)
        return 0
    if args.mem_gb is None:
        args.mem_gb = 0.0 if shutil.which("nvidia-smi") else 8.0
    choices, results = grade_groups(args.course, args.assignment, groups, workers=args.workers,
                                    feedback=not args.no_feedback, csv_path=args.csv, timeout=args.timeout,
                                    cell_timeout=args.cell_timeout, mem_gb=args.mem_gb)
    return 0 if results else 1


if __name__ == "__main__":
    sys.exit(main())
