"""The house plan as a test: arrows point down only, no face imports another, no import cycle, and domain
packages import no HTTP, SQL, store, api or jobs code."""

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


LIGHT_BENCH_IMPORTS = {"__future__", "datetime", "pathlib", "time", "typing", "typer", "tendero.bench.report",
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


# --- the module graph: every import of every module, those inside functions included --------------------------


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in SRC.rglob("*.py") if "migrations" not in path.parts}


def _resolve(name: str) -> str | None:
    """The tendero module an imported name lives in (``tendero.store.tables.Base`` -> ``tendero.store.tables``)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _module_imports(module: str) -> set[str]:
    """The tendero modules ``module`` imports anywhere in its text (function bodies and TYPE_CHECKING blocks too).

    A submodule's own package ``__init__`` is not counted: Python runs it first whoever imports the submodule."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package
                for _ in range(node.level - 1):
                    anchor = anchor.rpartition(".")[0]
                base = f"{anchor}.{base}" if base else anchor
            names = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            if name.startswith("tendero"):
                resolved = _resolve(name)
                if resolved is not None and resolved != module:
                    found.add(resolved)
    return found


GRAPH = {module: _module_imports(module) for module in MODULES}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_between_modules():
    """Imports inside functions count: a lazy import that points back up still makes the modules one tangle."""
    assert _cycles(GRAPH) == []


def _area(module: str) -> str:
    """``tendero.api.models`` -> ``api``; top-level modules by their own name (``app``, ``kinds``, ``config``)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


FACE_AREAS = ("api", "web", "cli", "app", "bench")


@pytest.mark.parametrize("area", sorted({_area(m) for m in MODULES} - set(FACE_AREAS)))
def test_below_the_faces_nothing_imports_a_face(area):
    """Services, the registry, jobs, data, the store and the domain import no face and no bench: arrows point down."""
    offenders = [
        f"{module} imports {imported}"
        for module, imported_modules in sorted(GRAPH.items())
        if _area(module) == area
        for imported in sorted(imported_modules)
        if _area(imported) in FACE_AREAS
    ]
    assert not offenders, offenders


# A face may reach another only where one assembles or runs the other: app.py assembles the API and the dashboard
# into one ASGI app; the CLI runs that app (``tendero serve``) and the benches (``tendero bench``).
FACE_WIRING = {("app", "api"), ("app", "web"), ("cli", "app"), ("cli", "bench")}


@pytest.mark.parametrize("face", FACE_AREAS)
def test_no_face_imports_another_face(face):
    """The dashboard never calls an API route function, the CLI never an API view: both call a service."""
    offenders = _face_imports(face, lambda area: area not in FACE_AREAS or area == face)
    assert not offenders, offenders


def _face_imports(face: str, allowed) -> list[str]:
    """The imports of ``face``'s modules into areas ``allowed`` refuses, the wiring between faces aside."""
    return [
        f"{module} imports {imported}"
        for module, imported_modules in sorted(GRAPH.items())
        if _area(module) == face
        for imported in sorted(imported_modules)
        if not allowed(_area(imported)) and (face, _area(imported)) not in FACE_WIRING
    ]


# What a face may import besides its own package: the services, and the leaves every layer shares (the errors, the
# kinds and their typed surfaces, the message catalogue, the settings, observability, the package's version). A type
# or an error class a face needs from lower down (``Principal``, ``Filters``, ``FileRejected``, ...) reaches it
# re-exported by the service that deals in it. The benches are left out: they measure the domain code itself.
FACE_MAY_IMPORT = {"services", "errors", "kinds", "catalogue", "config", "observability", "tendero"}
SERVICE_FACES = ("api", "web", "cli", "app")


@pytest.mark.parametrize("face", SERVICE_FACES)
def test_faces_call_services_only(face):
    """No face reaches past the services into the registry, jobs, data, the store or a domain package."""
    offenders = _face_imports(face, lambda area: area in FACE_MAY_IMPORT | {face})
    assert not offenders, offenders


def test_the_cli_opens_no_store_session():
    """A command names a tenant and calls a service; the service opens its own session (one tenant look-up)."""
    offenders = [
        str(path.relative_to(SRC))
        for path in sorted((SRC / "cli").rglob("*.py"))
        if "session_scope" in path.read_text()
    ]
    assert not offenders, offenders


# The table reader shared by imports and dataset uploads (formats, encodings, delimiters, numbers, dates, formulas,
# row/column issues and their es/en messages): pure modules a domain package may read tables with.
READER_MODULES = {f"tendero.data.{name}" for name in
                  ("budget", "columns", "dates", "formulas", "issues", "messages", "numbers", "table")}  # fmt: skip
CATALOGUE_MODULES = {m for m in MODULES if m == "tendero.catalogue" or m.startswith("tendero.catalogue.")}
# the process's resident memory (the fit stages' and a version's serving figures): a leaf that imports no tendero
MEMORY_MODULE = "tendero.observability.memory"
SHARED_LEAVES = {"tendero.kinds", "tendero.errors", MEMORY_MODULE} | CATALOGUE_MODULES


@pytest.mark.parametrize("package", DOMAIN)
def test_domain_packages_import_only_kinds_leaves_and_their_own_modules(package):
    """You can lift ``forecasting/`` into a notebook: besides libraries it needs only the kinds and the leaves."""
    offenders = [
        f"{module} imports {imported}"
        for module, imported_modules in sorted(GRAPH.items())
        if _area(module) == package
        for imported in sorted(imported_modules)
        if _area(imported) != package and imported not in SHARED_LEAVES | READER_MODULES
    ]
    assert not offenders, offenders


def test_the_reader_and_the_leaves_import_nothing_above_them():
    """What the domain may import stays pure: the reader reads only itself, the leaves and the settings (the
    operator's read limits, ``Limits.from_settings``); the errors and memory modules import nothing of tendero,
    the message catalogue nothing but itself."""
    offenders = [
        f"{module} imports {imported}"
        for module in sorted(READER_MODULES)
        for imported in sorted(GRAPH[module])
        if imported not in READER_MODULES | SHARED_LEAVES | {"tendero.config"}
    ]
    offenders += [
        f"{leaf} imports {imported}" for leaf in ("tendero.errors", MEMORY_MODULE) for imported in sorted(GRAPH[leaf])
    ]
    offenders += [
        f"{module} imports {imported}"
        for module in sorted(CATALOGUE_MODULES)
        for imported in sorted(GRAPH[module])
        if imported not in CATALOGUE_MODULES
    ]
    assert not offenders, offenders


def test_every_catalogue_text_is_in_spanish_and_english_with_the_same_placeholders():
    import string

    from tendero.catalogue import entries

    formatter = string.Formatter()
    faults = []
    for key, texts in entries():
        if set(texts) != {"es", "en"} or not all(texts.values()):
            faults.append(f"{key}: languages {sorted(texts)}")
            continue
        fields = {lang: sorted({part[1] for part in formatter.parse(text) if part[1]}) for lang, text in texts.items()}
        if fields["es"] != fields["en"]:
            faults.append(f"{key}: placeholders {fields}")
    assert not faults, faults
