"""The one place where the ``tendero`` command turns a failure into one line and an exit code.

Expected failures (the shared errors of ``tendero.errors``, a bad file, a mistaken option, too little data, a
job that failed) print ``error: ...`` in the run's language and exit 1 (2 for a mistaken option). Anything
else is a bug: one line that says so and where the log is; the traceback goes to that log (and to the terminal
with ``--debug``). Jobs run by the command write their own tracebacks to the same log, never to the terminal.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import typer
from typer._click.core import Context as ClickContext  # typer 0.29 carries its own click
from typer._click.exceptions import UsageError
from typer.core import TyperGroup

from tendero.cli import click_words, output
from tendero.cli.output import CommandFailed, say

log = logging.getLogger("tendero.cli")
USER_ERROR = 1
USAGE_ERROR = 2
BUG = 70  # EX_SOFTWARE (sysexits.h)
PIPE_CLOSED = 141  # 128 + SIGPIPE, what a shell reports for a writer whose reader closed the pipe
# Root options that may be written anywhere on the line (``tendero import f.csv ... --lang es``).
ROOT_OPTIONS_WITH_VALUE = ("--lang",)
ROOT_FLAGS = ("--debug",)


def fail(message: str, code: int = USER_ERROR) -> NoReturn:
    raise CommandFailed(message, code)


def log_path() -> Path:
    from tendero.config import get_settings

    return get_settings().home / "logs" / "cli.log"


def configure_logging(debug: bool) -> None:
    """Every record of this run (and the tracebacks of bugs) goes to ``TENDERO_HOME/logs/cli.log``; with
    ``--debug`` to the terminal too. The file is only made when something is written."""
    path = log_path()
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
    handlers: list[logging.Handler] = []
    if path.parent.is_dir():
        to_file = logging.FileHandler(path, delay=True, encoding="utf-8")
        to_file.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"))
        handlers.append(to_file)
    if debug:
        handlers.append(logging.StreamHandler(sys.stderr))
    root = logging.getLogger()
    root.handlers = handlers or [logging.NullHandler()]
    root.setLevel(logging.DEBUG if debug else logging.WARNING)


@contextlib.contextmanager
def job_output_to_log() -> Iterator[None]:
    """While a job runs in this process, what its child process writes to standard error (a failed job's
    traceback, library warnings) goes to the log; this process's own messages still reach the terminal."""
    if output.state.debug:
        yield
        return
    try:
        stderr_fd = sys.__stderr__.fileno() if sys.__stderr__ is not None else -1
    except (OSError, ValueError):
        stderr_fd = -1
    path = log_path()
    if stderr_fd < 0 or not path.parent.is_dir():
        yield
        return
    sys.stderr.flush()
    saved = os.dup(stderr_fd)
    replaced = sys.stderr.fileno() == stderr_fd if hasattr(sys.stderr, "fileno") and _has_fd(sys.stderr) else False
    previous = sys.stderr
    with open(path, "a", encoding="utf-8") as target:
        os.dup2(target.fileno(), stderr_fd)
        if replaced:  # this process's messages keep going to the terminal
            sys.stderr = os.fdopen(os.dup(saved), "w", buffering=1, encoding=previous.encoding or "utf-8")
        try:
            yield
        finally:
            if replaced:
                sys.stderr.flush()
                sys.stderr.close()
                sys.stderr = previous
            os.dup2(saved, stderr_fd)
            os.close(saved)


def _has_fd(stream: Any) -> bool:
    try:
        stream.fileno()
    except (OSError, ValueError, AttributeError):
        return False
    return True


def _pydantic_lines(error: Any) -> str:
    """A pydantic ValidationError as the fields at fault, their values and why, without pydantic's own words."""
    lines = []
    for item in error.errors()[:5]:
        field = ".".join(str(part) for part in item.get("loc", ()))
        reason = str(item.get("msg", "")).removeprefix("Value error, ")
        if not field:  # a check of the whole request: its reason names the fields
            lines.append(reason)
            continue
        lines.append(say("field.invalid", field=field, reason=reason, value=_short(item.get("input"))))
    return "; ".join(lines)


def _short(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 80 else text[:77] + "..."


# Known failure texts of the domain (English, from a job or a service) and the catalogue's words for them.
KNOWN_FAILURES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"no series with at least (?P<periods>\d+) periods of history"), "history.too_short"),
    (re.compile(r"the transaction log is empty"), "customers.no_orders"),
    (re.compile(r"no (order lines|sales|orders) (to|yet)|there are no order lines"), "no_data"),
)
EXCEPTION_PREFIX = re.compile(r"^(?:[A-Za-z_][\w.]*(?:Error|Exception|Rejected|Failed|Missing)): ")


def readable_failure(reason: str, tenant: str = "") -> str:
    """A job's or a domain's failure text in the run's language: one the command can say what to do about (with
    its flags) from the ``cli`` area, a coded refusal of the domain or a job line from the job texts (the job's own
    "could not run:" left out: the command says what failed), any other without the Python exception's class name."""
    from tendero.catalogue.jobs import JOB_TEXTS, render_job_text

    text = EXCEPTION_PREFIX.sub("", (reason or "").strip().splitlines()[0] if reason else "")
    for pattern, key in KNOWN_FAILURES:
        match = pattern.search(text)
        if match:
            return say(key, tenant=tenant or "T", **match.groupdict())
    could_not_run = JOB_TEXTS["failure.could_not_run"]["en"].split("{", 1)[0]
    return render_job_text(text.removeprefix(could_not_run), output.language())


def message_of(error: BaseException) -> tuple[str, int]:
    """The one line and the exit code for an exception; a bug is logged with its traceback."""
    from pydantic import ValidationError

    from tendero.errors import Conflict, DeployNotAllowed, Invalid, NotFound, TooLarge

    if isinstance(error, CommandFailed):
        return str(error), error.code
    if isinstance(error, NotFound):
        return say("not_found", detail=str(error)), USER_ERROR
    if isinstance(error, Invalid):
        details = "; ".join(f"{str(e.get('field', '')).removeprefix('body.')}: {e.get('message', '')}"
                            for e in error.errors[:5] if e.get("message") != str(error))  # fmt: skip
        return say("invalid", detail=f"{error}" + (f" ({details})" if details else "")), USER_ERROR
    if isinstance(error, Conflict):
        return say("conflict", detail=str(error)), USER_ERROR
    if isinstance(error, DeployNotAllowed):
        return say("deploy_not_allowed", detail=str(error)), USER_ERROR
    if isinstance(error, TooLarge):
        return say("too_large", detail=str(error)), USER_ERROR
    if isinstance(error, ValidationError):
        return _pydantic_lines(error), USER_ERROR
    if isinstance(error, FileNotFoundError):
        return say("path.missing", path=error.filename or str(error)), USER_ERROR
    if isinstance(error, (IsADirectoryError, PermissionError, UnicodeDecodeError)):
        where = getattr(error, "filename", None) or "-"
        return say("file.unreadable", path=where, reason=error.strerror or str(error)
                   if isinstance(error, OSError) else str(error)), USER_ERROR  # fmt: skip
    if isinstance(error, ValueError):  # the domain's refusals of the user's data or options
        return readable_failure(f"{type(error).__name__}: {error}"), USER_ERROR
    log.error("tendero %s failed", " ".join(sys.argv[1:2]), exc_info=error)
    detail = str(error).splitlines()[0][:200] if str(error) else "-"
    return say("bug", kind=type(error).__name__, detail=detail, log=log_path()), BUG


def report(error: BaseException) -> int:
    """Print the failure's line on standard error; the exit code."""
    message, code = message_of(error)
    if output.state.debug and not isinstance(error, CommandFailed):
        traceback.print_exception(error, file=sys.stderr)
    output.errors().print(f"[red]{say('error')}:[/red] {message}", markup=True, highlight=False, soft_wrap=True)
    return code


class TenderoGroup(TyperGroup):
    """The root command: ``--lang`` and ``--debug`` anywhere on the line, and every failure through ``report``."""

    def parse_args(self, ctx: ClickContext, args: list[str]) -> list[str]:
        if ctx.parent is None:
            args = hoist_root_options(args)
            output.state.language = output.requested_language(args)
            output.localize_help(self, output.state.language)
        try:
            return super().parse_args(ctx, args)
        except UsageError as error:  # Typer shows it (usage line, panel, exit 2): in the run's words
            raise click_words.localized(error, output.state.language) from None

    def invoke(self, ctx: ClickContext) -> Any:
        try:
            return super().invoke(ctx)
        except UsageError as error:
            raise click_words.localized(error, output.state.language) from None
        except (typer.Exit, typer.Abort, typer.TyperException):  # exits, and usage errors typer shows itself
            raise
        except BrokenPipeError:  # the reader went away (| head): stop quietly, as a shell's writer would
            with contextlib.suppress(OSError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(PIPE_CLOSED) from None
        except Exception as error:  # the one place where every other failure becomes a line and an exit code
            raise typer.Exit(report(error)) from None


def hoist_root_options(args: list[str]) -> list[str]:
    """``--lang X`` and ``--debug`` moved in front of the subcommand wherever they were written (not after
    ``--``), so the root sees them before any command runs."""
    front: list[str] = []
    rest: list[str] = []
    index = 0
    while index < len(args):
        word = args[index]
        if word == "--":
            rest.extend(args[index:])
            break
        if word in ROOT_FLAGS:
            front.append(word)
        elif word in ROOT_OPTIONS_WITH_VALUE and index + 1 < len(args):
            front.extend(args[index : index + 2])
            index += 1
        elif any(word.startswith(f"{option}=") for option in ROOT_OPTIONS_WITH_VALUE):
            front.append(word)
        else:
            rest.append(word)
        index += 1
    return front + rest
