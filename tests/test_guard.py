"""The guard undoes patches of every library the later notebooks' hidden tests compare against.

test_adversarial.py proves the guard inside real grading on notebook 01; this checks, in one IPython shell,
that the audio libraries and the course's own data modules are covered too.
"""
import subprocess
import sys
import textwrap

from course_grading import guard

PATCHED = {  # module: attribute a submission could replace to make its own answer the reference
    "torchaudio.functional": "melscale_fbanks",
    "torchaudio.transforms": "MelSpectrogram",
    "torchmetrics.functional.audio": "scale_invariant_signal_distortion_ratio",
    "torchmetrics.functional.classification": "binary_auroc",
    "course_utils.signals": "chirp",
    "course_utils.digits": "fsdd_split",
    "course_utils.guitar_amp": "amp",
    "course_utils.degradations": "add_noise",
}


def run_in_shell(code):
    script = textwrap.dedent("""
        from IPython.core.interactiveshell import InteractiveShell
        shell = InteractiveShell.instance()
        for cell in CELLS:
            result = shell.run_cell(cell)
            if not result.success:
                raise SystemExit(f"cell failed: {result.error_in_exec or result.error_before_exec!r}")
    """)
    return subprocess.run([sys.executable, "-c", f"CELLS = {code!r}\n{script}"], capture_output=True, text=True,
                          timeout=300)


def test_guard_restores_audio_libraries_and_course_modules():
    secret = "test-secret"
    imports = "\n".join(f"import {m}" for m in PATCHED)
    originals = "\n".join(f"orig_{i} = {m}.{a}" for i, (m, a) in enumerate(PATCHED.items()))
    patches = "\n".join(f"{m}.{a} = lambda *a, **k: None" for m, a in PATCHED.items())
    checks = "\n".join(f"assert {m}.{a} is orig_{i}, '{m}.{a} was not restored'"
                       for i, (m, a) in enumerate(PATCHED.items()))
    cells = [imports, originals, guard.install_code(secret), patches,
             "assert torchaudio.functional.melscale_fbanks(1) is None  # the patch took effect",
             guard.restore_code(secret, imports), checks, "print('all restored')"]
    proc = run_in_shell(cells)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert guard.token(secret) in proc.stdout, "the restore did not print its token"
    assert "all restored" in proc.stdout


def test_guard_check_fails_without_restore():
    """The check above can fail: without the restore the patch stays."""
    cells = ["import torchaudio.functional", "orig = torchaudio.functional.melscale_fbanks",
             "torchaudio.functional.melscale_fbanks = lambda *a, **k: None",
             "assert torchaudio.functional.melscale_fbanks is orig, 'not restored'"]
    proc = run_in_shell(cells)
    assert proc.returncode != 0 and "not restored" in proc.stdout + proc.stderr
