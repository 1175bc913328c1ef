"""Node packages the tests install once (pinned, into pytest's cache), and skipping without Node except under CI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import NoReturn

import pytest

INSTALL_TIMEOUT = 600
"""Seconds an `npm install` of a test's packages may take (the first run downloads them)."""


def unavailable(check: str, reason: str) -> NoReturn:
    """Skip `check` saying why; under CI=true, where every check must run, fail instead."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI=true requires {check}.")
    pytest.skip(f"SKIPPED {check}: {reason}.")


def installed(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    packages: tuple[str, ...],
    check: str,
    *,
    needs_npx: bool = False,
) -> Path:
    """The folder where `packages` are installed (once per pytest cache, again when the pins change).

    Without npm (or npx, when `needs_npx`), or when the install fails, `check` is unavailable (see `unavailable`).
    """
    npm = shutil.which("npm")
    if npm is None or (needs_npx and shutil.which("npx") is None):
        unavailable(check, f"{'npx (Node.js with npm)' if needs_npx else 'npm (Node.js)'} is not on PATH")
    cache = getattr(request.config, "cache", None)  # absent under -p no:cacheprovider
    prefix: Path = cache.mkdir(name) if cache is not None else tmp_path_factory.mktemp(name)
    stamp = prefix / "installed.json"
    if not stamp.exists() or json.loads(stamp.read_text()) != list(packages):
        done = subprocess.run(  # noqa: S603 - npm from PATH, fixed arguments
            [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", "--no-save", *packages],
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT,
            check=False,
        )
        if done.returncode != 0:
            unavailable(check, f"npm install of {' '.join(packages)} failed: {done.stderr.strip()[-500:]}")
        stamp.write_text(json.dumps(list(packages)))
    return prefix
