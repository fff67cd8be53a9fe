"""Reading nbgrader metadata off notebook cells."""


def meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def grade_id(cell):
    return meta(cell).get("grade_id")


def is_test(cell):
    """An autograded test cell: a graded code cell that is not a solution."""
    m = meta(cell)
    return cell.cell_type == "code" and m.get("grade", False) and not m.get("solution", False)


def is_solution(cell):
    return cell.cell_type == "code" and meta(cell).get("solution", False)


def graded_test_cells(nb):
    return [c for c in nb.cells if is_test(c)]


STDERR_MARK = "[stderr] "  # how the course's autograder shows a test cell's stderr (see preprocessors.py)


def stderr_of(cell):
    """Text the cell wrote to stderr (plain nbgrader gives 0 points to a test cell with any; the course's
    autograder shows it as stdout that starts with STDERR_MARK)."""
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream" and
                   (o.get("name") == "stderr" or o.get("text", "").startswith(STDERR_MARK)))


def error_of(cell):
    """'Name: message' of the cell's error output, or None."""
    for o in cell.get("outputs", []):
        if o.get("output_type") == "error":
            return f"{o.get('ename')}: {o.get('evalue')}"
    return None
