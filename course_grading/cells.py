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


def stderr_of(cell):
    """Text the cell wrote to stderr (nbgrader gives 0 points to a test cell with any)."""
    return "".join(o.get("text", "") for o in cell.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == "stderr")


def error_of(cell):
    """'Name: message' of the cell's error output, or None."""
    for o in cell.get("outputs", []):
        if o.get("output_type") == "error":
            return f"{o.get('ename')}: {o.get('evalue')}"
    return None
