"""Packaging: the sdist carries what its tests need, and `uvx --from <checkout>` picks up new code.

Offline like every test: the build backend (hatchling) is in the dev extras, and uv gets the
wheels of this virtualenv (tests/wheelhouse.py) instead of PyPI.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from tests.test_bundle import DEPENDENCIES, base_python, uv_command
from tests.wheelhouse import build_wheelhouse

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture(scope="module")
def sdist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist, built with the project's build backend and unpacked; returns the unpacked folder."""
    out = tmp_path_factory.mktemp("sdist")
    subprocess.run(  # noqa: S603 - the build backend's own command
        [sys.executable, "-m", "hatchling", "build", "-t", "sdist", "-d", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=300,
    )
    (archive,) = out.glob("*.tar.gz")
    with tarfile.open(archive) as tar:
        tar.extractall(out, filter="data")
    (folder,) = (path for path in out.iterdir() if path.is_dir())
    return folder


def test_the_sdist_carries_the_license_and_what_the_tests_read(sdist: Path) -> None:
    for name in (
        "LICENSE",
        "README.md",
        "manifest.json",
        "server.json",
        "Makefile",
        "scripts/build_bundle.py",
        "scripts/demo.py",
        "server/main.py",
        "tests/schemas/server.schema.2025-12-11.json",
        "docs/tools.md",
    ):
        assert (sdist / name).is_file(), name
    assert "MIT License" in (sdist / "LICENSE").read_text(encoding="utf-8")
    assert "mcp-name: " in (sdist / "PKG-INFO").read_text(encoding="utf-8"), "PyPI shows the README with the marker"


def test_the_sdists_tests_run(sdist: Path) -> None:
    # One run: every test file is collected (imported), and two that read the sdist's own docs and data run.
    ran = _pytest_in(sdist, "-q", "tests", "-k", "test_server_json.py or test_manifest.py")
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    counts = re.search(r"^(\d+) passed, (\d+) deselected", ran.stdout, re.MULTILINE)
    assert counts, ran.stdout[-500:]
    assert int(counts[1]) >= 10, "the two files' tests ran"
    assert int(counts[2]) > 1000, "every other test was collected"


def _pytest_in(directory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """pytest run in `directory`, without our settings from the environment, plugins that need state, or a cache."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUAWEI_MEETING_", "COVERAGE_"))}
    return subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "pytest", "-p", "no:randomly", "-p", "no:cacheprovider", *args],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
    )


def _version_from_uvx(checkout: Path, home: Path, wheels: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "LANG", "SYSTEMROOT"}}
    env.update(
        HOME=str(home), UV_FIND_LINKS=str(wheels), UV_OFFLINE="1", UV_PYTHON=base_python(), UV_PYTHON_DOWNLOADS="never"
    )
    done = subprocess.run(  # noqa: S603 - uvx as the README documents it
        [uv_command(), "tool", "run", "--from", str(checkout), "huawei-meeting-mcp", "--version"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip()


def test_uvx_from_a_checkout_picks_up_new_code(tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, checkout / name)
    shutil.copytree(ROOT / "server", checkout / "server", ignore=shutil.ignore_patterns("__pycache__"))
    wheels = tmp_path / "wheels"
    build_wheelhouse([*DEPENDENCIES, "hatchling"], wheels)
    home = tmp_path / "home"
    home.mkdir()
    assert _version_from_uvx(checkout, home, wheels) == "huawei-meeting-mcp 0.1.0"
    init = checkout / "server" / "huawei_meeting_mcp" / "__init__.py"
    init.write_text(init.read_text(encoding="utf-8").replace('"0.1.0"', '"0.1.0.post9"'), encoding="utf-8")
    assert _version_from_uvx(checkout, home, wheels) == "huawei-meeting-mcp 0.1.0.post9", "no stale build"
