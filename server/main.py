# /// script
# requires-python = ">=3.10"
# dependencies = [
#     "mcp>=2.3,<3",
#     "httpx>=0.28,<1",
#     "pydantic>=2.12,<3",
#     "pydantic-settings>=2.6,<3",
#     "anyio>=4.5",
#     "cachetools>=5.5,<9",
#     "sniffio>=1.3",
#     "redis>=5.0.1,<9",
#     "cryptography>=42",
#     "starlette>=0.40",
#     "uvicorn>=0.30",
#     "prometheus-client>=0.20",
#     "tzdata; sys_platform == 'win32'",
# ]
# ///
"""Entry point of the MCP Bundle (`manifest.json`, server type `uv`): runs the server from the source beside it.

The host runs `uv run --directory <bundle> server/main.py`. The block above (inline script
metadata, the same list as pyproject.toml's dependencies; a test keeps them equal) tells `uv`
what to install: it picks a Python >= 3.10 (downloading one if needed), installs the
dependencies for this platform into its own cache, and runs this file. Nothing is written into
the bundle folder and no system Python is needed. In a checkout, `uv run server/main.py` works too.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    if sys.version_info < (3, 10):  # noqa: UP036 - started by hand with an old python, say why instead of a SyntaxError
        sys.stderr.write(
            f"huawei-meeting-mcp needs Python 3.10 or later; {sys.executable} is {sys.version.split()[0]}. "
            "Start it with `uv run server/main.py`, which fetches a suitable Python.\n"
        )
        raise SystemExit(2)
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))
    from huawei_meeting_mcp.cli import main

    main(settings_form=HERE.parent / "manifest.json")
