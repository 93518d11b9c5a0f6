"""The recommend package stays a domain package: no web, database, job or registry imports."""

from __future__ import annotations

import ast
from pathlib import Path

import tendero.recommend

FORBIDDEN = ("fastapi", "sqlalchemy", "tendero.store", "tendero.api", "tendero.jobs", "tendero.registry", "tendero.cli")
LIGHT_BENCH_IMPORTS = {"__future__", "pathlib", "typing", "typer", "tendero.bench.report"}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_recommend_modules_import_no_service_layer():
    package = Path(tendero.recommend.__file__).parent
    for module in package.rglob("*.py"):
        bad = {name for name in _imports(module) if name.startswith(FORBIDDEN)}
        assert not bad, f"{module.name} imports {sorted(bad)}"


def test_bench_module_imports_only_light_modules_at_top_level():
    import tendero.bench.recommend as bench

    tree = ast.parse(Path(bench.__file__).read_text())
    top = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            top.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            top.add(node.module)
    assert top <= LIGHT_BENCH_IMPORTS, sorted(top - LIGHT_BENCH_IMPORTS)
