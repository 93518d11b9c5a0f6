"""A damaged cached copy of a model heals from the store; a damaged store copy is refused; no text shows a path."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from support import load_demo, make_tenant, wait_for_job
from tendero.config import get_settings
from tendero.registry.service import deployed_models
from tendero.store import artifacts
from tendero.store import registry as registry_rows
from tendero.store.db import session_scope

MODEL = "cacheado"
DAYS = {"days": ["2026-01-05"]}


@pytest.fixture(scope="module")
def shop(client, demo_store):
    tenant = make_tenant("artefactos")
    load_demo(tenant.id, demo_store)
    job = client.post(f"/v1/models/{MODEL}/train", json={"kind": "baseline", "deploy": "always"},
                      headers=tenant.headers()).json()  # fmt: skip
    assert wait_for_job(client, tenant, job["id"])["status"] == "completed"
    return tenant


def _paths(shop) -> tuple[Path, Path]:
    """(the cached copy, the store's copy) of the deployed version."""
    with session_scope() as session:
        row = registry_rows.deployed_version(session, shop.id, MODEL)
        uri, sha = row.artifact_uri, row.artifact_sha256
    return get_settings().home / "cache" / "artifacts" / sha, Path(uri)


def _predict(client, shop, fresh: bool = True):
    if fresh:  # what a restart (or another process) does: load the deployed version again
        deployed_models.invalidate(shop.id, MODEL)
    return client.post(f"/v1/models/{MODEL}/predict", json=DAYS, headers={**shop.headers(), "accept-language": "en"})


def _largest_file(folder: Path) -> Path:
    return max((p for p in folder.rglob("*") if p.is_file() and p.name != artifacts.MANIFEST),
               key=lambda p: p.stat().st_size)  # fmt: skip


def test_a_deleted_cache_manifest_heals(client, shop):
    assert _predict(client, shop).status_code == 200
    cached, _ = _paths(shop)
    (cached / artifacts.MANIFEST).unlink()
    answer = _predict(client, shop)
    assert answer.status_code == 200, answer.text
    assert (cached / artifacts.MANIFEST).exists()
    assert _predict(client, shop).status_code == 200


@pytest.mark.parametrize("damage", ["change", "delete", "folder"])
def test_any_damaged_cached_copy_heals(client, shop, damage):
    assert _predict(client, shop).status_code == 200
    cached, _ = _paths(shop)
    target = _largest_file(cached)
    if damage == "change":
        target.write_bytes(target.read_bytes() + b"\n")
    elif damage == "delete":
        target.unlink()
    else:
        shutil.rmtree(cached)
    assert _predict(client, shop).status_code == 200
    artifacts.verify(cached, cached.name)  # the copy is whole again


def test_a_damaged_store_copy_is_refused_without_showing_a_path(client, shop, tmp_path):
    cached, stored = _paths(shop)
    backup = tmp_path / "backup"
    shutil.copytree(stored, backup)
    try:
        shutil.rmtree(cached)
        target = _largest_file(stored)
        target.write_bytes(b"tampered" + target.read_bytes())
        answer = _predict(client, shop)
        assert answer.status_code == 500
        detail = answer.json()["detail"]
        assert "integrity check" in detail and target.name in detail
        for secret in (str(get_settings().home), str(stored), "/tmp", "artifacts/"):
            assert secret not in answer.text
        shutil.rmtree(stored)
        gone = _predict(client, shop)
        assert gone.status_code == 500 and "missing" in gone.json()["detail"] and str(stored) not in gone.text
    finally:
        shutil.rmtree(stored, ignore_errors=True)
        shutil.copytree(backup, stored)
    assert _predict(client, shop).status_code == 200  # the store repaired: it serves again, nothing stuck


def test_a_verified_cache_copy_still_serves_while_the_store_is_tampered(client, shop, tmp_path):
    """Accepted in the issue: serving reads the verified local copy; the store is only read to (re)fill it."""
    assert _predict(client, shop).status_code == 200
    _, stored = _paths(shop)
    backup = tmp_path / "backup"
    shutil.copytree(stored, backup)
    try:
        target = _largest_file(stored)
        target.write_bytes(b"tampered" + target.read_bytes())
        assert _predict(client, shop).status_code == 200
    finally:
        shutil.rmtree(stored)
        shutil.copytree(backup, stored)


def test_a_jobs_error_names_no_server_folder():
    from tendero.jobs.execute import without_server_paths

    home = str(get_settings().home.resolve())
    reason = f"FileNotFoundError: [Errno 2] No such file or directory: '{home}/work/j1/model/x.txt'"
    shown = without_server_paths(reason)
    assert home not in shown and "<TENDERO_HOME>/work/j1/model/x.txt" in shown
    stored = without_server_paths(f"cannot read {get_settings().artifacts}/t/m/j-a1/model.txt")
    assert "<artifacts>/t/m/j-a1/model.txt" in stored and get_settings().artifacts not in stored
