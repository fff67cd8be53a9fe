"""Cheap integrity checks on every notebook, and unit tests of the grading tools.

For each notebook the course's parallel autograder grades the untouched student version and writes its
feedback, which must show no hidden test code even where every hidden test fails with a traceback. (That the
reference passes under another seed is proved by the mutant run of the grading contract, with seed 1;
`python -m course_grading.determinism NN_name` tries 20 seeds.)
"""
import json
import shutil
import zipfile

import nbformat
import numpy as np
import pytest
import torch
from nbformat.v4 import new_code_cell, new_notebook, new_output

from course_grading import batch, determinism
from course_grading.feedback import hidden_lines, leaks
from course_grading.pipeline import generate_release, make_course
from course_grading.preprocessors import hide_hidden_tests

from conftest import ASSIGNMENTS


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_feedback_on_a_failing_submission_hides_hidden_tests(name, tmp_path):
    course = tmp_path / "c"
    make_course(course, [name])
    generate_release(course, name)
    target = course / "submitted" / "untouched" / name
    target.mkdir(parents=True)
    shutil.copy(course / "release" / name / f"{name}.ipynb", target / f"{name}.ipynb")
    [result] = batch.grade_all(course, name, ["untouched"], workers=1, feedback=True, progress=lambda s: None)
    assert result.total == 0, f"{name}: the untouched student version scores {result.total}"
    source = nbformat.read(course / "source" / name / f"{name}.ipynb", as_version=4)
    html = (course / "feedback" / "untouched" / name / f"{name}.html").read_text()
    assert "Score" in html and not leaks(html, source), f"{name}: feedback shows hidden tests"
    assert (course / f"grades_{name}.csv").read_text().count("\n") == 2


def _test_cell(source, outputs=()):
    cell = new_code_cell(source, metadata={"nbgrader": {"grade": True, "solution": False, "locked": True,
                                                        "grade_id": "test_x", "points": 1, "schema_version": 3}})
    cell.outputs = list(outputs)
    return cell


def test_hide_hidden_tests_keeps_message_drops_code():
    src = ("check(f(1), 2)\n### BEGIN HIDDEN TESTS\nsecret_value = reference(123)\n"
           "check_close(f(7), secret_value, 'f on a hidden input')\n### END HIDDEN TESTS\n")
    err = new_output("error", ename="CheckFailed", evalue="f on a hidden input differs: expected 1, found 2",
                     traceback=["----", "Cell In[4], line 4\n----> 4 check_close(f(7), secret_value, 'f on a hidden input')",
                                "CheckFailed: f on a hidden input differs: expected 1, found 2"])
    cell = hide_hidden_tests(_test_cell(src, [err]))
    assert "secret_value" not in cell.source and "check(f(1), 2)" in cell.source
    assert cell.outputs[0].evalue.startswith("f on a hidden input differs")
    assert not any("secret_value" in t for t in cell.outputs[0].traceback)
    assert cell.outputs[0].traceback[-1].startswith("CheckFailed")
    nb = new_notebook(cells=[_test_cell(src)])
    assert hidden_lines(nb) == {"secret_value = reference(123)", "check_close(f(7), secret_value, 'f on a hidden input')"}
    assert leaks("<span>secret_value</span> = reference(123)", nb) == ["secret_value = reference(123)"]


def test_with_seed_changes_only_the_setup_seed():
    nb = new_notebook(cells=[new_code_cell("device = course_utils.setup(seed=0)",
                                           metadata={"nbgrader": {"grade_id": "setup"}}), new_code_cell("x = 1")])
    assert determinism.with_seed(nb, 7).cells[0].source == "device = course_utils.setup(seed=7)"
    assert nb.cells[0].source.endswith("seed=0)")


def test_determinism_shows_the_range_of_printed_numbers():
    out = lambda text: new_code_cell("x", outputs=[new_output("stream", name="stdout", text=text)])
    nb1 = new_notebook(cells=[out("epoch 3\nmean 87.8%, worst 79.0% (takes 0-4)\n")])
    nb2 = new_notebook(cells=[out("mean 85.1%, worst 80.5% (takes 0-4)\n")])
    lines = {1: determinism.output_lines(nb1, "mean"), 2: determinism.output_lines(nb2, "mean")}
    assert lines[1] == ["mean 87.8%, worst 79.0% (takes 0-4)"]
    assert determinism.number_ranges(lines) == {"mean #%, worst #% (takes #-#)": [(85.1, 87.8), (79.0, 80.5), (0, 0),
                                                                                   (4, 4)]}


def test_run_definitions_runs_the_chosen_cells_only():
    from course_grading.cells import run_definitions
    nb = new_notebook(cells=[new_code_cell("x = setup(seed=0)", metadata={"nbgrader": {"grade_id": "setup"}}),
                             new_code_cell("def helper():\n    return x", metadata={"nbgrader": {"grade_id": "h"}}),
                             new_code_cell("print('plots'); y = 1"),
                             new_code_cell("class Model:\n    pass"),
                             new_code_cell("raise RuntimeError('a test cell')", metadata={"nbgrader": {"grade_id": "t"}})])
    ns = run_definitions(nb, ["setup", "h"], defining=["Model"], threads=2,
                         namespace={"setup": lambda seed, threads=None: (seed, threads)})
    assert ns["helper"]() == (0, 2) and "Model" in ns and "y" not in ns


def test_import_submissions_from_a_zip(tmp_path):
    nb = nbformat.writes(new_notebook())
    with zipfile.ZipFile(tmp_path / "export.zip", "w") as z:
        z.writestr("Jane Doe_123_attempt.ipynb", nb)
        z.writestr("jdoe/01_x.ipynb", nb)
        z.writestr("jdoe/.ipynb_checkpoints/01_x-checkpoint.ipynb", nb)
    students = batch.import_submissions(tmp_path / "course", "01_x", tmp_path / "export.zip")
    assert sorted(students) == ["Jane_Doe_123_attempt", "jdoe"]
    assert (tmp_path / "course" / "submitted" / "jdoe" / "01_x" / "01_x.ipynb").exists()


def test_limit_outputs_cuts_huge_outputs():
    from course_grading.preprocessors import limit_outputs
    cell = new_code_cell("print(...)")
    cell.outputs = [new_output("stream", name="stdout", text="x" * 1000),
                    new_output("display_data", data={"image/png": "A" * 1000})]
    limit_outputs(cell, 100)
    assert len(cell.outputs[0].text) < 200 and "1000 characters" in cell.outputs[0].text
    assert cell.outputs[1].data == {"text/plain": "(output removed: 1000 characters)"}


def test_guard_restores_what_a_cell_patched():
    from IPython.core.interactiveshell import InteractiveShell
    from course_grading import guard
    shell = InteractiveShell.instance()
    try:
        assert shell.run_cell(guard.install_code()).success
        shell.run_cell("import torch\nfrom course_utils.testing import check_close")
        shell.run_cell("import course_utils.testing as T\nT.check_close = check_close = lambda *a, **k: None\n"
                       "torch.sigmoid = lambda z: z\nlen = lambda x: 3\n"
                       "import ast\nget_ipython().ast_transformers.append(ast.NodeTransformer())")
        result = shell.run_cell(guard.restore_code("n1", "import torch\nfrom course_utils.testing import check_close"))
        assert result.success
        check = shell.run_cell("check_close(torch.sigmoid(torch.zeros(1)), torch.ones(1), 'x')")
        assert type(check.error_in_exec).__name__ == "CheckFailed"
        assert shell.user_ns.get("len", len) is len and not shell.ast_transformers
    finally:
        InteractiveShell.clear_instance()


# Libraries and course modules the hidden tests of notebooks 02-07 compare against: attribute a submission
# could replace to make its own answer the reference.
REFERENCES = {"torchaudio.functional": "melscale_fbanks", "torchaudio.transforms": "MelSpectrogram",
              "torchmetrics.functional.audio": "scale_invariant_signal_distortion_ratio",
              "torchmetrics.functional.classification": "binary_auroc", "course_utils.signals": "chirp",
              "course_utils.digits": "fsdd_split", "course_utils.guitar_amp": "amp",
              "course_utils.degradations": "add_noise", "course_utils.text": "fixed_windows"}


def test_guard_restores_audio_libraries_and_course_modules():
    import importlib
    from IPython.core.interactiveshell import InteractiveShell
    from course_grading import guard
    originals = {m: getattr(importlib.import_module(m), a) for m, a in REFERENCES.items()}
    shell = InteractiveShell.instance()
    try:
        assert shell.run_cell(guard.install_code()).success
        shell.run_cell("import importlib\nfor m, a in %r.items():\n"
                       "    setattr(importlib.import_module(m), a, lambda *a, **k: None)" % REFERENCES)
        assert getattr(importlib.import_module("torchaudio.functional"), "melscale_fbanks") is not \
            originals["torchaudio.functional"], "the patch did not take effect"
        assert shell.run_cell(guard.restore_code("n2")).success
        for m, a in REFERENCES.items():
            assert getattr(importlib.import_module(m), a) is originals[m], f"{m}.{a} was not restored"
    finally:
        for m, a in REFERENCES.items():
            setattr(importlib.import_module(m), a, originals[m])
        InteractiveShell.clear_instance()


def test_guard_restores_kernel_internals_and_reports_them():
    """The shell's compiler and input transformer manager, a class method of the shell, numpy's private
    helpers behind isclose: put back before a test, named in the report; a check after the test sees a patch
    made again (as a background thread would)."""
    import numpy as np
    from IPython.core.interactiveshell import InteractiveShell
    from course_grading import guard
    shell = InteractiveShell.instance()
    compiler, manager, less_equal = shell.compile, shell.input_transformer_manager, np._core.numeric.less_equal
    try:
        assert shell.run_cell(guard.install_code()).success
        shell.run_cell("import numpy as np, types\nip = get_ipython()\n"
                       "ip.compile = type(ip.compile)()\n"
                       "ip.input_transformer_manager = type(ip.input_transformer_manager)()\n"
                       "np._core.numeric.less_equal = lambda a, b: np.ones(np.shape(a), bool)")
        out = shell.run_cell(guard.restore_code("n1"))
        assert out.success
        assert shell.compile is compiler and shell.input_transformer_manager is manager
        assert np._core.numeric.less_equal is less_equal and not np.isclose(1.0, 2.0)
        assert shell.run_cell(guard.restore_code("n2", check_only=True)).success
        np._core.numeric.less_equal = lambda a, b: True  # patched again while the "test" ran
        check = shell.run_cell(guard.restore_code("n3", check_only=True))
        assert check.success and np._core.numeric.less_equal is not less_equal  # a check changes nothing
    finally:
        np._core.numeric.less_equal = less_equal
        InteractiveShell.clear_instance()


def test_guard_report_is_parsed_and_tokens_are_per_cell():
    from course_grading import guard
    line = 'noise\ncourse-guard {"changed": ["a.b"], "n_changed": 1, "threads": [], "token": "%s"}\n' % guard.token("x")
    assert guard.parse(line)["changed"] == ["a.b"] and guard.parse(line)["token"] == guard.token("x")
    assert guard.token("x") != guard.token("y") and guard.parse("course-guard-installed 1") is None


def test_records_round_trip_exactly_and_malformed_ones_are_refused():
    from course_utils.testing import decode_record, record_payload
    for value, shape in [(3.0, ()), (torch.tensor([[1.5, -2.0]]), (1, 2)), (np.array([True, False]), (2,)), (7, ())]:
        name, back = decode_record(json.loads(json.dumps(record_payload("v", value))))
        assert name == "v" and back.shape == shape
        np.testing.assert_array_equal(back, np.asarray(value))
    assert decode_record(record_payload("t", "b")) == ("t", "b") and decode_record(record_payload("n", None))[1] is None
    good = record_payload("v", [1.0, 2.0])
    for bad in [{**good, "shape": [3]}, {**good, "dtype": "|O"}, {**good, "data": "!!"}, {**good, "name": 3}, [1]]:
        with pytest.raises(ValueError):
            decode_record(bad)
    from course_utils.testing import CheckFailed
    for unrecordable in [["a", "b"], torch.tensor([1j])]:  # refused with a message that says what to record instead
        with pytest.raises(CheckFailed, match="record"):
            record_payload("u", unrecordable)


def test_the_judge_block_is_cut_from_the_kernel_and_decides_outside():
    from course_grading import judge
    from course_utils.testing import RECORD_MIME, record_payload
    cell = ("x = f(2)\n### BEGIN HIDDEN TESTS\nrecord('f(3)', f(3))\n### BEGIN JUDGE\n"
            "check_close(records['f(3)'], torch.tensor(9.0), 'f(3)')\n### END JUDGE\n### END HIDDEN TESTS\n")
    kernel, code = judge.split(cell)
    assert "JUDGE" not in kernel and "check_close" not in kernel and "record('f(3)', f(3))" in kernel
    assert judge.split("x = 1\n") == ("x = 1\n", None)

    def outputs(*values):
        return [{"output_type": "display_data", "data": {RECORD_MIME: record_payload("f(3)", v), "text/plain": ""}}
                for v in values] + [{"output_type": "stream", "name": "stdout", "text": "9.0\n"}]

    assert judge.verdict(code, outputs(9.0)) is None
    assert judge.verdict(code, outputs(torch.tensor(9.0 + 1e-7))) is None
    ename, message = judge.verdict(code, outputs(8.0))
    assert ename == "CheckFailed" and "f(3)" in message and "expected 9" in message
    assert "recorded no value 'f(3)'" in judge.verdict(code, outputs())[1]  # a kernel that skipped the test
    assert "recorded twice" in judge.verdict(code, outputs(9.0, 9.0))[1]
    assert "could not be checked" in judge.verdict(code, [{"output_type": "display_data",
                                                           "data": {RECORD_MIME: {"name": "f(3)", "dtype": "<f8"}}}])[1]
