"""The ``tendero`` command: tenants, keys, database upgrade."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tendero.cli import app

runner = CliRunner()


def test_tenant_create_prints_the_admin_key_once_and_keys_can_be_managed(client):
    created = runner.invoke(app, ["tenant", "create", "Panadería Sol"])
    assert created.exit_code == 0, created.output
    secret = created.output.strip().splitlines()[-1]
    assert secret.startswith("tdr_")
    assert client.get("/v1/keys", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    again = runner.invoke(app, ["tenant", "create", "Panadería Sol"])
    assert again.exit_code == 1 and "already exists" in again.output
    made = runner.invoke(app, ["key", "create", "--tenant", "Panadería Sol", "--role", "analyst"])
    assert made.exit_code == 0
    new_secret = made.output.strip().splitlines()[-1]
    prefix = "_".join(new_secret.split("_")[:2])
    listed = runner.invoke(app, ["key", "list", "--tenant", "Panadería Sol"])
    assert prefix in listed.output and new_secret not in listed.output
    assert runner.invoke(app, ["key", "revoke", "--tenant", "Panadería Sol", prefix]).exit_code == 0
    headers = {"Authorization": f"Bearer {new_secret}"}
    assert client.get("/v1/models", headers=headers).status_code == 401
    bad_role = runner.invoke(app, ["key", "create", "--tenant", "Panadería Sol", "--role", "root"])
    assert bad_role.exit_code == 1 and "role must be one of" in bad_role.output


def test_db_upgrade_is_repeatable():
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    second = runner.invoke(app, ["db", "upgrade"])
    assert second.exit_code == 0 and "newest schema" in second.output


def test_models_list_json_for_unknown_tenant_fails_cleanly():
    answer = runner.invoke(app, ["models", "list", "--tenant", "nobody", "--json"])
    assert answer.exit_code != 0
    json.dumps(answer.output)
