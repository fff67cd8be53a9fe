"""The grading kernel runs in a sandbox: it sees only its own notebook folder.

``SandboxedKernelManager`` is the kernel manager of every grading kernel (``nbgrader_config.py`` sets it for
``nbgrader autograde``; ``make grade``, ``make determinism`` and ``make benchmark`` grade through the same
configuration). Where the machine allows it, the kernel starts inside bubblewrap (Debian package
``bubblewrap``) with fresh mount, PID, network, IPC, UTS and user namespaces and no capabilities. Inside it
sees:

- its notebook folder (the job: ``autograded/<student>/<assignment>/``), writable;
- the Python installation, the virtual environment and ``course_utils`` with its shipped data, read-only;
- the system libraries (``/usr``, a few files of ``/etc``), read-only; a private ``/tmp``;
- a folder with the kernel's connection file and IPC sockets (the kernel talks to the grader over Unix
  sockets, as it has no network).

It does not see the course folder, ``source/``, the gradebook, other submissions or the exchange. The kernel
dies with the grader (``--die-with-parent``), its processes are limited (``RLIMIT_NPROC``, or a pids cgroup
where the grader runs as root, for whom the rlimit does not count).

``COURSE_SANDBOX`` chooses: ``auto`` (default: bubblewrap if it works here, otherwise unsandboxed, said in
the log), ``bwrap`` (fail if bubblewrap does not work) or ``off``. Each grading logs one line that starts
with ``course-sandbox:`` and names what ran; ``course_grading.batch`` copies it into the grades CSV.
"""
import functools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import psutil
from jupyter_client.manager import AsyncKernelManager
from traitlets import Integer, Unicode

from .pipeline import REPO

LOG_PREFIX = "course-sandbox:"
UNSANDBOXED = "unsandboxed"
# Files of /etc the kernel needs (dynamic linker, user names, fonts, certificates, alternatives' links).
ETC = ["ld.so.cache", "ld.so.conf", "ld.so.conf.d", "passwd", "group", "nsswitch.conf", "localtime", "fonts",
       "alternatives", "ssl", "mime.types", "host.conf", "hosts"]


def _python_dirs():
    """The interpreter's installation and the virtual environment (real paths and the paths as named)."""
    dirs = []
    for p in {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(sys.executable)}:
        for q in (p, os.path.realpath(p)):
            if q and os.path.isdir(q) and q != "/" and q not in dirs:
                dirs.append(q)
    # a root that contains another is enough
    return [d for d in dirs if not any(d != o and d.startswith(o.rstrip("/") + "/") for o in dirs)]


def bwrap_args(job, ipc_dir, nproc=None, job_readonly=False, hide_data=False, gpu=True):
    """The bubblewrap command line (without the kernel command) for a kernel whose folder is ``job``.

    The project leaderboard's model workers (course_grading.leaderboard) get their group folder read-only
    (``job_readonly``), ``course_utils`` without its shipped data (``hide_data``: an empty tmpfs over
    ``course_utils/data``), no GPU (``gpu=False``: CPU timings) and no IPC folder (``ipc_dir=None``: they talk
    over pipes)."""
    args = ["bwrap", "--unshare-all", "--die-with-parent", "--cap-drop", "ALL", "--hostname", "grading",
            "--unsetenv", "JPY_PARENT_PID",  # the kernel would take its parent (PID 1 here) for dead
            "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", "--ro-bind", "/sys", "/sys"]
    for top in ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"]:
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    for name in ETC:
        p = "/etc/" + name
        if os.path.exists(p):
            args += ["--ro-bind", p, p]
    for d in _python_dirs():
        if not d.startswith(("/usr/", "/bin", "/lib")):
            args += ["--ro-bind", d, d]
    course_utils = str(REPO / "course_utils")
    args += ["--ro-bind", course_utils, course_utils]
    if hide_data:  # this checkout's data, and a copy installed into the environment (a non-editable install)
        for data in [REPO / "course_utils" / "data",
                     *(p for d in _python_dirs() for p in Path(d).glob("lib/python3*/site-packages/course_utils/data"))]:
            if data.is_dir():
                args += ["--tmpfs", str(data), "--remount-ro", str(data)]
    for dev in sorted(Path("/dev").glob("nvidia*")) if gpu else []:  # a GPU, where there is one
        args += ["--dev-bind", str(dev), str(dev)]
    if ipc_dir:
        args += ["--bind", str(ipc_dir), str(ipc_dir)]
    if job:
        args += ["--ro-bind" if job_readonly else "--bind", str(job), str(job), "--chdir", str(job)]
    return args


@functools.lru_cache(maxsize=None)
def probe(mode=None):
    """What this machine offers: ("bwrap", detail) or ("unsandboxed", why)."""
    mode = (mode or os.environ.get("COURSE_SANDBOX", "auto")).lower()
    if mode in ("off", "0", "none", UNSANDBOXED):
        return UNSANDBOXED, "switched off (COURSE_SANDBOX=off)"
    if not shutil.which("bwrap"):
        why = "bubblewrap is not installed (Debian package bubblewrap)"
    else:
        with tempfile.TemporaryDirectory(prefix="sandbox-probe-") as d:
            try:  # the same namespaces and mounts as a kernel gets (bwrap fails if it cannot make one)
                proc = subprocess.run(bwrap_args(d, d) + ["--", "true"], capture_output=True, text=True, timeout=60)
                if proc.returncode == 0:
                    who = "as root: user namespace, no capabilities" if os.geteuid() == 0 else "user namespace"
                    return "bwrap", f"bubblewrap ({who}; no network, private /tmp, own PID namespace)"
                err = proc.stderr.strip()
                why = f"bubblewrap does not work here: {err.splitlines()[-1] if err else proc.returncode}"
            except (OSError, subprocess.TimeoutExpired) as e:
                why = f"bubblewrap does not work here: {e}"
    if mode == "bwrap":
        raise RuntimeError(f"COURSE_SANDBOX=bwrap but {why}")
    return UNSANDBOXED, why


def _pids_cgroup():
    """A pids cgroup we may create children in (root), or None."""
    if os.geteuid() != 0:
        return None
    for base in (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup")):
        if (base / "cgroup.procs").exists() and os.access(base, os.W_OK) and \
                (base.name == "pids" or "pids" in (base / "cgroup.subtree_control").read_text()):
            return base
    return None


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager that starts the kernel inside bubblewrap where it can (see the module's docstring)."""
    max_processes = Integer(512, help="Processes and threads the kernel may have at once.").tag(config=True)
    sandbox = Unicode("", help="auto, bwrap or off (default: env COURSE_SANDBOX or auto).").tag(config=True)

    def __init__(self, **kw):
        super().__init__(**kw)
        self.level, self.detail = probe(self.sandbox or None)
        self._ipc_dir = None
        self._cgroup = None
        if self.level != UNSANDBOXED:
            # the connection file and the sockets live in a folder that is bound into the sandbox
            self._ipc_dir = Path(tempfile.mkdtemp(prefix="kernel-ipc-"))
            self.transport = "ipc"
            self.ip = str(self._ipc_dir / "k")
            self.connection_file = str(self._ipc_dir / "kernel.json")

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        job = kw.get("cwd") or os.getcwd()
        self.log.info("%s %s for %s", LOG_PREFIX, self.level if self.level == UNSANDBOXED else self.detail, job)
        if self.level == UNSANDBOXED:
            self.log.warning("%s the kernel runs UNSANDBOXED (%s): it can read and write whatever this user can",
                             LOG_PREFIX, self.detail)
            return await super()._async_launch_kernel(kernel_cmd, **kw)
        env = dict(kw.get("env") or os.environ)
        for k in ("COURSE_GRADEBOOK", "COURSE_EXCHANGE", "JUPYTER_RUNTIME_DIR", "JUPYTER_DATA_DIR"):
            env.pop(k, None)
        env.update(HOME="/tmp", TMPDIR="/tmp", MPLCONFIGDIR="/tmp/matplotlib", IPYTHONDIR="/tmp/ipython",
                   PYTHONPATH=str(REPO), PYTHONDONTWRITEBYTECODE="1", COURSE_SANDBOXED="1")
        kw["env"] = env
        cmd = bwrap_args(job, self._ipc_dir) + ["--"] + list(kernel_cmd)
        cmd = ["prlimit", f"--nproc={self.max_processes}", "--"] + cmd if shutil.which("prlimit") else cmd
        base = _pids_cgroup()
        if base is not None:
            try:
                self._cgroup = base / f"course-grading-{uuid.uuid4().hex[:12]}"
                self._cgroup.mkdir()
                (self._cgroup / "pids.max").write_text(str(self.max_processes))
                cmd = ["sh", "-c", 'echo $$ > "$0" && exec "$@"', str(self._cgroup / "cgroup.procs")] + cmd
            except OSError:
                self._cgroup = None
        return await super()._async_launch_kernel(cmd, **kw)

    async def _async_signal_kernel(self, signum):
        """An interrupt goes to the kernel and its children, not to bubblewrap (which would die of it and take
        the kernel with it); other signals go to the whole process group as usual."""
        proc = getattr(self.provisioner, "process", None)
        if self.level == UNSANDBOXED or signum != signal.SIGINT or proc is None:
            return await super()._async_signal_kernel(signum)
        try:
            inside = [p for p in psutil.Process(proc.pid).children(recursive=True) if p.name() != "bwrap"]
        except psutil.Error:
            inside = []
        for p in inside:
            try:
                p.send_signal(signum)
            except psutil.Error:
                pass

    async def _async_cleanup_resources(self, restart=False):
        await super()._async_cleanup_resources(restart=restart)
        if restart:
            return
        if self._cgroup is not None:
            try:
                self._cgroup.rmdir()  # fails while a process is left in it; the grader kills those
            except OSError:
                pass
        if self._ipc_dir is not None:
            shutil.rmtree(self._ipc_dir, ignore_errors=True)



def describe():
    """One line for logs and reports: what sandbox grading uses on this machine."""
    level, detail = probe()
    return detail if level != UNSANDBOXED else f"{UNSANDBOXED} ({detail})"


if __name__ == "__main__":
    print(describe())
