"""forecasting/ is a domain package: it must not reach into HTTP, SQL or the service layers."""

from __future__ import annotations

import ast
from pathlib import Path

import tendero.forecasting

FORBIDDEN = ("fastapi", "sqlalchemy", "tendero.store", "tendero.api", "tendero.jobs", "tendero.registry", "tendero.cli")


def test_forecasting_imports_no_service_or_face_modules() -> None:
    package = Path(tendero.forecasting.__file__).parent
    offenders = []
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.startswith(FORBIDDEN)]
    assert offenders == []
