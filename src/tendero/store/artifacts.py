"""Artifact storage on any fsspec URL: one folder per model version, sealed by a SHA-256 manifest.

Every tenant-scoped path in the artifact store is built here (model versions, datasets, batch predictions),
and so are the SHA-256 checks and the clean-up of what a failed job left behind.

Serving reads a verified local copy (the cache); a damaged copy (a file or the manifest changed or gone) is
thrown away and fetched again from the store, so it heals by itself; only a store copy that fails the check
is an error. Error texts name files inside the artifact, never a server path (those go to the log).
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fsspec

from tendero.config import get_settings
from tendero.errors import NotFound
from tendero.store import jobs as job_rows
from tendero.store import registry as registry_rows
from tendero.store.db import session_scope

MANIFEST = "manifest.json"
log = logging.getLogger(__name__)


class ArtifactCorrupted(Exception):
    """A stored artifact no longer matches the hash recorded when it was registered.

    ``str()`` names the file inside the artifact (safe to show); ``details`` adds where it lies (for the log)."""

    def __init__(self, what: str, where: str = "") -> None:
        super().__init__(what)
        self.details = f"{what} ({where})" if where else what


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


def tenant_uri(tenant_id: str, *parts: str) -> str:
    """A place under the tenant's own folder of the artifact store; nothing else builds such a path."""
    return join(get_settings().artifacts, tenant_id, *parts)


def version_uri(tenant_id: str, model: str, job_id: str, attempt: int) -> str:
    """The folder of the version that attempt ``attempt`` of training job ``job_id`` makes."""
    return tenant_uri(tenant_id, model, f"{job_id}-a{attempt}")


def dataset_uri(tenant_id: str, dataset_id: str) -> str:
    return tenant_uri(tenant_id, "datasets", dataset_id, "data.parquet")


def predictions_uri(tenant_id: str, job_id: str, file_format: str) -> str:
    return tenant_uri(tenant_id, "predictions", f"{job_id}.{file_format}")


def write_file(uri: str, body: bytes) -> str:
    """Store one file (its folder made as needed); returns its SHA-256, to record beside it."""
    fs, path = fsspec.core.url_to_fs(uri)
    fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
    fs.pipe_file(path, body)
    return hashlib.sha256(body).hexdigest()


def read_file(uri: str, sha256: str, what: str) -> bytes:
    """One stored file's bytes, refused (ArtifactCorrupted naming ``what``) unless they match ``sha256``."""
    fs, path = fsspec.core.url_to_fs(uri)
    body: bytes = fs.cat_file(path)
    if hashlib.sha256(body).hexdigest() != sha256:
        raise ArtifactCorrupted(f"{what} does not match its recorded SHA-256", uri)
    return body


def open_file(uri: str) -> Any:
    """A binary file object on a stored file (the caller closes it)."""
    fs, path = fsspec.core.url_to_fs(uri)
    return fs.open(path, "rb")


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
    """A verified local copy of the artifact at ``uri``. A cached copy that fails the check is replaced by a fresh
    one from the store; ArtifactCorrupted only when the store's own copy does not match ``sha256``."""
    local = cache / sha256
    if local.exists():
        try:
            verify(local, sha256)
            return local
        except ArtifactCorrupted as error:
            log.warning("cached artifact damaged, fetching it again from the store: %s", error.details)
            _discard(local)
    cache.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{sha256}.", suffix=".partial", dir=cache))  # one per caller
    try:
        fs, path = fsspec.core.url_to_fs(uri)
        try:
            fs.get(path.rstrip("/") + "/", str(staging), recursive=True)
        except FileNotFoundError as error:
            raise ArtifactCorrupted("the stored files are missing", uri) from error
        verify(staging, sha256, where=uri)
        try:
            staging.rename(local)
        except OSError:  # a concurrent caller put its verified copy there first: use it
            verify(local, sha256)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return local


def _discard(folder: Path) -> None:
    """Move a damaged copy out of the way at once (an atomic rename), then delete it."""
    trash = folder.with_name(f"{folder.name}.damaged-{uuid.uuid4().hex[:8]}")
    try:
        folder.rename(trash)
    except OSError:  # another caller already moved it
        return
    shutil.rmtree(trash, ignore_errors=True)


def verify(folder: Path, sha256: str, where: str = "") -> None:
    """Check a folder against its manifest and the manifest against ``sha256``; errors name files, not paths."""
    where = where or str(folder)
    manifest_path = folder / MANIFEST
    if not manifest_path.exists():
        raise ArtifactCorrupted(f"{MANIFEST} is missing", where)
    body = manifest_path.read_bytes()
    if hashlib.sha256(body).hexdigest() != sha256:
        raise ArtifactCorrupted(f"{MANIFEST} does not match the registered SHA-256", where)
    try:
        files = json.loads(body)["files"]
    except (ValueError, KeyError, TypeError) as error:
        raise ArtifactCorrupted(f"{MANIFEST} is unreadable", where) from error
    for name, expected in files.items():
        file = folder / name
        if not file.is_file() or _file_sha256(file) != expected:
            raise ArtifactCorrupted(f"{name} does not match its recorded SHA-256", where)


def remove(uri: str) -> None:
    fs, path = fsspec.core.url_to_fs(uri)
    if fs.exists(path):
        fs.rm(path, recursive=True)


def discard_unregistered_versions(job_id: str) -> None:
    """Remove the version folders of a training job's attempts that no registered version points at.

    The job runner calls it (through its clean-up table) when a ``train`` job ends, however it ended."""
    with session_scope() as session:
        try:
            job = job_rows.load_job(session, job_id)
        except NotFound:
            return
        model = (job.params or {}).get("model")
        if not model:
            return
        kept = registry_rows.artifact_uris_of_job(session, job.tenant_id, job_id)
        tenant_id, attempts = job.tenant_id, job.attempts
    for attempt in range(1, attempts + 1):
        uri = version_uri(tenant_id, model, job_id, attempt)
        if uri not in kept:
            remove(uri)
