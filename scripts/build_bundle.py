"""Build an MCP Bundle (.mcpb) of huawei-meeting-mcp for this platform and Python version.

    make bundle                                   # -> dist/huawei-meeting-mcp-<version>-<platform>-py<XY>.mcpb
    .venv/bin/python scripts/build_bundle.py --output DIR

The bundle is a zip of what manifest.json expects:

    manifest.json                 compatibility narrowed to this platform and Python version
    server/main.py                the launcher: puts server/lib on sys.path, runs the server
    server/huawei_meeting_mcp/    this package's source
    server/lib/                   every runtime dependency, plus BUNDLE_PYTHON ("3.11")

The dependencies are copied from the environment running this script (the one `make test`
installed and tested), so building needs no network and ships exactly the tested versions.
They include compiled code (pydantic-core, rpds-py, ...), which is why a bundle serves one
platform and one Python minor version: build one per target, on that target.
"""

from __future__ import annotations

import argparse
import json
import sys
import sysconfig
import zipfile
from collections.abc import Iterator
from importlib.metadata import Distribution, distribution
from pathlib import Path, PurePosixPath

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PROJECT = "huawei-meeting-mcp"
PACKAGE = ROOT / "server" / "huawei_meeting_mcp"
LAUNCHER = ROOT / "server" / "main.py"
ZIP_DATE = (2020, 1, 1, 0, 0, 0)  # fixed, so the same inputs give the same bundle


def runtime_distributions(project: str = PROJECT) -> list[Distribution]:
    """The installed distributions `project` needs at run time (no extras, markers evaluated here)."""
    found: dict[str, Distribution] = {}
    visited: set[tuple[str, str]] = set()
    todo: list[tuple[str, str]] = [(project, "")]
    while todo:
        name, extra = todo.pop()
        if (name, extra) in visited:
            continue
        visited.add((name, extra))
        dist = distribution(name)
        if name != project:
            found[name] = dist
        for line in dist.requires or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": extra}):
                wanted = canonicalize_name(requirement.name)
                todo.extend((wanted, e) for e in ["", *sorted(requirement.extras)])
    return [found[name] for name in sorted(found)]


def _wanted(path: PurePosixPath) -> bool:
    return "__pycache__" not in path.parts and path.suffix not in {".pyc", ".pyo"}


def distribution_files(dist: Distribution) -> Iterator[tuple[Path, str]]:
    """(source file, path under lib/) for every installed file of `dist` inside site-packages."""
    site = Path(str(dist.locate_file(""))).resolve()
    for entry in dist.files or []:
        source = Path(str(dist.locate_file(entry))).resolve()
        if not source.is_relative_to(site) or not source.is_file():
            continue  # console scripts and data outside site-packages are not needed
        relative = PurePosixPath(source.relative_to(site).as_posix())
        if _wanted(relative):
            yield source, str(relative)


def package_files() -> Iterator[tuple[Path, str]]:
    """(source file, path under server/) for this package's own files."""
    for source in sorted(PACKAGE.rglob("*")):
        relative = PurePosixPath(source.relative_to(PACKAGE.parent).as_posix())
        if source.is_file() and _wanted(relative):
            yield source, str(relative)


def bundle_manifest(python: str) -> dict[str, object]:
    """manifest.json with compatibility narrowed to this platform and Python minor version."""
    manifest: dict[str, object] = json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))
    major, minor = (int(part) for part in python.split("."))
    manifest["compatibility"] = {
        "platforms": [sys.platform],
        "runtimes": {"python": f">={major}.{minor} <{major}.{minor + 1}"},
    }
    return manifest


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def build(output_dir: Path) -> Path:
    """Write the bundle into `output_dir` and return its path."""
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    manifest = bundle_manifest(python)
    platform = sysconfig.get_platform().replace(".", "_").replace("-", "_")
    target = output_dir / f"{PROJECT}-{manifest['version']}-{platform}-py{python.replace('.', '')}.mcpb"
    output_dir.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {"server/main.py": LAUNCHER}
    files.update({f"server/{name}": source for source, name in package_files()})
    for dist in runtime_distributions():
        files.update({f"server/lib/{name}": source for source, name in distribution_files(dist)})
    partial = target.with_suffix(".partial")
    with zipfile.ZipFile(partial, "w", compresslevel=6) as archive:
        _add(archive, "manifest.json", (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode())
        _add(archive, "server/lib/BUNDLE_PYTHON", f"{python}\n".encode())
        for name in sorted(files):
            _add(archive, name, files[name].read_bytes())
    partial.replace(target)
    return target


def main() -> None:
    """Build the bundle and print its path."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, default=ROOT / "dist", help="directory for the .mcpb (default dist/)")
    target = build(parser.parse_args().output)
    print(f"{target} ({target.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
