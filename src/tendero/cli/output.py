"""What the ``tendero`` command prints: one language per run, tables that fit the terminal (or every character
when piped), a unit on every figure, and ``--json`` for programs.

The language is chosen once per run (``--lang``, else the locale) and every text comes from the ``cli`` area of
the catalogue through ``say``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from rich.console import Console
from rich.table import Table

from tendero.catalogue import LANGUAGES, Language
from tendero.catalogue.cli import CLI

Unit = Literal["share", "percent", "days", "seconds", "money", "units", "count", "date", "id", "text"]
# When stdout is not a terminal nothing may be cut: the console is this wide and tables never wrap or elide.
PIPED_WIDTH = 100_000


@dataclass
class RunState:
    """What the root options set for this run."""

    language: Language = "en"
    debug: bool = False


state = RunState()


class CommandFailed(Exception):
    """A failure whose message is already written for the user, in the run's language (exit ``code``)."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def language() -> Language:
    return state.language


def choose_language(value: str | None) -> Language:
    """``--lang`` if given (refused with the available ones when not one of them), else the locale's."""
    from tendero.config import locale_language

    if value is None:
        chosen = locale_language(LANGUAGES, "en")
    elif value.lower() in LANGUAGES:
        chosen = value.lower()
    else:
        state.language = "es" if locale_language(LANGUAGES, "en") == "es" else "en"
        raise CommandFailed(say("lang.unavailable", value=value, choices=", ".join(LANGUAGES)), code=2)
    state.language = "es" if chosen == "es" else "en"
    return state.language


def say(key: str, **values: Any) -> str:
    """The catalogue's text ``key`` in this run's language, filled in."""
    return CLI[key][state.language].format(**values)


def console() -> Console:
    """Standard output: the terminal's width on a terminal, unlimited when piped (nothing is cut)."""
    if sys.stdout.isatty():
        return Console()
    return Console(width=PIPED_WIDTH, soft_wrap=True, no_color=True, highlight=False)


def errors() -> Console:
    return (
        Console(stderr=True, highlight=False)
        if sys.stderr.isatty()
        else Console(stderr=True, width=PIPED_WIDTH, soft_wrap=True, no_color=True, highlight=False)
    )


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, default=str, indent=2, ensure_ascii=False) + "\n")


@dataclass(frozen=True)
class Column:
    """One column of a table: the row's key, the catalogue key of its header, and the unit of its figures."""

    key: str
    header: str
    unit: Unit = "text"
    header_values: tuple[tuple[str, Any], ...] = ()


def figure(value: Any, unit: Unit, currency: str | None = None) -> str:
    """A value with its unit, whole: numbers are rounded for reading, never cut."""
    if value is None or (isinstance(value, float) and value != value):
        return "-"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if unit == "share":
        return f"{value * 100:.1f} %"
    if unit == "percent":
        return f"{value:.1f} %"
    if unit == "days":
        return f"{value:,.1f} {say('unit.days')}" if isinstance(value, float) else f"{value:,} {say('unit.days')}"
    if unit == "seconds":
        return f"{value:,.2f} s"
    if unit == "money":
        shown = f"{value:,.2f}"
        return f"{shown} {currency}" if currency else shown
    if unit == "units":
        return f"{value:,.3g}" if abs(value) < 10 and isinstance(value, float) else f"{value:,.1f}"
    if unit == "count":
        return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"
    if isinstance(value, float):
        return f"{value:,.4g}"
    return str(value)


def header(column: Column, currency: str | None) -> str:
    text = say(column.header, **dict(column.header_values))
    unit = {"share": "%", "percent": "%", "seconds": "s", "money": currency or "", "days": say("unit.days"),
            "units": say("unit.units")}.get(column.unit, "")  # fmt: skip
    return f"{text} ({unit})" if unit else text


def table(rows: Sequence[dict[str, Any]], columns: Sequence[Column], title: str = "",
          currency: str | None = None) -> Table:  # fmt: skip
    """A rich table of ``rows``: ids and figures never wrap (other columns give way), headers carry units.

    ``currency`` is the money unit when the answer names one (a row's own ``currency`` wins)."""
    shown = Table(title=title or None, title_justify="left")
    for column in columns:
        whole = column.unit not in ("text",)
        shown.add_column(header(column, currency), no_wrap=whole, overflow="fold",
                         min_width=None if whole else TEXT_MIN_WIDTH,
                         justify="right" if whole and column.unit not in ("id", "date") else "left")  # fmt: skip
    for row in rows:
        row_currency = row.get("currency") if isinstance(row.get("currency"), str) else currency
        cells = []
        for column in columns:
            value = row.get(column.key)
            cells.append(figure(value, column.unit, row_currency) if column.unit != "text" else _text(value))
        shown.add_row(*cells)
    return shown


def print_table(rows: Sequence[dict[str, Any]], columns: Sequence[Column], title: str = "",
                currency: str | None = None, screen: Console | None = None) -> None:  # fmt: skip
    """A table on standard output when it fits the terminal without cutting an id or a figure; otherwise one block
    per row (``header: value`` lines), so nothing is ever cut. Piped output is never narrower than the table."""
    screen = screen or console()
    if _needed_width(rows, columns, currency) <= screen.width:
        screen.print(table(rows, columns, title, currency))
        return
    if title:
        screen.print(title, style="bold", markup=False)
    for row in rows:
        row_currency = row.get("currency") if isinstance(row.get("currency"), str) else currency
        for column in columns:
            value = row.get(column.key)
            text = figure(value, column.unit, row_currency) if column.unit != "text" else _text(value)
            screen.print(f"{header(column, row_currency)}: {text}", markup=False, highlight=False)
        screen.print("")


TEXT_MIN_WIDTH = 12  # a text column may wrap down to this many characters, never fewer


def _needed_width(rows: Sequence[dict[str, Any]], columns: Sequence[Column], currency: str | None) -> int:
    """The narrowest the table can be with every id and figure whole: those columns at their widest cell (and
    header), text columns at ``TEXT_MIN_WIDTH`` or their widest cell, plus the borders and padding."""
    from rich.cells import cell_len

    total = 1
    for column in columns:
        cells = [cell_len(header(column, currency))]
        for row in rows:
            value = row.get(column.key)
            shown = figure(value, column.unit, currency) if column.unit != "text" else _text(value)
            cells.append(cell_len(shown))
        widest = max(cells)
        total += (widest if column.unit != "text" else min(widest, TEXT_MIN_WIDTH)) + 3
    return total


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(v.get("text", str(v)) if isinstance(v, dict) else str(v) for v in value[:2])
    return "" if value is None else str(value)


class Screen:
    """A console made when it prints: the width is the terminal's at that moment, or unlimited when piped (a
    console made once at import would keep 80 columns and cut what a pipe should get whole)."""

    def __init__(self, stderr: bool = False) -> None:
        self.stderr = stderr

    def __getattr__(self, name: str) -> Any:
        return getattr(errors() if self.stderr else console(), name)


def requested_language(args: Sequence[str]) -> Language:
    """The language a command line asks for (``--lang X`` or ``--lang=X``), else the locale's; before parsing, so
    that help texts can be shown in it."""
    from tendero.config import locale_language

    asked: str | None = None
    for index, word in enumerate(args):
        if word == "--":
            break
        if word == "--lang" and index + 1 < len(args):
            asked = args[index + 1]
        elif word.startswith("--lang="):
            asked = word.split("=", 1)[1]
    chosen = (asked or "").lower() if (asked or "").lower() in LANGUAGES else locale_language(LANGUAGES, "en")
    return "es" if chosen == "es" else "en"


def localize_help(root: Any, language: Language) -> None:
    """Help texts of the command tree from the catalogue (``cli.help``) in ``language``, and the command-line
    library's own words (``cli.click``); a command or option without an entry keeps its docstring."""
    from tendero.catalogue.cli import CLI_HELP
    from tendero.cli import click_words
    from tendero.cli.algorithm_names import ALGORITHM_NAMES

    click_words.use_language(language)
    values = {"{algorithms}": ", ".join(ALGORITHM_NAMES)}

    def text(key: str) -> str | None:
        entry = CLI_HELP.get(key)
        if not entry:
            return None
        shown = entry[language]
        for name, value in values.items():
            shown = shown.replace(name, value)
        return shown

    def walk(command: Any, path: str) -> None:
        shown = text(path)
        if shown is not None:
            command.help, command.short_help = shown, None
        click_words.localize_command(command, language)
        for param in getattr(command, "params", []):
            if getattr(param, "param_type_name", "") == "argument":
                key = f"{path} {str(param.name).upper()}"
            elif getattr(param, "opts", None):
                key = f"{path} {param.opts[0]}"
            else:
                continue
            shown = text(key) or text(f"* {key.rsplit(' ', 1)[-1]}")
            if shown is not None and hasattr(param, "help"):
                param.help = shown
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{path} {name}".strip())

    walk(root, "")
