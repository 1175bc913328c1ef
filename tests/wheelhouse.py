"""Wheels rebuilt from the installed distributions, so that `uv` can install a bundle's dependencies offline.

A host installs a `uv` bundle's dependencies from PyPI. The tests must run offline, so they give
`uv` a flat wheel folder (`UV_FIND_LINKS`, no index) holding the very distributions this virtualenv
runs on: each is packed back into a wheel from its installed files (RECORD) and its own WHEEL tags.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import zipfile
from email.parser import HeaderParser
from importlib.metadata import Distribution, distribution
from pathlib import Path, PurePosixPath

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name


def runtime_closure(requirements: list[str]) -> list[Distribution]:
    """The installed distributions that `requirements` need here (markers evaluated for this interpreter)."""
    found: dict[str, Distribution] = {}
    todo: list[tuple[str, str]] = []
    for line in requirements:
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate():
            todo.extend((canonicalize_name(requirement.name), e) for e in ["", *sorted(requirement.extras)])
    visited: set[tuple[str, str]] = set()
    while todo:
        name, extra = todo.pop()
        if (name, extra) in visited:
            continue
        visited.add((name, extra))
        dist = found.setdefault(name, distribution(name))
        for line in dist.requires or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": extra}):
                todo.extend((canonicalize_name(requirement.name), e) for e in ["", *sorted(requirement.extras)])
    return [found[name] for name in sorted(found)]


def _tag(wheel_file: str) -> str:
    """The wheel file name's tag part (`py3-none-any`, `cp311-cp311-manylinux_2_17_x86_64...`)."""
    tags = HeaderParser().parsestr(wheel_file).get_all("Tag") or ["py3-none-any"]
    parts = [sorted({tag.split("-")[i] for tag in tags}) for i in range(3)]
    return "-".join(".".join(values) for values in parts)


def _hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def pack(dist: Distribution, folder: Path) -> Path:
    """Write `dist` as a wheel into `folder` and return its path."""
    site = Path(str(dist.locate_file(""))).resolve()
    files: dict[str, bytes] = {}
    info_dir = ""
    for entry in dist.files or []:
        source = Path(str(dist.locate_file(entry))).resolve()
        if not source.is_relative_to(site) or not source.is_file():
            continue  # console scripts live outside site-packages; the installer makes them again
        relative = PurePosixPath(source.relative_to(site).as_posix())
        if "__pycache__" in relative.parts or relative.suffix == ".pyc":
            continue
        if relative.parts[0].endswith(".dist-info"):
            info_dir = relative.parts[0]
            if relative.name in {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"}:
                continue
        files[str(relative)] = source.read_bytes()
    name = canonicalize_name(dist.metadata["Name"]).replace("-", "_")
    tag = _tag(files[f"{info_dir}/WHEEL"].decode())
    target = folder / f"{name}-{dist.version}-{tag}.whl"
    record = io.StringIO()
    writer = csv.writer(record, lineterminator="\n")
    for path, data in files.items():
        writer.writerow([path, _hash(data), len(data)])
    writer.writerow([f"{info_dir}/RECORD", "", ""])
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in files.items():
            archive.writestr(path, data)
        archive.writestr(f"{info_dir}/RECORD", record.getvalue())
    return target


def build_wheelhouse(requirements: list[str], folder: Path) -> list[Path]:
    """Wheels of every installed distribution `requirements` need, written into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    return [pack(dist, folder) for dist in runtime_closure(requirements)]
