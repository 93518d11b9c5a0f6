"""``tendero experiments ...``: define, assign, load events, read results and verdicts, stop and promote.

The same service calls as ``/v1/experiments``, for one tenant; tables for people, ``--json`` for machines.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from tendero.cli import output
from tendero.cli.capabilities import JsonOpt, TenantOpt, console, fail, print_json, tenant_id_of
from tendero.cli.output import Column, say

app = typer.Typer(help="A/B experiments: sticky assignment, events, results with a verdict.", no_args_is_help=True)


def _pairs(values: list[str], what: str) -> dict[str, float]:
    out = {}
    for value in values:
        key, sep, number = value.partition("=")
        try:
            out[key] = float(number)
        except ValueError:
            fail(say("pair", option=what, value=value, form="KEY=NUMBER (A=0.5)"), 2)
        if not sep:
            fail(say("pair", option=what, value=value, form="KEY=NUMBER (A=0.5)"), 2)
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
            fail(say("file.unreadable", path=spec, reason=error))
    else:
        if not name or not variant or not metric:
            fail(say("experiment.needs"), 2)
        weights = _pairs(variant, "--variant")
        body = {"name": name, "unit": unit, "covariate": covariate,
                "variants": [{"key": k, "weight": w} for k, w in weights.items()],
                "metrics": [_metric(m, "primary" if i == 0 else "secondary") for i, m in enumerate(metric)]
                + [_metric(g, "guardrail") for g in guardrail]}  # fmt: skip
    tenant_id = tenant_id_of(tenant)
    parsed = service.ExperimentIn.model_validate(body)
    made = service.create(tenant_id, parsed)
    if json_output:
        print_json(made)
        return
    variants = ", ".join(f"{v['key']} {v['weight']:g}" for v in made["variants"])
    console.print(say("experiment.running", name=made["name"], id=made["id"], variants=variants), markup=False)


@app.command("list")
def list_experiments(tenant: TenantOpt, status: str | None = None, json_output: JsonOpt = False) -> None:
    """The tenant's experiments, newest first."""
    from tendero.services import experiments as service

    items, total = service.list_all(tenant_id_of(tenant), 500, 0, status)
    if json_output:
        print_json({"items": items, "total": total})
        return
    rows = [{**e, "variants": ", ".join(f"{v['key']} {v['weight']:g}" for v in e["variants"]),
             "started": str(e["started_at"])[:16].replace("T", " "), "winner": e["winner"] or "—"}
            for e in items]  # fmt: skip
    columns = [Column("name", "col.name"), Column("id", "col.id", "id"), Column("status", "col.status"),
               Column("unit", "col.unit"), Column("variants", "col.variants"), Column("started", "col.started", "date"),
               Column("winner", "col.winner")]  # fmt: skip
    output.print_table(rows, columns)


def _show(result: dict[str, Any]) -> None:
    console.print(say("experiment.summary", name=result["experiment"], status=result["status"],
                      units=f"{result['units']:,}", p=f"{result['srm']['p_value']:.3g}"), markup=False)  # fmt: skip
    key = "relative_sequential" if result["sequential"] else "relative"
    rows: list[dict[str, Any]] = []
    for metric in result["metrics"]:
        means = {v["variant"]: v for v in metric["variants"]}
        control = metric["variants"][0]
        rows.append({"metric": metric["metric"], "role": metric["role"], "variant": control["variant"],
                     "units": control["units"], "mean": control["mean"],
                     "decision": say("experiment.control")})  # fmt: skip
        for c in metric["comparisons"]:
            shown = c.get(key) or {}
            row = means[c["variant"]]
            interval = f"{shown['lower'] * 100:+.1f} % … {shown['upper'] * 100:+.1f} %" if shown else ""
            rows.append({"variant": c["variant"], "units": row["units"], "mean": row["mean"],
                         "effect": f"{shown['estimate'] * 100:+.1f} %" if shown else "", "interval": interval,
                         "p": shown.get("p_value"), "decision": c["decision"]})  # fmt: skip
    columns = [Column("metric", "col.metric"), Column("role", "col.role"), Column("variant", "col.variant"),
               Column("units", "col.units", "count"), Column("mean", "col.mean", "count"),
               Column("effect", "col.effect", "id"), Column("interval", "col.interval95", "id"),
               Column("p", "col.p", "count"), Column("decision", "col.decision")]  # fmt: skip
    output.print_table(rows, columns)
    console.print(result["verdict"]["text"], markup=False)


@app.command("show")
def show(tenant: TenantOpt, experiment: str, json_output: JsonOpt = False) -> None:
    """Results per metric (effects, intervals, p-values, CUPED, SRM) and the verdict in words."""
    from tendero.services import experiments as service

    result = service.results(tenant_id_of(tenant), experiment, output.language())
    print_json(result) if json_output else _show(result)


@app.command("assign")
def assign(tenant: TenantOpt, experiment: str, unit: str, json_output: JsonOpt = False) -> None:
    """The unit's variant (recorded on first call, the same ever after)."""
    from tendero.services import experiments as service

    answer = service.assign(tenant_id_of(tenant), experiment, unit)
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
        fail(say("file.unreadable", path=file, reason=error))
    tenant_id = tenant_id_of(tenant)
    total: dict[str, Any] = {"received": 0, "accepted": 0, "duplicates": 0, "new_units": 0, "rejected": []}
    for start in range(0, len(rows), service.MAX_EVENTS):
        report = service.record_events(tenant_id, experiment, rows[start : start + service.MAX_EVENTS])
        for key in ("received", "accepted", "duplicates", "new_units"):
            total[key] += report[key]
        total["rejected"] += [{**r, "index": r["index"] + start} for r in report["rejected"]]
    if json_output:
        print_json(total)
        return
    console.print(say("events.stored", accepted=f"{total['accepted']:,}", duplicates=f"{total['duplicates']:,}",
                      new=f"{total['new_units']:,}", rejected=f"{len(total['rejected']):,}"), markup=False)  # fmt: skip
    for rejected in total["rejected"][:20]:
        console.print(say("events.rejected", row=rejected["index"] + 1, field=rejected["field"],
                          message=rejected["message"]), markup=False)  # fmt: skip


@app.command("weights")
def weights(tenant: TenantOpt, experiment: str, weight: Annotated[list[str], typer.Argument(help="KEY=WEIGHT")],
            json_output: JsonOpt = False) -> None:  # fmt: skip
    """New weights for units not yet assigned (those assigned keep their variant)."""
    from tendero.services import experiments as service

    made = service.set_weights(tenant_id_of(tenant), experiment, _pairs(weight, "weight"))
    print_json(made) if json_output else console.print(
        ", ".join(f"{v['key']} {v['weight']:g}" for v in made["variants"])
    )


@app.command("stop")
def stop(tenant: TenantOpt, experiment: str, json_output: JsonOpt = False) -> None:
    """End the experiment and keep its final results."""
    from tendero.services import experiments as service

    result = service.stop(tenant_id_of(tenant), experiment, output.language())
    print_json(result) if json_output else _show(result)


@app.command("promote")
def promote(tenant: TenantOpt, experiment: str, variant: str | None = None,
            json_output: JsonOpt = False) -> None:  # fmt: skip
    """Model experiments: stop and deploy the winner's model version (or --variant's)."""
    from tendero.services import experiments as service

    result = service.end_and_promote(tenant_id_of(tenant), experiment, output.language(), variant)
    if json_output:
        print_json(result)
        return
    _show(result)
    console.print(say("experiment.promoted", version=result["promoted_version"] or say("experiment.no_winner")),
                  markup=False)  # fmt: skip
