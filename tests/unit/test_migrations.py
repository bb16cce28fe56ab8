"""Migrations are frozen and complete.

Frozen: no migration imports live code (`server.…`, `sync.…`), so editing today's code never changes what an
already-written migration does to the next empty database. Complete: the migrations applied to an empty
database give exactly the schema the Table classes of every app in the APP_REGISTRY declare (built from
those classes in a second empty database, both read back from the database's own catalogue), plus what
only raw SQL expresses: the composite and partial indexes below, and the change-log triggers.

On SQLite always; on PostgreSQL too when LEHOI_DATABASE_URL names one, in throwaway databases next to the
suite's (`<its name>_schema_migrated_<pid>` and `…_declared_<pid>`), which are dropped afterwards.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from server.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = sorted((ROOT / "server").glob("*/migrations/*.py"))
#: top-level packages of this project's live code
LIVE_PACKAGES = ("server", "sync")

#: indexes that Table classes cannot declare (several columns, or a WHERE), created by raw-SQL migrations
RAW_INDEXES = {
    "favourite_device_event": "favourite",
    "applied_mutation_client_mutation": "applied_mutation",
    "scan_accepted_once": "scan",
    "scan_venue_time": "scan",
    "scan_day_hour": "scan",
    "scan_device_scan": "scan",
    "stamp_device_venue": "stamp",
    "push_delivery_alert_subscription": "push_delivery",
    "push_delivery_due": "push_delivery",
    "push_delivery_alert_status": "push_delivery",
    "push_topic_subscription_topic": "push_topic",
    "push_alert_pending": "push_alert",
}
#: tables whose every write the change-log triggers record
LOGGED_TABLES = ("festival", "venue", "event", "trail", "announcement", "revoked_pass", "pass_key")


# --- frozen ---------------------------------------------------------------------------------------------


def _is_live(module: str) -> bool:
    return any(module == package or module.startswith(package + ".") for package in LIVE_PACKAGES)


def live_imports(path: Path, shown_as: str) -> list[str]:
    """Every import in the file that reaches this project's code, as `shown_as:line imports module`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        modules: list[str] = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            # a relative import inside server/<app>/migrations/ lands in `server` whatever it names
            modules = ["." * node.level + (node.module or "")] if node.level else [node.module or ""]
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            function = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if function in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                modules = [node.args[0].value]
        found += [
            f"{shown_as}:{node.lineno} imports {module}"
            for module in modules
            if module.startswith(".") or _is_live(module)
        ]
    return found


def test_the_import_check_sees_live_imports(tmp_path):
    path = tmp_path / "x.py"
    path.write_text(
        "import piccolo\nfrom piccolo.engine import engine_finder\nimport server.db.engine\n"
        "from server.syncing import triggers\nfrom sync import messages\nfrom . import sibling\n"
        "importlib.import_module('server.db')\nimport synchronous, serverless\n",
        encoding="utf-8",
    )
    assert live_imports(path, "x.py") == [
        "x.py:3 imports server.db.engine",
        "x.py:4 imports server.syncing",
        "x.py:5 imports sync",
        "x.py:6 imports .",
        "x.py:7 imports server.db",
    ]


def test_migrations_import_no_live_code():
    assert len(MIGRATIONS) > 10, f"found only {len(MIGRATIONS)} migration files under server/*/migrations/"
    offences = [offence for path in MIGRATIONS for offence in live_imports(path, str(path.relative_to(ROOT)))]
    if offences:
        pytest.fail(
            "a migration must be frozen, never importing today's code (copy what it needs into it as "
            "literal text):\n" + "\n".join(offences),
            pytrace=False,
        )


# --- complete -------------------------------------------------------------------------------------------


def _engines() -> list[str]:
    return ["sqlite", "postgresql"] if load_settings().uses_postgres else ["sqlite"]


@pytest.fixture(scope="module", params=_engines())
def schemas(request, tmp_path_factory) -> dict:
    """The engine, the schema after the migrations and the schema the Table classes declare (each built in an
    empty database)."""
    builds = {}
    for how in ("migrated", "declared"):
        data = tmp_path_factory.mktemp(f"schema-{how}")
        env = {**os.environ, "LEHOI_DATA_DIR": str(data), "LEHOI_DATABASE_URL": ""}
        command = [sys.executable, "-m", "tests.support.schema_of", how, str(data / "schema.json")]
        if request.param == "postgresql":
            suite = urlsplit(load_settings().database_url)
            name = f"{suite.path.lstrip('/')}_schema_{how}_{os.getpid()}"
            env["LEHOI_DATABASE_URL"] = urlunsplit(suite._replace(path="/" + name))
            command += ["--fresh-from", suite.geturl()]
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        builds[how] = (process, data / "schema.json")
    try:
        for how, (process, _out) in builds.items():
            output, _ = process.communicate(timeout=120)
            assert process.returncode == 0, f"building the {how} database failed:\n{output}"
    finally:
        for process, _ in builds.values():
            if process.poll() is None:
                process.kill()
                process.wait()
    return {
        "engine": request.param,
        **{how: json.loads(out.read_text(encoding="utf-8")) for how, (_, out) in builds.items()},
    }


def schema_differences(migrated: dict, declared: dict) -> list[str]:
    problems = []
    tables_m, tables_d = migrated["tables"], declared["tables"]
    for table in sorted(tables_m.keys() - tables_d.keys()):
        problems.append(f"table {table}: created by the migrations, but no Table class declares it")
    for table in sorted(tables_d.keys() - tables_m.keys()):
        problems.append(f"table {table}: declared by a Table class, but no migration creates it")
    for table in sorted(tables_m.keys() & tables_d.keys()):
        m, d = tables_m[table], tables_d[table]
        for column in sorted(m["columns"].keys() - d["columns"].keys()):
            problems.append(f"column {table}.{column}: added by the migrations, but not declared")
        for column in sorted(d["columns"].keys() - m["columns"].keys()):
            problems.append(f"column {table}.{column}: declared, but no migration adds it")
        for column in sorted(m["columns"].keys() & d["columns"].keys()):
            for attribute in sorted(m["columns"][column].keys() | d["columns"][column].keys()):
                after, wanted = m["columns"][column].get(attribute), d["columns"][column].get(attribute)
                if after != wanted:
                    problems.append(
                        f"column {table}.{column}: {attribute} is {after!r} after the migrations, "
                        f"{wanted!r} as declared"
                    )
        for index in sorted(m["indexes"].keys() - d["indexes"].keys()):
            if RAW_INDEXES.get(index) != table:
                problems.append(
                    f"index on {table}: {m['indexes'][index]} is made by the migrations but not declared "
                    f"(if a raw-SQL migration makes it on purpose, list it in RAW_INDEXES)"
                )
        for index in sorted(d["indexes"].keys() - m["indexes"].keys()):
            problems.append(f"index on {table}: {d['indexes'][index]} is declared but no migration makes it")
        for index in sorted(m["indexes"].keys() & d["indexes"].keys()):
            if m["indexes"][index] != d["indexes"][index]:
                problems.append(
                    f"index on {table}: {m['indexes'][index]} after the migrations, {d['indexes'][index]} as declared"
                )
        for constraint in sorted(set(m["constraints"]) - set(d["constraints"])):
            problems.append(f"constraint on {table}: {constraint} is made by the migrations but not declared")
        for constraint in sorted(set(d["constraints"]) - set(m["constraints"])):
            problems.append(f"constraint on {table}: {constraint} is declared but no migration makes it")
    for index, table in sorted(RAW_INDEXES.items()):
        if index not in tables_m.get(table, {}).get("indexes", {}):
            problems.append(f"index on {table}: {index} (RAW_INDEXES) is missing after the migrations")
    return problems


def test_migrations_give_the_declared_schema(schemas):
    migrated, declared = schemas["migrated"], schemas["declared"]
    assert len(declared["tables"]) > 20, sorted(declared["tables"])
    problems = schema_differences(migrated, declared)
    if problems:
        pytest.fail("the migrations and the Table classes disagree:\n" + "\n".join(problems), pytrace=False)


def test_the_comparison_names_what_differs(schemas):
    migrated, declared = schemas["migrated"], schemas["declared"]
    changed = json.loads(json.dumps(migrated))
    venue = changed["tables"]["venue"]
    del venue["columns"]["name_en"]
    venue["columns"]["extra"] = {"type": "x"}
    next(iter(changed["tables"]["event"]["columns"].values()))["not null"] = None
    del changed["tables"]["stamp"]["indexes"]["stamp_device_venue"]
    changed["tables"]["stamp"]["indexes"]["stamp_by_hand"] = "INDEX stamp_by_hand ON stamp (venue_id)"
    changed["tables"]["festival"]["constraints"].append("CHECK (false)")
    del changed["tables"]["trail"]
    problems = "\n".join(schema_differences(changed, declared))
    for words in (
        "column venue.name_en: declared",
        "column venue.extra: added",
        "column event.",
        "not null is None",
        "stamp_device_venue (RAW_INDEXES) is missing",
        "INDEX stamp_by_hand ON stamp (venue_id) is made by",
        "constraint on festival: CHECK (false)",
        "table trail: declared",
    ):
        assert words in problems, problems


def test_migrations_install_the_change_log_triggers(schemas):
    migrated = schemas["migrated"]
    triggers = migrated["triggers"]
    if schemas["engine"] == "postgresql":  # one trigger per table, calling one function with the change kind
        assert migrated["functions"] == ["lehoi_log_change"], migrated["functions"]
        expected = {f"{table}_log_change": table for table in LOGGED_TABLES}
    else:  # SQLite: one trigger per table and kind of write
        expected = {
            f"{table}_log_{write}": table
            for table in LOGGED_TABLES
            for write in ("insert", "update", "rename", "delete")
        }
    assert {name: t["table"] for name, t in triggers.items()} == expected
    for name, table in expected.items():
        assert f"'{table}'" in triggers[name]["definition"], f"trigger {name} logs another kind: {triggers[name]}"
    # the counter row the triggers bump, at version 0
    assert migrated["programme_version"] == [[1, 0, 0]]
