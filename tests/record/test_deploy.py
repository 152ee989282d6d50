"""The container image and the compose file: the image builds where Docker runs (skipped with the reason where it
does not); the compose file wires PostgreSQL, the owner/service role split, the workers' secrets and the scheduled
audit check, and every secret comes from the environment."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def _docker_unavailable() -> str | None:
    if shutil.which("docker") is None:
        return "docker is not installed"
    done = subprocess.run(["docker", "info"], capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        return f"the Docker daemon is not reachable: {done.stderr.strip().splitlines()[-1:]}"
    return None


def test_the_image_builds() -> None:
    why = _docker_unavailable()
    if why is not None:
        pytest.skip(why)
    done = subprocess.run(["docker", "build", "-t", "careflow-record-test", str(ROOT)], capture_output=True,
                          text=True, timeout=1800)
    assert done.returncode == 0, done.stderr[-3000:]


def test_compose_file_wires_the_deployment() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"db", "migrate", "web", "audit"} <= set(services)
    assert services["db"]["image"].startswith("postgres:")
    assert services["migrate"]["command"][:3] == ["careflow", "admin", "grant-app-role"]
    assert "careflow_owner" in services["migrate"]["environment"]["CAREFLOW_DATABASE_URL"]
    web = services["web"]["environment"]
    assert "careflow_app" in web["CAREFLOW_DATABASE_URL"]
    for secret in ("CAREFLOW_SECRET_KEY", "CAREFLOW_AUDIT_KEYS"):
        assert web[secret].startswith("${") and ":?" in web[secret]  # required, from the environment
    assert services["web"]["ports"] == ["127.0.0.1:8000:8000"]  # behind the TLS proxy only
    assert services["audit"]["command"][:3] == ["careflow", "audit", "watch"]
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "USER careflow" in dockerfile and "--workers" in dockerfile and "postgresql-client" in dockerfile
    deploy = (ROOT / "docs" / "DEPLOY.md").read_text()
    for topic in ("TLS", "CAREFLOW_SECRET_KEY", "CAREFLOW_AUDIT_KEYS", "grant-app-role", "Workers", "Backups",
                  "careflow audit verify"):
        assert topic in deploy
