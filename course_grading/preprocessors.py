"""nbgrader preprocessors of the course, switched on in nbgrader_config.py.

``SanitizeMetadata`` runs in ``nbgrader autograde`` before nbgrader restores the graded cells: it drops the
nbgrader metadata of a cell that has no grade id or one the gradebook does not know (a duplicated or
invented cell), which would otherwise make nbgrader 0.9 abort the whole submission (KeyError 'grade_id'),
and puts a deleted test or locked cell back where the source has it (after the nearest source cell the
submission still has, found by cell id), not merely after the previous graded cell as nbgrader would.

``GuardedExecute`` replaces nbgrader's ``Execute`` in ``nbgrader autograde``:
- a kernel that dies (``os._exit``, a crash, the memory limit) no longer aborts the submission: the cell
  records what happened and every later cell is marked as not run, so it scores 0 and the rest is kept;
- a kernel that stops answering after a cell timeout is treated the same way;
- before each test cell the guard (``course_grading.guard``) undoes what the submission patched, and the
  test cell scores only if the guard ran;
- a test cell's stderr (a library warning) is shown as text instead of zeroing the cell, and a value left
  as the cell's result is shown instead of being read as partial credit.

``HideHiddenTests`` runs in ``nbgrader generate_feedback``: students see each test cell's visible part,
whether it passed and its failure message, never the hidden test code.
"""
import copy
import os
import re
import secrets
import uuid
from pathlib import Path

import nbformat

from nbconvert.preprocessors import Preprocessor
from nbformat.v4 import new_code_cell, new_output
from nbgrader.api import Gradebook
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from nbclient.exceptions import DeadKernelError
from traitlets import Bool, Integer

from . import guard, judge
from .sandbox import UNSANDBOXED, SandboxedKernelManager
from .cells import HIDDEN, STDERR_MARK, is_test, meta

ANSI = re.compile(r"\x1b\[[0-9;]*m")
HIDDEN_NOTE = "# (hidden tests: their code is not shown)\n"


# Names an honest solution has no reason to touch: the kernel's machinery, the guard, the gradebook,
# introspection of the interpreter. Seen by the grader in the submitted cells, before they run.
SUSPICIOUS = re.compile(r"get_ipython\(\)\s*\.\s*(?!run_line_magic|magic\b)\w+|\b(do_execute|run_cell\w*|shell_handlers|"
                        r"input_transformer|ast_transformers|showtraceback|set_custom_exc|excepthook|displayhook|"
                        r"session|iopub|_course_guard|course-guard|sqlite3|gradebook|threading|_thread|ctypes|"
                        r"gc\.get_(objects|referrers)|sys\.modules|__code__|__globals__|__closure__|settrace|"
                        r"setprofile|addaudithook|TorchFunctionMode|TorchDispatchMode|_core\.|os\._exit|"
                        r"importlib|exec\(|eval\(|compile\(|base64|marshal|codecs\.decode)\b"
                        r"|\.\./\.\.|\bsource/|\.db\b|nbgrader")  # the instructor's files


def suspicious(nb):
    """[(cell, what)] for code cells of a submission that mention what SUSPICIOUS lists."""
    found = []
    for k, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and not is_test(cell):
            hits = sorted({m.group(0) for m in SUSPICIOUS.finditer(cell.source)})
            if hits:
                found.append((meta(cell).get("grade_id") or f"cell {k}", ", ".join(hits)[:300]))
    return found


def _error(ename, evalue):
    return new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


class SanitizeMetadata(NbGraderPreprocessor):
    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gb:
            known = {c.name for c in gb.find_notebook(info["notebook"], info["assignment"]).source_cells}
        for cell in nb.cells:
            m = cell.get("metadata", {}).get("nbgrader")
            if m is not None and not (isinstance(m, dict) and m.get("grade_id") in known):
                del cell.metadata["nbgrader"]
        root = Path(self.config.CourseDirectory.get("root", os.getcwd()))
        source = root / "source" / info["assignment"] / f"{info['notebook']}.ipynb"
        if source.exists():
            self.restore_deleted(nb, nbformat.read(source, as_version=4))
        return nb, resources

    def restore_deleted(self, nb, source):
        present = {meta(c).get("grade_id") for c in nb.cells}
        for k, cell in enumerate(source.cells):
            m = meta(cell)
            if m.get("grade_id") in present or m.get("solution") or not (m.get("locked") or is_test(cell)):
                continue
            ids = [c.get("id") for c in nb.cells]
            before = [j for j in range(k) if source.cells[j].get("id") in ids]
            at = ids.index(source.cells[before[-1]].get("id")) + 1 if before else 0
            restored = copy.deepcopy(cell)
            if restored.get("id") in ids:
                restored.id = uuid.uuid4().hex[:8]
            nb.cells.insert(at, restored)
            self.log.warning("Cell %s was missing: put back at position %d", m["grade_id"], at)


class GuardedExecute(Execute):
    probe_timeout = Integer(60, help="Seconds a kernel has to answer the guard, or after a cell timed out.").tag(config=True)
    install_timeout = Integer(180, help="Seconds the guard's snapshot may take (at least).").tag(config=True)
    max_output_chars = Integer(200_000, help="Outputs longer than this are cut.").tag(config=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)  # nbgrader would set its own
        super().__init__(*args, **kwargs)

    def preprocess(self, nb, resources=None, km=None):
        self._installed = False
        self._stopped = None  # why the remaining cells are not run
        self._findings = []  # the integrity report: [{cell, kind, detail}]
        self._sandbox = "not started"
        setup = [c.source for c in nb.cells if meta(c).get("grade_id") == "setup" and c.cell_type == "code"]
        self._imports = guard.setup_imports(setup[0]) if setup else ""
        for where, what in suspicious(nb):
            self._flag(where, "suspicious code", what)
        try:
            nb, resources = super().preprocess(nb, resources, km)
        finally:
            self._drop_links((resources or {}).get("metadata", {}).get("path"))
            self._report(nb)
        return nb, resources

    def _drop_links(self, folder):
        """Symbolic links the kernel left in its folder are removed once it is gone: nbgrader writes the graded
        notebook there, and a link would send that write (or a later copy) to a file outside the job."""
        if not folder:
            return
        for p in Path(folder).rglob("*"):
            if p.is_symlink():
                self._flag("(job folder)", "link removed", f"{p.name} -> {os.readlink(p)}")
                p.unlink()

    def _flag(self, cell, kind, detail):
        self._findings.append(dict(cell=cell, kind=kind, detail=str(detail)[:500]))

    def _report(self, nb):
        """The integrity report goes into the graded notebook's metadata (written by this process, after the
        kernel is gone) and into the log; ``course_grading.batch`` puts it into integrity_<assignment>.csv."""
        nb.metadata["course_integrity"] = dict(sandbox=self._sandbox, findings=self._findings)
        for f in self._findings:
            self.log.warning("INTEGRITY %s: %s: %s", f["cell"], f["kind"], f["detail"])

    def _guard(self, index, check_only=False):
        """Run the guard's restore (or, after a test, its check); returns its report or None."""
        nonce = secrets.token_hex(16)
        out = self._run_hidden(guard.restore_code(nonce, self._imports, check_only), index, self.probe_timeout)
        report = guard.parse(out)
        if report is None or report.get("token") != guard.token(nonce):
            return None
        return report

    def _run_hidden(self, code, index, timeout=None):
        """Run ``code`` in the kernel outside the notebook; returns its stdout, or None if it failed. A kernel
        that dies or does not answer in time stops the notebook."""
        cell, original = new_code_cell(code), self.nb.cells[index]
        saved = self.timeout
        self.timeout = timeout or self.timeout
        try:
            self.execute_cell(cell, index, store_history=False)
        except DeadKernelError:
            self._stopped = "the kernel died"
            return None
        except Exception:  # no reply or no output in time (CellTimeoutError), a broken kernel
            self._stopped = "the kernel stopped answering"
            return None
        finally:
            self.timeout = saved
            self.nb.cells[index] = original  # nbclient stores the cell it ran in the notebook
        if any(o.output_type == "error" for o in cell.outputs):
            if any(o.get("ename") == "CellTimeoutError" for o in cell.outputs):
                self._stopped = "the kernel stopped answering"
            return None
        return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")

    def _alive(self, index):
        return self._run_hidden("print('alive')", index, self.probe_timeout) is not None

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        if self._stopped:
            cell.outputs = [_error("NotRun", f"This cell was not run: {self._stopped}.")]
            return cell, resources
        if not self._installed:
            self._installed = True
            km = self.km
            self._sandbox = km.detail if getattr(km, "level", UNSANDBOXED) != UNSANDBOXED else \
                f"{UNSANDBOXED} ({getattr(km, 'detail', 'no sandboxed kernel manager')})"
            # the snapshot imports the guarded libraries: on a loaded machine it may take longer than a cell may
            out = self._run_hidden(guard.install_code(), index, max(self.timeout or 0, self.install_timeout))
            if not out or "course-guard-installed" not in out:
                self._flag("(start)", "guard failure", "the guard could not take its snapshot")
        test = is_test(cell)
        gid = meta(cell).get("grade_id") or f"cell {index}"
        if test:
            report = self._guard(index)
            if self._stopped:
                return self.preprocess_cell(cell, resources, index)
            if report is None:
                self._flag(gid, "guard failure", "the guard did not run before this test (cell execution hijacked?)")
                cell.outputs = [_error("GradingIntegrityError",
                                       "the grader could not restore the test environment before this test "
                                       "(something in the notebook changed how cells run), so it scores 0")]
                return cell, resources
            if report["changed"]:
                self._flag(gid, "restored before test", f"{report['n_changed']}: {', '.join(report['changed'][:12])}")
            if report["threads"]:
                self._flag(gid, "threads running", ", ".join(report["threads"]))
        self._check_assign_resources(resources)
        original = cell.source
        if test:
            cell.source, judge_code = judge.split(original)  # the kernel never sees the judge's code
        try:
            self.execute_cell(cell, index, store_history=True)
        except DeadKernelError:
            self._stopped = "the kernel died in an earlier cell (it exited, crashed or ran out of memory)"
            cell.outputs.append(_error("DeadKernelError", "The kernel died while running this cell: it exited, "
                                       "crashed or ran out of memory. The cells after it were not run."))
        except Exception as err:  # e.g. no output in time after the reply: the kernel is broken or stuck
            cell.outputs.append(_error(type(err).__name__, f"The kernel did not answer properly: {str(err)[:300]}"))
            if not self._alive(index):
                self._stopped = self._stopped or "the kernel stopped answering"
        cell.source = original
        if any(o.output_type == "error" and o.get("ename") == "CellTimeoutError" for o in cell.outputs):
            if not self._stopped and not self._alive(index):
                self._stopped = "an earlier cell ran past the time limit and the kernel stopped answering"
        if test and judge_code and not any(o.output_type == "error" for o in cell.outputs):
            failure = judge.verdict(judge_code, cell.outputs)  # here, in the grader's process
            if failure:
                cell.outputs.append(_error(*failure))
        limit_outputs(cell, self.max_output_chars)
        if test and not self._stopped:
            after = self._guard(index, check_only=True)
            if after is None or after["changed"]:
                what = "the guard's check did not run" if after is None else ", ".join(after["changed"][:12])
                self._flag(gid, "changed during test", what)
                cell.outputs = [_error("GradingIntegrityError",
                                       "the test environment changed while this test ran (something in the "
                                       f"notebook patched it again: {what[:300]}), so it scores 0")]
        if test:
            for o in cell.outputs:
                if o.output_type == "stream" and o.name == "stderr":
                    o.name, o.text = "stdout", STDERR_MARK + o.text  # a warning in a passing test is no failure
                elif o.output_type == "execute_result":
                    o.output_type = "display_data"  # a value is not partial credit
                    o.pop("execution_count", None)
        return cell, self.resources


def limit_outputs(cell, max_chars):
    """Cut outputs larger than ``max_chars`` (a huge print or image would make the feedback unreadable)."""
    for o in cell.get("outputs", []):
        if o.get("output_type") == "stream" and len(o.text) > max_chars:
            o.text = o.text[:max_chars] + f"\n... (output cut: {len(o.text)} characters)\n"
        elif o.get("output_type") == "error" and sum(map(len, o.traceback)) > max_chars:
            o.traceback = [t[:max_chars // 10] for t in o.traceback[-10:]]
        for key, value in list(o.get("data", {}).items()):
            if len(str(value)) > max_chars:
                o.data.pop(key)
                o.data["text/plain"] = f"(output removed: {len(str(value))} characters)"


def hide_hidden_tests(cell):
    """Remove the hidden part of a test cell and every traceback line that shows its code."""
    if not is_test(cell) or "### BEGIN HIDDEN TESTS" not in cell.source:
        return cell
    hidden = HIDDEN.findall(cell.source)
    cell.source = HIDDEN.sub(HIDDEN_NOTE, cell.source)
    secret_lines = {l.strip() for h in hidden for l in h.splitlines()[1:-1]
                    if len(l.strip()) > 3 and l.strip() not in cell.source}
    def leaks(text):
        text = ANSI.sub("", text)
        return any(line in text for line in secret_lines)

    for o in cell.get("outputs", []):
        if o.output_type == "error":
            o.evalue = "" if leaks(o.evalue) else o.evalue
            o.traceback = [f for f in o.traceback if not leaks(f)] or [f"{o.ename}: {o.evalue}"]
        elif o.output_type == "stream" and leaks(o.text):
            o.text = "".join(l for l in o.text.splitlines(True) if not leaks(l))
    return cell


class HideHiddenTests(Preprocessor):
    """Feedback preprocessor: see ``hide_hidden_tests``."""
    enabled = Bool(True)

    def preprocess_cell(self, cell, resources, index):
        return hide_hidden_tests(cell), resources
