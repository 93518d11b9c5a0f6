"""``tendero bench import``: rows per second of a validated order-lines import, beside plain pandas."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tendero.bench.report import bench_report, emit, log


def command(
    file: Annotated[Path | None, typer.Option(help="a CSV of order lines; default: generate --rows of them")] = None,
    rows: Annotated[int, typer.Option(min=1000, help="rows to generate when no --file is given")] = 1_000_000,
    database_url: Annotated[str, typer.Option(help="empty: a fresh SQLite file; or a PostgreSQL URL")] = "",
    json_output: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Import order lines into a fresh database and time it; pandas_to_sql writes the same rows unvalidated."""
    import os
    import secrets
    import tempfile
    import time

    from tendero.bench.report import Stopwatch

    with tempfile.TemporaryDirectory(prefix="tendero-bench-import-") as home:
        os.environ["TENDERO_HOME"] = home
        os.environ["TENDERO_ARTIFACTS"] = str(Path(home) / "artifacts")
        database = _fresh_database(database_url, home)
        os.environ["TENDERO_DATABASE_URL"] = database
        from tendero.config import reset_settings
        from tendero.store.db import reset_engine

        reset_settings()
        reset_engine()
        from tendero.data.demo import synthetic_order_lines
        from tendero.data.imports import import_file
        from tendero.store import tenants
        from tendero.store.db import display_url, get_engine, session_scope
        from tendero.store.migrate import upgrade_database

        if file is None:
            log(f"generating {rows:,} order lines ...")
            path = Path(home) / "order_lines.csv"
            synthetic_order_lines(rows).to_csv(path, index=False)
        else:
            path = file
        upgrade_database()
        with session_scope() as session:
            tenant, _ = tenants.create_tenant(session, f"bench-{secrets.token_hex(3)}")
            tenant_id = tenant.id
        log(f"importing {path} into {display_url(database)} ...")
        watch = Stopwatch()
        with watch.running():
            report = import_file(tenant_id, "order_lines", path)
        ours = {
            "rows": float(report.counts["rows_read"]),
            "rows_per_s": report.counts["rows_read"] / watch.seconds,
            "seconds": watch.seconds,
            "rejected": float(report.counts["rejected"]),
            "peak_mb": watch.peak_mb,
        }
        log(f"tendero: {ours['rows_per_s']:,.0f} rows/s")
        from tendero.data.frames import READERS

        # what training pays: the tenant's order lines back out as one frame (the sales, customer and
        # recommendation frames all start from it)
        watch = Stopwatch()
        with watch.running():
            lines = READERS["order_lines"](tenant_id)
        if len(lines) != report.counts["inserted"]:
            raise RuntimeError(f"read back {len(lines):,} order lines, imported {report.counts['inserted']:,}")
        ours.update({"read_seconds": watch.seconds, "read_rows_per_s": len(lines) / watch.seconds})
        log(f"read back as a frame: {len(lines):,} lines in {watch.seconds:.1f} s")
        import pandas as pd

        started = time.perf_counter()
        frame = pd.read_csv(path)
        frame.to_sql("bench_plain_lines", get_engine(), if_exists="replace", index=False, chunksize=50_000)
        plain_seconds = time.perf_counter() - started
        baseline = {"rows": float(len(frame)), "rows_per_s": len(frame) / plain_seconds, "seconds": plain_seconds}
        log(f"pandas_to_sql (no validation, one table): {baseline['rows_per_s']:,.0f} rows/s")
        backend = get_engine().dialect.name
        if database_url:
            _drop_database(database_url, database)
    params = {"database": backend, "rows": int(ours["rows"]), "validation": True, "file": str(file or "generated")}
    emit(
        bench_report(
            "import", str(file or "synthetic order lines"), params, {"tendero": ours, "pandas_to_sql": baseline}
        ),
        json_output,
    )


def _fresh_database(url: str, home: str) -> str:
    if not url:
        return f"sqlite:///{Path(home) / 'bench.db'}"
    import secrets

    import psycopg

    name = f"tendero_bench_{secrets.token_hex(4)}"
    admin = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return admin.rsplit("/", 1)[0] + f"/{name}"


def _drop_database(admin_url: str, database: str) -> None:
    import psycopg

    from tendero.store.db import reset_engine

    reset_engine()
    name = database.rsplit("/", 1)[1]
    with psycopg.connect(admin_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
