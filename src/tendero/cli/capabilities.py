"""``tendero`` commands for the capabilities: customers, forecast, datasets, train, models.

Commands call the same services as the API, for one tenant, and print readable tables (``--json``
for machines). A job started here with ``--follow`` (or when nothing is deployed yet) runs in this
process through the same job runner path as the server's, with a live progress bar.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from tendero.catalogue.cli import CLI
from tendero.cli import output
from tendero.cli.algorithm_names import ALGORITHM_NAMES
from tendero.cli.failures import fail as _fail_with
from tendero.cli.failures import job_output_to_log, readable_failure
from tendero.cli.output import Column, say
from tendero.errors import NotFound

if TYPE_CHECKING:  # imported where used: the CLI starts without pandas
    from tendero.kinds import ForecastModel
    from tendero.services.models import Served

S = TypeVar("S")
console = output.Screen()
err = output.Screen(stderr=True)
TenantOpt = Annotated[str, typer.Option("--tenant", "-t", help="tenant name or id")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON")]

customers_app = typer.Typer(help="Customer segments, churn risk, likely buyers.", no_args_is_help=True)
datasets_app = typer.Typer(help="Training-platform datasets.", no_args_is_help=True)
train_app = typer.Typer(help="Train models.", no_args_is_help=True)


def fail(message: str, code: int = 1) -> NoReturn:
    """One line on standard error, exit ``code`` (through the command's one failure path)."""
    _fail_with(message, code)


def print_json(value: Any) -> None:
    output.print_json(value)


def tenant_id_of(name: str) -> str:
    from tendero.services import tenants
    from tendero.services.database import upgrade_database

    upgrade_database()
    try:
        return tenants.find_tenant(name).id
    except NotFound:
        fail(say("tenant.unknown", name=name))


def run_job_here(tenant_id: str, job_id: str, follow: bool = True) -> dict[str, Any]:
    """Run a queued job in this process (the server's runner may take it first: claims are atomic),
    drawing its progress; returns the finished job."""
    with job_output_to_log():  # a failed job's traceback goes to the log, not the terminal
        return _follow_job(tenant_id, job_id, follow)


def _follow_job(tenant_id: str, job_id: str, follow: bool) -> dict[str, Any]:
    from tendero.catalogue.jobs import render_job_text
    from tendero.services.jobs import job_state
    from tendero.services.workers import run_job_in_thread

    runner = run_job_in_thread(job_id)
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
               TextColumn("{task.fields[metrics]}"), TimeRemainingColumn())  # fmt: skip
    seen = 0
    status, error, result = "queued", None, None
    with Progress(*columns, console=output.errors(), disable=not follow) as bar:
        task = bar.add_task(_status("queued"), total=100, metrics="")
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
                message = render_job_text(last.message, output.language())
                bar.update(task, description=message[:40] or _status(status), metrics=shown)
            bar.update(task, completed=progress)
            if status in ("completed", "failed", "cancelled"):
                break
            time.sleep(0.3)
    runner.join(10)
    return {"id": job_id, "status": status, "error": error, "result": result}


def _status(status: str) -> str:
    """A job's status in the run's language (the catalogue's word, else the status as stored)."""
    return say(f"job_status.{status}") if f"job_status.{status}" in CLI else status


def submit(tenant_id: str, request: dict[str, Any]) -> str:
    from tendero.services.models import OPERATOR, submit_training

    return submit_training(tenant_id, request, role=OPERATOR, wake_runner=False).id


def train_here(tenant_id: str, tenant: str, request: dict[str, Any]) -> dict[str, Any]:
    """Queue a training request and run it in this process; a failed job is one line in the user's words."""
    job = run_job_here(tenant_id, submit(tenant_id, request))
    if job["status"] != "completed":
        fail(say("training.failed", reason=readable_failure(job["error"] or job["status"], tenant)))
    return job


def deployed(tenant_id: str, model: str, surface: type[S]) -> Served[S] | None:
    """The deployed version of ``model`` answering as ``surface``; None when there is none."""
    from tendero.errors import NotFound
    from tendero.services.models import deployed

    try:
        return deployed(tenant_id, model, surface)
    except NotFound:
        return None


def _currency(tenant_id: str) -> str:
    from tendero.services.tenant_settings import currency_of

    return currency_of(tenant_id)


def _customer_model(tenant: str) -> tuple[str, Any]:
    from tendero.kinds import CustomersModel

    tenant_id = tenant_id_of(tenant)
    served = deployed(tenant_id, "customers", CustomersModel)
    if served is None:
        err.print(say("training.customers"))
        train_here(tenant_id, tenant, {"model": "customers", "kind": "customers", "deploy": "always"})
        served = deployed(tenant_id, "customers", CustomersModel)
    return tenant_id, served


@customers_app.command("segments")
def customers_segments(tenant: TenantOpt, as_json: JsonOpt = False) -> None:
    """The RFM segments: customers, revenue share, mean R/F/M, repeat rate, what to do."""
    tenant_id, served = _customer_model(tenant)
    rows = served.fitted.segments_summary(output.language())
    if as_json:
        print_json(rows)
        return
    columns = [Column("name", "col.segment"), Column("customers", "col.customers", "count"),
               Column("revenue_share", "col.revenue_share", "share"),
               Column("mean_recency_days", "col.recency", "days"), Column("mean_frequency", "col.frequency", "count"),
               Column("mean_monetary", "col.monetary", "money"), Column("repeat_rate", "col.repeat_rate", "share"),
               Column("action", "col.action")]  # fmt: skip
    output.print_table(rows, columns, say("segments.title", version=served.version), currency=_currency(tenant_id))


@customers_app.command("at-risk")
def customers_at_risk(tenant: TenantOpt, min_value: float = 0.0, limit: int = 20, as_json: JsonOpt = False) -> None:
    """Customers by value at risk, with the top reasons."""
    tenant_id, served = _customer_model(tenant)
    rows = served.fitted.at_risk(min_value, limit, output.language())
    if as_json:
        print_json(rows)
        return
    columns = [Column("customer_id", "col.customer", "id"), Column("segment", "col.segment"),
               Column("churn_probability", "col.churn", "share"), Column("value_at_risk", "col.value_at_risk", "money"),
               Column("clv", "col.clv", "money"), Column("last_purchase", "col.last_purchase", "date"),
               Column("top_reasons", "col.reasons")]  # fmt: skip
    output.print_table(rows, columns, say("at_risk.title"), currency=_currency(tenant_id))


@customers_app.command("likely-buyers")
def customers_likely_buyers(tenant: TenantOpt, days: int = 7, limit: int = 20, as_json: JsonOpt = False) -> None:
    """Customers most likely to buy in the next DAYS days."""
    tenant_id, served = _customer_model(tenant)
    rows = served.fitted.likely_buyers(days, limit, 0.0)
    if as_json:
        print_json(rows)
        return
    columns = [Column("customer_id", "col.customer", "id"), Column("segment", "col.segment"),
               Column("p_purchase", "col.p_purchase", "share"),
               Column("expected_purchases_window", "col.expected_purchases", "count"),
               Column("clv", "col.clv", "money"), Column("last_purchase", "col.last_purchase", "date")]  # fmt: skip
    output.print_table(rows, columns, say("likely.title", days=days), currency=_currency(tenant_id))


LEVELS = ("total", "category", "product", "store", "store_product")
FREQUENCIES = ("D", "W", "M")
MEASURES = ("quantity", "revenue")


def forecast_command(
    tenant: TenantOpt,
    level: Annotated[str, typer.Option(help="total, category, product, store, store_product")] = "category",
    freq: Annotated[str, typer.Option(help="D, W or M")] = "M",
    horizon: Annotated[int, typer.Option(help="periods ahead")] = 3,
    measure: Annotated[
        str, typer.Option(help="quantity (units sold) or revenue (money), as the API's measure")
    ] = "quantity",
    retrain: Annotated[bool, typer.Option(help="train a new version first")] = False,
    as_json: JsonOpt = False,
    plot: Annotated[Path | None, typer.Option(help="write a PNG chart of history and forecast")] = None,
) -> None:
    """Forecast sales at a level and frequency (training the model first if none is deployed, or if the deployed
    one forecasts another measure or fewer periods)."""
    from tendero.kinds import ForecastModel

    choose("--level", level, LEVELS)
    choose("--freq", freq, FREQUENCIES)
    choose("--measure", measure, MEASURES)
    tenant_id = tenant_id_of(tenant)
    name = f"forecast-{level}-{freq}"
    served = deployed(tenant_id, name, ForecastModel)
    stale = served is None or (served.fitted.horizon or 0) < horizon or served.fitted.measure != measure
    if stale or retrain:
        from tendero.services.forecasts import ForecastTrainIn, training_request

        body = ForecastTrainIn.model_validate({"level": level, "freq": freq, "horizon": horizon, "measure": measure,
                                               "deploy": "always"})  # fmt: skip
        err.print(say("training", name=name))
        train_here(tenant_id, tenant, training_request(body))  # the API's request for the same model
        served = deployed(tenant_id, name, ForecastModel)
    assert served is not None  # deployed, or just trained and deployed
    frame = served.fitted.forecast(levels=[80, 95], horizon=horizon)
    unit: output.Unit = "money" if measure == "revenue" else "units"
    if as_json:
        print_json({"model": name, "version": served.version, "measure": measure,
                    "choice": served.fitted.choice() or None,
                    "forecast": frame.assign(ds=frame["ds"].astype(str)).to_dict("records")})  # fmt: skip
    else:
        rows = frame.assign(ds=frame["ds"].dt.date.astype(str)).to_dict("records")
        mase = served.fitted.metrics.get("backtest_mase", float("nan"))
        columns = [Column("unique_id", "col.series", "id"), Column("ds", "col.period", "date"),
                   Column("yhat", "col.forecast", unit)] + [
            Column(f"{side}-{level_pct}", f"col.{word}", unit, (("level", level_pct),))
            for level_pct in (80, 95) for side, word in (("lo", "low"), ("hi", "high"))
        ]  # fmt: skip
        currency = getattr(served.fitted, "currency", None)
        title = say("forecast.title", name=name, version=served.version, measure=say(f"measure.{measure}"),
                    unit=f", {currency}" if unit == "money" and currency else "", mase=f"{mase:.3f}")  # fmt: skip
        output.print_table(rows, columns, title, currency=currency if isinstance(currency, str) else None)
    if plot is not None:
        _plot(served.fitted, frame, plot, name)
        err.print(say("chart.written", path=plot))


def choose(option: str, value: str, choices: tuple[str, ...]) -> None:
    """A value that must be one of ``choices``: refused with the list (and the nearest one) otherwise."""
    if value in choices:
        return
    import difflib

    near = difflib.get_close_matches(value, choices, n=1)
    message = say("choice", option=option, value=value, choices=", ".join(choices))
    _fail_with(message + (say("choice.near", near=near[0]) if near else ""), 2)


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
    name: Annotated[str, typer.Option(help="a name to find it by (tendero train tabular --dataset NAME)")],
    task: Annotated[str, typer.Option(help="classification, regression, clustering, text_classification")],
    target: Annotated[str | None, typer.Option(help="the column to predict (not for clustering)")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Upload a CSV/JSON/JSON lines/Parquet file as a dataset; prints its schema or what is wrong."""
    from tendero.services.datasets import create_from_file

    choose("--task", task, TASKS)
    if not file.is_file():
        fail(say("file.missing", path=file))
    tenant_id = tenant_id_of(tenant)
    row = create_from_file(tenant_id, file, file.name, name, task, target, language=output.language())
    if as_json:
        print_json(row)
        return
    _show_dataset(row)


TASKS = ("classification", "regression", "clustering", "text_classification")


def _show_dataset(row: dict[str, Any]) -> None:
    line = say("dataset.line", name=row["name"], id=row["id"], status=row["status"], rows=f"{row['rows'] or 0:,}",
               task=row["task"], target=row["target"] or "-")  # fmt: skip
    console.print(line, markup=False)
    if row["error"]:
        console.print(str(row["error"]), style="red", markup=False)
    columns = row["schema"].get("columns", [])
    if columns:
        output.print_table(columns, [Column("name", "col.column"), Column("type", "col.type"),
                                     Column("cardinality", "col.cardinality", "count"),
                                     Column("missing_share", "col.missing_share", "share")])  # fmt: skip
    issues = row["report"].get("issues", [])
    if issues:
        output.print_table(issues[:20], [Column("row", "col.row", "count"), Column("column", "col.column"),
                                         Column("value", "col.value"), Column("message", "col.message")],
                           say("problems"))  # fmt: skip


DATASET_COLUMNS = [Column("id", "col.id", "id"), Column("name", "col.name"), Column("status", "col.status"),
                   Column("task", "col.task"), Column("target", "col.target"), Column("rows", "col.rows", "count"),
                   Column("created", "col.created", "date")]  # fmt: skip


@datasets_app.command("list")
def datasets_list(tenant: TenantOpt, as_json: JsonOpt = False) -> None:
    """The tenant's datasets, newest first; ids in full (a dataset is found by its id or its name)."""
    from tendero.services.datasets import list_datasets

    rows = list_datasets(tenant_id_of(tenant), 500, 0, output.language())[0]
    if as_json:
        print_json(rows)
        return
    shown = [{**row, "created": str(row.get("created_at") or "")[:19].replace("T", " ")} for row in rows]
    output.print_table(shown, DATASET_COLUMNS)


def dataset_id_of(tenant_id: str, tenant: str, ref: str) -> str:
    """A dataset given by id or by name (its id; refused with the ids when several share the name)."""
    from tendero.services.datasets import get_dataset, list_datasets

    try:
        return str(get_dataset(tenant_id, ref)["id"])
    except NotFound:
        pass
    named: list[str] = []
    offset = 0
    while True:
        page, total = list_datasets(tenant_id, 500, offset)
        named += [str(row["id"]) for row in page if row["name"] == ref]
        offset += len(page)
        if not page or offset >= total:
            break
    if not named:
        fail(say("dataset.unknown", ref=ref, tenant=tenant))
    if len(named) > 1:
        fail(say("dataset.ambiguous", count=len(named), ref=ref, ids=", ".join(named)))
    return named[0]


@datasets_app.command("show")
def datasets_show(
    dataset: Annotated[str, typer.Argument(help="the dataset's name or id")], tenant: TenantOpt,
    as_json: JsonOpt = False,
) -> None:  # fmt: skip
    """One dataset: its schema, size and the problems found in it."""
    from tendero.services.datasets import get_dataset

    tenant_id = tenant_id_of(tenant)
    row = get_dataset(tenant_id, dataset_id_of(tenant_id, tenant, dataset), output.language())
    if as_json:
        print_json(row)
        return
    _show_dataset(row)


def _algorithm_names() -> list[str]:
    from tendero.services.algorithms import algorithm_names

    return algorithm_names()


@train_app.command("tabular")
def train_tabular(
    tenant: TenantOpt,
    dataset: Annotated[str, typer.Option(help="the dataset's name or id")],
    algorithm: Annotated[
        str,
        typer.Option(
            help=f"one of: {', '.join(ALGORITHM_NAMES)} (tendero train algorithms: each one's hyperparameters)"
        ),
    ] = "lightgbm",
    param: Annotated[list[str] | None, typer.Option("--param", help="name=value (repeatable)")] = None,
    name: Annotated[str | None, typer.Option(help="model name; default: dataset name + algorithm")] = None,
    follow: Annotated[bool, typer.Option("--follow", help="run here with a live progress bar")] = False,
) -> None:
    """Train a tabular model on a dataset (queued for the server's runner, or run here with --follow)."""
    from tendero.errors import Invalid
    from tendero.services.algorithms import algorithm_tasks, check_hyperparameters
    from tendero.services.datasets import dataset_facts

    choose("--algorithm", algorithm, tuple(_algorithm_names()))
    tenant_id = tenant_id_of(tenant)
    dataset_id = dataset_id_of(tenant_id, tenant, dataset)
    facts = dataset_facts(tenant_id, dataset_id)
    hyperparameters: dict[str, Any] = {}
    for pair in param or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            fail(say("pair", option="--param", value=pair, form="name=value"))
        hyperparameters[key.strip()] = _literal(value)
    if facts.task not in algorithm_tasks(algorithm):
        fitting = [a for a in _algorithm_names() if facts.task in algorithm_tasks(a)]
        fail(say("param.task", algorithm=algorithm, task=facts.task, choices=", ".join(fitting)))
    try:
        check_hyperparameters(algorithm, hyperparameters, output.language())
    except Invalid as error:
        first = error.errors[0]
        if "allowed" in first:
            fail(say("param.invalid", name=first["name"], value=_shown(first["value"]),
                     reason=say("param.not_allowed"), allowed=first["allowed"], default=first["default"]))  # fmt: skip
        unknown = first["field"].removeprefix("hyperparameters.")
        names = ", ".join(spec.name for spec in _hyperparameters(algorithm))
        fail(say("param.unknown", algorithm=algorithm, name=unknown, names=names))
    model = name or f"{facts.name}-{algorithm}"
    params = {"task": facts.task, "target": facts.target, "features": facts.features or None,
              "algorithm": algorithm, "hyperparameters": hyperparameters}  # fmt: skip
    job_id = submit(tenant_id, {"model": model, "kind": "tabular", "params": params, "dataset": dataset_id,
                                "deploy": "if_better"})  # fmt: skip
    if not follow:
        console.print(say("job.queued", id=job_id), markup=False)
        return
    job = train_job_followed(tenant_id, tenant, job_id)
    state = say("deployed") if job["result"].get("deployed") else say("not_deployed")
    console.print(say("model.trained", model=model, version=job["result"]["version"], state=state), markup=False)


def train_job_followed(tenant_id: str, tenant: str, job_id: str) -> dict[str, Any]:
    job = run_job_here(tenant_id, job_id)
    if job["status"] != "completed":
        fail(say("training.failed", reason=readable_failure(job["error"] or job["status"], tenant)))
    return job


def _hyperparameters(algorithm: str) -> list[Any]:
    from tendero.services.algorithms import hyperparameters

    return hyperparameters(algorithm, output.language())


def _shown(value: Any) -> str:
    return json.dumps(value) if not isinstance(value, str) else value


@train_app.command("algorithms")
def train_algorithms(
    algorithm: Annotated[str | None, typer.Argument(help="one algorithm (default: all)")] = None,
    as_json: JsonOpt = False,
) -> None:
    """The algorithms, the tasks each does, and each hyperparameter's default, allowed values and meaning."""
    from tendero.services.algorithms import algorithm_tasks

    names = _algorithm_names()
    if algorithm is not None:
        choose("ALGORITHM", algorithm, tuple(names))
        names = [algorithm]
    rows = [{"algorithm": a, "tasks": algorithm_tasks(a),
             "hyperparameters": [spec.__dict__ for spec in _hyperparameters(a)]} for a in names]  # fmt: skip
    if as_json:
        print_json(rows)
        return
    for row in rows:
        console.print(f"{row['algorithm']} ({', '.join(row['tasks'])})", style="bold", markup=False)
        shown = [{**spec, "default": _shown(spec["default"])} for spec in row["hyperparameters"]]
        output.print_table(shown, [Column("name", "col.name"), Column("default", "col.default"),
                                   Column("allowed", "col.allowed"), Column("description", "col.meaning")])  # fmt: skip


def _literal(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text
