"""Entry point of the MCP Bundle (`manifest.json`): puts the vendored packages on sys.path, then runs the server.

In a bundle built by `make bundle`, `lib/` beside this file holds every dependency, built for
one platform and Python version (recorded in `lib/BUNDLE_PYTHON`). In a checkout there is no
`lib/` and the installed packages are used.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
LIB = HERE / "lib"
BUILT_FOR = LIB / "BUNDLE_PYTHON"


def _check_python() -> None:
    if not BUILT_FOR.is_file():
        return
    wanted = BUILT_FOR.read_text(encoding="utf-8").strip()
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    if wanted != running:
        sys.stderr.write(
            f"huawei-meeting-mcp: this bundle was built for Python {wanted}, but {sys.executable} is Python "
            f"{running}. Rebuild it with Python {running} (make bundle), or install the server with "
            "pipx or uvx instead (see the README, 'Client configuration').\n"
        )
        raise SystemExit(2)


if __name__ == "__main__":
    _check_python()
    for path in (HERE, LIB):
        if path.is_dir() and str(path) not in sys.path:
            sys.path.insert(0, str(path))
    from huawei_meeting_mcp.cli import main

    main()
