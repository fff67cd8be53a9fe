"""Prove that each graded test cell can fail: run a notebook once and, at each solution cell that has
mutants, run every mutant in its place followed by the cells up to its tests, which must fail.

A mutant is a dict: ``replace`` (grade_id of a solution cell), the wrong solution as either ``source`` (the
whole cell) or ``edits`` (``(old, new)`` pairs applied to the reference cell, each ``old`` found exactly once),
``fails`` (grade_ids of the test cells it must fail), ``why`` (the mistake it stands for).
"""
import copy
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from .cells import grade_id, is_test


def _run(client, cell, index):
    """Execute one cell; returns the error text or None."""
    try:
        client.execute_cell(cell, index)
        return None
    except CellExecutionError as err:
        return str(err).strip().splitlines()[-1] if str(err).strip() else "error"


def mutant_source(mutant, reference):
    """The wrong solution's code: ``source`` as given, or the reference cell with ``edits`` applied."""
    if "source" in mutant:
        return mutant["source"]
    code = reference
    for old, new in mutant["edits"]:
        if code.count(old) != 1:
            raise ValueError(f"mutant {mutant['why']!r}: {old!r} occurs {code.count(old)} times in cell "
                             f"{mutant['replace']!r}, not once; make it longer or fix it after a change of the cell")
        code = code.replace(old, new)
    return code


def check_mutants(notebook_path, mutants, timeout=300, seed=None):
    """Run the notebook with its mutants. Returns {mutant index: {test grade_id: error or None}} and the
    list of errors of the correct cells (should be empty). ``seed``: run with this global seed instead of the
    notebook's own (the hidden tests must hold for any seed)."""
    nb = nbformat.read(notebook_path, as_version=4)
    if seed is not None:
        from .determinism import with_seed
        nb = with_seed(nb, seed)
    index_of = {grade_id(c): i for i, c in enumerate(nb.cells) if grade_id(c)}
    for m in mutants:
        for gid in [m["replace"], *m["fails"]]:
            if gid not in index_of:
                raise KeyError(f"mutant {m.get('why', m)!r} names cell {gid!r}, which the notebook lacks")
    by_cell = {}
    for k, m in enumerate(mutants):
        by_cell.setdefault(index_of[m["replace"]], []).append(k)

    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=False,
                            resources={"metadata": {"path": str(Path(notebook_path).parent)}})
    results, errors = {}, []
    with client.setup_kernel():
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            for k in by_cell.get(i, []):
                m = mutants[k]
                results[k] = {}
                last = max(index_of[g] for g in m["fails"])
                wrong = copy.deepcopy(cell)
                wrong.source = mutant_source(m, cell.source)
                _run(client, wrong, i)
                for j in range(i + 1, last + 1):
                    later = nb.cells[j]
                    if later.cell_type != "code":
                        continue
                    if is_test(later):
                        if grade_id(later) in m["fails"]:
                            results[k][grade_id(later)] = _run(client, copy.deepcopy(later), j)
                        continue
                    _run(client, copy.deepcopy(later), j)
            err = _run(client, cell, i)
            if err:
                errors.append(f"cell {i} ({grade_id(cell) or 'code'}): {err}")
    return results, errors
