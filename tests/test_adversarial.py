"""Adversarial submissions, graded together by the course's parallel autograder in its sandbox.

Notebook 01 (no training) gets every trick; notebook 03 (training) gets the tricks against the sandbox, the
gradebook and the kernel's internals, added to the untouched student version (its stubs fail fast), and
the reference solution, which must keep full points inside the sandbox.

Each trick is added to a wrong solution that scores 0 (fast, wrong but runnable code in every solution
cell), so any point it gains is a point it stole. A correct solution with its test cells edited, emptied,
deleted, retyped or duplicated keeps its full score. Every submission must get a grade row, a feedback file
without hidden test code, and leave no process behind.
"""
import copy
import csv

import nbformat
import psutil
import pytest

from course_grading import batch
from course_grading.cells import grade_id, is_test
from course_grading.feedback import leaks
from course_grading.pipeline import REPO, autograde, generate_release, make_course

from conftest import ASSIGNMENTS, load_alternatives, manual_only

NAME = "01_binary_classification"
FULL = float(sum(c.metadata.get("nbgrader", {}).get("points", 0)
                 for c in nbformat.read(REPO / "source" / NAME / f"{NAME}.ipynb", as_version=4).cells))

# Wrong but runnable answers: the notebook runs in seconds and every test cell fails on a check.
WRONG = {
    "sigmoid": "def sigmoid(z):\n    return 0.5 + 0 * z",
    "bce": "def bce_with_logits(logits, targets):\n    return (0 * logits).mean()",
    "gradients": "def logistic_gradients(X, y, a, b):\n    return torch.zeros(2), torch.tensor(0.0)",
    "gd_step": "def gd_step(a, b, X, y, lr):\n    return 0.0",
    "accuracy": "def accuracy(probs, labels):\n    return 0.0",
    "q_xor": 'answer_xor = "a"',
    "mlp": "class MLP(nn.Module):\n    def __init__(self, hidden=32, depth=1):\n        super().__init__()\n"
           "        self.net = nn.Linear(2, 1)\n\n    def forward(self, x):\n        return self.net(x).squeeze(-1)",
    "train_step": "def train_step(model, optimizer, x, y):\n    return 0.0",
    "q_relu": 'answer_relu = "a"',
    "early_stopping": "def early_stopping_epoch(val_losses, patience):\n    return 0",
    "q_overfit": 'answer_overfit = "a"',
}

# Code a submission runs in its first solution cell, before any test.
TRICKS = {
    "showtraceback": "get_ipython().showtraceback = lambda *a, **k: None\n"
                     "get_ipython()._showtraceback = lambda *a, **k: None",
    "excepthook": "import sys\nsys.excepthook = lambda *a: None",
    "custom_exc": "get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)",
    "shadow_assertion": "import builtins\nclass AssertionError(Exception): pass\n"
                        "builtins.AssertionError = AssertionError\nbuiltins.isinstance = lambda *a: True",
    "patch_helpers": "import course_utils.testing as T\n"
                     "for n in dir(T):\n    if n.startswith('check') or n == '_fail':\n"
                     "        setattr(T, n, lambda *a, **k: None)\n"
                     "check_close = check_type = check_shape = check_range = check_choice = lambda *a, **k: None",
    "patch_code": "import course_utils.testing as T\n"
                  "for f in [T._fail, T.check_close, T.check_type, T.check_shape, T.check_range, T.check_choice]:\n"
                  "    f.__code__ = (lambda *a, **k: None).__code__\n    f.__defaults__ = None",
    "patch_numpy_torch": "import numpy as np, torch\n"
                         "np.isclose = lambda a, b, **k: np.ones(np.broadcast(a, b).shape, bool)\n"
                         "np.allclose = lambda *a, **k: True\ntorch.allclose = lambda *a, **k: True\n"
                         "torch.sigmoid = lambda z: sigmoid(z)\n"
                         "F.binary_cross_entropy_with_logits = lambda z, t, **k: bce_with_logits(z, t)\n"
                         "torch.Tensor.__eq__ = lambda s, o: torch.ones(s.shape, dtype=torch.bool)",
    "torch_mode": "import torch\nfrom torch.overrides import TorchFunctionMode\n"
                  "class Same(TorchFunctionMode):\n"
                  "    def __torch_function__(self, func, types, args=(), kwargs=None):\n"
                  "        return torch.zeros(()) if func in (torch.sigmoid, F.binary_cross_entropy_with_logits) "
                  "else func(*args, **(kwargs or {}))\nSame().__enter__()",
    "ast_transformer": "import ast\nclass Empty(ast.NodeTransformer):\n"
                       "    def visit_Module(self, node):\n        return ast.Module(body=[], type_ignores=[])\n"
                       "get_ipython().ast_transformers.append(Empty())",
    "input_transformer": "get_ipython().input_transformers_cleanup.append(lambda lines: ['pass\\n'])",
    "hijack_run_cell": "from IPython.core.interactiveshell import ExecutionInfo, ExecutionResult\n"
                       "async def run_cell_async(self, raw_cell, store_history=False, silent=False, "
                       "shell_futures=True, *, transformed_cell=None, preprocessing_exc_tuple=None, cell_id=None):\n"
                       "    return ExecutionResult(ExecutionInfo(raw_cell, store_history, silent, shell_futures, cell_id))\n"
                       "type(get_ipython()).run_cell_async = run_cell_async",
    "always_equal": "class Yes(str):\n    __eq__ = lambda s, o: True\n    __hash__ = str.__hash__\n"
                    "class One(float):\n    __eq__ = lambda s, o: True\n"
                    "answer_xor = answer_relu = Yes('a')\ndef accuracy(probs, labels):\n    return One(0.0)",
    "fake_tensor": "class Fake(torch.Tensor):\n"
                   "    def __eq__(self, other): return torch.ones(self.shape, dtype=torch.bool)\n"
                   "    def allclose(self, *a, **k): return True\n"
                   "    def detach(self): return torch.sigmoid(torch.as_tensor(self.numpy()))\n"
                   "def sigmoid(z):\n    return (0 * z).as_subclass(Fake)",
    "sys_exit": "import sys\nsys.exit(0)",
    "os_exit": "import os\nos._exit(0)",
    "infinite_loop": "while True:\n    pass",
    "uninterruptible": "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    time.sleep(1)",
    "memory_bomb": "import numpy as np\nhog = []\nwhile True:\n    hog.append(np.ones(2**27))",
    "huge_output": "print('x' * 20_000_000)\nfor i in range(100_000):\n    print(i)",
    "daemon": "import subprocess\nsubprocess.Popen(['sleep', '600'], start_new_session=True)",
    "gradebook_write": "import glob, sqlite3\nfor db in glob.glob('../../../*.db'):\n"
                       "    c = sqlite3.connect(db)\n    c.execute('update grade set manual_score = 100')\n"
                       "    c.commit()",
}

# Tricks against the sandbox and the kernel's internals, for any notebook: {NAME} and {GID} are filled in.
# "read_source" runs in every solution cell (it runs the instructor's solution of that cell if it can read it).
READ_SOURCE = """import json as _j, os as _o
for _p in ['../../../source/{NAME}/{NAME}.ipynb', '{REPO}/source/{NAME}/{NAME}.ipynb']:
    if _o.path.exists(_p):
        for _c in _j.load(open(_p))['cells']:
            if _c['metadata'].get('nbgrader', {{}}).get('grade_id') == '{GID}':
                exec(''.join(_c['source']), globals())
        break"""
HIJACK = {  # cells that mention check_ (the tests) run as `pass`, guard cells run as they are
    "gradebook_trigger": "import glob, os, sqlite3\n"
                         "for db in glob.glob('../../../*.db') + glob.glob('../../../../*.db'):\n"
                         "    try:\n        c = sqlite3.connect(db)\n"
                         "        c.execute('create trigger if not exists steal after update on grade begin "
                         "update grade set manual_score = 1000 where id = new.id; end')\n        c.commit()\n"
                         "    except Exception:\n        pass",
    "patch_compiler": "ip = get_ipython()\nclass _C(type(ip.compile)):\n"
                      "    def ast_parse(self, source, filename='<unknown>', symbol='exec'):\n"
                      "        if 'check_' in source and 'course-guard' not in source:\n            source = 'pass'\n"
                      "        return super().ast_parse(source, filename, symbol)\n"
                      "_n = _C()\n_n.__dict__.update(ip.compile.__dict__)\nip.compile = _n",
    "kernel_execute": "_k = get_ipython().kernel\n_orig = _k.do_execute\n"
                      "def _do(code, *a, **k):\n"
                      "    return _orig('pass' if 'check_' in code and 'course-guard' not in code else code, *a, **k)\n"
                      "_k.do_execute = _do",
    "transformer_manager": "ip = get_ipython()\nclass _T(type(ip.input_transformer_manager)):\n"
                           "    def transform_cell(self, cell):\n"
                           "        return 'pass\\n' if 'check_' in cell and 'course-guard' not in cell "
                           "else super().transform_cell(cell)\n"
                           "ip.input_transformer_manager = _T()",
    "session_send": "_s = get_ipython().kernel.session\n_send = _s.send\n"
                    "def _quiet(stream, msg_or_type, content=None, *a, **k):\n"
                    "    t = msg_or_type if isinstance(msg_or_type, str) else msg_or_type['header']['msg_type']\n"
                    "    if t == 'error':\n        return None\n"
                    "    if t == 'execute_reply' and content and content.get('status') == 'error':\n"
                    "        content = {'status': 'ok', 'execution_count': content.get('execution_count'), "
                    "'user_expressions': {}, 'payload': []}\n"
                    "    return _send(stream, msg_or_type, content, *a, **k)\n"
                    "_s.send = _quiet",
    "thread_repatch": "import threading, time, course_utils.testing as _T\n"
                      "def _loop():\n    noop = lambda *a, **k: None\n    while True:\n        try:\n"
                      "            for n in dir(_T):\n                if n.startswith('check') or n == '_fail':\n"
                      "                    setattr(_T, n, noop)\n"
                      "            ns = get_ipython().user_ns\n"
                      "            for n in [n for n in ns if n.startswith('check')]:\n                ns[n] = noop\n"
                      "            time.sleep(0.0005)\n        except BaseException:\n            pass\n"
                      "threading.Thread(target=_loop, daemon=True).start()",
    "numpy_private": "import numpy as np\n"
                     "np._core.numeric.less_equal = lambda a, b: np.ones(np.broadcast(a, b).shape, bool)\n"
                     "np._core.numeric.isfinite = lambda y: np.ones(np.shape(y), bool)\n"
                     "np._core.numeric.isnan = lambda y: np.ones(np.shape(y), bool)",
    "forge_secret": "import sys, hashlib, json\n_k = get_ipython().kernel\n_orig = _k.do_execute\n"
                    "_key = [k for k in sys.modules if k.startswith('_course_guard')]\n"
                    "def _do(code, *a, **k):\n"
                    "    if 'course-guard' in code:\n"
                    "        secret = _key[0].split('_course_guard_')[-1] if _key else ''\n"
                    "        tok = hashlib.sha256(('ok' + secret).encode()).hexdigest()[:16]\n"
                    "        rep = json.dumps(dict(changed=[], n_changed=0, threads=[], token=tok))\n"
                    "        code = f'print(\"course-guard {tok}\")\\nprint(\"course-guard \" + {rep!r})'\n"
                    "    elif 'check_' in code:\n        code = 'pass'\n"
                    "    return _orig(code, *a, **k)\n"
                    "_k.do_execute = _do",
}
TRICKS.update(HIJACK)
# Takes over how the kernel runs cells: the guard's cells run untouched (with the takeover lifted meanwhile, so the
# guard sees a clean kernel) and every test cell runs as `pass`. Only the verdicts reached outside the kernel
# (course_grading/judge.py) stop it.
TRICKS["takeover"] = ("import inspect\n_k = get_ipython().kernel\n_orig = _k.do_execute\n"
                      "async def _do(code, *a, **k):\n"
                      "    guard = 'course-guard' in code\n"
                      "    if guard:\n        del _k.do_execute\n"
                      "    elif 'check_' in code or 'record(' in code:\n        code = 'pass'\n"
                      "    try:\n        r = _orig(code, *a, **k)\n"
                      "        return await r if inspect.isawaitable(r) else r\n"
                      "    finally:\n        if guard:\n            _k.do_execute = _do\n"
                      "_k.do_execute = _do")
# A link where nbgrader writes the graded notebook: the write would overwrite the gradebook.
TRICKS["link_out"] = (f"import os\nos.remove('{NAME}.ipynb')\nos.symlink('../../../gradebook.db', '{NAME}.ipynb')")


def with_read_source(nb, name):
    """``nb`` with READ_SOURCE added to every solution cell."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("solution") and cell.cell_type == "code":
            cell.source += "\n\n" + READ_SOURCE.format(NAME=name, GID=grade_id(cell), REPO=REPO)
    return nb


# A worker sleeps through the hangs: 3 workers on 2 cores. The cell limit leaves the honest submission's training
# cell room on a loaded machine; the notebook limit lets the hangs end by their cell limit ("not run"), while the
# slow submission (25 s of sleep in each of 11 cells) still outlasts it.
LIMITS = dict(timeout=200, cell_timeout=90, mem_gb=6)


def cell_of(nb, gid):
    return next(c for c in nb.cells if grade_id(c) == gid)


def solved(release, source):
    """What a student who solved everything submits: the release with the reference solutions typed in."""
    nb = copy.deepcopy(release)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("solution"):
            code = cell_of(source, grade_id(cell)).source.splitlines()
            cell.source = "\n".join(l for l in code if "### BEGIN SOLUTION" not in l and "### END SOLUTION" not in l)
    return nb


def wrong(release):
    nb = copy.deepcopy(release)
    for gid, code in WRONG.items():
        cell_of(nb, gid).source = code
    return nb


def with_trick(release, code):
    nb = wrong(release)
    cell_of(nb, "sigmoid").source += "\n\n" + code
    return nb


def tampered_tests(source):
    """Solutions of the given notebook; its test cells edited, emptied, deleted, retyped, duplicated."""
    nb = copy.deepcopy(source)
    tests = [c for c in nb.cells if is_test(c)]
    tests[0].source = "pass"
    tests[1].source = ""
    tests[2].cell_type = "markdown"
    tests[2].pop("outputs", None), tests[2].pop("execution_count", None)
    tests[3].metadata.nbgrader["points"] = 100
    nb.cells.insert(nb.cells.index(tests[4]) + 1, nbformat.from_dict({**copy.deepcopy(tests[4]), "source": "pass", "id": "duplicate"}))
    nb.cells.remove(tests[5])
    tests[6].metadata.pop("nbgrader")
    return nb


def reordered(source):
    """Every test cell moved to the top of the notebook, before the setup cell."""
    nb = copy.deepcopy(source)
    tests = [c for c in nb.cells if is_test(c)]
    nb.cells = tests + [c for c in nb.cells if not is_test(c)]
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = make_course(tmp_path_factory.mktemp("adversarial"), [NAME])
    generate_release(course, NAME)
    source = nbformat.read(REPO / "source" / NAME / f"{NAME}.ipynb", as_version=4)
    release = nbformat.read(course / "release" / NAME / f"{NAME}.ipynb", as_version=4)
    subs = {"wrong": wrong(release), "edited_tests": tampered_tests(wrong(release)),
            "reordered": reordered(wrong(release)), "correct_tampered_tests": tampered_tests(solved(release, source)),
            "slow": wrong(release)}
    for gid in WRONG:
        cell_of(subs["slow"], gid).source += "\nimport time\ntime.sleep(25)"
    subs.update({f"trick_{k}": with_trick(release, code) for k, code in TRICKS.items()})
    subs["trick_read_source"] = with_read_source(wrong(release), NAME)
    expected = {k: 0.0 for k in subs}
    expected["correct_tampered_tests"] = FULL
    for student, nb in subs.items():
        target = course / "submitted" / student / NAME
        target.mkdir(parents=True)
        nbformat.write(nb, target / f"{NAME}.ipynb")
    (course / "submitted" / "not_json" / NAME).mkdir(parents=True)
    (course / "submitted" / "not_json" / NAME / f"{NAME}.ipynb").write_text('{"cells": [')
    expected["not_json"] = 0.0
    results = batch.grade_all(course, NAME, sorted(expected), workers=3, progress=lambda s: None, **LIMITS)
    return course, {r.student: r for r in results}, expected


def test_every_submission_gets_its_expected_score(graded):
    course, results, expected = graded
    assert sorted(results) == sorted(expected)
    wrong_scores = {s: results[s].total for s in expected if results[s].total != expected[s]}
    assert not wrong_scores, f"submissions with unexpected scores (expected {expected}): {wrong_scores}"
    for r in results.values():
        assert sum(m for _, m in r.scores.values()) == FULL, f"{r.student}: grade rows missing: {r.scores}"


def test_what_happened_is_reported(graded):
    _, results, _ = graded
    assert results["not_json"].status == "invalid notebook"
    assert results["slow"].status == "timeout"
    assert "kernel died" in results["trick_os_exit"].note
    assert "time limit" in results["trick_infinite_loop"].note
    # a kernel that cannot be interrupted or whose cell execution was taken over is stopped by a cell limit or by the
    # notebook's limit, whichever comes first on the machine; either way the cells after it score 0
    assert any(w in results["trick_uninterruptible"].note for w in ("not run", "grading stopped"))
    assert any(w in results["trick_hijack_run_cell"].note for w in ("tampered", "not run", "grading stopped"))


def test_gradebook_and_csv_hold_every_row(graded):
    from nbgrader.api import Gradebook
    course, results, expected = graded
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in expected:
            sub = gb.find_submission_notebook(NAME, NAME, student)
            assert sum(g.score for g in sub.grades) == expected[student], student
    rows = list(csv.DictReader(open(course / f"grades_{NAME}.csv")))
    assert sorted(r["student"] for r in rows) == sorted(expected)
    assert all(float(r["score"]) == expected[r["student"]] for r in rows)
    assert "test_mlp_quality" in rows[0]


def test_feedback_for_everyone_without_hidden_tests(graded):
    course, _, expected = graded
    source = nbformat.read(REPO / "source" / NAME / f"{NAME}.ipynb", as_version=4)
    for student in expected:
        html = (course / "feedback" / student / NAME / f"{NAME}.html").read_text()
        assert not leaks(html, source), f"{student}: feedback shows hidden tests: {leaks(html, source)[:3]}"
        assert len(html) < 5_000_000, f"{student}: feedback of {len(html)} characters"
    html = (course / "feedback" / "wrong" / NAME / f"{NAME}.html").read_text()
    assert "CheckFailed" in html and "sigmoid on random and extreme logits" not in html


def test_kernels_ran_in_the_sandbox_and_the_report_lists_the_tricks(graded):
    course, results, _ = graded
    _check_sandbox_and_report(course, NAME, results, flagged=[f"trick_{k}" for k in HIJACK] + ["trick_read_source", "trick_link_out"],
                              clean=["wrong", "correct_tampered_tests"])
    integrity = list(csv.DictReader(open(course / f"integrity_{NAME}.csv")))
    assert any(r["student"] == "correct_tampered_tests" and r["kind"] == "cell restored" for r in integrity)


def _check_sandbox_and_report(course, name, results, flagged, clean):
    """The CSV says which sandbox ran; the course gradebook holds no trigger; every trick is listed for review
    in the integrity report, honest submissions are not."""
    import sqlite3
    from course_grading.sandbox import probe
    level, _ = probe()
    rows = {r["student"]: r for r in csv.DictReader(open(course / f"grades_{name}.csv"))}
    for student, r in results.items():
        if r.status in ("ok", "timeout") and r.sandbox != "unknown":
            assert ("bubblewrap" in rows[student]["sandbox"]) == (level == "bwrap"), (student, rows[student]["sandbox"])
    assert all("bubblewrap" in rows[s]["sandbox"] for s in clean) == (level == "bwrap")
    db = sqlite3.connect(course / "gradebook.db")
    assert db.execute("select name from sqlite_master where type in ('trigger', 'view')").fetchall() == []
    assert db.execute("select count(*) from grade where manual_score is not null").fetchone()[0] == 0
    review = {r["student"] for r in csv.DictReader(open(course / f"integrity_{name}.csv")) if r["kind"] in batch.REVIEW}
    assert not [s for s in flagged if s not in review], f"tricks not listed for review: {set(flagged) - review}"
    assert not review & set(clean), f"honest submissions listed for review: {review & set(clean)}"


def test_no_process_is_left_running(graded):
    _no_leftovers()


def _no_leftovers():
    """No grading job or sandboxed kernel left among this process's descendants (the batch grader is their
    subreaper, so even a daemonised child would be one; other users' grading on the machine is not ours)."""
    alive = [p for p in psutil.Process().children(recursive=True) if batch.MARKER in _environ(p) or _sandboxed(p)]
    assert not alive, f"processes left by the grading jobs: {[p.cmdline() for p in alive]}"


def _sandboxed(p):
    try:
        return any("kernel-ipc-" in a for a in p.cmdline())
    except (psutil.Error, OSError):
        return False


def _environ(p):
    try:
        return p.environ()
    except (psutil.Error, OSError):
        return {}


# ---------------------------------------------------------------- notebook 03: training, in the sandbox
NAME3 = "03_digit_recognition"
LIMITS3 = dict(timeout=900, cell_timeout=300, mem_gb=6)


@pytest.fixture(scope="module")
def graded03(tmp_path_factory):
    course = make_course(tmp_path_factory.mktemp("adversarial03"), [NAME3])
    generate_release(course, NAME3)
    source = nbformat.read(REPO / "source" / NAME3 / f"{NAME3}.ipynb", as_version=4)
    release = nbformat.read(course / "release" / NAME3 / f"{NAME3}.ipynb", as_version=4)
    first = next(c for c in release.cells if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code")
    subs = {"reference": solved(release, source), "untouched": release,
            "trick_read_source": with_read_source(release, NAME3)}
    for k, code in HIJACK.items():
        nb = copy.deepcopy(release)
        cell_of(nb, grade_id(first)).source += "\n\n" + code
        subs[f"trick_{k}"] = nb
    for student, nb in subs.items():
        target = course / "submitted" / student / NAME3
        target.mkdir(parents=True)
        nbformat.write(nb, target / f"{NAME3}.ipynb")
    results = batch.grade_all(course, NAME3, sorted(subs), workers=2, progress=lambda s: None, **LIMITS3)
    return course, {r.student: r for r in results}


def test_training_notebook_tricks_score_zero_and_reference_keeps_full_points(graded03):
    course, results = graded03
    full = sum(m for _, m in results["reference"].scores.values())
    assert full > 0 and results["reference"].total == full, results["reference"].note
    stolen = {s: r.total for s, r in results.items() if s != "reference" and r.total != 0}
    assert not stolen, f"tricks that gained points on {NAME3}: {stolen}"
    _check_sandbox_and_report(course, NAME3, results, flagged=[s for s in results if s.startswith("trick_")],
                              clean=["reference", "untouched"])
    _no_leftovers()


# ------------------------------------------------- every judged notebook: a takeover of cell execution
JUDGED = [n for n in ASSIGNMENTS if not manual_only(n)]


def test_a_takeover_of_cell_execution_scores_zero_on_every_judged_notebook(tmp_path):
    """The untouched student version with TRICKS["takeover"] in its first solution cell: every test cell runs as
    `pass` while the guard sees a clean kernel, so only the judges outside the kernel stand between it and full
    points. It must score 0 on every autograded notebook under `make grade` (and on 01 and 03 under plain
    `nbgrader autograde` too), and be listed for review."""
    course = make_course(tmp_path, JUDGED)
    stolen = {}
    for name in JUDGED:
        generate_release(course, name)
        nb = nbformat.read(course / "release" / name / f"{name}.ipynb", as_version=4)
        first = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code")
        first.source += "\n\n" + TRICKS["takeover"]
        target = course / "submitted" / "takeover" / name
        target.mkdir(parents=True)
        nbformat.write(nb, target / f"{name}.ipynb")
        [result] = batch.grade_all(course, name, ["takeover"], workers=1, progress=lambda s: None, **LIMITS3)
        if result.total != 0:
            stolen[name] = (result.total, result.note)
        assert any(f["kind"] == "suspicious code" for f in result.findings), f"{name}: takeover not listed for review"
        if name in (NAME, NAME3):  # plain `nbgrader autograde` with the course's config runs the same judges
            plain = autograde(course, name, target / f"{name}.ipynb", student="takeover_plain")
            if plain.total != 0:
                stolen[f"{name} (plain nbgrader autograde)"] = plain.total
    assert not stolen, f"a takeover gained points: {stolen}"
    _no_leftovers()


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_every_notebook_cheap_checks(name):
    """For every notebook, without running it: the reference solution does not look suspicious to the
    grader, the sandbox hides source/ and the gradebook from a kernel started in a job folder, and the guard's
    install and restore code compile."""
    from course_grading import guard, sandbox
    from course_grading.preprocessors import suspicious
    source = nbformat.read(REPO / "source" / name / f"{name}.ipynb", as_version=4)
    assert suspicious(source) == [], f"{name}: the reference solution would be listed for review"
    compile(guard.install_code(), "<install>", "exec")
    compile(guard.restore_code("n", guard.setup_imports(cell_of(source, "setup").source)), "<restore>", "exec")
    level, why = sandbox.probe()
    if level != "bwrap":
        pytest.skip(f"no sandbox here: {why}")
    import subprocess
    import sys
    import tempfile
    with tempfile.TemporaryDirectory() as job, tempfile.TemporaryDirectory() as ipc:
        probe = (f"import os; print(os.path.exists({str(REPO / 'source' / name)!r}), "
                 f"os.path.exists({str(REPO / 'gradebook.db')!r}) or os.path.exists({str(REPO / 'nbgrader_config.py')!r}), "
                 f"os.path.exists({str(REPO / 'course_utils' / 'data')!r}), os.access('.', os.W_OK))")
        out = subprocess.run(sandbox.bwrap_args(job, ipc) + ["--", sys.executable, "-c", probe],
                             capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["False", "False", "True", "True"], out.stdout + out.stderr


# ------------------------------------------------- honest solutions written another way keep full points
def test_independently_written_correct_solutions_score_full_points_in_the_sandbox(tmp_path):
    """For each notebook with tests/alternatives/<name>.py: the student version with the reference solutions,
    then every alternative typed over its cell (a student who wrote it all another way), graded in the sandbox,
    keeps full points and is not listed for review."""
    names = [n for n in ASSIGNMENTS if load_alternatives(n)]
    assert len(names) >= 2, "alternatives for at least one notebook with training and one without"
    course = make_course(tmp_path, names)
    lost = {}
    for name in names:
        generate_release(course, name)
        source = nbformat.read(REPO / "source" / name / f"{name}.ipynb", as_version=4)
        nb = solved(nbformat.read(course / "release" / name / f"{name}.ipynb", as_version=4), source)
        for alternative in load_alternatives(name):
            cell_of(nb, alternative["replace"]).source = alternative["source"]
        target = course / "submitted" / "independent" / name
        target.mkdir(parents=True)
        nbformat.write(nb, target / f"{name}.ipynb")
        [result] = batch.grade_all(course, name, ["independent"], workers=1, progress=lambda s: None, **LIMITS3)
        missing = {gid: score for gid, score in result.scores.items() if score[0] < score[1]}
        if missing or not result.scores:
            lost[name] = (missing, result.note)
        _check_sandbox_and_report(course, name, {"independent": result}, flagged=[], clean=["independent"])
    assert not lost, f"correct solutions written another way lost points: {lost}"
    _no_leftovers()

