"""The customers package is a domain package: no HTTP, SQL, store, API, jobs, registry or CLI imports."""

from __future__ import annotations

import ast
from pathlib import Path

import tendero.customers

FORBIDDEN = ("fastapi", "sqlalchemy", "tendero.store", "tendero.api", "tendero.jobs", "tendero.registry", "tendero.cli")


def test_customers_modules_import_nothing_from_the_faces_or_the_store():
    package = Path(tendero.customers.__file__).parent
    offenders = []
    for path in sorted(package.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.startswith(FORBIDDEN)]
    assert offenders == []
