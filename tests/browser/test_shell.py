"""The installable shell, checked without a browser: the service worker precaches every file the app loads,
the manifest is complete and its icons are what it says."""

from __future__ import annotations

import json
import re
import struct
from pathlib import Path

PWA = Path(__file__).resolve().parents[2] / "pwa"
SW = (PWA / "sw.js").read_text()
IMPORT = re.compile(
    r"""^\s*(?:import|export)\s[^'"]*?from\s+['"](\.{1,2}/[^'"]+)['"]|import\(\s*['"](\.{1,2}/[^'"]+)['"]""", re.M
)


def shell_list() -> list[str]:
    body = re.search(r"const SHELL = \[(.*?)\];", SW, re.S).group(1)
    return re.findall(r"'([^']+)'", body)


def url_of(path: Path) -> str:
    return "/" + path.relative_to(PWA).as_posix()


def loaded_modules() -> set[str]:
    """Every module index.html loads, followed through static and dynamic imports."""
    html = (PWA / "index.html").read_text()
    todo = [PWA / src.lstrip("/") for src in re.findall(r'<script type="module" src="([^"]+)"', html)]
    seen: set[Path] = set()
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        for static, dynamic in IMPORT.findall(module.read_text()):
            todo.append((module.parent / (static or dynamic)).resolve())
    return {url_of(m) for m in seen}


def test_the_cache_is_versioned_and_prefixed() -> None:
    assert re.search(r"const VERSION = 'v\d+';", SW)
    assert "const PREFIX = 'lehoi-static-';" in SW
    assert "skipWaiting()" in SW and "event.data.type === 'SKIP_WAITING'" in SW, "skipWaiting only when asked"


def test_the_shell_lists_every_file_the_app_loads_and_nothing_missing() -> None:
    shell = shell_list()
    assert len(shell) == len(set(shell))
    for url in shell:
        assert url == "/" or (PWA / url.lstrip("/")).is_file(), f"{url} is precached but does not exist"
    missing = loaded_modules() - set(shell)
    assert not missing, f"modules loaded but not precached: {sorted(missing)}"
    html = (PWA / "index.html").read_text()
    for href in re.findall(r'(?:href|src)="(/[^"#]+)"', html):
        assert href in shell, f"index.html uses {href}, which is not precached"
    for css in (PWA / "css").glob("*.css"):
        assert url_of(css) in shell
    for icon in json.loads((PWA / "manifest.webmanifest").read_text())["icons"]:
        assert icon["src"] in shell


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


def test_the_manifest_makes_the_app_installable() -> None:
    manifest = json.loads((PWA / "manifest.webmanifest").read_text())
    for key in ("name", "short_name", "start_url", "scope", "theme_color", "background_color"):
        assert manifest.get(key), key
    assert manifest["display"] == "standalone"
    assert manifest["start_url"].startswith(manifest["scope"])
    sizes = {}
    for icon in manifest["icons"]:
        path = PWA / icon["src"].lstrip("/")
        assert path.is_file(), icon["src"]
        if icon["type"] == "image/png":
            w, h = png_size(path)
            assert icon["sizes"] == f"{w}x{h}", icon
            sizes.setdefault(icon.get("purpose", "any"), set()).add(w)
    assert {192, 512} <= sizes["any"]
    assert sizes.get("maskable"), "a maskable icon"
