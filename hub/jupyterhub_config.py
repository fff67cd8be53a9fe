"""JupyterHub for the course on one machine: real system users, nbgrader's shared exchange, the formgrader for
instructors and the Assignments tab for students.

Run as root from the course's environment, in the course folder (see README, "Running the course on a
JupyterHub"):

    sudo .venv/bin/jupyterhub -f hub/jupyterhub_config.py

Everything below can be changed with environment variables of the hub (defaults in brackets):
COURSE_DIR [the folder above hub/], COURSE_ID [dl-speech-audio], COURSE_EXCHANGE [/srv/nbgrader/exchange],
COURSE_STUDENTS_GROUP [course-students], COURSE_INSTRUCTORS_GROUP [course-instructors],
COURSE_HUB_STATE [/srv/jupyterhub], COURSE_HUB_URL [http://:8000], COURSE_CELL_TIMEOUT [600 s],
COURSE_CPU_LIMIT [2], COURSE_MEM_LIMIT [8G].
"""
import grp
import math
import os
import pwd
import resource
import shutil
import stat
import sys
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner

c = get_config()  # noqa: F821 (provided by JupyterHub)

HUB_DIR = Path(__file__).resolve().parent
COURSE_DIR = Path(os.environ.get("COURSE_DIR", HUB_DIR.parent)).resolve()
# The environment the hub runs from is the students' environment. Its interpreter and every folder above it
# must be readable and executable by all users (a Python under /root is not: see the README).
ENV_BIN = Path(sys.executable).parent
COURSE_ID = os.environ.get("COURSE_ID", "dl-speech-audio")
EXCHANGE = Path(os.environ.get("COURSE_EXCHANGE", "/srv/nbgrader/exchange"))
STUDENTS = os.environ.get("COURSE_STUDENTS_GROUP", "course-students")
INSTRUCTORS = os.environ.get("COURSE_INSTRUCTORS_GROUP", "course-instructors")
STATE = Path(os.environ.get("COURSE_HUB_STATE", "/srv/jupyterhub"))
CELL_TIMEOUT = os.environ.get("COURSE_CELL_TIMEOUT", "600")

# --- the hub and its proxy ----------------------------------------------------------------------------------
c.JupyterHub.bind_url = os.environ.get("COURSE_HUB_URL", "http://:8000")  # put HTTPS (a reverse proxy) in front
STATE.mkdir(mode=0o700, parents=True, exist_ok=True)
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(STATE / "jupyterhub-proxy.pid")
# configurable-http-proxy from npm: on PATH, or where `make system-deps` installs it (.npm/ of the course)
_proxy = shutil.which("configurable-http-proxy") or COURSE_DIR / ".npm" / "node_modules" / ".bin" / "configurable-http-proxy"
c.ConfigurableHTTPProxy.command = [str(_proxy)]

# --- who may log in ----------------------------------------------------------------------------------------
# System users and their passwords (PAM). nbgrader takes a student's id from the user the server runs as, so
# every student needs a system user of their own: a single shared spawner user would submit everybody's work
# under one name. Students are members of COURSE_STUDENTS_GROUP, instructors/graders of COURSE_INSTRUCTORS_GROUP.
c.JupyterHub.authenticator_class = "pam"
c.LocalAuthenticator.allowed_groups = {STUDENTS, INSTRUCTORS}


def group_members(name):
    try:
        return set(grp.getgrnam(name).gr_mem)
    except KeyError:
        return set()


def is_instructor(username):
    return username in group_members(INSTRUCTORS)


# --- the users' servers ------------------------------------------------------------------------------------
def _gpu_present():
    return os.path.exists("/dev/nvidiactl")


class CourseSpawner(LocalProcessSpawner):
    """LocalProcessSpawner (each user's server runs as that system user) with the limits one machine allows
    without cgroups: an address-space limit per process (not with an NVIDIA GPU, where CUDA maps far more
    address space than it uses) and a umask that keeps new files private (students: to themselves;
    instructors: to the instructors' group, so the gradebook and submissions are not world-readable).
    For hard CPU and memory limits use systemdspawner's SystemdSpawner, which reads the same cpu_limit and
    mem_limit (CPU threads are capped below in any case)."""

    def make_preexec_fn(self, name):
        become_user = super().make_preexec_fn(name)
        mem_limit = self.mem_limit
        umask = 0o007 if is_instructor(name) else 0o077

        def preexec():
            become_user()
            os.umask(umask)
            if mem_limit and not _gpu_present():
                resource.setrlimit(resource.RLIMIT_AS, (mem_limit, mem_limit))

        return preexec


c.JupyterHub.spawner_class = CourseSpawner
c.Spawner.cmd = [str(ENV_BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.http_timeout = 120  # a loaded machine needs a while to import JupyterLab and nbgrader
c.Spawner.start_timeout = 180
c.Spawner.cpu_limit = float(os.environ.get("COURSE_CPU_LIMIT", 2))
c.Spawner.mem_limit = os.environ.get("COURSE_MEM_LIMIT", "8G")
# torch would start one thread per core of the machine in every student's kernel; many students doing so on
# one machine make small models many times slower. setup() reads COURSE_NUM_THREADS.
_threads = str(max(1, math.floor(c.Spawner.cpu_limit)))
c.Spawner.environment = {
    # nbgrader runs `alembic` (gradebook migrations) as a command: the environment's bin/ must come first
    "PATH": os.pathsep.join([str(ENV_BIN), "/usr/local/bin", "/usr/bin", "/bin"]),
    "PYTHONPATH": str(COURSE_DIR),  # kernels import this course's course_utils
    "COURSE_ID": COURSE_ID,
    "COURSE_EXCHANGE": str(EXCHANGE),
    "COURSE_CELL_TIMEOUT": CELL_TIMEOUT,
    "COURSE_NUM_THREADS": _threads,
    "OMP_NUM_THREADS": _threads,
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
}


def make_home_private(username):
    """Students' homes hold their work, their cached submissions (~/.local/share/jupyter/nbgrader_cache) and
    their feedback: nobody else may read them (useradd makes homes world-readable by default)."""
    home = pwd.getpwnam(username).pw_dir
    if os.path.isdir(home):
        mode = stat.S_IMODE(os.stat(home).st_mode)
        if mode & 0o077:
            os.chmod(home, mode & 0o700)


def pre_spawn_hook(spawner):
    name = spawner.user.name
    make_home_private(name)
    role = "instructor" if is_instructor(name) else "student"
    # nbgrader and Jupyter Server read these folders: course id and exchange for everybody, the course's own
    # nbgrader_config.py for instructors, no formgrader for students.
    spawner.environment["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
        [str(HUB_DIR / "jupyter" / role), str(HUB_DIR / "jupyter" / "common")])
    if role == "instructor":
        # the formgrader needs the course folder inside the server's root folder
        spawner.environment["COURSE_DIR"] = str(COURSE_DIR)
        spawner.notebook_dir = str(COURSE_DIR)


c.Spawner.pre_spawn_hook = pre_spawn_hook


# --- the exchange and the course folder --------------------------------------------------------------------
def prepare_exchange(root):
    """nbgrader's shared exchange: writable by everybody, sticky so that nobody removes another's files
    (nbgrader then makes inbound/ write-only for students, so they cannot read each other's submissions)."""
    root.mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o1777)


def protect_course(course):
    """Students may read the course's code (course_utils, data) but not the instructors' part of it."""
    for part in ("source", "submitted", "autograded", "feedback", "gradebook.db", "tests"):
        path = course / part
        if path.exists():
            os.chmod(path, stat.S_IMODE(os.stat(path).st_mode) & ~0o007)


prepare_exchange(EXCHANGE)
protect_course(COURSE_DIR)
