"""Hidden-free feedback: what students receive must not contain the hidden test code.

``nbgrader generate_feedback`` runs ``HideHiddenTests`` (course_grading/preprocessors.py, switched on in
nbgrader_config.py); this module checks the result: ``leaks(html, source_notebook)`` lists every hidden test
line that appears in a feedback file.

    python -m course_grading.feedback 01_binary_classification   # check feedback/*/01_.../*.html
"""
import argparse
import html as html_lib
import re
import sys
from pathlib import Path

import nbformat

from .cells import graded_test_cells
from .cells import HIDDEN

TAG = re.compile(r"<[^>]+>")


def hidden_lines(source_nb, min_length=12):
    """The hidden test lines of a source notebook that occur nowhere outside the hidden tests."""
    lines = set()
    visible = "\n".join(HIDDEN.sub("", c.source) for c in source_nb.cells)
    for cell in graded_test_cells(source_nb):
        for block in HIDDEN.findall(cell.source):
            for line in block.splitlines()[1:-1]:
                line = line.strip()
                if len(line) >= min_length and line not in visible:
                    lines.add(line)
    return lines


def html_text(html):
    """The text of an HTML page as a reader sees it (tags removed, entities decoded)."""
    return html_lib.unescape(TAG.sub("", html))


def leaks(html, source_nb):
    """Hidden test lines that appear in the feedback ``html``."""
    text = html_text(html)
    return sorted(line for line in hidden_lines(source_nb) if line in text)


def check_course(course, name):
    """{feedback file: leaked lines} for every feedback file of assignment ``name`` in ``course``."""
    course = Path(course)
    source = nbformat.read(course / "source" / name / f"{name}.ipynb", as_version=4)
    return {str(p): leaks(p.read_text(), source)
            for p in sorted((course / "feedback").glob(f"*/{name}/*.html"))}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("assignment")
    ap.add_argument("--course", default=".", help="course folder (default: the current one)")
    args = ap.parse_args(argv)
    found = check_course(args.course, args.assignment)
    bad = {p: l for p, l in found.items() if l}
    for p, lines in bad.items():
        print(f"{p}: {len(lines)} hidden test lines, e.g. {lines[0]!r}")
    print(f"{len(found)} feedback files checked, {len(bad)} show hidden tests")
    return 1 if bad or not found else 0


if __name__ == "__main__":
    sys.exit(main())
