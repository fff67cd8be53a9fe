"""Reading nbgrader metadata off notebook cells, and running a notebook's definitions outside Jupyter."""
import contextlib
import io
import re


HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS\n?", re.S)  # what students never see


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


def run_definitions(nb, grade_ids=(), defining=(), threads=None, namespace=None):
    """Execute, quietly and in order, the code cells of notebook ``nb`` whose grade_id is in ``grade_ids`` or that
    define (``def``/``class``) one of the names in ``defining``, in one namespace (``namespace``, or a new one),
    and return it. With ``threads``, the setup cell's ``setup(seed=0)`` becomes ``setup(seed=0, threads=...)``.
    The measuring scripts use it to run the source notebooks' reference code rather than a copy of it."""
    ns = {} if namespace is None else namespace
    defines = re.compile(r"^(def|class) (%s)\b" % "|".join(map(re.escape, defining)), re.M) if defining else None
    for cell in nb.cells:
        gid, text = grade_id(cell), cell.source
        if cell.cell_type != "code" or not (gid in grade_ids or (defines and defines.search(text))):
            continue
        if gid == "setup" and threads:
            text = text.replace("setup(seed=0)", f"setup(seed=0, threads={threads})")
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(text, f"<{gid or 'cell'}>", "exec"), ns)
    return ns
