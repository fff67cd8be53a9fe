"""The README's open-course command starts JupyterLab with the course and nbgrader's extensions."""
import json
import os
import signal
import socket
import subprocess
import time
import urllib.request

from course_grading.pipeline import REPO

TOKEN = "course-test-token"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port, path):
    sep = "&" if "?" in path else "?"
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}{sep}token={TOKEN}", timeout=10) as r:
        return r.status, r.read().decode()


def test_make_lab_serves_the_course_with_nbgrader():
    port = free_port()
    flags = f"--no-browser --ip=127.0.0.1 --port={port} --IdentityProvider.token={TOKEN}"
    proc = subprocess.Popen(["make", "-s", "lab", f"LAB_FLAGS={flags}"], cwd=REPO, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 90
        while True:
            try:
                status, _ = get(port, "/api/status")
                break
            except OSError:
                assert proc.poll() is None, "`make lab` exited before JupyterLab answered"
                assert time.time() < deadline, "JupyterLab did not answer within 90 s"
                time.sleep(1)
        assert status == 200
        status, body = get(port, "/api/contents/release/01_binary_classification")
        names = [item["name"] for item in json.loads(body)["content"]]
        assert "01_binary_classification.ipynb" in names
        status, page = get(port, "/lab")
        assert status == 200 and "JupyterLab" in page
        status, body = get(port, "/lab/api/extensions")
        assert "nbgrader" in body, "the nbgrader JupyterLab extension is not installed"
        status, page = get(port, "/formgrader")
        assert status == 200, "nbgrader's formgrader (instructors' view) does not answer"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
