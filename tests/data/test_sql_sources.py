"""SQL sources: named connections an operator configured, read-only, bounded, never tendero's own database.

The attack of issue 14: an analyst of tenant B sent ``sql_url=<tendero's database>`` with a query on
``customers`` and ``api_keys`` and read every tenant's rows. These tests try it and its variations.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from support import using_postgres
from tendero.cli import app
from tendero.config import get_settings, reset_settings
from tendero.data.imports import import_sql
from tendero.store import commerce
from tendero.store.sources import SourceRefused, add_source, open_source, remove_source, sources_for
from tendero.store.sql_sources import store_source

runner = CliRunner()


@pytest.fixture
def configure(monkeypatch):
    """Set TENDERO_* settings for one test; they are restored (and re-read) afterwards."""

    def set_values(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(f"TENDERO_{name.upper()}", value)
        reset_settings()

    yield set_values
    monkeypatch.undo()
    reset_settings()


@pytest.fixture
def shop_db(tmp_path: Path) -> Path:
    """The shop's own SQLite database: a table of articles."""
    path = tmp_path / "tienda.db"
    with sqlite3.connect(path) as connection:
        connection.execute("create table articulos (sku text, titulo text, pvp real, unidades integer)")
        connection.executemany(
            "insert into articulos values (?, ?, ?, ?)",
            [(f"S{i}", f"Artículo {i}", 0.5 + i, i % 7) for i in range(40)],
        )
    return path


def _articles(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as connection:
        return connection.execute("select * from articulos order by sku").fetchall()


def _dataset(client, keys, **form: str):  # type: ignore[no-untyped-def]
    data = {"name": "desde-sql", "task": "regression", "target": "pvp", **form}
    return client.post("/v1/datasets", data=data, headers={**keys, "Accept-Language": "en"})


def test_the_issue_attack_a_request_cannot_name_a_database(client, tenant, other_tenant):
    """Tenant B asks for tendero's own database by URL, as in the issue: refused, nothing read or stored."""
    client.post("/v1/data/customers", json={"rows": [{"customer_id": "C1", "name": "Ana", "email": "ana@a.es"}]},
                headers=tenant.headers())  # fmt: skip
    server_url = get_settings().database_url
    for query in ("select name, email from customers", "select prefix, secret_hash from api_keys"):
        for form in ({"sql_url": server_url}, {"sql_source": server_url}, {"sql_source": "tendero"}):
            answer = _dataset(client, other_tenant.headers("analyst"), query=query, **form)
            assert answer.status_code == 422, answer.text
            assert "ana@a.es" not in answer.text and "secret_hash" not in answer.text.replace(query, "")
    listed = client.get("/v1/datasets", headers=other_tenant.headers()).json()
    assert listed["total"] == 0


def test_the_server_database_can_never_be_configured_as_a_source(tenant, configure, tmp_path):
    server = make_url(get_settings().database_url)
    variants = [server.render_as_string(hide_password=False)]
    if server.get_backend_name() == "sqlite":
        real = Path(server.database or "")
        link = tmp_path / "alias.db"
        link.symlink_to(real)
        variants += [f"sqlite:///{link}", f"sqlite:///{real.parent}/./{real.name}"]
    else:
        for host in ("localhost", "127.0.0.1", "::1"):
            url = server.set(host=host, drivername="postgresql").render_as_string(hide_password=False)
            variants.append(url)
    for url in variants:
        with pytest.raises(SourceRefused, match="own database"):
            add_source(tenant.id, "evil", url)
    assert not [s for s in sources_for(tenant.id) if s.name == "evil"]
    for url in variants:  # in the settings: refused when they are read, before anything starts
        configure(sql_sources=json.dumps({"evil": url}))
        with pytest.raises(ValueError, match="own database"):
            get_settings()


def test_a_source_that_became_the_server_database_is_refused_at_use(tenant, shop_db):
    from tendero.store.db import session_scope

    with session_scope() as session:  # stored before: e.g. the server was moved onto that database later
        store_source(session, tenant.id, "moved", get_settings().database_url)
    with pytest.raises(SourceRefused, match="own database"):
        open_source(tenant.id, "moved", "select name from customers")
    with pytest.raises(SourceRefused, match="own database"):
        import_sql(tenant.id, "customers", get_settings().database_url, "select id as customer_id from tenants")


def test_a_named_source_makes_a_dataset_and_stays_its_tenants(client, tenant, other_tenant, shop_db):
    add_source(tenant.id, "tienda", f"sqlite:///{shop_db}")
    query = "select titulo, pvp, unidades from articulos"
    made = _dataset(client, tenant.headers("analyst"), sql_source="tienda", query=query)
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["status"] == "ready" and body["rows"] == 40 and body["source"] == "sql source tienda"
    theirs = _dataset(client, other_tenant.headers("analyst"), sql_source="tienda", query="select * from articulos")
    nothing = _dataset(client, other_tenant.headers("analyst"), sql_source="nada", query="select * from articulos")
    assert theirs.status_code == nothing.status_code == 422
    assert theirs.json()["detail"] == nothing.json()["detail"].replace("'nada'", "'tienda'")
    assert "tienda" not in json.dumps(client.get("/v1/data/sources", headers=other_tenant.headers()).json())


def test_settings_sources_are_open_to_the_tenants_they_name(tenant, other_tenant, shop_db, configure):
    configure(sql_sources=json.dumps({
        "todos": f"sqlite:///{shop_db}",
        "solo-uno": {"url": f"sqlite:///{shop_db}", "tenants": [tenant.name]},
    }))  # fmt: skip
    assert {s.name for s in sources_for(tenant.id)} == {"todos", "solo-uno"}
    assert {s.name for s in sources_for(other_tenant.id)} == {"todos"}
    with pytest.raises(SourceRefused, match="no SQL source named 'solo-uno'"):
        open_source(other_tenant.id, "solo-uno", "select * from articulos")


@pytest.mark.parametrize(
    "query",
    [
        "delete from articulos",
        "with viejos as (select sku from articulos) delete from articulos where sku in (select sku from viejos)",
        "select * from articulos; delete from articulos",
        "update articulos set pvp = 0",
        "insert into articulos select * from articulos",
        "attach database 'otra.db' as otra",
        "pragma writable_schema = on",
        "with x as (select 1) insert into articulos values ('Z', 'z', 1, 1)",
    ],
)
def test_writes_through_a_sqlite_source_fail_and_change_nothing(tenant, shop_db, query):
    add_source(tenant.id, "tienda", f"sqlite:///{shop_db}")
    before = _articles(shop_db)
    with pytest.raises(SourceRefused, match="read-only"):
        stream = open_source(tenant.id, "tienda", query)
        try:
            list(stream.frames())
        finally:
            stream.close()
    assert _articles(shop_db) == before
    assert not (shop_db.parent / "otra.db").exists()


def test_a_sqlite_source_cannot_reach_the_server_database_by_attaching_it(tenant, shop_db):
    add_source(tenant.id, "tienda", f"sqlite:///{shop_db}")
    server = make_url(get_settings().database_url).database or "tendero.db"
    for query in (
        f"select * from articulos; attach '{server}' as t",
        f"with x as (select 1) select * from x; attach database '{server}' as t; select * from t.api_keys",
        "select * from pragma_database_list",
    ):
        with pytest.raises(SourceRefused, match="read-only"):
            open_source(tenant.id, "tienda", query)


def test_a_sqlite_source_that_does_not_exist_creates_no_file(client, tenant, tmp_path):
    ghost = tmp_path / "no" / "such" / "tienda.db"
    add_source(tenant.id, "fantasma", f"sqlite:///{ghost}")
    with pytest.raises(SourceRefused, match="does not exist"):
        open_source(tenant.id, "fantasma", "select 1")
    made = _dataset(client, tenant.headers("analyst"), sql_source="fantasma", query="select 1 as pvp")
    assert made.status_code == 201 and made.json()["status"] == "error"
    assert "does not exist" in made.json()["error"] and str(tmp_path) not in made.text
    with pytest.raises(SourceRefused, match="does not exist"):
        import_sql(tenant.id, "products", f"sqlite:///{ghost}", "select 1 as product_id")
    assert not (tmp_path / "no").exists()


def test_a_sqlite_query_stops_at_the_time_limit(tenant, shop_db, configure):
    configure(sql_timeout_seconds="0.5")
    add_source(tenant.id, "tienda", f"sqlite:///{shop_db}")
    endless = "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c"
    with pytest.raises(SourceRefused, match=r"longer than 0\.5 seconds"):
        stream = open_source(tenant.id, "tienda", endless)
        try:
            list(stream.frames())
        finally:
            stream.close()


def test_a_query_past_the_row_cap_is_refused_whole(tenant, shop_db, configure):
    configure(sql_max_rows="25")
    add_source(tenant.id, "tienda", f"sqlite:///{shop_db}")
    with pytest.raises(SourceRefused, match="more than 25 rows"):
        import_sql(tenant.id, "products", None, "select sku, titulo as name, pvp as price from articulos",
                   source="tienda", chunk_rows=10)  # fmt: skip
    assert commerce.count_rows(tenant.id)["products"] == 0
    report = import_sql(tenant.id, "products", None, "select sku, titulo as name from articulos limit 20",
                        source="tienda", chunk_rows=10)  # fmt: skip
    assert report.counts["inserted"] == 20 and report.details["format"] == "sql"


def test_the_cli_keeps_passwords_out_of_sight_and_refuses_the_server_database(client, tenant, shop_db):
    url = "postgresql://lector:s3cret-pw@db.example.invalid:5432/tienda"
    added = runner.invoke(app, ["sources", "add", "remota", url, "--tenant", tenant.name])
    assert added.exit_code == 0, added.output
    added = runner.invoke(
        app, ["sources", "add", "local", "-", "--tenant", tenant.name], input=f"sqlite:///{shop_db}\n"
    )
    assert added.exit_code == 0, added.output
    listed = runner.invoke(app, ["sources", "list", "--json"])
    assert listed.exit_code == 0 and "s3cret-pw" not in listed.output and "remota" in listed.output
    api = client.get("/v1/data/sources", headers=tenant.headers("analyst"))
    assert api.status_code == 200
    assert {item["name"] for item in api.json()["items"]} == {"remota", "local"}
    assert "s3cret" not in api.text and "example.invalid" not in api.text and "lector" not in api.text
    evil = runner.invoke(app, ["sources", "add", "evil", get_settings().database_url, "--tenant", tenant.name])
    assert evil.exit_code == 1 and "own database" in evil.output
    shell = runner.invoke(app, ["import", "sql", "--url", get_settings().database_url, "--query",
                                "select id as customer_id from tenants", "--entity", "customers",
                                "--tenant", tenant.name])  # fmt: skip
    assert shell.exit_code == 1 and "own database" in shell.output
    named = runner.invoke(app, ["import", "sql", "--source", "local", "--query",
                                "select sku as product_id, titulo as name from articulos", "--entity", "products",
                                "--tenant", tenant.name])  # fmt: skip
    assert named.exit_code == 0, named.output
    assert commerce.count_rows(tenant.id)["products"] == 40
    assert runner.invoke(app, ["sources", "remove", "remota", "--tenant", tenant.name]).exit_code == 0
    assert not remove_source(tenant.id, "remota")


# ---------------------------------------------------------------------------------------------
# PostgreSQL


@pytest.fixture
def shop_postgres():
    """A database of its own on the test PostgreSQL server, standing for the shop's database."""
    if not using_postgres():
        pytest.skip("PostgreSQL sources are tested with TENDERO_TEST_DATABASE_URL")
    import os

    import psycopg

    admin = os.environ["TENDERO_TEST_DATABASE_URL"].replace("+psycopg", "")
    name = f"tendero_shop_{secrets.token_hex(4)}"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    url = admin.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("create table articulos (sku text primary key, titulo text, pvp numeric)")
        connection.execute("create sequence pedidos_seq")
        connection.execute("insert into articulos select 'S' || g, 'Artículo ' || g, g * 1.5 "
                           "from generate_series(1, 40) g")  # fmt: skip
    yield url
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _pg_articles(url: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(url) as connection:
        return connection.execute("select * from articulos order by sku").fetchall()


@pytest.mark.postgres
def test_a_postgresql_source_reads_and_is_read_only(client, tenant, shop_postgres):
    add_source(tenant.id, "pg", shop_postgres)
    made = _dataset(client, tenant.headers("analyst"), sql_source="pg", query="select titulo, pvp from articulos")
    assert made.status_code == 201 and made.json()["status"] == "ready" and made.json()["rows"] == 40
    before = _pg_articles(shop_postgres)
    for query in (
        "with borrados as (delete from articulos returning *) select * from borrados",
        "select nextval('pedidos_seq')",
        "select * from articulos for update",
        "select set_config('default_transaction_read_only', 'off', false), nextval('pedidos_seq')",
        "delete from articulos",
    ):
        with pytest.raises(SourceRefused, match="read-only"):
            stream = open_source(tenant.id, "pg", query)
            try:
                list(stream.frames())
            finally:
                stream.close()
    assert _pg_articles(shop_postgres) == before


@pytest.mark.postgres
def test_a_postgresql_query_stops_at_the_time_limit_and_the_row_cap(tenant, shop_postgres, configure):
    configure(sql_timeout_seconds="0.5", sql_max_rows="1000")
    add_source(tenant.id, "pg", shop_postgres)
    with pytest.raises(SourceRefused, match=r"longer than 0\.5 seconds"):
        stream = open_source(tenant.id, "pg", "select pg_sleep(5)")
        try:
            list(stream.frames())
        finally:
            stream.close()
    stream = open_source(tenant.id, "pg", "select g from generate_series(1, 5000) g", chunk_rows=300)
    try:
        with pytest.raises(SourceRefused, match="more than 1,000 rows"):
            list(stream.frames())
    finally:
        stream.close()
