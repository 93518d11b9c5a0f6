"""A run's report in Markdown, in Spanish or English: the retraining report (data window, rows, both scores,
the decision and why, duration) and, for list workflows, the list's message with its table."""

from __future__ import annotations

from typing import Any

from tendero.notify.messages import lang_of, metric_value, number, reason_text, render

WORDS: dict[str, dict[str, str]] = {
    "title.retrain": {"es": "Reentrenamiento de {model}", "en": "Retraining of {model}"},
    "title.refresh": {"es": "Actualización de {model}", "en": "Refresh of {model}"},
    "when": {"es": "Inicio", "en": "Started"},
    "trigger": {"es": "Disparador", "en": "Trigger"},
    "schedule": {"es": "Programación", "en": "Schedule"},
    "kind": {"es": "Tipo de modelo", "en": "Model kind"},
    "data": {"es": "Datos leídos", "en": "Data read"},
    "holdout": {"es": "Holdout (los datos más recientes)", "en": "Holdout (the newest data)"},
    "holdout_line": {
        "es": "{start} – {end}: {rows} ({unit}); el challenger aprende de {train_rows} anteriores",
        "en": "{start} – {end}: {rows} ({unit}); the challenger learns from the {train_rows} before",
    },
    "compared": {"es": "Filas comparadas (las mismas para ambos)", "en": "Rows compared (the same for both)"},
    "metric": {"es": "Métrica", "en": "Metric"},
    "champion": {"es": "Champion {version}", "en": "Champion {version}"},
    "challenger": {"es": "Challenger", "en": "Challenger"},
    "decision": {"es": "Decisión", "en": "Decision"},
    "promote": {"es": "promover el challenger", "en": "promote the challenger"},
    "keep": {"es": "mantener el champion", "en": "keep the champion"},
    "refresh": {"es": "actualizar sin reajustar", "en": "update without re-tuning"},
    "why": {"es": "Motivo", "en": "Why"},
    "serving": {"es": "Versión en servicio", "en": "Version serving"},
    "new_version": {"es": "Nueva versión", "en": "New version"},
    "final_fit": {"es": "Ajuste final", "en": "Final fit"},
    "leak": {
        "es": "Aviso: el champion se entrenó con datos que incluyen el holdout; la comparación le favorece.",
        "en": "Note: the champion was trained on data that includes the holdout; the comparison favours it.",
    },
    "duration": {"es": "Duración", "en": "Duration"},
    "rollback": {
        "es": "La versión anterior se conserva: `tendero models rollback {model}` la vuelve a poner en servicio.",
        "en": "The previous version is kept: `tendero models rollback {model}` puts it back in service.",
    },
    "margin": {"es": "Margen exigido", "en": "Required margin"},
    "title.drift_check": {"es": "Revisión de deriva de las previsiones", "en": "Forecast drift check"},
    "drift_check.summary": {
        "es": "{checked} previsiones revisadas frente a las ventas reales; {drifted} con deriva (error medio por "
        "encima de {threshold}× el de su backtest).",
        "en": "{checked} forecasts checked against the actual sales; {drifted} drifted (mean error above "
        "{threshold}× their backtest's).",
    },
    "drift_check.none": {
        "es": "No hay previsiones desplegadas que revisar.",
        "en": "There are no deployed forecasts to check.",
    },
    "col.model": {"es": "Modelo", "en": "Model"},
    "col.version": {"es": "Versión", "en": "Version"},
    "col.points": {"es": "Puntos comparados", "en": "Points compared"},
    "col.mae": {"es": "Error medio (nuevo)", "en": "Mean error (new)"},
    "col.backtest_mae": {"es": "Error medio (backtest)", "en": "Mean error (backtest)"},
    "col.ratio": {"es": "Cociente", "en": "Ratio"},
    "col.drifted": {"es": "¿Deriva?", "en": "Drifted?"},
    "yes": {"es": "sí", "en": "yes"},
    "no": {"es": "no", "en": "no"},
}


def word(key: str, lang: str, **values: Any) -> str:
    entry = WORDS[key]
    return (entry.get(lang) or entry["en"]).format(**values)


def report_markdown(result: dict[str, Any], language: str = "es") -> str:
    lang = lang_of(language)
    if "decision" in result:
        return _retrain_markdown(result, lang)
    for kind in ("churn_risk", "likely_buyers", "sales_analysis"):
        if result.get("workflow") == kind:
            return _list_markdown(kind, result, lang)
    if result.get("workflow") == "drift_check":
        return _drift_check_markdown(result, lang)
    lines = [f"# {result.get('schedule') or ''}", "", "```json", _json(result), "```"]
    return "\n".join(lines) + "\n"


def _retrain_markdown(r: dict[str, Any], lang: str) -> str:
    refresh = r.get("decision") == "refresh"
    lines = [f"# {word('title.refresh' if refresh else 'title.retrain', lang, model=r.get('model'))}", ""]
    lines += [
        f"- **{word('when', lang)}:** {str(r.get('started_at', ''))[:19].replace('T', ' ')} UTC",
        f"- **{word('trigger', lang)}:** {r.get('trigger', '')}"
        + (f" · **{word('schedule', lang)}:** {r['schedule']}" if r.get("schedule") else ""),
        f"- **{word('kind', lang)}:** {r.get('kind')}",
        f"- **{word('data', lang)}:** "
        + ", ".join(f"{name} {number(n, lang)}" for name, n in ((r.get("data") or {}).get("frames") or {}).items()),
    ]
    holdout = r.get("holdout")
    if holdout:
        lines.append(
            f"- **{word('holdout', lang)}:** "
            + word(
                "holdout_line",
                lang,
                start=holdout.get("start"),
                end=holdout.get("end"),
                rows=number(holdout.get("rows"), lang),
                unit=holdout.get("unit"),
                train_rows=number(holdout.get("train_rows"), lang),
            )
        )
        lines.append(f"- **{word('compared', lang)}:** {number(r.get('rows_compared'), lang)}")
    champion, challenger = r.get("champion") or {}, r.get("challenger") or {}
    if r.get("metric") and challenger:
        metric = r["metric"]
        names = [metric, *[n for n in (challenger.get("metrics") or {}) if n != metric]]
        lines += [
            "",
            f"| {word('metric', lang)} | {word('champion', lang, version=champion.get('version', ''))} "
            f"| {word('challenger', lang)} |",
            "|---|---:|---:|",
        ]
        for name in names:
            old = (champion.get("metrics") or {}).get(name)
            new = (challenger.get("metrics") or {}).get(name)
            mark = "**" if name == metric else ""
            lines.append(f"| {mark}{name}{mark} | {metric_value(old, lang)} | {metric_value(new, lang)} |")
        lines.append("")
        lines.append(f"- **{word('margin', lang)}:** {number(100 * float(r.get('margin') or 0), lang, 1)} %")
    decision = r.get("decision", "")
    lines.append(f"- **{word('decision', lang)}:** {word(decision, lang) if decision in WORDS else decision}")
    if r.get("reason"):
        lines.append(f"- **{word('why', lang)}:** {reason_text(r['reason'], lang)}")
    lines.append(f"- **{word('serving', lang)}:** {r.get('deployed_version')}")
    if r.get("new_version"):
        fit = r.get("final_fit") or ""
        seconds = r.get("final_fit_seconds")
        lines.append(
            f"- **{word('new_version', lang)}:** {r['new_version']} · {word('final_fit', lang)}: {fit}"
            + (f" ({number(seconds, lang, 1)} s)" if seconds is not None else "")
        )
    lines.append(f"- **{word('duration', lang)}:** {number(r.get('duration_seconds'), lang, 1)} s")
    if champion.get("saw_holdout"):
        lines += ["", f"> {word('leak', lang)}"]
    if r.get("new_version") and champion.get("version"):
        lines += ["", word("rollback", lang, model=r.get("model"))]
    return "\n".join(lines) + "\n"


def _list_markdown(kind: str, result: dict[str, Any], lang: str) -> str:
    message = render(kind, result, lang)
    lines = [f"# {message.subject}", "", message.summary, ""]
    lines += [paragraph for text in message.paragraphs for paragraph in (text, "")]
    lines += [f"- **{label}:** {value}" for label, value in message.facts]
    if message.rows:
        lines += ["", "| " + " | ".join(c.label for c in message.columns) + " |", "|" + "---|" * len(message.columns)]
        lines += ["| " + " | ".join(cell.replace("|", "/") for cell in cells) + " |" for cells in message.table()]
    return "\n".join(lines) + "\n"


def _drift_check_markdown(result: dict[str, Any], lang: str) -> str:
    """Each deployed forecast's error on the new actuals against its backtest's, and whether it drifted."""
    models = result.get("models") or []
    lines = [f"# {word('title.drift_check', lang)}", ""]
    if not models:
        return "\n".join([*lines, word("drift_check.none", lang)]) + "\n"
    threshold = next((m.get("threshold") for m in models if m.get("threshold") is not None), 1.5)
    drifted = number(len(result.get("drifted") or []), lang)
    summary = word("drift_check.summary", lang, checked=number(len(models), lang), drifted=drifted,
                   threshold=number(threshold, lang, 1))  # fmt: skip
    lines += [summary, ""]
    columns = ("model", "version", "points", "mae", "backtest_mae", "ratio", "drifted")
    lines += ["| " + " | ".join(word(f"col.{c}", lang) for c in columns) + " |", "|---|---|---:|---:|---:|---:|---|"]
    for m in models:
        cells = [str(m.get("model", "")), str(m.get("version", "")), number(m.get("points"), lang),
                 number(m.get("mae"), lang, 2), number(m.get("backtest_mae"), lang, 2), number(m.get("ratio"), lang, 2),
                 word("yes" if m.get("drifted") else "no", lang)]  # fmt: skip
        lines.append("| " + " | ".join(cell.replace("|", "/") for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def _json(value: Any) -> str:
    import json

    return json.dumps(value, indent=2, ensure_ascii=False, default=str)
