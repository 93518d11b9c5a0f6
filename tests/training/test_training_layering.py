"""The training package is a domain package: no web, database, job or registry imports."""

from __future__ import annotations

import ast
from pathlib import Path

import tendero.training

FORBIDDEN = (
    "fastapi",
    "sqlalchemy",
    "tendero.store",
    "tendero.api",
    "tendero.jobs",
    "tendero.registry",
    "tendero.cli",
)


def test_training_modules_import_nothing_from_the_outer_layers() -> None:
    package = Path(tendero.training.__file__).parent
    offenders = []
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {name}" for name in names if name.startswith(FORBIDDEN)]
    assert offenders == []


def test_no_pickle_or_joblib_anywhere_in_training() -> None:
    package = Path(tendero.training.__file__).parent
    for path in package.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                assert not any(m.split(".")[0] in ("pickle", "joblib", "skops", "cloudpickle") for m in modules)
