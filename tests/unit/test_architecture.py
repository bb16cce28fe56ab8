"""The package graph of server/ and sync/ points down: read from the code's own imports, with `ast` alone.

A unit is `sync`, a package of server/ (`server.programme`) or a module at server/'s top (`server.http`). ALLOWED is
the one table of which unit may import which; docs/architecture.md shows the same table (tests/unit/test_docs.py
keeps the two equal). That migrations import nothing of the live code is tests/unit/test_migrations.py's to check.
"""

from __future__ import annotations

import ast
import importlib
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

KERNEL = {
    "sync": set(),
    "server.settings": set(),
    "server.apart": set(),
    "server.state": {"server.clock", "server.settings"},
    "server.resources": set(),
    "server.clock": set(),
    "server.errors": set(),
    "server.codecs": set(),
    "server.auth": {"server.state"},
    "server.db": {"server.clock", "server.settings"},
    "server.http": {"server.errors", "server.state", "sync"},
    "server.headers": {"server.settings"},
    "server.domain": {"server.auth", "server.state", "sync"},
    "server.contract": {"server.auth", "server.headers", "server.http"},
}
_K = set(KERNEL)
_DOMAINS = {
    "server.syncing",
    "server.basemap",
    "server.programme",
    "server.accounts",
    "server.wayfinding",
    "server.checkin",
    "server.push",
}
#: unit → the units it may import (besides itself)
ALLOWED: dict[str, set[str]] = {
    **KERNEL,
    "server.syncing": _K,
    "server.basemap": _K,
    "server.programme": _K | {"server.syncing"},
    "server.accounts": _K | {"server.syncing", "server.programme"},
    "server.wayfinding": _K | {"server.programme"},
    "server.checkin": _K | {"server.syncing", "server.programme", "server.accounts"},
    "server.push": _K | {"server.syncing", "server.programme", "server.accounts"},
    # the composition root knows every domain, and the PWA's files
    "server": set(),
    "server.pwa": {"server.headers"},
    "server.app": _K | _DOMAINS | {"server.pwa"},
    "server.workers": set(),
    "server.cli": _K | _DOMAINS | {"server.workers"},
}


def unit_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] == "sync":
        return "sync"
    if parts[0] != "server":
        return None
    return "server" if len(parts) == 1 else f"server.{parts[1]}"


def _modules():
    for top in ("server", "sync"):
        for path in sorted((ROOT / top).rglob("*.py")):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            yield name.removesuffix(".__init__"), path


def _imports(module: str, path: Path):
    """(line, imported module) for every import in the file, relative ones resolved."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                yield node.lineno, ".".join(base + ([node.module] if node.module else []))
            else:
                yield node.lineno, node.module or ""


#: a table named by SQL: the word after a keyword that names one (a subquery after it is no word)
_SQL_TABLE = re.compile(r"\b(?:FROM|JOIN|INTO|UPDATE|TABLE|ON)\s+\"?([a-z_][a-z0-9_]*)\b")
#: words that make a string constant SQL rather than prose
_SQL_VERB = re.compile(r"\b(?:SELECT|INSERT|UPDATE|DELETE|CREATE|DROP)\b")


def table_owners() -> dict[str, str]:
    """Table name → the unit whose Piccolo app declares it (its APP_CONFIG.table_classes)."""
    owners = {}
    for path in sorted((ROOT / "server").glob("*/piccolo_app.py")):
        unit = f"server.{path.parent.name}"
        config = importlib.import_module(f"{unit}.piccolo_app").APP_CONFIG
        owners.update({table._meta.tablename: unit for table in config.table_classes})
    return owners


def sql_tables(path: Path) -> list[tuple[int, str]]:
    """(line, table) for every table the SQL in the file's string constants names (docstrings are prose)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            if _SQL_VERB.search(node.value):
                found += [(node.lineno, table) for table in _SQL_TABLE.findall(node.value)]
    return found


def graph() -> tuple[dict[str, set[str]], dict[tuple[str, str], str]]:
    """(unit → units it uses, an example site of each arrow): its imports, the tables its SQL names (migrations
    included), and the apps its migrations depend on."""
    edges: dict[str, set[str]] = defaultdict(set)
    where: dict[tuple[str, str], str] = {}

    def arrow(source: str, dest: str | None, site: str) -> None:
        if dest is not None and dest != source:
            edges[source].add(dest)
            where.setdefault((source, dest), site)

    owners = table_owners()
    for module, path in _modules():
        source = unit_of(module)
        edges.setdefault(source, set())
        for line, target in _imports(module, path):
            arrow(source, unit_of(target), f"{path.relative_to(ROOT)}:{line} imports {target}")
        for line, table in sql_tables(path):
            arrow(source, owners.get(table), f"{path.relative_to(ROOT)}:{line} names the table {table} in SQL")
    for path in sorted((ROOT / "server").glob("*/piccolo_app.py")):
        unit = f"server.{path.parent.name}"
        for dependency in importlib.import_module(f"{unit}.piccolo_app").APP_CONFIG.migration_dependencies:
            arrow(unit, unit_of(dependency), f"{path.relative_to(ROOT)}: its migrations depend on {dependency}")
    return edges, where


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one unit (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_every_unit_is_in_the_table():
    edges, _ = graph()
    assert set(edges) == set(ALLOWED), "add the new unit to ALLOWED (and docs/architecture.md), or drop the stale row"


def test_every_import_points_down_the_table():
    edges, where = graph()
    wrong = [where[(a, b)] for a in sorted(edges) for b in sorted(edges[a]) if b not in ALLOWED[a]]
    assert not wrong, "imports the table does not allow:\n" + "\n".join(wrong)


def test_the_table_itself_has_no_cycle():
    assert not cycles(ALLOWED)


def test_no_cycle_and_no_two_way_pair():
    edges, where = graph()
    pairs = [
        f"{where[(a, b)]}  <->  {where[(b, a)]}"
        for a in sorted(edges)
        for b in sorted(edges[a])
        if a < b and a in edges.get(b, ())
    ]
    assert not pairs, "\n".join(pairs)
    assert not cycles(edges)


def test_the_graph_reader_sees_sql_and_migrations(tmp_path):
    path = tmp_path / "x.py"
    path.write_text(
        '''"""Reads FROM device ON purpose: prose."""\nQ = "SELECT id FROM device d JOIN event e ON e.id = d.x"\n'''
        """W = "INSERT INTO scan (id) VALUES (1)"\nP = "fetch the venue list from here"\n"""
    )
    assert sql_tables(path) == [(2, "device"), (2, "event"), (2, "e"), (3, "scan")]
    assert table_owners()["device"] == "server.accounts" and table_owners()["change_log"] == "server.syncing"


def test_the_graph_reader_sees_a_cycle():
    # the checks above pass on an empty graph too; this one shows they can fail
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    edges, _ = graph()
    assert "server.programme" in edges["server.checkin"] and "server.auth" in edges["server.push"]


# --- one way in: handlers receive what they use ----------------------------------------------------------------

#: the only modules that read app.state: the composition root, the kernel's providers and guards, and each domain's
#: deps.py (its `provide_*` functions) and domain.py (its start and stop hooks)
STATE_READERS = ("server/app.py", "server/domain.py", "server/auth.py", "deps.py", "domain.py")


def app_state_reads(source: str, name: str) -> list[str]:
    """Every `….app.state` in the source: a handler reaching past its dependencies."""
    return [
        f"{name}:{node.lineno}"
        for node in ast.walk(ast.parse(source, filename=name))
        if isinstance(node, ast.Attribute)
        and node.attr == "state"
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "app"
    ]


def test_the_state_scan_sees_a_read():
    assert app_state_reads("async def h(request):\n    return request.app.state.clock.now()\n", "x.py") == ["x.py:2"]


def test_only_providers_read_the_app_state():
    reads = []
    for path in sorted((ROOT / "server").rglob("*.py")):
        name = str(path.relative_to(ROOT))
        if not name.endswith(STATE_READERS):
            reads += app_state_reads(path.read_text(encoding="utf-8"), name)
    assert reads == [], "take it as a dependency (a provide_* of the domain's deps.py):\n" + "\n".join(reads)


def untyped_state_reads(source: str, name: str) -> list[str]:
    """Every attribute read straight off the app's state (`state.engine`): it goes through a StateKey instead."""
    return [
        f"{name}:{node.lineno} .{node.attr}"
        for node in ast.walk(ast.parse(source, filename=name))
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in ("state", "app_state")
        and isinstance(node.ctx, (ast.Load, ast.Store))
    ]


def test_the_typed_state_scan_sees_a_read():
    assert untyped_state_reads("def p(state):\n    return state.engine\n", "x.py") == ["x.py:2 .engine"]
    assert untyped_state_reads("def p(state):\n    return ENGINE.of(state)\n", "x.py") == []


def test_the_app_state_is_read_through_typed_keys():
    reads = []
    for path in sorted((ROOT / "server").rglob("*.py")):
        name = str(path.relative_to(ROOT))
        if name.endswith(STATE_READERS):
            reads += untyped_state_reads(path.read_text(encoding="utf-8"), name)
    assert reads == [], "read it with its StateKey (server/state.py and the domain's deps.py):\n" + "\n".join(reads)
