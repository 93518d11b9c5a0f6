"""Artifact storage on any fsspec URL: one folder per model version, sealed by a SHA-256 manifest."""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import fsspec

MANIFEST = "manifest.json"


class ArtifactCorrupted(Exception):
    """A stored artifact no longer matches the hash recorded when it was registered."""


@dataclass(frozen=True)
class ArtifactInfo:
    uri: str
    bytes: int
    sha256: str


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def seal(folder: Path) -> ArtifactInfo:
    """Write the manifest of a local folder; its hash is the version's artifact hash."""
    files = {
        str(path.relative_to(folder)): _file_sha256(path)
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != MANIFEST
    }
    body = json.dumps({"files": files}, sort_keys=True).encode()
    (folder / MANIFEST).write_bytes(body)
    size = sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())
    return ArtifactInfo(uri=str(folder), bytes=size, sha256=hashlib.sha256(body).hexdigest())


def join(base: str, *parts: str) -> str:
    return "/".join([base.rstrip("/"), *parts])


def publish(folder: Path, uri: str) -> ArtifactInfo:
    """Seal a local folder and copy it to ``uri`` (any fsspec URL; a plain path is local)."""
    info = seal(folder)
    fs, path = fsspec.core.url_to_fs(uri)
    if fs.exists(path):
        fs.rm(path, recursive=True)
    fs.makedirs(path, exist_ok=True)
    for file in sorted(folder.rglob("*")):
        if file.is_file():
            target = f"{path}/{file.relative_to(folder).as_posix()}"
            fs.makedirs(target.rsplit("/", 1)[0], exist_ok=True)
            fs.put_file(str(file), target)
    return ArtifactInfo(uri=uri, bytes=info.bytes, sha256=info.sha256)


def fetch(uri: str, sha256: str, cache: Path) -> Path:
    """A verified local copy of the artifact at ``uri``; refuses one whose hash does not match."""
    fs, path = fsspec.core.url_to_fs(uri)
    local = cache / sha256
    if not (local / MANIFEST).exists():
        cache.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f"{sha256}.", suffix=".partial", dir=cache))  # one per caller
        try:
            fs.get(path.rstrip("/") + "/", str(staging), recursive=True)
            staging.rename(local)
        except OSError:
            if not (local / MANIFEST).exists():  # not a concurrent caller that got there first
                raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    verify(local, sha256)
    return local


def verify(folder: Path, sha256: str) -> None:
    manifest_path = folder / MANIFEST
    if not manifest_path.exists():
        raise ArtifactCorrupted(f"{folder} has no {MANIFEST}")
    body = manifest_path.read_bytes()
    if hashlib.sha256(body).hexdigest() != sha256:
        raise ArtifactCorrupted(f"manifest of {folder} does not match the registered SHA-256")
    for name, expected in json.loads(body)["files"].items():
        file = folder / name
        if not file.exists() or _file_sha256(file) != expected:
            raise ArtifactCorrupted(f"{name} in {folder} does not match its recorded SHA-256")


def remove(uri: str) -> None:
    fs, path = fsspec.core.url_to_fs(uri)
    if fs.exists(path):
        fs.rm(path, recursive=True)
