"""The project leaderboard (course_grading.leaderboard) with fake groups, real worker processes and the real
sandbox where the machine has bubblewrap: working models get scores, every broken one gets a row with its
error, a model that looks for the data or the test set sees nothing, and no process is left behind."""
import csv

import nbformat
import psutil
import pytest
import torch
from nbformat.v4 import new_code_cell, new_notebook
from torch import nn

from course_grading import leaderboard, sandbox
from course_utils.project import CHECKPOINT, MODEL_CELLS

NB = leaderboard.NOTEBOOK
SETUP = "import warnings\nwarnings.filterwarnings('ignore')\nimport torch\nfrom torch import nn\nimport course_utils\n" \
        "device = course_utils.setup(seed=0)"


class Gain(nn.Module):
    def __init__(self):
        super().__init__()
        self.gain = nn.Parameter(torch.tensor(0.8))


GAIN = "class Denoiser(nn.Module):\n    def __init__(self):\n        super().__init__()\n" \
       "        self.gain = nn.Parameter(torch.tensor(1.0))\n\n    def enhance(self, wave):\n        return {out}"
MASK = ("from course_utils.denoising import MaskDenoiser\n\nclass Denoiser(nn.Module):\n    def __init__(self):\n"
        "        super().__init__()\n        self.net = MaskDenoiser(nn.Sequential(nn.Conv2d(1, 1, 3, padding=1), nn.Sigmoid()))\n\n"
        "    def enhance(self, wave):\n        return self.net(wave[None])[0]")
SPY = SETUP + """
import glob, os, socket
seen = []
_data = os.path.join(os.path.dirname(course_utils.__file__), 'data')
seen += ['data/' + n for n in (os.listdir(_data) if os.path.isdir(_data) else [])]
try:
    from course_utils.data import load_noise
    load_noise()
    seen.append('load_noise worked')
except Exception:
    pass
_repo = os.path.dirname(os.path.dirname(course_utils.__file__))
seen += [n for n in os.listdir(_repo) if n not in ('course_utils', '.venv')]
seen += [n for n in os.listdir('..') if n != os.path.basename(os.getcwd())]
seen += glob.glob('/tmp/**/*.csv', recursive=True) + glob.glob('/tmp/**/gain_a', recursive=True)
_pids = [p for p in os.listdir('/proc') if p.isdigit()]
if len(_pids) > 4:
    seen.append(f'{len(_pids)} processes')
try:
    open('denoiser.pt', 'ab').close()
    seen.append('could write its folder')
except OSError:
    pass
try:
    socket.create_connection(('1.1.1.1', 80), timeout=2)
    seen.append('network')
except OSError:
    pass"""
HANG = "    def enhance(self, wave):\n        import subprocess\n" \
       "        subprocess.Popen(['sleep', '600'], start_new_session=True)\n        while True:\n            pass"


def _group(folder, setup=SETUP, denoiser=GAIN.format(out="self.gain * wave"), state="gain", notebook=True):
    folder.mkdir(parents=True)
    meta = lambda gid: {"nbgrader": {"grade_id": gid, "grade": False, "solution": gid != "setup", "locked": gid == "setup",
                                     "schema_version": 3}}
    if notebook:
        nbformat.write(new_notebook(cells=[
            new_code_cell(setup, metadata=meta("setup")),
            new_code_cell("%matplotlib inline\nraise RuntimeError('a training cell: never run')", metadata=meta("train")),
            new_code_cell(denoiser, metadata=meta("denoiser")),
        ]), folder / NB)
    if state == "gain":
        torch.save(Gain().state_dict(), folder / CHECKPOINT)
    elif state == "mask":
        torch.manual_seed(0)
        net = nn.Sequential(nn.Conv2d(1, 1, 3, padding=1), nn.Sigmoid())
        torch.save({f"net.net.{k}": v for k, v in net.state_dict().items()}, folder / CHECKPOINT)
    elif state == "other":
        torch.save({"weight": torch.zeros(3)}, folder / CHECKPOINT)


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    assert MODEL_CELLS == ("setup", "denoiser")
    root = tmp_path_factory.mktemp("leaderboard")
    sub = root / "course" / "submitted"
    specs = {  # group: (member who submitted, what the folder holds)
        "gain": dict(), "mask": dict(denoiser=MASK, state="mask"),
        "raises": dict(denoiser=GAIN.format(out="1 / 0")),
        "hangs": dict(denoiser=GAIN.format(out="wave").split("    def enhance")[0] + HANG),
        "no_checkpoint": dict(state=None), "no_notebook": dict(notebook=False),
        "cell_raises": dict(setup=SETUP + "\nraise ValueError('a broken setup cell')"),
        "mismatch": dict(state="other"),
        "short": dict(denoiser=GAIN.format(out="wave[:-1]")), "float64": dict(denoiser=GAIN.format(out="wave.double()")),
        "nan": dict(denoiser=GAIN.format(out="wave * float('nan')")),
        "spy": dict(setup=SPY, denoiser=GAIN.format(out="wave if not seen else (_ for _ in ()).throw(RuntimeError(f'saw {seen}'))")),
    }
    lines = ["group,student"]
    for group, spec in specs.items():
        _group(sub / f"{group}_a" / leaderboard.ASSIGNMENT, **spec)
        lines += [f"{group},{group}_a", f"{group},{group}_b"]
    lines += ["absent,nobody_a"]
    (root / "groups.csv").write_text("\n".join(lines) + "\n")
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    assert leaderboard.main(["--groups", str(root / "groups.csv"), "--course", str(root / "course"),
                             "--out", str(root / "out"), "--per-condition", "1", "--workers", "3",
                             "--timeout", "20", "--load-timeout", "150"]) == 0
    left = [p for p in psutil.Process().children(recursive=True) if p.pid not in before]
    rows = {r["group"]: r for r in csv.DictReader(open(root / "out" / "leaderboard.csv"))}
    return root, rows, left


def test_working_models_and_baselines_are_scored(board):
    root, rows, _ = board
    for g in ["gain", "mask", "noisy input", "spectral subtraction"]:
        assert rows[g]["status"] == "ok", rows[g]
        assert float(rows[g]["rtf"]) > 0 and float(rows[g]["pesq"]) > 0
    assert float(rows["noisy input"]["si_sdr_improvement_db"]) == 0.0
    assert float(rows["gain"]["si_sdr_improvement_db"]) == pytest.approx(0.0, abs=0.01)  # a gain changes no SI-SDR
    assert float(rows["spectral subtraction"]["si_sdr_improvement_db"]) > 1.0
    assert rows["gain"]["members"] == "gain_a gain_b" and rows["gain"]["rank"] != ""
    ok = [float(r["si_sdr_improvement_db"]) for r in csv.DictReader(open(root / "out" / "leaderboard.csv")) if r["status"] == "ok"]
    assert ok == sorted(ok, reverse=True)
    details = list(csv.DictReader(open(root / "out" / "leaderboard_details.csv")))
    assert {(d["noise"], d["snr_db"]) for d in details if d["group"] == "mask"} == \
        {(k, str(s)) for k in leaderboard.NOISES for s in leaderboard.SNRS}
    assert (root / "out" / "leaderboard.png").stat().st_size > 1000


@pytest.mark.parametrize("group, error", [
    ("raises", "enhance raised: ZeroDivisionError"), ("hangs", "timeout"), ("no_checkpoint", "checkpoint missing"),
    ("no_notebook", "notebook missing"), ("cell_raises", "cell setup raised"), ("mismatch", "loading denoiser.pt failed"),
    ("short", "shape (23999,)"), ("float64", "dtype torch.float64"), ("nan", "NaN"), ("absent", "not submitted")])
def test_a_broken_model_gets_a_row_with_its_error(board, group, error):
    _, rows, _ = board
    assert rows[group]["status"] == "error" and error in rows[group]["error"], rows[group]
    assert rows[group]["rank"] == ""


def test_the_worker_sees_no_data_no_test_set_no_other_group(board):
    _, rows, _ = board
    level, why = sandbox.probe()
    if level != "bwrap":
        assert rows["spy"]["status"] == "error" and "saw" in rows["spy"]["error"]
        assert all("unsandboxed" in r["sandbox"] for r in rows.values() if r["sandbox"])
        pytest.skip(f"no sandbox here ({why}): the spy sees the data, and the CSV says unsandboxed")
    assert rows["spy"]["status"] == "ok", rows["spy"]["error"]
    assert all("bubblewrap" in r["sandbox"] for r in rows.values() if r["sandbox"])


def test_no_process_is_left_behind(board):
    _, _, left = board
    alive = [p for p in left if p.is_running()]
    assert not alive, [(p.name(), p.status()) for p in alive]
