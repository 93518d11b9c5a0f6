"""``tendero experiments ...``: define, assign, load events, read results and verdicts, stop and promote.

The same service calls as ``/v1/experiments``, for one tenant; tables for people, ``--json`` for machines.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from tendero.cli import output
from tendero.cli.capabilities import JsonOpt, TenantOpt, console, fail, print_json, tenant_id_of

app = typer.Typer(help="A/B experiments: sticky assignment, events, results with a verdict.", no_args_is_help=True)


def _call(function: Any, *args: Any) -> Any:
    """Run a service call; a mistake the user can fix is one line of error, never a traceback."""
    from pydantic import ValidationError

    from tendero.errors import Conflict, Invalid, NotFound

    try:
        return function(*args)
    except Invalid as error:
        details = "; ".join(f"{e['field']}: {e['message']}" for e in error.errors)
        fail(f"{error}" + (f" ({details})" if details else ""))
    except ValidationError as error:
        fail("; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()[:5]))
    except (NotFound, Conflict, ValueError) as error:
        fail(str(error))


def _pairs(values: list[str], what: str) -> dict[str, float]:
    out = {}
    for value in values:
        key, sep, number = value.partition("=")
        try:
            out[key] = float(number)
        except ValueError:
            fail(f"{what} {value!r}: write KEY=NUMBER, e.g. A=0.5")
        if not sep:
            fail(f"{what} {value!r}: write KEY=NUMBER, e.g. A=0.5")
    return out


def _metric(text: str, role: str) -> dict[str, Any]:
    """``name[:kind[:event]]`` or, for ratios, ``name:ratio:numerator/denominator``."""
    name, _, rest = text.partition(":")
    kind, _, event = rest.partition(":")
    metric: dict[str, Any] = {"name": name, "kind": kind or "mean", "role": role}
    if metric["kind"] == "ratio":
        numerator, _, denominator = event.partition("/")
        metric.update(numerator=numerator or None, denominator=denominator or None)
    elif event:
        metric["event"] = event
    return metric


@app.command("create")
def create(
    tenant: TenantOpt,
    spec: Annotated[Path | None, typer.Argument(help="a JSON file with the body of POST /v1/experiments")] = None,
    name: Annotated[str | None, typer.Option(help="experiment name (without a spec file)")] = None,
    variant: Annotated[list[str], typer.Option("--variant", help="KEY=WEIGHT; the first is the control")] = [],  # noqa: B006
    metric: Annotated[list[str], typer.Option("--metric", help="primary: name[:mean|proportion|ratio[:event]]")] = [],  # noqa: B006
    guardrail: Annotated[list[str], typer.Option("--guardrail", help="guardrail metric, same form")] = [],  # noqa: B006
    unit: Annotated[str, typer.Option(help="customer, session or request")] = "customer",
    covariate: Annotated[str | None, typer.Option(help="pre-period covariate event name (CUPED)")] = None,
    json_output: JsonOpt = False,
) -> None:
    """Start an experiment from a spec file, or from --name, --variant and --metric."""
    from tendero.services import experiments as service

    if spec is not None:
        try:
            body = json.loads(spec.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            fail(f"{spec}: {error}")
    else:
        if not name or not variant or not metric:
            fail("give a spec file, or --name, at least two --variant KEY=WEIGHT and a --metric")
        weights = _pairs(variant, "--variant")
        body = {"name": name, "unit": unit, "covariate": covariate,
                "variants": [{"key": k, "weight": w} for k, w in weights.items()],
                "metrics": [_metric(m, "primary" if i == 0 else "secondary") for i, m in enumerate(metric)]
                + [_metric(g, "guardrail") for g in guardrail]}  # fmt: skip
    tenant_id = tenant_id_of(tenant)
    parsed = _call(service.ExperimentIn.model_validate, body)
    made = _call(service.create, tenant_id, parsed)
    if json_output:
        print_json(made)
        return
    console.print(f"experiment [bold]{made['name']}[/bold] ({made['id']}) running: "
                  + ", ".join(f"{v['key']} {v['weight']:g}" for v in made["variants"]))  # fmt: skip


@app.command("list")
def list_experiments(tenant: TenantOpt, status: str | None = None, json_output: JsonOpt = False) -> None:
    """The tenant's experiments, newest first."""
    from tendero.services import experiments as service

    items, total = service.list_all(tenant_id_of(tenant), 500, 0, status)
    if json_output:
        print_json({"items": items, "total": total})
        return
    table = Table("name", "id", "status", "unit", "variants", "started", "winner")
    for e in items:
        table.add_row(e["name"], e["id"], e["status"], e["unit"], ", ".join(f"{v['key']} {v['weight']:g}"
                      for v in e["variants"]), str(e["started_at"])[:16], e["winner"] or "—")  # fmt: skip
    console.print(table)


def _show(result: dict[str, Any]) -> None:
    console.print(f"[bold]{result['experiment']}[/bold] · {result['status']} · {result['units']:,} units · "
                  f"split p = {result['srm']['p_value']:.3g}")  # fmt: skip
    key = "relative_sequential" if result["sequential"] else "relative"
    table = Table("metric", "role", "variant", "units", "mean", "effect", "95 % interval", "p", "decision")
    for metric in result["metrics"]:
        means = {v["variant"]: v for v in metric["variants"]}
        control = metric["variants"][0]
        table.add_row(metric["metric"], metric["role"], control["variant"], f"{control['units']:,}",
                      f"{control['mean']:.4g}", "", "", "", "control")  # fmt: skip
        for c in metric["comparisons"]:
            shown = c.get(key)
            row = means[c["variant"]]
            if shown is None:
                table.add_row(
                    "", "", c["variant"], f"{row['units']:,}", f"{row['mean']:.4g}", "", "", "", c["decision"]
                )
                continue
            table.add_row("", "", c["variant"], f"{row['units']:,}", f"{row['mean']:.4g}",
                          f"{shown['estimate'] * 100:+.1f} %",
                          f"{shown['lower'] * 100:+.1f} % … {shown['upper'] * 100:+.1f} %",
                          f"{shown['p_value']:.3g}", c["decision"])  # fmt: skip
    console.print(table)
    console.print(result["verdict"]["text"])


@app.command("show")
def show(tenant: TenantOpt, experiment: str, json_output: JsonOpt = False) -> None:
    """Results per metric (effects, intervals, p-values, CUPED, SRM) and the verdict in words."""
    from tendero.services import experiments as service

    result = _call(service.results, tenant_id_of(tenant), experiment, output.language())
    print_json(result) if json_output else _show(result)


@app.command("assign")
def assign(tenant: TenantOpt, experiment: str, unit: str, json_output: JsonOpt = False) -> None:
    """The unit's variant (recorded on first call, the same ever after)."""
    from tendero.services import experiments as service

    answer = _call(service.assign, tenant_id_of(tenant), experiment, unit)
    print_json(answer) if json_output else console.print(answer["variant"])


@app.command("events")
def events(
    tenant: TenantOpt,
    experiment: str,
    file: Annotated[Path, typer.Argument(help="events as JSON lines, a JSON array, or CSV with the same fields")],
    json_output: JsonOpt = False,
) -> None:
    """Load events from a file, 10,000 at a time; rejected ones are listed with their row and reason."""
    import pandas as pd

    from tendero.services import experiments as service

    try:
        if file.suffix.lower() == ".csv":
            frame = pd.read_csv(file, dtype={"event_id": str, "unit": str, "variant": str, "event": str})
            rows = [{k: v for k, v in row.items() if pd.notna(v)} for row in frame.to_dict("records")]
        else:
            text = file.read_text(encoding="utf-8").strip()
            rows = json.loads(text) if text.startswith("[") else [json.loads(line) for line in text.splitlines()
                                                                  if line.strip()]  # fmt: skip
    except (OSError, ValueError) as error:
        fail(f"{file}: {error}")
    tenant_id = tenant_id_of(tenant)
    total: dict[str, Any] = {"received": 0, "accepted": 0, "duplicates": 0, "new_units": 0, "rejected": []}
    for start in range(0, len(rows), service.MAX_EVENTS):
        report = _call(service.record_events, tenant_id, experiment, rows[start : start + service.MAX_EVENTS])
        for key in ("received", "accepted", "duplicates", "new_units"):
            total[key] += report[key]
        total["rejected"] += [{**r, "index": r["index"] + start} for r in report["rejected"]]
    if json_output:
        print_json(total)
        return
    console.print(f"{total['accepted']:,} events stored, {total['duplicates']:,} duplicates skipped, "
                  f"{total['new_units']:,} new units, {len(total['rejected']):,} rejected")  # fmt: skip
    for rejected in total["rejected"][:20]:
        console.print(f"  row {rejected['index'] + 1}: {rejected['field']}: {rejected['message']}")


@app.command("weights")
def weights(tenant: TenantOpt, experiment: str, weight: Annotated[list[str], typer.Argument(help="KEY=WEIGHT")],
            json_output: JsonOpt = False) -> None:  # fmt: skip
    """New weights for units not yet assigned (those assigned keep their variant)."""
    from tendero.services import experiments as service

    made = _call(service.set_weights, tenant_id_of(tenant), experiment, _pairs(weight, "weight"))
    print_json(made) if json_output else console.print(
        ", ".join(f"{v['key']} {v['weight']:g}" for v in made["variants"])
    )


@app.command("stop")
def stop(tenant: TenantOpt, experiment: str, json_output: JsonOpt = False) -> None:
    """End the experiment and keep its final results."""
    from tendero.services import experiments as service

    result = _call(service.stop, tenant_id_of(tenant), experiment, output.language())
    print_json(result) if json_output else _show(result)


@app.command("promote")
def promote(tenant: TenantOpt, experiment: str, variant: str | None = None,
            json_output: JsonOpt = False) -> None:  # fmt: skip
    """Model experiments: stop and deploy the winner's model version (or --variant's)."""
    from tendero.services import experiments as service

    result = _call(service.end_and_promote, tenant_id_of(tenant), experiment, output.language(), variant)
    if json_output:
        print_json(result)
        return
    _show(result)
    console.print(f"deployed version: {result['promoted_version'] or 'unchanged (no winner)'}")
