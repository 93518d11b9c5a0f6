"""``tendero`` commands for the capabilities: customers, forecast, datasets, train, models.

Commands call the same services as the API, for one tenant, and print readable tables (``--json``
for machines). A job started here with ``--follow`` (or when nothing is deployed yet) runs in this
process through the same job runner path as the server's, with a live progress bar.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from tendero.errors import NotFound

if TYPE_CHECKING:  # imported where used: the CLI starts without pandas
    from tendero.kinds import ForecastModel
    from tendero.services.models import Served

S = TypeVar("S")
console = Console()
err = Console(stderr=True)
TenantOpt = Annotated[str, typer.Option("--tenant", "-t", help="tenant name or id")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON")]

customers_app = typer.Typer(help="Customer segments, churn risk, likely buyers.", no_args_is_help=True)
datasets_app = typer.Typer(help="Training-platform datasets.", no_args_is_help=True)
train_app = typer.Typer(help="Train models.", no_args_is_help=True)


def fail(message: str) -> NoReturn:
    err.print(f"[red]error:[/red] {message}")
    raise typer.Exit(1)


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, default=str, indent=2) + "\n")


def tenant_id_of(name: str) -> str:
    from tendero.services import tenants
    from tendero.services.database import upgrade_database

    upgrade_database()
    try:
        return tenants.find_tenant(name).id
    except NotFound as error:
        fail(str(error))
        raise


def run_job_here(tenant_id: str, job_id: str, follow: bool = True) -> dict[str, Any]:
    """Run a queued job in this process (the server's runner may take it first: claims are atomic),
    drawing its progress; returns the finished job."""
    from tendero.services.jobs import job_state
    from tendero.services.workers import run_job_in_thread

    runner = run_job_in_thread(job_id)
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
               TextColumn("{task.fields[metrics]}"), TimeRemainingColumn())  # fmt: skip
    seen = 0
    with Progress(*columns, console=err, disable=not follow) as bar:
        task = bar.add_task("queued", total=100, metrics="")
        while True:
            state = job_state(tenant_id, job_id, after_event=seen)
            status, progress, error, result, events = (
                state.status,
                state.progress,
                state.error,
                state.result,
                state.events,
            )
            if events:
                seen = events[-1].id
                last = events[-1]
                shown = ", ".join(f"{k}={v:.4g}" for k, v in list(last.metrics.items())[:3])
                bar.update(task, description=last.message[:40] or status, metrics=shown)
            bar.update(task, completed=progress)
            if status in ("completed", "failed", "cancelled"):
                break
            time.sleep(0.3)
    runner.join(10)
    return {"id": job_id, "status": status, "error": error, "result": result}


def submit(tenant_id: str, request: dict[str, Any]) -> str:
    from tendero.services.models import OPERATOR, submit_training

    try:
        return submit_training(tenant_id, request, role=OPERATOR, wake_runner=False).id
    except ValueError as error:
        fail(str(error))
        raise


def deployed(tenant_id: str, model: str, surface: type[S]) -> Served[S] | None:
    """The deployed version of ``model`` answering as ``surface``; None when there is none."""
    from tendero.errors import NotFound
    from tendero.services.models import deployed

    try:
        return deployed(tenant_id, model, surface)
    except NotFound:
        return None


def _table(rows: list[dict[str, Any]], columns: list[str], title: str = "") -> Table:
    table = Table(*columns, title=title)
    for row in rows:
        table.add_row(*[_cell(row.get(c)) for c in columns])
    return table


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    if isinstance(value, list):
        return "; ".join(v.get("text", str(v)) if isinstance(v, dict) else str(v) for v in value[:2])
    return "" if value is None else str(value)


def _customer_model(tenant: str, language: str) -> tuple[str, Any]:
    from tendero.kinds import CustomersModel

    tenant_id = tenant_id_of(tenant)
    served = deployed(tenant_id, "customers", CustomersModel)
    if served is None:
        err.print("no customer model deployed yet: training one now ...")
        job = run_job_here(tenant_id, submit(tenant_id, {"model": "customers", "kind": "customers",
                                                          "deploy": "always"}))  # fmt: skip
        if job["status"] != "completed":
            fail(f"training failed: {job['error']}")
        served = deployed(tenant_id, "customers", CustomersModel)
    return tenant_id, served


@customers_app.command("segments")
def customers_segments(tenant: TenantOpt, as_json: JsonOpt = False, lang: str = "es") -> None:
    """The RFM segments: customers, revenue share, mean R/F/M, repeat rate, what to do."""
    _, served = _customer_model(tenant, lang)
    rows = served.fitted.segments_summary(lang)
    if as_json:
        print_json(rows)
        return
    console.print(
        _table(
            rows,
            [
                "name",
                "customers",
                "revenue_share",
                "mean_recency_days",
                "mean_frequency",
                "mean_monetary",
                "repeat_rate",
                "action",
            ],
            f"segments (model {served.version})",
        )
    )


@customers_app.command("at-risk")
def customers_at_risk(tenant: TenantOpt, min_value: float = 0.0, limit: int = 20, as_json: JsonOpt = False,
                      lang: str = "es") -> None:  # fmt: skip
    """Customers by value at risk, with the top reasons."""
    _, served = _customer_model(tenant, lang)
    rows = served.fitted.at_risk(min_value, limit, lang)
    if as_json:
        print_json(rows)
        return
    console.print(_table(rows, ["customer_id", "segment", "churn_probability", "value_at_risk", "clv",
                                "last_purchase", "top_reasons"], "customers at risk"))  # fmt: skip


@customers_app.command("likely-buyers")
def customers_likely_buyers(tenant: TenantOpt, days: int = 7, limit: int = 20, as_json: JsonOpt = False) -> None:
    """Customers most likely to buy in the next ``days``."""
    _, served = _customer_model(tenant, "es")
    rows = served.fitted.likely_buyers(days, limit, 0.0)
    if as_json:
        print_json(rows)
        return
    console.print(_table(rows, ["customer_id", "segment", "p_purchase", "expected_purchases_window", "clv",
                                "last_purchase"], f"likely buyers in the next {days} days"))  # fmt: skip


def forecast_command(
    tenant: TenantOpt,
    level: Annotated[str, typer.Option(help="total, category, product, store, store_product")] = "category",
    freq: Annotated[str, typer.Option(help="D, W or M")] = "M",
    horizon: Annotated[int, typer.Option(help="periods ahead")] = 3,
    retrain: Annotated[bool, typer.Option(help="train a new version first")] = False,
    as_json: JsonOpt = False,
    plot: Annotated[Path | None, typer.Option(help="write a PNG chart of history and forecast")] = None,
) -> None:
    """Forecast sales at a level and frequency (training the model first if none is deployed)."""
    from tendero.kinds import ForecastModel

    tenant_id = tenant_id_of(tenant)
    name = f"forecast-{level}-{freq}"
    served = deployed(tenant_id, name, ForecastModel)
    if served is None or retrain or (served.fitted.horizon or 0) < horizon:
        err.print(f"training {name} ...")
        params = {"level": level, "freq": freq, "horizon": horizon}
        job = run_job_here(tenant_id, submit(tenant_id, {"model": name, "kind": "forecast", "params": params,
                                                          "deploy": "always"}))  # fmt: skip
        if job["status"] != "completed":
            fail(f"training failed: {job['error']}")
        served = deployed(tenant_id, name, ForecastModel)
        assert served is not None  # just trained and deployed
    frame = served.fitted.forecast(levels=[80, 95], horizon=horizon)
    if as_json:
        print_json({"model": name, "version": served.version, "choice": served.fitted.choice() or None,
                    "forecast": frame.assign(ds=frame["ds"].astype(str)).to_dict("records")})  # fmt: skip
    else:
        rows = frame.assign(ds=frame["ds"].dt.date.astype(str)).to_dict("records")
        mase = served.fitted.metrics.get("backtest_mase", float("nan"))
        columns = ["unique_id", "ds", "yhat", "lo-80", "hi-80", "lo-95", "hi-95"]
        console.print(_table(rows, columns, f"{name} {served.version}: backtest MASE {mase:.3f}"))
    if plot is not None:
        _plot(served.fitted, frame, plot, name)
        err.print(f"chart written to {plot}")


def _plot(fitted: ForecastModel, frame: Any, path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    history = fitted.total_history() if "total" in set(frame["unique_id"]) else fitted.series_history()
    ids = list(dict.fromkeys(frame["unique_id"]))[:6]
    figure, axis = plt.subplots(figsize=(10, 5))
    for uid in ids:
        past = history[history["unique_id"] == uid].tail(36)
        future = frame[frame["unique_id"] == uid]
        line = axis.plot(past["ds"], past["y"], label=uid)[0]
        axis.plot(future["ds"], future["yhat"], "--", color=line.get_color())
        axis.fill_between(future["ds"], future["lo-95"], future["hi-95"], color=line.get_color(), alpha=0.12)
        axis.fill_between(future["ds"], future["lo-80"], future["hi-80"], color=line.get_color(), alpha=0.25)
    axis.set_title(title)
    axis.legend(fontsize=8)
    figure.autofmt_xdate()
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


@datasets_app.command("upload")
def datasets_upload(
    file: Path,
    tenant: TenantOpt,
    name: Annotated[str, typer.Option()],
    task: Annotated[str, typer.Option(help="classification, regression, clustering, text_classification")],
    target: Annotated[str | None, typer.Option()] = None,
    as_json: JsonOpt = False,
) -> None:
    """Upload a CSV/JSON/JSON lines/Parquet file as a dataset; prints its schema or what is wrong."""
    from tendero.services.datasets import create_from_file

    tenant_id = tenant_id_of(tenant)
    if not file.is_file():
        fail(f"no file {file}")
    row = create_from_file(tenant_id, file, file.name, name, task, target)
    if as_json:
        print_json(row)
        return
    _show_dataset(row)


def _show_dataset(row: dict[str, Any]) -> None:
    console.print(f"dataset [bold]{row['name']}[/bold] ({row['id']}): {row['status']}, {row['rows']:,} rows, "
                  f"task {row['task']}, target {row['target']}")  # fmt: skip
    if row["error"]:
        console.print(f"[red]{row['error']}[/red]")
    columns = row["schema"].get("columns", [])
    if columns:
        console.print(_table(columns, ["name", "type", "cardinality", "missing_share"]))
    issues = row["report"].get("issues", [])
    if issues:
        console.print(_table(issues[:20], ["row", "column", "value", "message"], "problems"))


@datasets_app.command("list")
def datasets_list(tenant: TenantOpt, as_json: JsonOpt = False) -> None:
    from tendero.services.datasets import list_datasets

    rows = list_datasets(tenant_id_of(tenant), 500, 0)[0]
    if as_json:
        print_json(rows)
        return
    console.print(_table(rows, ["id", "name", "status", "task", "target", "rows", "created_at"]))


@datasets_app.command("show")
def datasets_show(dataset_id: str, tenant: TenantOpt, as_json: JsonOpt = False) -> None:
    from tendero.errors import NotFound
    from tendero.services.datasets import get_dataset

    tenant_id = tenant_id_of(tenant)
    try:
        row = get_dataset(tenant_id, dataset_id)
    except NotFound as error:
        fail(str(error))
    if as_json:
        print_json(row)
        return
    _show_dataset(row)


@train_app.command("tabular")
def train_tabular(
    tenant: TenantOpt,
    dataset: Annotated[str, typer.Option(help="dataset id")],
    algorithm: Annotated[str, typer.Option()] = "lightgbm",
    param: Annotated[list[str] | None, typer.Option("--param", help="name=value (repeatable)")] = None,
    name: Annotated[str | None, typer.Option(help="model name; default: dataset name + algorithm")] = None,
    follow: Annotated[bool, typer.Option("--follow", help="run here with a live progress bar")] = False,
) -> None:
    """Train a tabular model on a dataset (queued for the server's runner, or run here with --follow)."""
    from tendero.errors import NotFound
    from tendero.services.datasets import dataset_facts

    tenant_id = tenant_id_of(tenant)
    try:
        facts = dataset_facts(tenant_id, dataset)
        task, target, features, dataset_name = facts.task, facts.target, facts.features, facts.name
    except NotFound as error:
        fail(str(error))
    hyperparameters: dict[str, Any] = {}
    for pair in param or []:
        key, sep, value = pair.partition("=")
        if not sep:
            fail(f"--param {pair!r} must be name=value")
        hyperparameters[key.strip()] = _literal(value)
    model = name or f"{dataset_name}-{algorithm}"
    params = {"task": task, "target": target, "features": features or None, "algorithm": algorithm,
              "hyperparameters": hyperparameters}  # fmt: skip
    job_id = submit(tenant_id, {"model": model, "kind": "tabular", "params": params, "dataset": dataset,
                                "deploy": "if_better"})  # fmt: skip
    if not follow:
        console.print(f"job {job_id} queued: follow it with GET /v1/jobs/{job_id}/progress")
        return
    job = run_job_here(tenant_id, job_id)
    if job["status"] != "completed":
        fail(f"{job['status']}: {job['error']}")
    console.print(f"model [bold]{model}[/bold] version {job['result']['version']} "
                  f"({'deployed' if job['result'].get('deployed') else 'not deployed'})")  # fmt: skip


def _literal(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text
