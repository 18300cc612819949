"""The import graph keeps one direction of dependency (docs/architecture.md).

Every module under dhr/ and learning/ is parsed with `ast` (nothing is imported), its imports
resolved to the project's modules, and each module placed in a layer. The graph must have no
circle, no import pointing up a layer, no import between two different interfaces (the web
pages never import the JSON API's modules), and no import inside a function: an import
placed there to dodge a circle is a sign the layers are wrong. Imports under
`if TYPE_CHECKING:` are for type hints only and do not count.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import PROJECT

PACKAGES = ("dhr", "learning")

# Bottom to top; a module may import its own layer and the layers below it.
LAYERS = ("base", "models", "services", "workflow", "learning", "reminders", "demo",
          "interfaces", "root")

# Module name (or package prefix) -> layer. The longest matching entry wins.
PLACES: dict[str, str] = {
    "dhr.config": "base",
    "dhr.extensions": "base",
    "dhr.models": "models",
    "learning.models": "models",
    "dhr.errors": "services",
    "dhr.permissions": "services",
    "dhr.vocabulary": "services",
    "dhr.audit": "services",
    "dhr.jobs": "services",
    "dhr.after_commit": "services",
    "dhr.accounts": "services",
    "dhr.user_admin": "services",
    "dhr.notifications": "services",
    "dhr.reviews": "services",
    "dhr.identifying_terms": "services",
    "dhr.bounds": "services",
    "dhr.backup": "services",
    "dhr.read_audit": "services",
    "dhr.review_input": "services",
    "dhr.reference_data": "services",
    "dhr.auth": "services",
    "dhr.security": "services",
    "dhr.drafts": "services",
    "dhr.wording": "services",
    "dhr.sealing": "base",
    "dhr.job_queue_files": "base",
    "dhr.workflow": "workflow",
    "learning": "learning",
    "dhr.search": "learning",
    "dhr.reminders": "reminders",
    "dhr.reminders.mail": "services",
    "dhr.reminders.delivery": "services",
    "dhr.demo": "demo",
    "dhr.web": "interfaces",
    "dhr.assets": "interfaces",
    "dhr.auth.views": "interfaces",
    "dhr.api": "interfaces",
    "learning.api": "interfaces",
    "learning.repeats_api": "interfaces",
    "learning.repeats_pages": "interfaces",
    "learning.tracker_api": "interfaces",
    "learning.tracker_pages": "interfaces",
    "learning.stats_api": "interfaces",
    "learning.stats_pages": "interfaces",
    "learning.vocabulary_api": "interfaces",
    "learning.vocabulary_pages": "interfaces",
    "learning.themes_pages": "interfaces",
    "learning.import_api": "interfaces",
    "learning.import_pages": "interfaces",
    "dhr.cli": "interfaces",
    "learning.search_api": "interfaces",
    "learning.search_pages": "interfaces",
    "learning.public_pages": "interfaces",
    "dhr": "root",
    "dhr.__main__": "root",
    "dhr.celery_app": "root",
}

# The interfaces never import one another: module prefix -> interface.
INTERFACES: dict[str, str] = {
    "dhr.web": "web pages",
    "dhr.assets": "web pages",
    "dhr.auth.views": "web pages",
    "dhr.api": "JSON API",
    "learning.api": "JSON API",
    "learning.repeats_api": "JSON API",
    "learning.repeats_pages": "web pages",
    "learning.tracker_api": "JSON API",
    "learning.tracker_pages": "web pages",
    "learning.stats_api": "JSON API",
    "learning.stats_pages": "web pages",
    "learning.vocabulary_api": "JSON API",
    "learning.vocabulary_pages": "web pages",
    "learning.themes_pages": "web pages",
    "learning.import_api": "JSON API",
    "learning.import_pages": "web pages",
    "dhr.cli": "command line",
    "learning.search_api": "JSON API",
    "learning.search_pages": "web pages",
    "learning.public_pages": "web pages",
}

# Imports allowed inside a function: (module, imported module) -> why. Keep it short.
FUNCTION_IMPORTS_ALLOWED: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    line: int
    in_function: str | None  # the enclosing function's name, if any


def module_files() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((PROJECT / package).rglob("*.py")):
            parts = list(path.relative_to(PROJECT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _known(name: str, modules: set[str]) -> str | None:
    """The project module `name` refers to (a name inside a module counts as the module)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool,
             modules: set[str]) -> list[str]:
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = module.split(".") if is_package else module.split(".")[:-1]
            package = package[:len(package) - node.level + 1]
            base = ".".join(package + ([base] if base else []))
        names = [f"{base}.{alias.name}" for alias in node.names]
    targets = [target for name in names if (target := _known(name, modules))]
    return sorted(set(targets))


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports_of(module: str, path: Path, modules: set[str]) -> list[Import]:
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found: list[Import] = []

    def visit(node: ast.AST, function: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    visit(other, function)
                continue
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                for target in _targets(child, module, is_package, modules):
                    if target != module:
                        found.append(Import(module, target, child.lineno, function))
                continue
            inner = child.name if isinstance(
                child, (ast.FunctionDef, ast.AsyncFunctionDef)) else function
            visit(child, inner)

    visit(tree, None)
    return found


def project_imports() -> list[Import]:
    files = module_files()
    modules = set(files)
    return [found for module, path in files.items()
            for found in imports_of(module, path, modules)]


def _longest(module: str, table: dict[str, str]) -> str | None:
    matches = [prefix for prefix in table
               if module == prefix or module.startswith(prefix + ".")]
    return table[max(matches, key=len)] if matches else None


def layer_of(module: str) -> str | None:
    return _longest(module, PLACES)


def interface_of(module: str) -> str | None:
    return _longest(module, INTERFACES)


def circles(edges: list[tuple[str, str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    graph: dict[str, set[str]] = {}
    for source, target in edges:
        graph.setdefault(source, set()).add(target)
        graph.setdefault(target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph[node]):
            if other not in index:
                connect(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
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

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def wrong_direction(imports: list[Import]) -> list[str]:
    """Imports pointing up a layer, or from one interface into another."""
    problems = []
    for found in imports:
        source, target = layer_of(found.importer), layer_of(found.imported)
        if source is None or target is None:
            continue  # reported by test_every_module_has_a_layer
        if LAYERS.index(target) > LAYERS.index(source):
            problems.append(f"{found.importer} ({source}) imports {found.imported} ({target}), "
                            f"line {found.line}")
            continue
        theirs, ours = interface_of(found.imported), interface_of(found.importer)
        if theirs and ours and theirs != ours:
            problems.append(f"{found.importer} ({ours}) imports {found.imported} ({theirs}), "
                            f"line {found.line}")
    return problems


@pytest.fixture(scope="module")
def imports() -> list[Import]:
    return project_imports()


def test_every_module_has_a_layer() -> None:
    unplaced = [module for module in module_files() if layer_of(module) is None]
    assert unplaced == [], f"add these modules to PLACES (and the diagram): {unplaced}"


def test_no_circle(imports: list[Import]) -> None:
    found = circles([(i.importer, i.imported) for i in imports])
    assert found == [], "import circles: " + "; ".join(" <-> ".join(c) for c in found)


def test_every_import_points_down(imports: list[Import]) -> None:
    problems = wrong_direction(imports)
    assert problems == [], "imports against the layers:\n" + "\n".join(problems)


def test_no_import_inside_a_function(imports: list[Import]) -> None:
    inside = [f"{i.importer}.{i.in_function} imports {i.imported} (line {i.line})"
              for i in imports if i.in_function
              and (i.importer, i.imported) not in FUNCTION_IMPORTS_ALLOWED]
    assert inside == [], "imports inside functions:\n" + "\n".join(inside)


def test_the_workflow_never_imports_learning_operations(imports: list[Import]) -> None:
    """Recommendations reach the workflow through learning's model only."""
    bad = [f"{i.importer} imports {i.imported}" for i in imports
           if layer_of(i.importer) == "workflow" and i.imported.split(".")[0] == "learning"
           and layer_of(i.imported) != "models"]
    assert bad == []


def test_the_checks_catch_a_circle_and_an_upward_import() -> None:
    """The rules above can fail: a made-up circle and a models -> workflow import."""
    assert circles([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")]) == [["a", "b", "c"]]
    upward = Import("dhr.models.review", "dhr.workflow.engine", 1, None)
    across = Import("dhr.web.review_pages", "dhr.api.errors", 2, None)
    down = Import("dhr.workflow.engine", "dhr.models.review", 3, None)
    problems = wrong_direction([upward, across, down])
    assert len(problems) == 2
    assert "dhr.models.review (models) imports dhr.workflow.engine (workflow)" in problems[0]
    assert "(web pages) imports dhr.api.errors (JSON API)" in problems[1]


def test_function_level_imports_are_seen(tmp_path: Path) -> None:
    path = tmp_path / "sample.py"
    path.write_text("from dhr import errors\n\n"
                    "if TYPE_CHECKING:\n    from dhr.models import Review\n\n"
                    "def late():\n    from .engine import send_event\n")
    found = imports_of("dhr.workflow.sample", path,
                       {"dhr.errors", "dhr.models", "dhr.workflow.engine"})
    assert [(i.imported, i.in_function) for i in found] == [
        ("dhr.errors", None), ("dhr.workflow.engine", "late")]
