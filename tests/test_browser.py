"""The course in a real browser: headless Chromium (Debian's package, driven by Playwright; no browser is
downloaded) against `make lab` and against the course's JupyterHub. A failing check leaves a screenshot in
tests/artifacts/ (or $COURSE_TEST_ARTIFACTS)."""
import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from course_grading.pipeline import REPO
from hubtools import ARTIFACTS, ASSIGNMENT, free_port

CHROMIUM = os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
TOKEN = "course-browser-test-token"
SLOW = 180_000  # ms: a kernel start and torch import on a loaded 2-core machine


try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # the tests skip (see the fixture)
    PlaywrightTimeout = TimeoutError


def _browser_requirements():
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -r requirements.txt)"
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} is missing (Debian package chromium: `make system-deps` installs it as root)"
    return None


@pytest.fixture(scope="module")
def browser():
    why = _browser_requirements()
    if why:
        pytest.skip(f"browser tests skipped: {why}")
    from playwright.sync_api import sync_playwright
    profile = tempfile.mkdtemp(prefix="course-chromium-")  # a fresh profile, nothing carried between runs
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, headless=True,
                                                       args=FLAGS, viewport={"width": 1400, "height": 900},
                                                       env=dict(os.environ, HOME=profile))  # crash reports too
        try:
            yield context
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


@contextlib.contextmanager
def screenshot_on_failure(page, name):
    try:
        yield
    except BaseException:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(Exception):
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
            print(f"screenshot: {ARTIFACTS / f'{name}.png'}")
        raise


@pytest.fixture(scope="module")
def lab():
    """`make lab` on 127.0.0.1 with a token; autosave off, so that running cells never rewrites release/."""
    settings = Path(tempfile.mkdtemp(prefix="course-lab-settings-"))
    plugin = settings / "@jupyterlab" / "docmanager-extension"
    plugin.mkdir(parents=True)
    (plugin / "plugin.jupyterlab-settings").write_text('{"autosave": false}')
    apputils = settings / "@jupyterlab" / "apputils-extension"  # no news or update checks (network)
    apputils.mkdir(parents=True)
    (apputils / "notification.jupyterlab-settings").write_text('{"fetchNews": "false", "checkForUpdates": false}')
    port = free_port()
    flags = (f"--no-browser --ip=127.0.0.1 --port={port} --IdentityProvider.token={TOKEN} "
             f"--LabApp.user_settings_dir={settings} --LabApp.workspaces_dir={settings} "
             "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate")
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)  # the test suite's Agg would hide the plots; a student's lab draws inline
    proc = subprocess.Popen(["make", "-s", "lab", f"LAB_FLAGS={flags}"], cwd=REPO, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 120
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=10)
                break
            except OSError:
                assert proc.poll() is None, "`make lab` exited before JupyterLab answered"
                assert time.time() < deadline, "JupyterLab did not answer within 120 s"
                time.sleep(1)
        yield url
    finally:
        stop_group(proc)  # make, JupyterLab and its kernels
        shutil.rmtree(settings, ignore_errors=True)


def group_members(pgid):
    """Live processes of a process group (zombies, already exited, do not count)."""
    members = []
    for pid in os.listdir("/proc"):
        try:
            if pid.isdigit() and os.getpgid(int(pid)) == pgid:
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
                if state != "Z":
                    members.append(int(pid))
        except (OSError, IndexError):
            pass
    return members


def stop_group(proc, grace=60):
    """SIGTERM the process group that ``proc`` leads, wait until every member has exited, SIGKILL after
    ``grace`` seconds (make exits at once; JupyterLab first shuts its kernels down)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.time() + grace
    while group_members(proc.pid) and time.time() < deadline:
        proc.poll()  # reaps make once it has exited
        time.sleep(0.5)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def test_release_notebook_runs_its_setup_cell_and_draws_a_plot(browser, lab):
    release = REPO / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    before = release.read_bytes()
    page = browser.new_page()
    with screenshot_on_failure(page, "lab_release_notebook"):
        page.goto(f"{lab}/lab/tree/release/{ASSIGNMENT}/{ASSIGNMENT}.ipynb?token={TOKEN}")
        cells = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell")
        cells.nth(3).wait_for(timeout=SLOW)
        page.get_by_text(re.compile(r"\(ipykernel\)\s*\|\s*Idle")).first.wait_for(timeout=SLOW)  # kernel up
        device_line = cells.nth(1).locator(".jp-OutputArea-output").filter(has_text="Running on")
        for attempt in range(3):  # a run request sent while the kernel connects can be lost: send it again
            # the setup cell (1), the data section's text (2) and the cell that plots the datasets (3)
            cells.nth(1).locator(".jp-InputArea-editor").click()
            for _ in range(3):
                page.keyboard.press("Shift+Enter")
            try:
                device_line.wait_for(timeout=SLOW // 3 if attempt < 2 else SLOW)
                break
            except PlaywrightTimeout:
                if attempt == 2:
                    raise
        text = device_line.inner_text()
        assert "Running on" in text and "CPU threads" in text and "seed 0" in text, text
        plot = cells.nth(3).locator(".jp-OutputArea-output img")
        plot.wait_for(timeout=SLOW)
        width = plot.evaluate("img => img.complete ? img.naturalWidth : 0")
        assert width > 100, f"the plot did not render (image width {width})"
    page.close()
    assert release.read_bytes() == before, "running cells in the browser changed the committed release notebook"


def test_assignment_list_and_formgrader_render_in_lab(browser, lab):
    page = browser.new_page()
    with screenshot_on_failure(page, "lab_nbgrader"):
        page.goto(f"{lab}/lab?token={TOKEN}")
        page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click(timeout=SLOW)
        page.locator(".lm-Menu-itemLabel", has_text="Assignment List").click()
        page.get_by_text("Released assignments").first.wait_for(timeout=SLOW)
        page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
        page.locator(".lm-Menu-itemLabel").filter(has_text="Formgrader").first.click()
        frame = page.frame_locator("iframe").first
        frame.get_by_text("Manage Assignments").first.wait_for(timeout=SLOW)
    page.close()


def test_formgrader_renders_on_the_hub(browser, course_hub):
    """jupyterhub-singleuser forbids framing by default; the course's header setting lets the formgrader's
    iframe draw (jupyter/nbgrader#1870). Logs in through the hub's login form (PAM, a real system user)."""
    hub = course_hub
    page = browser.new_page()
    with screenshot_on_failure(page, "hub_formgrader"):
        page.goto(f"{hub.url}/hub/login")
        page.fill("input[name=username]", hub.instructor)
        page.fill("input[name=password]", hub.passwords[hub.instructor])
        page.click("[type=submit]")
        page.wait_for_url(f"**/user/{hub.instructor}/lab**", timeout=SLOW)
        page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click(timeout=SLOW)
        page.locator(".lm-Menu-itemLabel").filter(has_text="Formgrader").first.click()
        frame = page.frame_locator("iframe").first
        frame.get_by_text("Manage Assignments").first.wait_for(timeout=SLOW)
        assert frame.locator("body").inner_text().strip(), "the formgrader's iframe is blank"
    page.close()
    # the student's lab on the hub has the Assignments list and no formgrader
    student = hub.students[0]
    page = browser.new_page()
    with screenshot_on_failure(page, "hub_student_assignments"):
        page.context.clear_cookies()
        page.goto(f"{hub.url}/hub/login")
        page.fill("input[name=username]", student)
        page.fill("input[name=password]", hub.passwords[student])
        page.click("[type=submit]")
        page.wait_for_url(f"**/user/{student}/lab**", timeout=SLOW)
        page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click(timeout=SLOW)
        items = page.locator(".lm-Menu-itemLabel")
        items.first.wait_for()
        labels = items.all_inner_texts()
        assert "Assignment List" in labels and "Formgrader" not in labels, labels
        page.locator(".lm-Menu-itemLabel", has_text="Assignment List").click()
        page.get_by_text("Released assignments").first.wait_for(timeout=SLOW)
    page.close()
