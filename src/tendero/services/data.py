"""Commerce data for every face: imports (files and JSON batches) with their reports, in es or en, what an import
sets off (drift checks, the search index), the profile, the entities' fields and the SQL sources a tenant may use."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from babel.numbers import format_percent
from pydantic import BaseModel

from tendero.data import imports, profile
from tendero.data.formulas import write_csv
from tendero.data.issues import ReadStopped as ReadStopped
from tendero.data.messages import Language, text_from_json
from tendero.data.messages import render as render
from tendero.data.readers import FileRejected as FileRejected
from tendero.data.schema import ENTITIES
from tendero.errors import Invalid
from tendero.services import items, tenant_settings
from tendero.services.items import say
from tendero.store import imports as import_rows
from tendero.store import sources
from tendero.store.source_urls import SourceRefused as SourceRefused

Returns = Literal["reject", "keep"]
EntityName = Literal["customers", "products", "orders", "order_items", "interactions", "order_lines"]
ENTITY_NAMES: tuple[str, ...] = tuple(ENTITIES)  # what an import may name, in the schema's order


class ImportOut(BaseModel):
    id: str
    entity: str
    source: str
    status: str
    dry_run: bool
    rows_read: int
    inserted: int
    updated: int
    unchanged: int
    merged: int
    rejected: int
    details: dict[str, Any]
    error: str | None
    created_at: Any
    finished_at: Any
    rejections: list[dict[str, Any]] = []
    rejections_total: int = 0


def parse_mapping(pairs: str) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for pair in filter(None, (p.strip() for p in pairs.split(","))):
        source, sep, target = pair.partition("=")
        if not sep or not source.strip() or not target.strip():
            raise Invalid(f"mapping entry {pair!r} is not column=field",
                          [{"field": "mapping", "message": "use column=field, comma separated"}])  # fmt: skip
        mapping[source.strip()] = target.strip()
    return mapping


def import_out(tenant_id: str, import_id: str, limit: int = 100, offset: int = 0,
               language: Language = "en") -> ImportOut:  # fmt: skip
    """The report; its error and the reasons of its rejected rows in ``language`` (where they have a code)."""
    row = import_rows.get_import(tenant_id, import_id)
    lines, total = import_rows.list_rejections(tenant_id, import_id, limit, offset)
    out = ImportOut.model_validate(row, from_attributes=True)
    if "non_products" in out.details:
        out.details = {**out.details, "non_products": non_products_out(out.details["non_products"], language)}
    by_country = (out.details.get("currency") or {}).get("from_country")
    if by_country:
        share = format_percent(by_country["share"], "#,##0.#%", locale=language)
        taken = by_country.get("taken")
        key = "currency.from_country" if taken else f"currency.not_from_country.{by_country['reason']}"
        summary = say(key, language, share=share, country=by_country["country"], currency=by_country["currency"],
                      current=tenant_settings.currency_of(tenant_id))  # fmt: skip
        out.details = {**out.details, "currency": {**out.details["currency"], "summary": summary}}
    stored = text_from_json((row.details or {}).get("error"))
    if stored is not None:
        out.error = stored.render(language)
    out.rejections, out.rejections_total = [rejection_out(line, language) for line in lines], total
    return out


def non_products_out(flagged: dict[str, Any], language: Language) -> dict[str, Any]:
    """The report's flagged non-products with why each was flagged, and what the rule does with them, in words."""
    items = [{**item, "reason": say(f"non_product.{item['rule']}", language, matched=item["matched"],
                                    product_id=item["item_id"])}
             for item in flagged.get("items", [])]  # fmt: skip
    return {**flagged, "items": items, "summary": say("non_product.report", language, count=flagged.get("count", 0))}


def rejection_out(line: dict[str, Any], language: Language) -> dict[str, Any]:
    text = text_from_json({"code": line.get("code"), "params": line.get("params") or {}})
    reason = text.render(language) if text is not None else line["reason"]
    return {"row": line["row"], "column": line["column"], "value": line["value"], "reason": reason,
            "code": line.get("code")}  # fmt: skip


def import_file(tenant_id: str, entity: str, path: Path, filename: str, mapping: dict[str, str], dry_run: bool,
                returns: Returns, language: Language = "en") -> ImportOut:  # fmt: skip
    """Import a file; FileRejected (a file that cannot be read as a table) and ReadStopped (past the read's
    limits) are for the face to say."""
    report = imports.import_file(tenant_id, entity, path, mapping=mapping, filename=filename, dry_run=dry_run,
                                 returns=returns)  # fmt: skip
    _after_import(tenant_id, report)
    return import_out(tenant_id, report.id, language=language)


def import_file_report(tenant_id: str, entity: str, path: Path, *, mapping: dict[str, str], dry_run: bool,
                       returns: Returns, constants: dict[str, str]) -> imports.ImportReport:  # fmt: skip
    """An import run to its end in this process (the CLI's): the importer's own report, every rejected row in it;
    the search index follows the catalogue. FileRejected when the file cannot be read as a table."""
    report = imports.import_file(tenant_id, entity, path, mapping=mapping, dry_run=dry_run, returns=returns,
                                 constants=constants)  # fmt: skip
    _after_import(tenant_id, report, check_drift=False)
    return report


def import_sql_report(tenant_id: str, entity: str, url: str | None, query: str, *, source: str | None,
                      mapping: dict[str, str], dry_run: bool, returns: Returns,
                      constants: dict[str, str]) -> imports.ImportReport:  # fmt: skip
    """``import_file_report`` for the rows of a read-only query, on a named source or a URL."""
    report = imports.import_sql(tenant_id, entity, url, query, source=source, mapping=mapping, dry_run=dry_run,
                                returns=returns, constants=constants)  # fmt: skip
    _after_import(tenant_id, report, check_drift=False)
    return report


def import_records(tenant_id: str, entity: str, rows: list[dict[str, Any]], mapping: dict[str, str], dry_run: bool,
                   returns: Returns, language: Language = "en") -> ImportOut:  # fmt: skip
    """A JSON batch from a live integration, validated like a file."""
    report = imports.import_records(tenant_id, entity, rows, mapping=mapping, dry_run=dry_run, returns=returns)
    _after_import(tenant_id, report)
    return import_out(tenant_id, report.id, language=language)


def _after_import(tenant_id: str, report: imports.ImportReport, *, check_drift: bool = True) -> None:
    """The shop's currency from the data, the non-product flags and the search index follow the catalogue; new
    orders: check whether deployed forecasts still hold (in the background: a server's, not a CLI run's)."""
    new_orders = report.entity in ("order_lines", "orders", "order_items") and (
        report.counts["inserted"] or report.counts["updated"]
    )
    if report.status == "completed":
        found = (report.details.get("currency") or {}).get("found") or {}
        codes = [code for code in found if code]
        if codes:  # the most common code the data carries (invalid ones are skipped there)
            for code in codes:
                if tenant_settings.currency_from_data(tenant_id, code) or code == tenant_settings.currency_of(
                    tenant_id
                ):
                    break
        by_country = (report.details.get("currency") or {}).get("from_country")
        if not codes and by_country and by_country.get("taken"):  # no currency column: the main country's
            tenant_settings.currency_from_data(tenant_id, by_country["currency"], source="country")
        items.forget(tenant_id)  # the non-product flags follow the catalogue
    if check_drift and report.status == "completed" and new_orders:
        from tendero.registry.drift import check_in_background  # loads forecasting only when orders came in

        check_in_background(tenant_id)
    _follow_catalogue(tenant_id, report)


def _follow_catalogue(tenant_id: str, report: imports.ImportReport) -> None:
    """The search index follows the catalogue (its models load only when a catalogue changed)."""
    from tendero.services.search import follow_import

    follow_import(tenant_id, report.status, report.details)


def list_imports(tenant_id: str, limit: int = 50, offset: int = 0) -> tuple[list[ImportOut], int]:
    rows, total = import_rows.list_imports(tenant_id, limit, offset)
    return [ImportOut.model_validate(row, from_attributes=True) for row in rows], total


def rejection_pages(tenant_id: str, import_id: str, language: Language, page: int = 10_000) -> Iterator[
        list[dict[str, Any]]]:  # fmt: skip
    """Every rejected row of an import, a page at a time (NotFound at once for an unknown import)."""
    import_rows.get_import(tenant_id, import_id)

    def pages() -> Iterator[list[dict[str, Any]]]:
        offset = 0
        while True:
            rows, total = import_rows.list_rejections(tenant_id, import_id, page, offset)
            yield [rejection_out(r, language) for r in rows]
            offset += page
            if offset >= total:
                return

    return pages()


def rejections_csv(tenant_id: str, import_id: str, language: Language) -> Iterator[bytes]:
    """Every rejected row of an import as UTF-8 CSV (row, column, value, reason), a page at a time, no cell of it
    able to run as a formula; NotFound at once for an unknown import, before any byte is sent."""
    pages = rejection_pages(tenant_id, import_id, language)

    def lines() -> Iterator[bytes]:
        for number, rows in enumerate(pages):
            frame = pd.DataFrame(rows, columns=["row", "column", "value", "reason"])
            buffer = io.StringIO()
            write_csv(frame, buffer, header=number == 0)
            yield buffer.getvalue().encode("utf-8")

    return lines()


def rejection_reasons(tenant_id: str, import_id: str, language: Language = "en") -> list[tuple[str, int]]:
    """Each distinct reason an import refused rows for, in ``language`` where it has a code, with its row count."""
    return [(rejection_out({**group, "row": None, "column": None, "value": None}, language)["reason"], group["rows"])
            for group in import_rows.rejection_reasons(tenant_id, import_id)]  # fmt: skip


def sources_for(tenant_id: str) -> list[dict[str, Any]]:
    """The SQL sources this tenant may query by name: names, dialects and databases, never a host or password."""
    return [source.describe() for source in sources.sources_for(tenant_id)]


def data_profile(tenant_id: str) -> dict[str, Any]:
    return profile.profile(tenant_id)


def entity_fields() -> dict[str, list[dict[str, Any]]]:
    """The fields each entity accepts, with their types, whether required, and accepted aliases."""
    return {
        name: [{"field": f.name, "type": f.type, "required": f.required, "aliases": list(f.aliases)}
               for f in entity.fields]
        for name, entity in ENTITIES.items()
    }  # fmt: skip
