"""The deployment files in hub/ say what the course needs (fast checks; tests/test_hub.py runs the hub)."""
import re

import yaml
from traitlets.config import PyFileConfigLoader

from course_grading.pipeline import REPO

HUB = REPO / "hub"


def course_id():
    return re.search(r'course_id = "([^"]+)"', (REPO / "nbgrader_config.py").read_text()).group(1)


def test_every_place_names_the_course_id_of_nbgrader_config():
    cid = course_id()
    assert f'"COURSE_ID", "{cid}"' in (HUB / "jupyter" / "common" / "nbgrader_config.py").read_text()
    assert f'"COURSE_ID", "{cid}"' in (HUB / "jupyterhub_config.py").read_text()
    assert f"COURSE_ID={cid}" in (HUB / "Dockerfile").read_text()
    values = yaml.safe_load((HUB / "k8s" / "values.yaml").read_text())
    assert values["singleuser"]["extraEnv"]["COURSE_ID"] == cid


def test_servers_allow_the_formgrader_iframe():
    config = PyFileConfigLoader("jupyter_server_config.py", str(HUB / "jupyter" / "common")).load_config()
    csp = config.ServerApp.tornado_settings["headers"]["Content-Security-Policy"]
    assert csp == "frame-ancestors 'self'"


def test_image_installs_exactly_requirements_and_course_utils():
    lines = [line.strip() for line in (HUB / "Dockerfile").read_text().splitlines()]
    installs = [line for line in lines if "pip install" in line and "--upgrade pip" not in line]
    assert installs == ["&& /opt/course/.venv/bin/python -m pip install -r requirements.txt \\"], installs
    assert "COPY requirements.txt pyproject.toml ./" in lines and "COPY course_utils ./course_utils" in lines
    assert "-e ." in (REPO / "requirements.txt").read_text().splitlines()  # requirements.txt installs course_utils
    assert any(line.startswith("ENV PATH=/opt/course/.venv/bin:") for line in lines)  # alembic on PATH
    assert "USER jovyan" in lines  # nbgrader maps jovyan to JUPYTERHUB_USER


def test_kubernetes_values_have_cpu_and_gpu_profiles_and_a_shared_exchange():
    values = yaml.safe_load((HUB / "k8s" / "values.yaml").read_text())
    single = values["singleuser"]
    profiles = {p["display_name"].split()[0]: p["kubespawner_override"] for p in single["profileList"]}
    assert "nvidia.com/gpu" not in profiles["CPU"].get("extra_resource_limits", {})
    assert profiles["GPU"]["extra_resource_limits"]["nvidia.com/gpu"] == "1"
    exchange = single["extraEnv"]["COURSE_EXCHANGE"]
    mounts = {m["mountPath"]: m["name"] for m in single["storage"]["extraVolumeMounts"]}
    claims = {v["name"]: v["persistentVolumeClaim"]["claimName"] for v in single["storage"]["extraVolumes"]}
    pvc = yaml.safe_load((HUB / "k8s" / "exchange-pvc.yaml").read_text())
    assert claims[mounts[exchange]] == pvc["metadata"]["name"] and pvc["spec"]["accessModes"] == ["ReadWriteMany"]
    hook = values["hub"]["extraConfig"]["course"]
    for folder in re.findall(r"/opt/course/(hub/jupyter/\w+)", hook + (HUB / "Dockerfile").read_text()):
        assert (REPO / folder).is_dir(), folder
    graders = values["hub"]["loadRoles"]["graders"]
    assert graders["groups"] == list(values["hub"]["config"]["JupyterHub"]["load_groups"])
