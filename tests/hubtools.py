"""A real JupyterHub for the tests: the course's hub/jupyterhub_config.py with configurable-http-proxy, an
instructor and two students as real system users, all on 127.0.0.1, stopped and removed afterwards.

Used by tests/test_hub*.py and tests/test_browser*.py through the session fixture ``course_hub`` (imported by
conftest.py, so that one hub serves both)."""
import json
import os
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from course_grading.pipeline import REPO

ASSIGNMENT = "01_binary_classification"  # the quickest to grade
ENV_BIN = Path(sys.executable).parent
ARTIFACTS = Path(os.environ.get("COURSE_TEST_ARTIFACTS", REPO / "tests" / "artifacts"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proxy_command():
    """configurable-http-proxy: on PATH or in the course's .npm/ (installed by `make system-deps`)."""
    found = shutil.which("configurable-http-proxy")
    local = REPO / ".npm" / "node_modules" / ".bin" / "configurable-http-proxy"
    return found or (str(local) if local.exists() else None)


def hub_requirements():
    """Why a hub cannot be started here, or None. Only what installation cannot fix on this machine."""
    if os.name != "posix" or not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "the hub tests create system users (an instructor, two students) and need root"
    for tool in ("useradd", "userdel", "groupadd", "groupdel", "runuser", "chpasswd"):
        if not shutil.which(tool):
            return f"`{tool}` is missing (Debian package passwd/util-linux; `make system-deps` installs it)"
    try:
        import jupyterhub  # noqa: F401
    except ImportError:
        return "jupyterhub is not installed (pip install -r requirements.txt)"
    if not proxy_command():
        return "configurable-http-proxy is missing (`make system-deps` installs it with npm into .npm/)"
    return None


def run(*cmd, check=True, **kw):
    return subprocess.run(list(cmd), check=check, capture_output=True, text=True, **kw)


@dataclass
class Hub:
    url: str
    token: str
    course: Path
    exchange: Path
    instructor: str
    students: list
    passwords: dict
    log: Path
    uids: dict = field(default_factory=dict)

    def request(self, method, path, data=None, timeout=60, raw=False, headers=False):
        """An HTTP request to the hub or a user's server (``/user/NAME/...``), authenticated with the test's
        admin service token. Returns the decoded JSON (or the text with raw=True; and the response headers with
        headers=True)."""
        body = None if data is None else json.dumps(data).encode()
        req = urllib.request.Request(self.url + path, data=body, method=method,
                                     headers={"Authorization": f"token {self.token}",
                                              "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                text, response_headers = r.read().decode(), r.headers
        except urllib.error.HTTPError as e:
            raise AssertionError(f"{method} {path} -> HTTP {e.code}: {e.read().decode()[:2000]}\n"
                                 f"hub log tail:\n{self.log_tail()}") from None
        if raw:
            return (text, response_headers) if headers else text
        return json.loads(text) if text.strip() else None

    def log_tail(self, chars=4000):
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def start_servers(self, names, timeout=240):
        """Start these users' servers through the hub's REST API (all at once) and wait until they are ready."""
        for name in names:
            model = self.request("GET", f"/hub/api/users/{name}")
            if "" not in (model.get("servers") or {}):
                self.request("POST", f"/hub/api/users/{name}/server")
        deadline = time.time() + timeout
        waiting = list(names)
        while waiting and time.time() < deadline:
            model = self.request("GET", f"/hub/api/users/{waiting[0]}")
            server = (model.get("servers") or {}).get("")
            if server and server.get("ready"):
                waiting.pop(0)
            else:
                time.sleep(1)
        assert not waiting, f"servers of {waiting} not ready within {timeout} s.\n{self.log_tail()}"

    def as_user(self, name, *cmd, check=False):
        """Run a command as the system user ``name`` (to check what that user can and cannot read)."""
        return run("runuser", "-u", name, "--", *cmd, check=check)


def _ancestors(path):
    path = Path(path)
    return [path, *path.parents]


def _grant_traverse(paths, users, undo):
    """Users must reach the environment's interpreter and packages. A Python installed under /root (mode 700)
    is not reachable for anybody else: grant these users (ACL) or everybody (mode, restored afterwards) the
    right to pass through exactly the folders that block it."""
    blocked = []
    for p in paths:
        for d in _ancestors(p):
            if d.is_dir() and not (os.stat(d).st_mode & stat.S_IXOTH) and d not in blocked:
                blocked.append(d)
    for d in blocked:
        entries = ",".join(f"u:{u}:x" for u in users)
        if shutil.which("setfacl") and run("setfacl", "-m", entries, str(d), check=False).returncode == 0:
            undo.append(lambda d=d: run("setfacl", "-x", ",".join(f"u:{u}" for u in users), str(d), check=False))
        else:
            mode = stat.S_IMODE(os.stat(d).st_mode)
            os.chmod(d, mode | stat.S_IXOTH)
            undo.append(lambda d=d, mode=mode: os.chmod(d, mode))


def _copy_course(dest):
    """The parts of the course a hub serves, in a folder every user can reach (pytest's tmp folders are 700)."""
    from course_grading.pipeline import make_course
    make_course(dest, [ASSIGNMENT])
    for part in ("course_utils", "course_grading", "hub"):
        shutil.copytree(REPO / part, dest / part, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy(REPO / "pyproject.toml", dest / "pyproject.toml")


def _kill_user_processes(uids):
    """Kill whatever still runs as the test's users (their servers and kernels, if the hub left any)."""
    for _ in range(2):
        found = False
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                if os.stat(f"/proc/{pid}").st_uid in uids:
                    os.kill(int(pid), signal.SIGKILL)
                    found = True
            except (OSError, ProcessLookupError):
                pass
        if not found:
            return
        time.sleep(1)


def processes_of(uids):
    pids = []
    for pid in os.listdir("/proc"):
        try:
            if pid.isdigit() and os.stat(f"/proc/{pid}").st_uid in uids:
                pids.append(int(pid))
        except OSError:
            pass
    return pids


@pytest.fixture(scope="session")
def course_hub():
    why = hub_requirements()
    if why:
        pytest.skip(f"JupyterHub tests skipped: {why}")
    undo = []  # run in reverse order by the finaliser
    hub_proc = None
    tag = secrets.token_hex(3)
    students_group, instructors_group = f"cs{tag}s", f"cs{tag}i"
    instructor, students = f"cs{tag}inst", [f"cs{tag}alice", f"cs{tag}bob"]
    users = [instructor, *students]
    base = Path(tempfile.mkdtemp(prefix="course-hub-", dir="/tmp"))
    undo.append(lambda: shutil.rmtree(base, ignore_errors=True))
    try:
        os.chmod(base, 0o755)
        for group in (students_group, instructors_group):
            run("groupadd", group)
            undo.append(lambda g=group: run("groupdel", g, check=False))
        passwords = {}
        for user in users:
            group = instructors_group if user == instructor else students_group
            run("useradd", "--create-home", "--shell", "/bin/bash", "--groups", group, user)
            undo.append(lambda u=user: run("userdel", "--remove", u, check=False))
            passwords[user] = secrets.token_urlsafe(12)
        run("chpasswd", input="".join(f"{u}:{p}\n" for u, p in passwords.items()))
        uids = {u: int(run("id", "-u", u).stdout) for u in users}
        undo.append(lambda: _kill_user_processes(set(uids.values())))

        _grant_traverse([Path(sys.executable).resolve(), Path(sys.prefix), Path(sys.executable).parent], users,
                        undo)
        course = base / "course"
        _copy_course(course)
        run("chown", "-R", f"{instructor}:{instructors_group}", str(course))
        exchange, state = base / "exchange", base / "state"

        port, hub_port, api_port = free_port(), free_port(), free_port()
        token = secrets.token_hex(24)
        config = base / "hub_test_config.py"
        config.write_text(
            f"load_subconfig({str(course / 'hub' / 'jupyterhub_config.py')!r})\n"
            "# the tests: everything on 127.0.0.1, an admin service whose token drives the REST APIs\n"
            f"c.JupyterHub.bind_url = 'http://127.0.0.1:{port}'\n"
            f"c.JupyterHub.hub_bind_url = 'http://127.0.0.1:{hub_port}'\n"
            f"c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:{api_port}'\n"
            f"c.ConfigurableHTTPProxy.command = [{proxy_command()!r}]\n"
            "c.Spawner.ip = '127.0.0.1'\n"
            f"c.JupyterHub.services = [{{'name': 'course-test', 'api_token': {token!r}}}]\n"
            "c.JupyterHub.load_roles = [{'name': 'admin', 'services': ['course-test']}]\n")
        env = dict(os.environ, COURSE_DIR=str(course), COURSE_EXCHANGE=str(exchange), COURSE_HUB_STATE=str(state),
                   COURSE_STUDENTS_GROUP=students_group, COURSE_INSTRUCTORS_GROUP=instructors_group,
                   COURSE_CPU_LIMIT="1")
        env.pop("PYTHONPATH", None)
        log = base / "jupyterhub.log"
        with open(log, "w") as out:
            hub_proc = subprocess.Popen([str(ENV_BIN / "jupyterhub"), "-f", str(config)], cwd=base, env=env,
                                        stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

        def stop_hub():
            if hub_proc.poll() is None:
                os.killpg(hub_proc.pid, signal.SIGTERM)  # the hub stops the users' servers and the proxy
                try:
                    hub_proc.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    os.killpg(hub_proc.pid, signal.SIGKILL)
                    hub_proc.wait(timeout=30)
            try:
                os.killpg(hub_proc.pid, signal.SIGKILL)  # the proxy, if it outlived the hub
            except ProcessLookupError:
                pass
            _stop_pidfile(state / "jupyterhub-proxy.pid")
        undo.append(stop_hub)

        hub = Hub(url=f"http://127.0.0.1:{port}", token=token, course=course, exchange=exchange,
                  instructor=instructor, students=students, passwords=passwords, log=log, uids=uids)
        deadline = time.time() + 120
        while True:
            try:
                hub.request("GET", "/hub/api/", timeout=10)
                break
            except (OSError, AssertionError) as e:
                if hub_proc.poll() is not None or time.time() > deadline:
                    raise AssertionError(f"JupyterHub did not answer within 120 s ({e}).\n{hub.log_tail()}")
                time.sleep(1)
        hub.request("POST", "/hub/api/users", {"usernames": users})
        yield hub
    finally:
        for step in reversed(undo):
            t0 = time.perf_counter()
            try:
                step()
            except Exception as e:  # a failing clean-up step must not hide the others
                print(f"hub clean-up step failed: {e!r}")
            if os.environ.get("COURSE_HUB_DEBUG"):
                print(f"clean-up {getattr(step, '__name__', step)}: {time.perf_counter() - t0:.1f} s")


def _stop_pidfile(path):
    """The proxy runs in a session of its own: stop it by its pid file if the hub did not."""
    try:
        pid = int(Path(path).read_text())
        if b"configurable-http-proxy" in Path(f"/proc/{pid}/cmdline").read_bytes():
            os.kill(pid, signal.SIGTERM)
    except (OSError, ValueError):
        pass
