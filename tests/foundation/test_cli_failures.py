"""The ``tendero`` command with a mistake in it: one line saying what to do, an exit code, never a traceback."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from tendero.cli import app
from tendero.cli.failures import hoist_root_options

runner = CliRunner()
TENDERO = [sys.executable, "-m", "tendero.cli"]


def _invoke(args: list[str], **kwargs):  # type: ignore[no-untyped-def]
    result = runner.invoke(app, args, **kwargs)
    # CliRunner keeps an escaped exception instead of printing it: an escaped one is a traceback for the user.
    assert result.exception is None or isinstance(result.exception, SystemExit), (args, result.exception)
    return result


def _mistakes(tenant: str, tmp: Path) -> list[tuple[list[str], str]]:
    """(command line, a words the one-line error must hold) for a mistake in every command."""
    garbage = tmp / "binario.csv"
    garbage.write_bytes(b"%PDF-1.7\n\x00\x01\x02\x03 not a table" * 20)
    empty = tmp / "vacio.csv"
    empty.write_text("")
    lines = tmp / "lineas.csv"
    lines.write_text("order_id,ordered_at,product_id,quantity,unit_price\n1,2026-01-05,A,1,2.5\n")
    return [
        (["tenant", "create", tenant], "already exists"),
        (["key", "create", "--tenant", "nadie"], "tendero tenant create nadie"),
        (["key", "create", "--tenant", tenant, "--role", "root"], "role must be one of"),
        (["key", "list", "--tenant", "nadie"], "tendero tenant create nadie"),
        (["key", "revoke", "--tenant", tenant, "tdr_nothere"], "not found"),
        (["user", "create", "ana", "--tenant", "nadie", "--password", "x"], "tendero tenant create nadie"),
        (["models", "list", "--tenant", "nadie"], "tendero tenant create nadie"),
        (["models", "versions", "no-such-model", "--tenant", tenant], "not found"),
        (["models", "deploy", "no-such-model", "v1", "--tenant", tenant], "not found"),
        (["models", "rollback", "no-such-model", "--tenant", tenant], "not found"),
        (["import", str(tmp / "no-file.csv"), "--entity", "order_lines", "--tenant", tenant], "no file"),
        (["import", str(lines), "--entity", "order_line", "--tenant", tenant], "did you mean order_lines"),
        (["import", str(lines), "--entity", "order_lines", "--tenant", tenant, "--returns", "yes"], "reject, keep"),
        (["import", str(lines), "--entity", "order_lines", "--tenant", tenant, "--map", "Fecha"], "your_column=field"),
        (["import", str(garbage), "--entity", "order_lines", "--tenant", tenant], "binario.csv"),
        (["import", str(empty), "--entity", "order_lines", "--tenant", tenant], "vacio.csv"),
        (["import", str(lines), "--entity", "order_lines", "--tenant", "nadie"], "tendero tenant create nadie"),
        (["import", "sql", "--entity", "order_lines", "--tenant", tenant], "--query"),
        (["data", "profile", "--tenant", "nadie"], "tendero tenant create nadie"),
        (
            ["datasets", "upload", str(tmp / "no-file.csv"), "--tenant", tenant, "--name", "d", "--task", "regression"],
            "no file",
        ),
        (
            ["datasets", "upload", str(lines), "--tenant", tenant, "--name", "d", "--task", "regresion"],
            "did you mean regression",
        ),
        (["datasets", "show", "no-such-dataset", "--tenant", tenant], "tendero datasets list"),
        (["train", "tabular", "--tenant", tenant, "--dataset", "no-such-dataset"], "tendero datasets list"),
        (["train", "tabular", "--tenant", tenant, "--dataset", "x", "--algorithm", "randomforest"], "random_forest"),
        (["train", "algorithms", "randomforest"], "random_forest"),
        (["forecast", "--tenant", tenant, "--level", "categories"], "did you mean category"),
        (["forecast", "--tenant", tenant, "--measure", "money"], "quantity, revenue"),
        (["forecast", "--tenant", "nadie"], "tendero tenant create nadie"),
        (["customers", "segments", "--tenant", "nadie"], "tendero tenant create nadie"),
        (["experiments", "show", "--tenant", tenant, "nope"], "nope"),
        (["insights", "sales", "--tenant", tenant, "--period", "2026-13"], "month 13"),
        (["search", "--tenant", "nadie", "café"], "tendero tenant create nadie"),
        (["ask", "--tenant", "nadie", "¿cuánto vendí?"], "tendero tenant create nadie"),
        (["schedules", "list", "--tenant", "nadie"], "tendero tenant create nadie"),
        (["sources", "list", "--tenant", "nadie"], "tendero tenant create nadie"),
        (["--lang", "fr", "models", "list", "--tenant", tenant], "es, en"),
        (["worker"], "TENDERO_JOB_RUNNER=procrastinate"),
        (["data", "generate", "--out", str(tmp / "demo"), "--customers", "5"], "--customers"),
        (["bench", "forecast", "--data", str(tmp / "no-file.csv"), "--json"], "no-file.csv"),
        (
            [
                "bench",
                "customers",
                "--transactions",
                str(tmp / "nada.txt"),
                "--format",
                "cdnow",
                "--calibration-end",
                "2000-01-01",
                "--json",
            ],
            "nada.txt",
        ),
        (["bench", "tabular", "--datasets", "nope", "--json"], "nope"),
    ]


def test_every_command_with_a_mistake_says_one_line_and_no_traceback(tenant, tmp_path):
    for args, words in _mistakes(tenant.name, tmp_path):
        result = _invoke(args)
        assert result.exit_code in (1, 2), (args, result.exit_code, result.output)
        assert "Traceback" not in result.output and "pydantic" not in result.output, (args, result.output)
        assert "error" in result.output.lower(), (args, result.output)
        assert words in " ".join(result.output.split()), (args, words, result.output)


LONG_RUNNING = (["serve"], ["demo"], ["bench"])  # they would serve or benchmark for minutes with any valid line


def _dummy(param: object) -> list[str]:
    kind = getattr(getattr(param, "type", None), "name", "")
    value = "1" if kind in ("integer", "float") else "x"
    opts = getattr(param, "opts", [])
    if getattr(param, "param_type_name", "") == "argument":
        return [value]
    return [opts[0], value] if not getattr(param, "is_flag", False) else [opts[0]]


def test_every_leaf_command_for_an_unknown_tenant_or_a_made_up_value_exits_cleanly(tmp_path, monkeypatch):
    """Each command of the tree, its required parameters given made-up values (and --tenant a tenant that does
    not exist): an error line and exit 1 or 2, never an escaped exception."""

    def leaves(command: object, path: list[str]):  # type: ignore[no-untyped-def]
        subcommands = getattr(command, "commands", {})
        if not subcommands:
            yield path, command
        for name, sub in subcommands.items():
            yield from leaves(sub, [*path, name])

    monkeypatch.chdir(tmp_path)  # made-up output paths land in a temporary folder
    assert _walk_leaves(leaves(typer.main.get_command(app), [])) >= 50


def _walk_leaves(commands) -> int:  # type: ignore[no-untyped-def]
    checked = 0
    for path, command in commands:
        if any(path[: len(prefix)] == prefix for prefix in LONG_RUNNING):
            continue
        args = list(path)
        for param in command.params:
            if getattr(param, "name", "") == "tenant":
                args += ["--tenant", "nadie"]
            elif getattr(param, "required", False):
                args += _dummy(param)
        if args == path:  # nothing to get wrong (db upgrade, tenant list, train algorithms)
            continue
        result = _invoke(args, input="x\nx\n")
        assert "Traceback" not in result.output and result.exit_code != 70, (args, result.output)
        if "--tenant" in args:  # a tenant that does not exist: always a mistake
            assert result.exit_code in (1, 2) and "error" in result.output.lower(), (args, result.output)
        checked += 1
    return checked


def test_an_unknown_tenant_says_how_to_create_it_in_both_languages():
    english = _invoke(["import", "ventas.csv", "--entity", "order_lines", "--tenant", "nadie", "--lang", "en"])
    spanish = _invoke(["--lang", "es", "models", "list", "--tenant", "nadie"])
    assert "no tenant named 'nadie': create it with: tendero tenant create nadie" in english.output
    assert "créalo con: tendero tenant create nadie" in " ".join(spanish.output.split())


def test_algorithm_choices_and_hyperparameter_ranges_reach_the_user(tenant, tmp_path):
    from tendero.cli.capabilities import ALGORITHM_NAMES
    from tendero.services.algorithms import algorithm_names

    assert list(ALGORITHM_NAMES) == algorithm_names()  # the help's list is the trainer's
    helped = _invoke(["train", "tabular", "--help"], env={"COLUMNS": "300"})
    assert all(name in helped.output for name in ALGORITHM_NAMES)
    data = tmp_path / "flores.csv"
    data.write_text("a,b,clase\n" + "".join(f"{i},{i % 3},{'sí' if i % 2 else 'no'}\n" for i in range(30)))
    made = _invoke(["datasets", "upload", str(data), "--tenant", tenant.name, "--name", "flores",
                    "--task", "classification", "--target", "clase"])  # fmt: skip
    assert made.exit_code == 0, made.output
    wrong = _invoke(["train", "tabular", "--tenant", tenant.name, "--dataset", "flores", "--algorithm", "randomforest"])
    assert wrong.exit_code == 2 and "did you mean random_forest" in wrong.output
    assert "pydantic" not in wrong.output and "validation error" not in wrong.output
    low = _invoke(["train", "tabular", "--tenant", tenant.name, "--dataset", "flores", "--param", "num_leaves=1"])
    flat = " ".join(low.output.split())
    assert low.exit_code == 1 and "num_leaves=1" in flat and "from 2 to 131072" in flat and "default auto" in flat
    assert "errors.pydantic.dev" not in low.output
    unknown = _invoke(["train", "tabular", "--tenant", tenant.name, "--dataset", "flores", "--param", "leaves=8"])
    assert unknown.exit_code == 1 and "'leaves'" in unknown.output and "num_leaves" in unknown.output
    task = _invoke(["train", "tabular", "--tenant", tenant.name, "--dataset", "flores", "--algorithm", "kmeans"])
    assert task.exit_code == 1 and "kmeans does not do classification" in " ".join(task.output.split())
    listed = _invoke(["train", "algorithms", "lightgbm", "--json"])
    specs = {spec["name"]: spec for spec in __import__("json").loads(listed.output)[0]["hyperparameters"]}
    assert specs["num_leaves"]["allowed"] == "integer from 2 to 131072 or auto"


def test_hyperparameter_ranges_and_refusals_are_in_the_runs_language():
    import json

    from tendero.errors import Invalid
    from tendero.services.algorithms import check_hyperparameters

    english_words = re.compile(r"\b(integer|number|from|to|above|below|up to|or|none|true or false|a list|any value|"
                               r"not allowed|default)\b")  # fmt: skip
    spanish = json.loads(_invoke(["train", "algorithms", "--json", "--lang", "es"]).output)
    allowed = {spec["name"]: spec["allowed"] for row in spanish for spec in row["hyperparameters"]}
    assert allowed["num_leaves"] == "número entero desde 2 hasta 131072 o auto"
    assert not [text for text in allowed.values() if english_words.search(text)], allowed
    meanings = [spec["description"] for row in spanish for spec in row["hyperparameters"]]
    assert "número de árboles (rondas); auto: lo decide la parada temprana" in meanings  # the pages' catalogue
    english = json.loads(_invoke(["train", "algorithms", "lightgbm", "--json", "--lang", "en"]).output)
    assert english[0]["hyperparameters"][0]["allowed"].startswith(("integer", "number", "auto"))
    with pytest.raises(Invalid) as refused:
        check_hyperparameters("lightgbm", {"num_leaves": 1}, "es")
    assert str(refused.value) == "num_leaves=1 no está permitido: número entero desde 2 hasta 131072 o auto " \
        "(por defecto auto)"  # fmt: skip
    with pytest.raises(Invalid) as unknown:
        check_hyperparameters("bosque", {}, "es")
    assert "no hay ningún algoritmo 'bosque'; elige uno de: linear_regression" in str(unknown.value)


def test_root_options_are_read_anywhere_on_the_line():
    assert hoist_root_options(["import", "f.csv", "--lang", "es", "--debug"]) == ["--lang", "es", "--debug",
                                                                                   "import", "f.csv"]  # fmt: skip
    assert hoist_root_options(["ask", "--lang=en", "--", "--lang"]) == ["--lang=en", "ask", "--", "--lang"]


def _environment(home: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "TENDERO_HOME": str(home), "TENDERO_DATABASE_URL": "", "TENDERO_ARTIFACTS": "",
           "LANG": "C.UTF-8", **extra}  # fmt: skip
    env.pop("LC_ALL", None)
    env.pop("LC_MESSAGES", None)
    return env


def test_a_bug_is_one_line_naming_the_log_and_debug_prints_the_trace(tmp_path):
    """A database file that is not a database is no mistake the user made in the command: the bug path."""
    (tmp_path / "tendero.db").write_bytes(b"this is not a SQLite database" * 100)
    env = _environment(tmp_path, TENDERO_DATABASE_URL=f"sqlite:///{tmp_path / 'tendero.db'}")
    plain = subprocess.run([*TENDERO, "tenant", "list"], env=env, capture_output=True, text=True, timeout=120)
    assert plain.returncode == 70, plain.stderr
    assert "Traceback" not in plain.stderr + plain.stdout
    assert "internal error" in plain.stderr and str(tmp_path / "logs" / "cli.log") in plain.stderr
    assert "Traceback" in (tmp_path / "logs" / "cli.log").read_text()
    debug = subprocess.run([*TENDERO, "tenant", "list", "--debug"], env=env, capture_output=True, text=True,
                           timeout=120)  # fmt: skip
    assert debug.returncode == 70 and "Traceback" in debug.stderr


def test_a_failed_job_is_one_line_and_its_traceback_goes_to_the_log(tmp_path):
    """Too little history: the forecast job fails in its child process; the terminal gets the reason only."""
    env = _environment(tmp_path)
    made = subprocess.run([*TENDERO, "tenant", "create", "poca"], env=env, capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    lines = tmp_path / "lineas.csv"
    lines.write_text("order_id,ordered_at,product_id,quantity,unit_price\n1,2026-01-05,A,1,2.5\n2,2026-02-05,A,2,2.5\n")
    subprocess.run([*TENDERO, "import", str(lines), "--entity", "order_lines", "--tenant", "poca"], env=env,
                   check=True, capture_output=True, timeout=120)  # fmt: skip
    failed = subprocess.run([*TENDERO, "forecast", "--tenant", "poca", "--lang", "es"], env=env,
                            capture_output=True, text=True, timeout=300)  # fmt: skip
    shown = failed.stdout + failed.stderr
    assert failed.returncode == 1, shown
    assert "Traceback" not in shown and "ValueError" not in shown
    assert "hay muy poco historial" in " ".join(shown.split())
    assert "Traceback" in (tmp_path / "logs" / "cli.log").read_text()


@pytest.mark.parametrize("variable", ["LANG", "LC_ALL"])
def test_the_default_language_follows_the_locale(variable):
    unset = {"LC_ALL": None, "LC_MESSAGES": None, "LANG": None}
    result = _invoke(["models", "list", "--tenant", "nadie"], env={**unset, variable: "es_ES.UTF-8"})
    assert "créalo con" in " ".join(result.output.split())
    english = _invoke(["models", "list", "--tenant", "nadie"], env={**unset, "LANG": "C"})
    assert "create it with" in english.output


def test_help_texts_show_no_literal_backticks():
    def walk(command: object, path: list[str]):  # type: ignore[no-untyped-def]
        yield path, command
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, [*path, name])

    for path, command in walk(typer.main.get_command(app), []):
        texts = [getattr(command, "help", None) or ""] + [getattr(p, "help", None) or "" for p in command.params]
        assert not [t for t in texts if "`" in t], path
        shown = _invoke([*path, "--help"], env={"COLUMNS": "200"})
        assert "`" not in shown.output, (path, shown.output)


def test_a_reader_that_closes_the_pipe_is_no_error(tmp_path):
    """``tendero ... | head -1``: the command stops quietly, no traceback, no "internal error"."""
    env = _environment(tmp_path)
    reader, writer = os.pipe()
    os.close(reader)  # nobody reads: the first write fails with a broken pipe
    with os.fdopen(writer, "wb") as closed:
        done = subprocess.run([*TENDERO, "tenant", "create", "tubo"], env=env, stdout=closed, stderr=subprocess.PIPE,
                              text=True, timeout=120)  # fmt: skip
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
    assert done.returncode in (1, 141)
