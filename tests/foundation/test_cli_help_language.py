"""Issue #17: the ``tendero`` command's help, every command and option of it, and the command-line library's own
words (usage line, panels, usage errors) in one language: read in Spanish (``--lang es`` or the locale), no English
word of the catalogue's English-only words and none of Click's English phrases; read in English, no Spanish-only
word. Option names, argument names, type labels and values written as code (``order_lines``, ``--tenant``) are the
command's identifiers, the same in both languages, and are left out."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import typer
from typer.testing import CliRunner

from tendero.catalogue import entries
from tendero.cli import app

runner = CliRunner()
WORD = re.compile(r"[A-Za-zÁÉÍÓÚÜÑáéíóúüñ]+")
# Words both languages write alike though one text or another has them in one language only (names, units, codes).
SHARED_WORDS = {"api", "csv", "json", "url", "id", "ids", "sku", "rfm", "clv", "auc", "mae", "mase", "wape", "ndcg",
                "lightgbm", "xgboost", "ets", "mstl", "ease", "als", "tendero", "admin", "email", "web", "online",
                "tenant", "cron", "webhook", "smtp", "post", "get", "parquet", "xlsx", "jsonl", "utf", "iso", "eur",
                "usd", "gbp", "mape", "ok", "no", "top", "ranking", "total", "demo", "error", "local", "normal",
                "general", "final", "real", "base", "plan", "median", "actual", "lines", "markdown", "slack", "hmac",
                "iana", "cuped", "srm", "kpi", "nbd", "pareto", "gamma", "zipf", "loopback", "backtest", "dataset",
                "datasets", "embeddings", "sql", "sqlite", "postgresql", "procrastinate", "mrr", "dev", "heldout",
                "scikit", "learn", "movielens", "walmart", "rossmann", "wands", "home", "depot"}  # fmt: skip
# The command-line library's English phrases (Typer's Click and Rich help) that must not reach a Spanish reader.
CLICK_ENGLISH = ("Usage:", "Options", "Commands", "Arguments", "Show this message and exit", "Missing option",
                 "Missing argument", "Invalid value", "No such command", "No such option", "for help", "Try ",
                 "[default:", "[required]", "[OPTIONS]", "COMMAND [ARGS]", "requires an argument",
                 "unexpected extra argument", "Input should be")  # fmt: skip
SPANISH_ENV = {"COLUMNS": "200", "LC_ALL": None, "LC_MESSAGES": None, "LANG": "es_ES.UTF-8"}
CODE = re.compile(r"[_\-=/@<>{}\[\].\d*]|^[A-Z]{2,}$")


def one_language_words(only: str, other: str) -> set[str]:
    """Words of the catalogue's ``only`` texts that none of its ``other`` texts uses."""
    mine: set[str] = set()
    theirs: set[str] = set()
    for _, texts in entries():
        mine |= {w.lower() for w in WORD.findall(texts[only]) if len(w) >= 3}
        theirs |= {w.lower() for w in WORD.findall(texts[other]) if len(w) >= 3}
    return mine - theirs - SHARED_WORDS


def commands() -> Iterator[tuple[list[str], set[str]]]:
    """Every command's path and its identifiers: the names of the commands (``settings``, ``delete``) and its
    arguments' names, shown as the code names them."""
    names: set[str] = set()

    def name_all(command: object) -> None:
        for name, sub in getattr(command, "commands", {}).items():
            names.add(name)
            name_all(sub)

    root = typer.main.get_command(app)
    name_all(root)

    def walk(command: object, path: list[str]) -> Iterator[tuple[list[str], set[str]]]:
        arguments = {str(p.name) for p in getattr(command, "params", []) if p.param_type_name == "argument"}
        yield path, arguments | names
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            yield from walk(sub, [*path, name])

    yield from walk(root, [])


def prose(text: str, identifiers: set[str]) -> str:
    """What a person reads as words: tokens written as code (flags, ``a_b``, ``<int>``, ``{name}``, capitals,
    numbers, paths) and the command's own argument names left out."""
    kept = []
    for token in text.split():
        core = token.strip(".,;:()'\"«»¿?¡!|│╭╮╰╯─")
        if not core or CODE.search(core) or core in identifiers:
            continue
        kept.append(core)
    return " ".join(kept)


def offending(text: str, forbidden: set[str], identifiers: set[str]) -> list[str]:
    shown = prose(text, identifiers)
    return sorted({w for w in WORD.findall(shown) if w.lower() in forbidden and len(w) >= 3})


def _help(path: list[str], lang: str, by_locale: bool) -> str:
    args = [*path, "--help"] if by_locale else [*path, "--help", "--lang", lang]
    result = runner.invoke(app, args, env=SPANISH_ENV if by_locale else {"COLUMNS": "200"}, prog_name="tendero")
    assert result.exit_code == 0, (path, result.output)
    return result.output


@pytest.mark.parametrize(("lang", "other", "by_locale"), [("es", "en", False), ("es", "en", True), ("en", "es", False)])
def test_every_commands_help_is_in_one_language(lang, other, by_locale):
    forbidden = one_language_words(other, lang)
    assert {"the", "and", "with"} <= forbidden if other == "en" else {"los", "con", "para"} <= forbidden
    found: dict[str, list[str]] = {}
    walked = 0
    for path, arguments in commands():
        shown = _help(path, lang, by_locale)
        walked += 1
        words = offending(shown, forbidden, arguments)
        if lang == "es":
            words += [phrase for phrase in CLICK_ENGLISH if phrase in shown]
        if words:
            found[" ".join(path) or "tendero"] = words
    assert walked > 90  # every group and command, the benches and their options included
    assert not found, "\n".join(f"{where}: {words}" for where, words in found.items())


def test_spanish_help_has_the_commands_own_texts_and_clicks_words_translated():
    shown = " ".join(_help(["schedules", "create"], "es", by_locale=False).split())
    assert "Uso: tendero schedules create [OPCIONES]" in shown
    assert "Crea una programación" in shown and "zona horaria IANA" in shown and "[obligatorio]" in shown
    assert "Muestra esta ayuda y termina." in shown and "Opciones" in shown and "Argumentos" in shown
    assert "[por defecto: UTC]" in shown
    group = " ".join(_help(["bench"], "es", by_locale=True).split())
    assert "Órdenes" in group and "ORDEN [ARGUMENTOS]" in group and "Prueba de carga" in group
    algorithms = " ".join(_help(["train", "tabular"], "es", by_locale=False).split())
    assert "uno de: linear_regression," in algorithms and "{algorithms}" not in algorithms
    english = " ".join(_help(["schedules", "create"], "en", by_locale=False).split())
    assert "Usage: tendero schedules create [OPTIONS]" in english and "Show this message and exit." in english


@pytest.mark.parametrize(
    ("args", "spanish", "english"),
    [
        (["models", "versions"], "Falta el argumento 'model'.", "Missing argument 'model'."),
        (["models", "list"], "Falta la opción '--tenant' / '-t'.", "Missing option '--tenant' / '-t'."),
        (["data", "generate", "--out", "x", "--customers", "abc"],
         "Valor no válido para '--customers': 'abc' no es un número entero",
         "Invalid value for '--customers': 'abc' is not a whole number"),
        (["data", "generate", "--out", "x", "--customers", "5"],
         "Valor no válido para '--customers': 5 está por debajo del mínimo, 10",
         "Invalid value for '--customers': 5 is below the minimum, 10"),
        (["no-such"], "No existe la orden 'no-such'.", "No such command 'no-such'."),
        (["tenant", "list", "--bogus"], "No existe la opción: --bogus", "No such option: --bogus"),
        (["tenant", "list", "extra"], "Sobran argumentos que no se esperaban (extra)",
         "Got unexpected extra argument(s) (extra)"),
        (["key", "create", "--tenant", "x", "--role"], "La opción '--role' necesita un valor.",
         "Option '--role' requires an argument."),
    ],
)  # fmt: skip
def test_usage_errors_are_in_the_runs_language(args, spanish, english):
    for lang, expected, unexpected in (("es", spanish, english), ("en", english, spanish)):
        result = runner.invoke(app, [*args, "--lang", lang], env={"COLUMNS": "200"})
        flat = " ".join(result.output.replace("│", " ").split())
        assert result.exit_code == 2, (args, lang, result.output)
        assert expected in flat and unexpected not in flat, (lang, result.output)
        if lang == "es":
            assert not [phrase for phrase in CLICK_ENGLISH if phrase in result.output], result.output
            assert "Traceback" not in result.output
    by_locale = runner.invoke(app, args, env=SPANISH_ENV)
    assert spanish in " ".join(by_locale.output.replace("│", " ").split())
