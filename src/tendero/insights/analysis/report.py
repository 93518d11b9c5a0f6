"""A stored analysis as a report a person reads: Markdown, or one self-contained HTML page (no script, no
external file, every value escaped). Both carry the same content in the same order: the ranked insights
with their recommendations, the KPI table, the movers, the anomalies, and where the numbers came from."""

from __future__ import annotations

from html import escape
from typing import Any

from tendero.catalogue.insights import KPI_LABELS, REPORT_HEADINGS
from tendero.insights.analysis.phrases import change, money, number, percent

HEADINGS = REPORT_HEADINGS  # the texts live in the one catalogue (tendero.catalogue.insights)


def _h(key: str, lang: str) -> str:
    return HEADINGS[key][lang]


def _value(kpi: dict[str, Any], key: str, lang: str, currency: str) -> str:
    value = kpi[key]
    if kpi["unit"] == currency:
        return money(value, currency, lang)
    return number(value, lang)


def sections(analysis: dict[str, Any], lang: str) -> dict[str, Any]:
    """The report's content as rows of already formatted text, shared by both formats."""
    cur = analysis["currency"]
    title = f"{_h('title', lang)}: {analysis['period']['label'][lang]}"
    subtitle = f"{_h('compared_with', lang)} {analysis['compare_to']['label'][lang]}"
    if analysis["period"]["partial"]:
        subtitle += f" · {_h('partial', lang)}"
    insights = [
        {"text": i["text"][lang], "impact": money(i["impact"]["amount"], cur, lang),
         "recommendations": [r[lang] for r in i["recommendations"]], "type": i["type"]}
        for i in analysis["insights"]
    ]  # fmt: skip
    kpis = [
        [KPI_LABELS[name][lang], _value(k, "current", lang, cur), _value(k, "previous", lang, cur),
         change(k["current"], k["previous"], lang), _value(k, "last_year", lang, cur)]
        for name, k in analysis["kpis"].items()
    ]  # fmt: skip
    movers = [
        [m["name"], money(m["revenue_current"], cur, lang), money(m["revenue_previous"], cur, lang),
         money(m["change"], cur, lang), percent(m["share_of_change"], lang)]
        for m in analysis["movers"]["products"]
    ]  # fmt: skip
    categories = [
        [m["name"], money(m["revenue_current"], cur, lang), money(m["revenue_previous"], cur, lang),
         money(m["change"], cur, lang), percent(m["share_of_change"], lang)]
        for m in analysis["movers"]["categories"]
    ]  # fmt: skip
    anomalies = [
        [a["date"], money(a["actual"], cur, lang) if a["method"] == "robust" else number(a["actual_measure"], lang),
         number(a["expected"], lang, 2), money(a["impact"], cur, lang)]
        for a in analysis["anomalies"]["items"]
    ]  # fmt: skip
    sources = []
    for source in analysis["sources"]:
        if source["kind"] == "query":
            sources.append(f"order_lines {source['period']['start']} … {source['period']['end']}")
        else:
            sources.append(f"model {source['name']} {source['version']}")
    return {"title": title, "subtitle": subtitle, "insights": insights, "kpis": kpis, "movers": movers,
            "categories": categories, "anomalies": anomalies, "sources": sources}  # fmt: skip


def _md_cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _md_table(header: list[str], rows: list[list[str]], lang: str) -> list[str]:
    if not rows:
        return [_h("none", lang), ""]
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return [*out, ""]


def render_markdown(analysis: dict[str, Any], lang: str) -> str:
    s = sections(analysis, lang)
    out = [f"# {_md_cell(s['title'])}", "", f"_{_md_cell(s['subtitle'])}_", "", f"## {_h('insights', lang)}", ""]
    for number_, item in enumerate(s["insights"], start=1):
        out.append(f"{number_}. {_md_cell(item['text'])} ({_h('impact', lang)}: {item['impact']})")
        out += [f"   - {_md_cell(r)}" for r in item["recommendations"]]
    out += ["", f"## {_h('kpis', lang)}", ""]
    out += _md_table([_h(k, lang) for k in ("kpi", "current", "previous", "change", "last_year")], s["kpis"], lang)
    mover_header = [_h(k, lang) for k in ("product", "current", "previous", "contribution", "share")]
    out += [f"## {_h('movers', lang)}", "", *_md_table(mover_header, s["movers"], lang)]
    category_header = [_h("category", lang), *mover_header[1:]]
    out += [f"## {_h('categories', lang)}", "", *_md_table(category_header, s["categories"], lang)]
    anomaly_header = [_h(k, lang) for k in ("date", "actual", "expected", "impact")]
    out += [f"## {_h('anomalies', lang)}", "", *_md_table(anomaly_header, s["anomalies"], lang)]
    out += [f"## {_h('sources', lang)}", "", *[f"- {_md_cell(x)}" for x in s["sources"]], ""]
    return "\n".join(out)


STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1e293b}"
    "table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}th,td{border-bottom:1px solid #e2e8f0;"
    "padding:.35rem .5rem;text-align:left}td.n,th.n{text-align:right}li{margin:.4rem 0}.muted{color:#64748b}"
    ".impact{color:#0f766e;font-size:.9em}ul.rec{margin:.2rem 0 .6rem}"
)


def _html_table(header: list[str], rows: list[list[str]], lang: str) -> str:
    if not rows:
        return f"<p>{escape(_h('none', lang))}</p>"
    head = "".join(f"<th{' class=n' if i else ''}>{escape(h)}</th>" for i, h in enumerate(header))
    body = "".join(
        "<tr>" + "".join(f"<td{' class=n' if i else ''}>{escape(str(c))}</td>" for i, c in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(analysis: dict[str, Any], lang: str) -> str:
    s = sections(analysis, lang)
    items = []
    for item in s["insights"]:
        recs = "".join(f"<li>{escape(r)}</li>" for r in item["recommendations"])
        items.append(
            f'<li data-type="{escape(item["type"])}">{escape(item["text"])} '
            f'<span class="impact">({escape(_h("impact", lang))}: {escape(item["impact"])})</span>'
            + (f'<ul class="rec">{recs}</ul>' if recs else "")
            + "</li>"
        )
    mover_header = [_h(k, lang) for k in ("product", "current", "previous", "contribution", "share")]
    parts = [
        f"<!doctype html><html lang={lang}><head><meta charset=utf-8><title>{escape(s['title'])}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{escape(s['title'])}</h1><p class=muted>{escape(s['subtitle'])}</p>",
        f"<h2>{escape(_h('insights', lang))}</h2><ol>{''.join(items)}</ol>",
        f"<h2>{escape(_h('kpis', lang))}</h2>",
        _html_table([_h(k, lang) for k in ("kpi", "current", "previous", "change", "last_year")], s["kpis"], lang),
        f"<h2>{escape(_h('movers', lang))}</h2>",
        _html_table(mover_header, s["movers"], lang),
        f"<h2>{escape(_h('categories', lang))}</h2>",
        _html_table([_h("category", lang), *mover_header[1:]], s["categories"], lang),
        f"<h2>{escape(_h('anomalies', lang))}</h2>",
        _html_table([_h(k, lang) for k in ("date", "actual", "expected", "impact")], s["anomalies"], lang),
        f"<h2>{escape(_h('sources', lang))}</h2><ul>{''.join(f'<li>{escape(x)}</li>' for x in s['sources'])}</ul>",
        "</body></html>",
    ]
    return "\n".join(parts)
