"""The mutant checker itself can fail: a wrong solution is caught, a correct one survives."""
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from course_grading.mutants import check_mutants, mutant_source


def cell(source, **meta):
    c = new_code_cell(source)
    if meta:
        c.metadata["nbgrader"] = {"schema_version": 3, **meta}
    return c


def test_check_mutants_tells_killed_from_surviving(tmp_path):
    nb = new_notebook(cells=[
        cell("import math", grade=False, solution=False, locked=True, grade_id="setup"),
        cell("def square(x):\n    return x * x", grade=False, solution=True, locked=False, grade_id="square"),
        cell("assert square(3) == 9", grade=True, solution=False, locked=True, grade_id="test_square", points=1),
    ])
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    mutants = [dict(replace="square", source="def square(x):\n    return 2 * x", fails=["test_square"], why="doubles"),
               dict(replace="square", source="def square(x):\n    return x ** 2", fails=["test_square"], why="same"),
               dict(replace="square", edits=[("x * x", "x + x")], fails=["test_square"], why="adds")]
    results, errors = check_mutants(path, mutants, timeout=60)
    assert errors == []
    assert results[0]["test_square"] is not None      # the wrong solution is caught
    assert results[1]["test_square"] is None          # an equivalent solution survives: reported as a survivor
    assert results[2]["test_square"] is not None      # an edit of the reference is caught too


def test_an_edit_must_match_the_reference_once():
    mutant = dict(replace="square", edits=[("x", "y")], fails=["test_square"], why="ambiguous")
    with pytest.raises(ValueError, match="occurs 3 times"):
        mutant_source(mutant, "def square(x):\n    return x * x")
    assert mutant_source(dict(mutant, edits=[("* x", "* 2")]), "def square(x):\n    return x * x") == \
        "def square(x):\n    return x * 2"
