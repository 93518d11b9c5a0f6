"""The house plan as a test: domain packages import no HTTP, SQL, store, api or jobs code."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "tendero"
DOMAIN = ["forecasting", "recommend", "customers", "training", "experiments", "pricing", "search", "insights"]
FORBIDDEN = ("fastapi", "starlette", "sqlalchemy", "tendero.store", "tendero.api", "tendero.web", "tendero.jobs",
             "tendero.registry", "tendero.cli", "tendero.app")  # fmt: skip


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


@pytest.mark.parametrize("package", DOMAIN)
def test_domain_packages_stay_pure(package):
    offenders = []
    for path in sorted((SRC / package).rglob("*.py")):
        for name in _imports(path):
            if name.startswith(FORBIDDEN):
                offenders.append(f"{path.relative_to(SRC)} imports {name}")
    assert not offenders, offenders


def test_only_store_writes_sql():
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC)
        if relative.parts[0] in ("store",):
            continue
        for name in _imports(path):
            # the Session type may pass through services; queries and SQL stay in store/
            if name.startswith("sqlalchemy") and name != "sqlalchemy.orm":
                offenders.append(f"{relative} imports {name}")
    assert not offenders, offenders


def test_only_config_reads_the_environment():
    offenders = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if "os.environ" in path.read_text() and path.name != "config.py" and "bench" not in path.parts
    ]
    assert not offenders, offenders


def test_nothing_pickles_anywhere():
    """Artifacts are native files; no module may import pickle, joblib, skops or cloudpickle."""
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        for name in _imports(path):
            if name.split(".")[0] in ("pickle", "joblib", "skops", "cloudpickle"):
                offenders.append(f"{path.relative_to(SRC)} imports {name}")
    assert not offenders, offenders


LIGHT_BENCH_IMPORTS = {"__future__", "pathlib", "time", "typing", "typer", "tendero.bench.report",
                       "tendero.bench.forecast_names"}  # fmt: skip


BENCH_COMMANDS = [p for p in sorted((SRC / "bench").glob("*.py")) if "def command(" in p.read_text()]


@pytest.mark.parametrize("path", BENCH_COMMANDS, ids=lambda p: p.name)
def test_bench_commands_import_only_light_modules_at_top_level(path):
    """`tendero --help` must not pay for statsforecast or LightGBM: benches import them when they run."""
    tree = ast.parse(path.read_text())
    top = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            top.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            top.add(node.module)
    assert top <= LIGHT_BENCH_IMPORTS, sorted(top - LIGHT_BENCH_IMPORTS)
