"""Every message tendero sends, in Spanish and English, from one catalogue.

An event (its kind and payload) becomes a ``Message``: a subject, a summary, facts, and for lists a
table whose rows also travel as a CSV attachment (email) or a JSON list (webhooks). Money carries its
currency, probabilities are shown as percentages, and numbers follow the language (1.234,5 / 1,234.5).
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Language = str
PREVIEW_ROWS = 10

TEXT: dict[str, dict[str, str]] = {
    # churn-risk list
    "churn.subject": {
        "es": "Clientes en riesgo de abandono: {count} ({total} en riesgo)",
        "en": "Customers at risk of churning: {count} ({total} at risk)",
    },
    "churn.summary": {
        "es": "{count} clientes tienen una probabilidad de abandono de al menos el {probability} y un valor en "
        "riesgo de al menos {min_value}. Valor total en riesgo en los próximos {window} días: {total}.",
        "en": "{count} customers have a churn probability of at least {probability} and a value at risk of at "
        "least {min_value}. Total value at risk over the next {window} days: {total}.",
    },
    "churn.none": {
        "es": "Ningún cliente supera hoy los umbrales de riesgo.",
        "en": "No customer is above the risk thresholds today.",
    },
    # sales analysis
    "sales.subject": {
        "es": "Análisis de ventas: {period} · ventas netas {revenue} ({change})",
        "en": "Sales analysis: {period} · net sales {revenue} ({change})",
    },
    "sales.summary": {
        "es": "Ventas netas de {period}: {revenue}, frente a {previous} en {compared} ({change}). "
        "{count} hallazgos; el informe completo está en tendero.",
        "en": "Net sales for {period}: {revenue}, against {previous} in {compared} ({change}). "
        "{count} findings; the full report is in tendero.",
    },
    "col.finding": {"es": "Hallazgo", "en": "Finding"},
    "col.impact": {"es": "Impacto", "en": "Impact"},
    "col.recommendation": {"es": "Recomendación", "en": "Recommendation"},
    # likely buyers
    "buyers.subject": {
        "es": "Clientes con probabilidad de comprar en {days} días: {count}",
        "en": "Customers likely to buy in the next {days} days: {count}",
    },
    "buyers.summary": {
        "es": "{count} clientes tienen al menos un {probability} de probabilidad de comprar en los próximos "
        "{days} días; se esperan {expected} compras entre todos.",
        "en": "{count} customers have at least a {probability} chance of buying in the next {days} days; "
        "{expected} purchases are expected among them.",
    },
    # retraining
    "retrain.subject.promoted": {
        "es": "Reentrenamiento de {model}: nueva versión {version} en servicio",
        "en": "Retraining of {model}: new version {version} deployed",
    },
    "retrain.subject.kept": {
        "es": "Reentrenamiento de {model}: se mantiene la versión {version}",
        "en": "Retraining of {model}: version {version} kept",
    },
    "retrain.summary": {
        "es": "Champion {champion_version} y challenger puntuados en el mismo holdout ({rows} filas, {window}). "
        "{metric}: champion {champion}, challenger {challenger}.",
        "en": "Champion {champion_version} and challenger scored on the same holdout ({rows} rows, {window}). "
        "{metric}: champion {champion}, challenger {challenger}.",
    },
    "refresh.subject": {
        "es": "{model} actualizado con los datos nuevos: versión {version}",
        "en": "{model} brought up to date: version {version}",
    },
    "refresh.summary": {
        "es": "Actualización incremental sin reajustar hiperparámetros: {rows} interacciones, {users} usuarios, "
        "{items} productos.",
        "en": "Incremental update, nothing tuned again: {rows} interactions, {users} users, {items} items.",
    },
    # drift
    "drift.subject": {
        "es": "Deriva en {model}: el error es {ratio}× el del backtest",
        "en": "Drift in {model}: the error is {ratio}× the backtest's",
    },
    "drift.summary": {
        "es": "Con los datos reales nuevos ({points} puntos), el error absoluto medio de la versión {version} es "
        "{mae}, frente a {backtest} en su backtest (umbral: {threshold}×).",
        "en": "On the new actuals ({points} points), version {version}'s mean absolute error is {mae} against "
        "{backtest} in its backtest (threshold: {threshold}×).",
    },
    "drift.retrain": {
        "es": "Según la política del modelo, se ha lanzado un reentrenamiento champion/challenger.",
        "en": "As the model's policy says, a champion/challenger retraining has been started.",
    },
    "drift.alert_only": {
        "es": "La política del modelo solo avisa: reentrena cuando lo veas oportuno.",
        "en": "The model's policy only alerts: retrain when you see fit.",
    },
    # job failures
    "job_failed.subject": {"es": "Ha fallado un trabajo: {what}", "en": "A job failed: {what}"},
    "job_failed.summary": {
        "es": "El trabajo {job} ({kind}) ha fallado tras {attempts} intento(s): {error}",
        "en": "Job {job} ({kind}) failed after {attempts} attempt(s): {error}",
    },
    # channel test
    "test.subject": {"es": "Mensaje de prueba de tendero", "en": "tendero test message"},
    "test.summary": {
        "es": "Si lees esto, el canal «{channel}» funciona.",
        "en": "If you can read this, channel '{channel}' works.",
    },
    # facts and columns
    "fact.model": {"es": "Modelo", "en": "Model"},
    "fact.as_of": {"es": "Datos hasta", "en": "Data until"},
    "fact.schedule": {"es": "Programación", "en": "Schedule"},
    "fact.decision": {"es": "Decisión", "en": "Decision"},
    "fact.reason": {"es": "Motivo", "en": "Reason"},
    "fact.margin": {"es": "Margen exigido", "en": "Required margin"},
    "fact.duration": {"es": "Duración", "en": "Duration"},
    "fact.holdout": {"es": "Holdout", "en": "Holdout"},
    "fact.train_rows": {"es": "Filas de entrenamiento", "en": "Training rows"},
    "decision.promoted": {"es": "promovido el challenger", "en": "challenger promoted"},
    "decision.kept": {"es": "se mantiene el champion", "en": "champion kept"},
    "col.customer_id": {"es": "Cliente", "en": "Customer"},
    "col.churn_probability": {"es": "Prob. de abandono", "en": "Churn probability"},
    "col.value_at_risk": {"es": "Valor en riesgo", "en": "Value at risk"},
    "col.clv": {"es": "Valor de vida (CLV)", "en": "Lifetime value (CLV)"},
    "col.segment": {"es": "Segmento", "en": "Segment"},
    "col.last_purchase": {"es": "Última compra", "en": "Last purchase"},
    "col.reason": {"es": "Motivo principal", "en": "Main reason"},
    "col.p_purchase": {"es": "Prob. de compra", "en": "Purchase probability"},
    "col.expected_purchases": {"es": "Compras esperadas", "en": "Expected purchases"},
    "more_rows": {"es": "… y {n} más en el archivo adjunto.", "en": "… and {n} more in the attachment."},
    "footer": {"es": "Enviado por tendero · {what}", "en": "Sent by tendero · {what}"},
    # retraining reasons (codes in the report, words here)
    "reason.better": {
        "es": "el challenger mejora {metric} un {gain} (margen exigido: {margin})",
        "en": "the challenger improves {metric} by {gain} (required margin: {margin})",
    },
    "reason.not_better": {
        "es": "el challenger cambia {metric} un {gain}: no alcanza el margen de {margin}",
        "en": "the challenger changes {metric} by {gain}: short of the {margin} margin",
    },
    "reason.guardrail": {
        "es": "el challenger mejora {metric} pero empeora {guardrail} un {loss}, más que el margen de {margin}",
        "en": "the challenger improves {metric} but worsens {guardrail} by {loss}, more than the {margin} margin",
    },
    "reason.no_champion": {"es": "no había ninguna versión en servicio", "en": "no version was deployed"},
    "reason.champion_unscorable": {
        "es": "la versión en servicio no tiene respuesta para ninguna fila del holdout (está desfasada)",
        "en": "the deployed version has no answer for any holdout row (it is out of date)",
    },
    "reason.no_new_data": {
        "es": "la versión en servicio ya se entrenó con los datos del holdout: no hay datos nuevos que comparar",
        "en": "the deployed version was trained on the holdout's data already: there is no newer data to compare on",
    },
    "reason.challenger_unscorable": {
        "es": "el challenger no tiene respuesta para ninguna fila del holdout",
        "en": "the challenger has no answer for any holdout row",
    },
}

KIND_LABEL = {
    "churn_risk": {"es": "lista de clientes en riesgo", "en": "churn-risk list"},
    "sales_analysis": {"es": "análisis de ventas", "en": "sales analysis"},
    "likely_buyers": {"es": "clientes con probabilidad de compra", "en": "likely buyers"},
    "retrain": {"es": "reentrenamiento", "en": "retraining"},
    "refresh": {"es": "actualización de modelo", "en": "model refresh"},
    "drift": {"es": "deriva de modelo", "en": "model drift"},
    "job_failed": {"es": "trabajo fallido", "en": "job failure"},
    "test": {"es": "prueba", "en": "test"},
}


def lang_of(language: str | None) -> str:
    return "en" if str(language or "").lower().startswith("en") else "es"


def say(key: str, lang: str, **values: Any) -> str:
    entry = TEXT[key]
    return (entry.get(lang) or entry["en"]).format(**values)


# ---- numbers ------------------------------------------------------------------------------------------


def number(value: Any, lang: str, decimals: int = 0) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    text = f"{float(value):,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".") if lang == "es" else text


def money(value: Any, currency: str, lang: str) -> str:
    return f"{number(value, lang, 2)} {currency}"


def percent(value: Any, lang: str, decimals: int = 0) -> str:
    if value is None:
        return "—"
    return f"{number(100 * float(value), lang, decimals)} %"


def signed_percent(value: Any, lang: str) -> str:
    if value is None:
        return "—"
    sign = "+" if float(value) >= 0 else ""
    return f"{sign}{number(100 * float(value), lang, 1)} %"


def metric_value(value: Any, lang: str) -> str:
    if value is None:
        return "—"
    return number(value, lang, 4 if abs(float(value)) < 10 else 2)


# ---- the message --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    format: Callable[[Any], str]


@dataclass
class Message:
    """What any channel renders: text, HTML, Slack blocks, generic JSON and a CSV come from this."""

    kind: str
    lang: str
    subject: str
    summary: str
    level: str = "info"  # info, warning, error
    paragraphs: list[str] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    attachment: str | None = None

    def table(self, limit: int | None = None) -> list[list[str]]:
        chosen = self.rows if limit is None else self.rows[:limit]
        return [[column.format(row.get(column.key)) for column in self.columns] for row in chosen]

    def footer(self) -> str:
        return say("footer", self.lang, what=KIND_LABEL.get(self.kind, {}).get(self.lang, self.kind))


def render(kind: str, payload: dict[str, Any], language: str | None) -> Message:
    """The message of an event in ``language`` (es or en)."""
    lang = lang_of(language)
    builder = _BUILDERS.get(kind)
    if builder is None:
        raise KeyError(f"no message for event kind {kind!r}")
    return builder(payload, lang)


def _churn(p: dict[str, Any], lang: str) -> Message:
    currency = p.get("currency", "EUR")
    total = money(p.get("total_value_at_risk", 0.0), currency, lang)
    count = int(p.get("customers_at_risk", len(p.get("customers", []))))
    columns = [
        Column("customer_id", say("col.customer_id", lang), str),
        Column("churn_probability", say("col.churn_probability", lang), lambda v: percent(v, lang)),
        Column("value_at_risk", f"{say('col.value_at_risk', lang)} ({currency})", lambda v: money(v, currency, lang)),
        Column("clv", f"{say('col.clv', lang)} ({currency})", lambda v: money(v, currency, lang)),
        Column("segment", say("col.segment", lang), lambda v: str(v or "")),
        Column("last_purchase", say("col.last_purchase", lang), lambda v: str(v or "")),
        Column("reason", say("col.reason", lang), lambda v: str(v or "")),
    ]
    summary = (
        say(
            "churn.summary",
            lang,
            count=number(count, lang),
            probability=percent(p.get("min_probability"), lang),
            min_value=money(p.get("min_value", 0.0), currency, lang),
            window=number(p.get("window_days"), lang),
            total=total,
        )
        if count
        else say("churn.none", lang)
    )
    rows = [
        {
            **row,
            "segment": _segment(row, lang),
            "reason": row.get("reason_text", {}).get(lang, "")
            if isinstance(row.get("reason_text"), dict)
            else row.get("reason", ""),
        }
        for row in p.get("customers", [])
    ]
    return Message(
        kind="churn_risk",
        lang=lang,
        level="warning" if count else "info",
        subject=say("churn.subject", lang, count=number(count, lang), total=total),
        summary=summary,
        facts=_model_facts(p, lang),
        columns=columns,
        rows=rows,
        attachment=("clientes-en-riesgo" if lang == "es" else "customers-at-risk") + ".csv",
    )


def _buyers(p: dict[str, Any], lang: str) -> Message:
    currency = p.get("currency", "EUR")
    customers = p.get("customers", [])
    expected = sum(float(row.get("expected_purchases_window") or 0.0) for row in customers)
    columns = [
        Column("customer_id", say("col.customer_id", lang), str),
        Column("p_purchase", say("col.p_purchase", lang), lambda v: percent(v, lang)),
        Column("expected_purchases_window", say("col.expected_purchases", lang), lambda v: number(v, lang, 2)),
        Column("clv", f"{say('col.clv', lang)} ({currency})", lambda v: money(v, currency, lang)),
        Column("segment", say("col.segment", lang), lambda v: str(v or "")),
        Column("last_purchase", say("col.last_purchase", lang), lambda v: str(v or "")),
    ]
    customers = [{**row, "segment": _segment(row, lang)} for row in customers]
    days = number(p.get("days"), lang)
    return Message(
        kind="likely_buyers",
        lang=lang,
        subject=say("buyers.subject", lang, days=days, count=number(len(customers), lang)),
        summary=say(
            "buyers.summary",
            lang,
            count=number(len(customers), lang),
            days=days,
            probability=percent(p.get("min_probability"), lang),
            expected=number(expected, lang, 1),
        ),
        facts=_model_facts(p, lang),
        columns=columns,
        rows=customers,
        attachment=("compradores-probables" if lang == "es" else "likely-buyers") + ".csv",
    )


def _segment(row: dict[str, Any], lang: str) -> str:
    names = row.get("segment_name")
    return str(names.get(lang, row.get("segment", ""))) if isinstance(names, dict) else str(row.get("segment") or "")


def reason_text(reason: dict[str, Any], lang: str) -> str:
    """The decision's reason in words (the report keeps a code and its figures)."""
    code = reason.get("code", "")
    values = {
        "metric": reason.get("metric", ""),
        "guardrail": reason.get("guardrail", ""),
        "gain": signed_percent(reason.get("gain"), lang),
        "loss": percent(reason.get("loss"), lang, 1),
        "margin": percent(reason.get("margin"), lang, 1),
    }
    key = f"reason.{code}"
    return say(key, lang, **values) if key in TEXT else code


def _retrain(p: dict[str, Any], lang: str) -> Message:
    promoted = p.get("decision") == "promote"
    version = p.get("deployed_version") or p.get("champion", {}).get("version") or "—"
    champion, challenger = p.get("champion") or {}, p.get("challenger") or {}
    metric = p.get("metric", "")
    holdout = p.get("holdout") or {}
    window = f"{holdout.get('start', '?')} – {holdout.get('end', '?')}"
    summary = say(
        "retrain.summary",
        lang,
        champion_version=champion.get("version") or "—",
        rows=number(p.get("rows_compared"), lang),
        window=window,
        metric=metric,
        champion=metric_value(champion.get("score"), lang),
        challenger=metric_value(challenger.get("score"), lang),
    )
    facts = [
        (say("fact.model", lang), f"{p.get('model')} ({p.get('kind')})"),
        (say("fact.decision", lang), say("decision.promoted" if promoted else "decision.kept", lang)),
        (say("fact.reason", lang), reason_text(p.get("reason") or {}, lang)),
        (say("fact.margin", lang), percent(p.get("margin"), lang, 1)),
        (say("fact.holdout", lang), window),
        (say("fact.train_rows", lang), number(holdout.get("train_rows"), lang)),
        (say("fact.duration", lang), f"{number(p.get('duration_seconds'), lang, 1)} s"),
    ]
    subject = say(
        "retrain.subject.promoted" if promoted else "retrain.subject.kept", lang, model=p.get("model"), version=version
    )
    return Message(kind="retrain", lang=lang, subject=subject, summary=summary, facts=facts)


def _refresh(p: dict[str, Any], lang: str) -> Message:
    return Message(
        kind="refresh",
        lang=lang,
        subject=say("refresh.subject", lang, model=p.get("model"), version=p.get("version")),
        summary=say(
            "refresh.summary",
            lang,
            rows=number(p.get("pairs"), lang),
            users=number(p.get("users"), lang),
            items=number(p.get("items"), lang),
        ),
        facts=[
            (say("fact.model", lang), str(p.get("model"))),
            (say("fact.duration", lang), f"{number(p.get('duration_seconds'), lang, 1)} s"),
        ],
    )


def _drift(p: dict[str, Any], lang: str) -> Message:
    action = say("drift.retrain" if p.get("action") == "retrain" else "drift.alert_only", lang)
    return Message(
        kind="drift",
        lang=lang,
        level="warning",
        subject=say("drift.subject", lang, model=p.get("model"), ratio=number(p.get("ratio"), lang, 2)),
        summary=say(
            "drift.summary",
            lang,
            points=number(p.get("points"), lang),
            version=p.get("version"),
            mae=number(p.get("mae"), lang, 2),
            backtest=number(p.get("backtest_mae"), lang, 2),
            threshold=number(p.get("threshold"), lang, 1),
        ),
        paragraphs=[action],
        facts=[(say("fact.model", lang), str(p.get("model")))],
    )


def _sales(p: dict[str, Any], lang: str) -> Message:
    """A scheduled sales analysis: the headline figure, and each finding with its impact and what to do."""
    currency = p.get("currency", "EUR")
    revenue = p.get("revenue") or {}
    current, previous = revenue.get("current"), revenue.get("previous")
    change = signed_percent((current - previous) / previous, lang) if current is not None and previous else "—"
    period = (p.get("period_label") or {}).get(lang, "")
    columns = [
        Column("text", say("col.finding", lang), str),
        Column("impact", f"{say('col.impact', lang)} ({currency})", lambda v: money(v, currency, lang)),
        Column("recommendation", say("col.recommendation", lang), lambda v: str(v or "")),
    ]
    rows = [
        {"text": (item.get("text") or {}).get(lang, ""), "impact": item.get("impact"),
         "recommendation": (item.get("recommendation") or {}).get(lang, "")}
        for item in p.get("insights", [])
    ]  # fmt: skip
    return Message(
        kind="sales_analysis",
        lang=lang,
        subject=say("sales.subject", lang, period=period, revenue=money(current, currency, lang), change=change),
        summary=say(
            "sales.summary",
            lang,
            period=period,
            revenue=money(current, currency, lang),
            previous=money(previous, currency, lang),
            compared=(p.get("compare_label") or {}).get(lang, ""),
            change=change,
            count=number(len(rows), lang),
        ),
        facts=_model_facts(p, lang),
        columns=columns,
        rows=rows,
        attachment=("analisis-de-ventas" if lang == "es" else "sales-analysis") + ".csv",
    )


def _job_failed(p: dict[str, Any], lang: str) -> Message:
    what = " ".join(str(x) for x in (p.get("kind"), p.get("model")) if x)
    return Message(
        kind="job_failed",
        lang=lang,
        level="error",
        subject=say("job_failed.subject", lang, what=what),
        summary=say(
            "job_failed.summary",
            lang,
            job=p.get("job_id"),
            kind=p.get("kind"),
            attempts=p.get("attempts"),
            error=p.get("error") or "—",
        ),
    )


def _test(p: dict[str, Any], lang: str) -> Message:
    return Message(
        kind="test",
        lang=lang,
        subject=say("test.subject", lang),
        summary=say("test.summary", lang, channel=p.get("channel", "")),
    )


def _model_facts(p: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    facts = []
    if p.get("model"):
        facts.append((say("fact.model", lang), f"{p['model']} {p.get('version', '')}".strip()))
    if p.get("as_of"):
        facts.append((say("fact.as_of", lang), str(p["as_of"])[:10]))
    if p.get("schedule"):
        facts.append((say("fact.schedule", lang), str(p["schedule"])))
    return facts


_BUILDERS: dict[str, Callable[[dict[str, Any], str], Message]] = {
    "churn_risk": _churn,
    "likely_buyers": _buyers,
    "sales_analysis": _sales,
    "retrain": _retrain,
    "refresh": _refresh,
    "drift": _drift,
    "job_failed": _job_failed,
    "test": _test,
}
EVENT_KINDS = tuple(_BUILDERS)


# ---- renderings -----------------------------------------------------------------------------------------


def text_body(message: Message) -> str:
    lines = [message.subject, "", message.summary]
    lines += ["", *message.paragraphs] if message.paragraphs else []
    if message.facts:
        lines += ["", *[f"{label}: {value}" for label, value in message.facts]]
    if message.rows:
        lines += ["", " | ".join(column.label for column in message.columns)]
        lines += [" | ".join(cells) for cells in message.table(PREVIEW_ROWS)]
        if len(message.rows) > PREVIEW_ROWS:
            lines.append(say("more_rows", message.lang, n=number(len(message.rows) - PREVIEW_ROWS, message.lang)))
    lines += ["", "--", message.footer()]
    return "\n".join(lines) + "\n"


def html_body(message: Message) -> str:
    e = html.escape
    colour = {"info": "#0f766e", "warning": "#b45309", "error": "#b91c1c"}[message.level]
    parts = [
        f'<!doctype html><html lang="{message.lang}"><body style="font-family:system-ui,sans-serif;color:#0f172a">',
        f'<h2 style="color:{colour};margin:0 0 8px">{e(message.subject)}</h2>',
        f"<p>{e(message.summary)}</p>",
        *[f"<p>{e(p)}</p>" for p in message.paragraphs],
    ]
    if message.facts:
        parts.append('<table style="border-collapse:collapse;margin:8px 0">')
        parts += [
            f'<tr><th style="text-align:left;padding:2px 12px 2px 0">{e(label)}</th><td>{e(value)}</td></tr>'
            for label, value in message.facts
        ]
        parts.append("</table>")
    if message.rows:
        head = "".join(
            f'<th style="text-align:left;padding:4px 8px;border-bottom:1px solid #cbd5e1">{e(c.label)}</th>'
            for c in message.columns
        )
        body = "".join(
            "<tr>" + "".join(f'<td style="padding:4px 8px">{e(cell)}</td>' for cell in cells) + "</tr>"
            for cells in message.table(PREVIEW_ROWS)
        )
        parts.append(
            f'<table style="border-collapse:collapse"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
        )
        if len(message.rows) > PREVIEW_ROWS:
            more = say("more_rows", message.lang, n=number(len(message.rows) - PREVIEW_ROWS, message.lang))
            parts.append(f"<p>{e(more)}</p>")
    parts.append(f'<p style="color:#64748b;font-size:12px">{e(message.footer())}</p></body></html>')
    return "".join(parts)


def csv_bytes(message: Message) -> bytes:
    """The whole list as CSV: UTF-8 with a BOM; in Spanish ``;`` and decimal commas (what Excel expects there)."""
    buffer = io.StringIO()
    delimiter = ";" if message.lang == "es" else ","
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([column.label for column in message.columns])
    for row in message.rows:
        writer.writerow([_csv_cell(row.get(column.key), message.lang) for column in message.columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_cell(value: Any, lang: str) -> str:
    if isinstance(value, float):
        text = f"{value:.6g}" if abs(value) < 1e15 else f"{value:.0f}"
        return text.replace(".", ",") if lang == "es" else text
    return "" if value is None else str(value)


def slack_payload(message: Message) -> dict[str, Any]:
    """Slack's incoming-webhook format: ``text`` (the notification line) and Block Kit blocks."""
    emoji = {"info": ":white_check_mark:", "warning": ":warning:", "error": ":x:"}[message.level]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": message.subject[:150]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": f"{emoji} {_slack_escape(message.summary)}"}},
    ]
    for paragraph in message.paragraphs:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _slack_escape(paragraph)}})
    if message.facts:
        fields = [
            {"type": "mrkdwn", "text": f"*{_slack_escape(label)}*\n{_slack_escape(value)}"}
            for label, value in message.facts[:10]
        ]
        blocks.append({"type": "section", "fields": fields})
    if message.rows:
        header = " | ".join(column.label for column in message.columns)
        lines = [" | ".join(cells) for cells in message.table(PREVIEW_ROWS)]
        table = "\n".join([header, *lines])[:2900]
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f"```{table}```"}})
        if len(message.rows) > PREVIEW_ROWS:
            rest = len(message.rows) - PREVIEW_ROWS
            blocks.append(
                {
                    "type": "context",
                    "elements": [
                        {
                            "type": "mrkdwn",
                            "text": _slack_escape(say("more_rows", message.lang, n=number(rest, message.lang))),
                        }
                    ],
                }
            )
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": _slack_escape(message.footer())}]})
    return {"text": message.subject, "blocks": blocks}


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def generic_payload(message: Message, meta: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """A plain JSON body for any receiver: the message in words and the event's data as numbers."""
    return {
        **meta,
        "event": message.kind,
        "language": message.lang,
        "level": message.level,
        "title": message.subject,
        "text": message.summary,
        "paragraphs": message.paragraphs,
        "facts": [{"label": label, "value": value} for label, value in message.facts],
        "data": data,
    }
