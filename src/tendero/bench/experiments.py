"""``tendero bench experiments``: how often the experiment statistics are wrong, on real outcomes.

Thousands of simulated experiments re-split real units at random: A/A splits (false positives of the
fixed-horizon test, and of peeking at 20 looks with the always-valid p-value), A/B splits with a known
injected lift (95 % interval coverage), CUPED's variance reduction with the pre-period covariate, and splits
whose treatment lost units (sample-ratio-mismatch detection). METHOD ``naive`` is Student's t-test read at
the end and at every look, with no covariate and no split check. Outcome sets: CDNOW customers' holdout
spend and purchases (covariate: the same in the calibration period), the Udacity landing-page test's
conversions and Cookie Cats' 7-day retention and rounds played. Also times hashed assignment of 1M units
and event ingestion on a fresh SQLite database.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from tendero.bench.report import bench_report, emit, log

DATA = Path("../shared/data")
HEADLINE = ("aa_false_positive_rate", "ci_coverage_95", "sequential_false_positive_rate", "srm_detection_rate")


def command(
    cdnow: Annotated[Path, typer.Option(help="CDNOW_master.txt")] = DATA / "customers" / "CDNOW_master.txt",
    ab_data: Annotated[Path, typer.Option(help="ab_data.csv.gz")] = DATA / "experiments" / "ab_data.csv.gz",
    cookie_cats: Annotated[Path, typer.Option(help="cookie_cats.csv")] = DATA / "experiments" / "cookie_cats.csv",
    calibration_end: Annotated[str, typer.Option(help="CDNOW: end of the pre-period")] = "1997-09-30",
    simulations: Annotated[int, typer.Option(min=10, help="simulated experiments per outcome")] = 2000,
    lift: Annotated[float, typer.Option(help="relative effect injected for coverage")] = 0.05,
    looks: Annotated[int, typer.Option(min=1, help="peeks for the sequential false-positive rate")] = 20,
    srm_loss: Annotated[float, typer.Option(help="share of treatment units lost in the broken splits")] = 0.05,
    assignment_units: Annotated[
        int, typer.Option(help="units hashed for the assignment figures (0: skip)")
    ] = 1_000_000,
    ingest_events: Annotated[int, typer.Option(help="events ingested on SQLite for events/s (0: skip)")] = 100_000,
    seed: int = 0,
    json_output: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Simulate experiments on real outcomes; print false-positive rates, coverage, CUPED and SRM figures."""
    import time

    from tendero.experiments.simulation import simulate

    outcomes = _outcomes(cdnow, ab_data, cookie_cats, calibration_end)
    if not outcomes:
        raise typer.BadParameter("none of the outcome files was found (see --cdnow, --ab-data, --cookie-cats)")
    ours: dict[str, float] = {}
    naive: dict[str, float] = {}
    per_set: list[tuple[dict[str, float], dict[str, float]]] = []
    for index, outcome in enumerate(outcomes):
        started = time.perf_counter()
        figures = simulate(outcome, simulations, lift, looks, srm_loss, seed=seed + index)
        mine, theirs = figures.rates()
        per_set.append((mine, theirs))
        shown = ", ".join(f"{k}={v:.4f}" for k, v in mine.items())
        seconds = time.perf_counter() - started
        log(f"{outcome.name}: {len(outcome.values):,} units, {simulations} simulations in {seconds:.0f} s: {shown}")
        ours.update({f"{outcome.name}_{k}": v for k, v in mine.items() if k != "simulations"})
        naive.update({f"{outcome.name}_{k}": v for k, v in theirs.items() if k != "simulations"})
        if outcome.covariate is not None:
            import numpy as np

            correlation = float(np.corrcoef(outcome.values, outcome.covariate)[0, 1])
            ours[f"{outcome.name}_pre_period_correlation"] = correlation
    for metric in HEADLINE:  # the headline: the mean over the outcome sets
        ours[metric] = sum(m[metric] for m, _ in per_set) / len(per_set)
        naive[metric] = sum(n[metric] for _, n in per_set) / len(per_set)
    with_cuped = [m["cuped_variance_reduction"] for m, _ in per_set if "cuped_variance_reduction" in m]
    ours["cuped_variance_reduction"] = sum(with_cuped) / len(with_cuped) if with_cuped else float("nan")
    naive["cuped_variance_reduction"] = 0.0
    ours["simulations"] = naive["simulations"] = float(simulations * len(outcomes))
    if assignment_units:
        ours.update(_assignment(assignment_units))
    if ingest_events:
        ours.update(_ingestion(ingest_events))
    params = {"simulations_per_outcome": simulations, "lift": lift, "looks": looks, "srm_loss": srm_loss,
              "alpha": 0.05, "outcomes": [o.name for o in outcomes], "calibration_end": calibration_end,
              "seed": seed}  # fmt: skip
    data = ", ".join(str(p) for p in (cdnow, ab_data, cookie_cats) if p.exists())
    emit(bench_report("experiments", data, params, {"tendero": ours, "naive": naive}), json_output)


def _outcomes(cdnow: Path, ab_data: Path, cookie_cats: Path, calibration_end: str) -> list[Any]:
    import numpy as np
    import pandas as pd

    from tendero.customers.transactions import read_cdnow
    from tendero.experiments.simulation import Outcome

    out = []
    if cdnow.exists():
        lines = read_cdnow(cdnow)
        end = pd.Timestamp(calibration_end)
        days = lines.groupby(["customer_id", "ordered_at"], as_index=False)["revenue"].sum()
        before, after = days[days["ordered_at"] <= end], days[days["ordered_at"] > end]
        customers = pd.Index(days["customer_id"].unique())
        pre_spend = before.groupby("customer_id")["revenue"].sum().reindex(customers, fill_value=0.0).to_numpy()
        pre_buys = before.groupby("customer_id").size().reindex(customers, fill_value=0).to_numpy(dtype=float)
        spend = after.groupby("customer_id")["revenue"].sum().reindex(customers, fill_value=0.0).to_numpy()
        buys = after.groupby("customer_id").size().reindex(customers, fill_value=0).to_numpy(dtype=float)
        out.append(Outcome("cdnow_spend", spend, False, pre_spend))
        out.append(Outcome("cdnow_purchases", buys, False, pre_buys))
    else:
        log(f"skipping CDNOW: {cdnow} not found")
    if ab_data.exists():
        raw = pd.read_csv(ab_data)
        matched = raw[(raw["group"] == "control") == (raw["landing_page"] == "old_page")]
        users = matched.drop_duplicates("user_id", keep=False)
        out.append(Outcome("ab_data_converted", users["converted"].to_numpy(dtype=float), True))
    else:
        log(f"skipping the landing-page test: {ab_data} not found")
    if cookie_cats.exists():
        players = pd.read_csv(cookie_cats)
        retained = players["retention_7"].astype(str).str.upper().eq("TRUE").to_numpy(dtype=float)
        out.append(Outcome("cookie_cats_retention_7", retained, True))
        out.append(Outcome("cookie_cats_rounds", players["sum_gamerounds"].to_numpy(dtype=np.float64), False))
    else:
        log(f"skipping Cookie Cats: {cookie_cats} not found")
    return out


def _assignment(units: int) -> dict[str, float]:
    """Hash ``units`` ids twice (stability) under 50/30/20 weights (share error)."""
    import time

    import numpy as np

    from tendero.experiments.assignment import assign_many

    ids = [f"customer-{i}" for i in range(units)]
    weights = [0.5, 0.3, 0.2]
    started = time.perf_counter()
    first = assign_many("bench-salt", ids, ["A", "B", "C"], weights)
    seconds = time.perf_counter() - started
    again = assign_many("bench-salt", ids, ["A", "B", "C"], weights)
    shares = np.array([(first == v).mean() for v in ("A", "B", "C")])
    error = float(np.abs(shares - np.array(weights)).max())
    log(f"assignment: {units:,} units in {seconds:.1f} s, largest share error {error:.5f}")
    return {"assignment_units": float(units), "assignment_stable": float((first == again).all()),
            "assignment_max_share_error": error, "assignment_units_per_s": units / seconds}  # fmt: skip


def _ingestion(events: int) -> dict[str, float]:
    """Events per second through the service (validation, dedup, attribution, insert) on a fresh SQLite file."""
    import os
    import tempfile
    import time
    from datetime import UTC, datetime, timedelta

    with tempfile.TemporaryDirectory(prefix="tendero-bench-experiments-") as home:
        os.environ["TENDERO_HOME"] = home
        os.environ["TENDERO_DATABASE_URL"] = f"sqlite:///{Path(home) / 'bench.db'}"
        from tendero.config import reset_settings
        from tendero.store.db import reset_engine

        reset_settings()
        reset_engine()
        from tendero.services import experiments as service
        from tendero.store import tenants
        from tendero.store.db import session_scope
        from tendero.store.migrate import upgrade_database

        upgrade_database()
        with session_scope() as session:
            tenant, _ = tenants.create_tenant(session, "bench")
            tenant_id = tenant.id
        start = datetime.now(UTC) - timedelta(days=1)
        body = service.ExperimentIn.model_validate({
            "name": "bench", "start": start, "variants": [{"key": "A", "weight": 1}, {"key": "B", "weight": 1}],
            "metrics": [{"name": "conversion", "kind": "proportion", "event": "purchase"},
                        {"name": "revenue", "event": "revenue", "role": "guardrail"}]})  # fmt: skip
        experiment = service.create(tenant_id, body)["id"]
        units = max(1, events // 4)
        batch = 10_000
        stamp = (start + timedelta(hours=1)).isoformat()
        payload: list[dict[str, Any]] = []
        for i in range(units):
            payload.append({"event_id": f"x{i}", "unit": f"u{i}", "type": "exposure", "at": stamp})
        for i in range(events - units):
            kind = "purchase" if i % 3 else "revenue"
            payload.append({"event_id": f"o{i}", "unit": f"u{i % units}", "event": kind, "value": 12.5, "at": stamp})
        accepted = 0
        started, cpu = time.perf_counter(), time.process_time()
        for offset in range(0, len(payload), batch):
            accepted += service.record_events(tenant_id, experiment, payload[offset : offset + batch])["accepted"]
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
        if accepted != len(payload):
            raise RuntimeError(f"ingested {accepted} of {len(payload)} events")
        started = time.perf_counter()
        again = sum(service.record_events(tenant_id, experiment, payload[o : o + batch])["duplicates"]
                    for o in range(0, len(payload), batch))  # fmt: skip
        duplicate_seconds = time.perf_counter() - started
        started = time.perf_counter()
        service.results(tenant_id, experiment)
        results_seconds = time.perf_counter() - started
        reset_engine()
    log(f"ingestion: {accepted:,} events in {seconds:.1f} s ({accepted / seconds:,.0f}/s; "
        f"{accepted / cpu_seconds:,.0f} per CPU second); "
        f"{again:,} re-sent duplicates in {duplicate_seconds:.1f} s; results in {results_seconds:.1f} s")  # fmt: skip
    return {"ingest_events": float(accepted), "ingest_events_per_s": accepted / seconds,
            "ingest_events_per_cpu_s": accepted / cpu_seconds,
            "ingest_duplicates_per_s": again / duplicate_seconds, "results_seconds": results_seconds}  # fmt: skip
