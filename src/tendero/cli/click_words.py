"""The command-line library's own words (Typer's Click and its Rich help: "Usage:", "Options", "Missing option",
"Try ... for help", the error panel's title) in the run's language, from the catalogue's ``cli.click`` area.

Typer writes these in English only: its help panels read module constants of ``typer.rich_utils``, the usage
line comes from the context's formatter class, and each usage error formats itself. So the constants and the
formatter are set once per run, and a usage error is rebuilt in our words from its parts (the parameter, the
option, the value the user wrote and why the type refused it), never from Typer's English sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from typer import rich_utils
from typer._click import core as click_core  # typer 0.29 carries its own click
from typer._click.exceptions import (
    BadOptionUsage,
    BadParameter,
    MissingParameter,
    NoArgsIsHelpError,
    NoSuchOption,
    UsageError,
)
from typer._click.formatting import HelpFormatter

from tendero.catalogue import Language
from tendero.catalogue.cli_words import CLICK_WORDS


def word(key: str, language: Language, **values: Any) -> str:
    text = CLICK_WORDS[key][language]
    return text.format(**values) if values else text


def use_language(language: Language) -> None:
    """The help panels, the usage line and the error panel of this run in ``language``."""
    rich_utils.ARGUMENTS_PANEL_TITLE = word("panel.arguments", language)
    rich_utils.OPTIONS_PANEL_TITLE = word("panel.options", language)
    rich_utils.COMMANDS_PANEL_TITLE = word("panel.commands", language)
    rich_utils.ERRORS_PANEL_TITLE = word("panel.error", language)
    rich_utils.ABORTED_TEXT = word("aborted", language)
    rich_utils.RICH_HELP = word("try_help", language)
    rich_utils.DEFAULT_STRING = word("default", language)
    rich_utils.REQUIRED_LONG_STRING = word("required", language)
    rich_utils.ENVVAR_STRING = word("envvar", language)
    rich_utils.DEPRECATED_STRING = word("deprecated", language)

    class Formatter(HelpFormatter):
        def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
            super().write_usage(prog, args, word("usage", language) if prefix is None else prefix)

    click_core.Context.formatter_class = Formatter


def localize_command(command: Any, language: Language) -> None:
    """A command's usage placeholders (``[OPTIONS]``, ``COMMAND [ARGS]...``) and its ``--help`` option's own line
    ("Show this message and exit.")."""
    if not hasattr(command, "get_help_option"):
        return
    if command.options_metavar:
        command.options_metavar = word("metavar.options", language)
    if getattr(command, "subcommand_metavar", None):
        command.subcommand_metavar = word("metavar.command", language)
    option = command.get_help_option(click_core.Context(command))
    if option is not None:
        option.help = word("help", language)


class LocalizedUsageError(UsageError):
    """A usage error already written in the run's language (Typer shows it with the usage line and exit 2)."""

    def format_message(self) -> str:
        return self.message


def localized(error: UsageError, language: Language) -> UsageError:
    """``error`` in ``language``; an error of a kind this does not know keeps its own text."""
    if isinstance(error, (NoArgsIsHelpError, LocalizedUsageError)):
        return error
    message = _message(error, language)
    if message is None:
        return error
    return LocalizedUsageError(message, error.ctx)


def _names(hint: Sequence[str] | str | None, param: Any) -> str | None:
    if hint is None and param is not None:
        hint = param.get_error_hint()
    if hint is None or isinstance(hint, str):
        return hint
    return " / ".join(repr(part) for part in hint)


def _message(error: UsageError, language: Language) -> str | None:
    if isinstance(error, MissingParameter):
        kind = error.param_type or getattr(error.param, "param_type_name", None) or "parameter"
        key = f"missing.{kind}" if f"missing.{kind}" in CLICK_WORDS else "missing.parameter"
        text = word(key, language, names=_names(error.param_hint, error.param) or "")
        choices = _choices(error.param)
        return text + (word("missing.choices", language, choices=choices) if choices else "")
    if isinstance(error, BadParameter):
        reason = _reason(error, language)
        names = _names(error.param_hint, error.param)
        return (
            word("invalid.for", language, names=names, reason=reason)
            if names
            else word("invalid", language, reason=reason)
        )
    if isinstance(error, NoSuchOption):
        text = word("no_such_option", language, option=error.option_name)
        if error.possibilities:
            text += word("no_such_option.near", language, choices=", ".join(sorted(error.possibilities)))
        return text
    if isinstance(error, BadOptionUsage):
        if "does not take a value" in error.message:
            return word("option.no_value", language, option=error.option_name)
        count = re.search(r"requires (\d+) arguments", error.message)
        if count:
            return word("option.needs_values", language, option=error.option_name, count=count.group(1))
        return word("option.needs_value", language, option=error.option_name)
    for pattern, key, field in PLAIN_USAGE_ERRORS:
        match = pattern.match(error.message)
        if match:
            return word(key, language, **({field: match.group(1)} if field else {}))
    return None


# Usage errors that Typer raises as plain text through ``ctx.fail``: what it says and the value it names.
PLAIN_USAGE_ERRORS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"^Got unexpected extra argument(?:\(s\)|s)? \((.*)\)$", re.S), "extra_arguments", "args"),
    (re.compile(r"^No such command ['\"](.*)['\"]\.$", re.S), "no_such_command", "name"),
    (re.compile(r"^Missing command\.$"), "missing_command", ""),
)


def _choices(param: Any) -> str:
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is None or not getattr(descriptor, "is_choice", False):
        return ""
    return ", ".join(str(getattr(choice, "value", choice)) for choice in descriptor.choices or ())


# pydantic's limit errors: the catalogue's words and the limit's name in the error's context.
LIMITS = {
    "greater_than_equal": ("value.at_least", "ge"),
    "less_than_equal": ("value.at_most", "le"),
    "greater_than": ("value.above", "gt"),
    "less_than": ("value.below", "lt"),
}


def _reason(error: BadParameter, language: Language) -> str:
    """Why the value was refused, from the type's own account of it (pydantic's error type and limits)."""
    from pydantic import ValidationError

    cause = error.__cause__
    if not isinstance(cause, ValidationError) or not cause.errors():
        plain = re.match(r"^Value (.*) is not a valid \w+\.$", error.message, re.S)
        return word("value.other", language, value=plain.group(1).strip("'")) if plain else error.message
    first = cause.errors()[0]
    kind, value, limits = first["type"], first.get("input"), first.get("ctx") or {}
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return word("value.integer", language, value=value)
    if kind in ("float_parsing", "float_type", "decimal_parsing"):
        return word("value.number", language, value=value)
    if kind in ("bool_parsing", "bool_type"):
        return word("value.boolean", language, value=value)
    if kind.startswith(("date_", "datetime_")):
        return word("value.date", language, value=value)
    if kind in LIMITS:
        key, limit = LIMITS[kind]
        return word(key, language, value=value, limit=limits.get(limit))
    choice = re.match(r"^(.*) is not one of (.*)\.$", str(limits.get("error", "")), re.S)
    if choice:
        return word("value.choice", language, value=value, choices=choice.group(2))
    return word("value.other", language, value=value)
