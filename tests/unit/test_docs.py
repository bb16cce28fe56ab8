"""The docs stay true: the README mentions every setting and command, docs/architecture.md's package table is the
graph test's, and every citation of docs/ in the code names a page and section that exist."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import msgspec
import pytest

from server.cli import main
from server.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_starts_with_the_two_commands():
    first_block = README.split("```")[1]
    assert "make run" in first_block and "make test" in first_block


def test_every_setting_is_documented():
    for field in msgspec.structs.fields(Settings):
        assert f"`LEHOI_{field.name.upper()}`" in README, f"README does not document LEHOI_{field.name.upper()}"


def test_every_variable_the_readme_names_is_a_setting():
    """The other way round: the README names no LEHOI_* variable that Settings does not read (every setting goes
    through server/settings.py, nothing reads os.environ past it)."""
    fields = {f"LEHOI_{field.name.upper()}" for field in msgspec.structs.fields(Settings)}
    named = set(re.findall(r"LEHOI_[A-Z0-9_]+", README)) - {"LEHOI_REQUIRE_ALL_TESTS"}  # the suite's, not the server's
    assert named <= fields, f"the README names variables that are no setting: {sorted(named - fields)}"


def test_nothing_reads_the_environment_past_settings():
    reads = []
    for path in sorted((ROOT / "server").rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"os\.environ(?!\[f?\"LEHOI_\{)|os\.getenv", line) and "PICCOLO_CONF" not in line:
                reads.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    # the command line writes its options into the environment for Settings to read; it reads none itself
    allowed = ("server/settings.py", "server/cli.py", "server/push/commands.py")
    assert [r for r in reads if not r.startswith(allowed)] == [], reads


def test_every_command_is_documented():
    for name in main.commands:
        assert f"lehoi {name}" in README, f"README does not document `lehoi {name}`"


def test_settings_read_the_environment():
    settings = load_settings({"LEHOI_PORT": "9001", "LEHOI_DATA_DIR": "/tmp/x"})
    assert settings.port == 9001 and settings.data_dir == "/tmp/x" and not settings.uses_postgres


@pytest.mark.parametrize(
    ("variable", "value", "field"),
    [
        ("LEHOI_PORT", "many", "port"),
        ("LEHOI_PUBLIC_URL", "lehoi.example", "public_url"),  # no scheme
        ("LEHOI_PUBLIC_URL", "ftp://lehoi.example", "public_url"),
    ],
)
def test_settings_refuse_nonsense_and_name_the_setting(variable, value, field):
    with pytest.raises(ValueError, match=field):
        load_settings({variable: value})


DOCS = ROOT / "docs"


def _table_rows(text: str) -> dict[str, set[str]]:
    """The package table of docs/architecture.md: unit → the units its "may use" column names."""
    from tests.unit.test_architecture import KERNEL

    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or not cells[0].startswith("`"):
            continue
        uses: set[str] = set()
        for name in (c.strip() for c in cells[3].split(",")):
            if name == "kernel":
                uses |= set(KERNEL)
            elif name != "—":
                uses.add(name.strip("`"))
        rows[cells[0].strip("`")] = uses
    return rows


def test_the_architecture_table_is_the_graph_tests_table():
    from tests.unit.test_architecture import ALLOWED

    assert _table_rows((DOCS / "architecture.md").read_text(encoding="utf-8")) == ALLOWED


def _headings(path: Path) -> set[str]:
    return {line.lstrip("#").strip() for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("#")}


def test_code_cites_docs_that_exist_and_their_sections():
    import re

    cite = re.compile(r"docs/(\w+\.md)(?:, \"([^\"]+)\")?")
    checked = 0
    for top in ("server", "sync", "pwa/js", "tests", "bench"):
        for path in (ROOT / top).rglob("*"):
            if path.suffix not in (".py", ".js", ".md") or "vendor" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            assert "DESIGN" + ".md" not in text, f"{path.relative_to(ROOT)} cites the shared design: cite docs/"
            for name, section in cite.findall(text):
                doc = DOCS / name
                assert doc.is_file(), f"{path.relative_to(ROOT)} cites docs/{name}, which does not exist"
                assert not section or section in _headings(doc), (
                    f'{path.relative_to(ROOT)} cites docs/{name}, "{section}": no such section'
                )
                checked += 1
    assert checked >= 5  # the code does cite the docs


# --- every repository path a doc, a docstring or a comment names exists ----------------------------------------

#: a path inside the repository as docs and comments write it: a top folder, then a file with its extension or a
#: folder with its slash (`sync/bundle` alone is a URL's tail, not a path)
_REPO_PATH = re.compile(
    r"(?<![\w./@-])((?:server|sync|tests|pwa|fixtures|bench|docs|shared)/[\w./-]*"
    r"(?:\.(?:py|md|js|mjs|json|lua|tsv|xsd|pbf|pmtiles|toml|sql|css|html|webmanifest)|/))(?![\w{<*])"
)
_READ = (".py", ".md", ".js", ".mjs", ".lua", ".toml", ".json", ".html", ".webmanifest")


def repository_paths(text: str) -> list[str]:
    return [m.group(1) for m in _REPO_PATH.finditer(text)]


def test_the_path_scan_sees_paths_and_only_paths():
    outside = "sha" + "red/reference/x.md"  # spelled apart, so this file does not cite it itself
    text = (
        f"see `server/push/README.md` and tests/data/; docs/protocol.md, {outside}. "
        "GET /api/sync/bundle, sync/changes, bench/bench_{name}.py, pwa/js/*.js"
    )
    assert repository_paths(text) == ["server/push/README.md", "tests/data/", "docs/protocol.md", outside]


def test_every_repository_path_named_exists_and_nothing_outside_is_cited():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    missing, outside = [], []
    for name in tracked:
        if not name.endswith(_READ) or "/vendor/" in name or "/migrations/" in name or name == "package-lock.json":
            continue
        text = (ROOT / name).read_text(encoding="utf-8", errors="replace")
        for path in repository_paths(text):
            if path.startswith("shared/"):
                outside.append(f"{name}: {path}")
            elif not (ROOT / path).exists():
                missing.append(f"{name}: {path}")
        outside += [f"{name}: ../shared" for _ in re.finditer(r"\.\./shared/", text)]
    assert outside == [], "cites files outside the repository:\n" + "\n".join(outside)
    assert missing == [], "names repository paths that do not exist:\n" + "\n".join(missing)


def test_no_test_imports_the_root_conftest_as_tests_conftest():
    """pytest loads tests/conftest.py as `conftest`; importing it again as `tests.conftest` runs it a second time,
    which makes a new data directory and points LEHOI_DATA_DIR there for every test after it."""
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "tests").rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.match(r"\s*(from tests\.conftest import|import tests\.conftest)", line)
    ]
    assert offenders == [], "import it as `conftest`:\n" + "\n".join(offenders)
