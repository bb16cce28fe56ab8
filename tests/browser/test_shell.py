"""The installable shell, checked without a browser: the service worker precaches every file the app loads, its
cache name follows those files' bytes, the manifest is complete and its icons are what it says."""

from __future__ import annotations

import json
import re
import shutil
import struct
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from playwright.sync_api import expect

from server.pwa import SHELL_DIGEST, pwa_routes, shell_file, shell_urls

PWA = Path(__file__).resolve().parents[2] / "pwa"
SW = (PWA / "sw.js").read_text()
IMPORT = re.compile(
    r"""^\s*(?:import|export)\s[^'"]*?from\s+['"](\.{1,2}/[^'"]+)['"]|import\(\s*['"](\.{1,2}/[^'"]+)['"]""", re.M
)


def shell_list() -> list[str]:
    return shell_urls(SW)


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


def served_sw(pwa_dir: Path) -> tuple[str, dict]:
    with TestClient(Litestar(route_handlers=pwa_routes(pwa_dir))) as client:
        answer = client.get("/sw.js")
        assert answer.status_code == 200
        again = client.get("/sw.js?v=next", headers={"If-None-Match": answer.headers["etag"]})
        assert again.status_code == 304, "the browser's update check costs a 304 while nothing changed"
        return answer.text, answer.headers


def cache_name(sw_source: str) -> str:
    version = re.search(r"^const VERSION = '([0-9a-f]{16})';$", sw_source, re.M).group(1)
    assert "const CACHE = `${PREFIX}v${VERSION}`;" in sw_source
    return f"lehoi-static-v{version}"


def shell_copy(tmp_path: Path) -> Path:
    """The precached files and sw.js, nothing else, in a folder of their own."""
    for url in [*shell_list(), "/sw.js"]:
        target = shell_file(tmp_path, url)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shell_file(PWA, url), target)
    return tmp_path


def test_the_cache_is_named_by_the_precached_files(tmp_path) -> None:
    assert f"const VERSION = '{SHELL_DIGEST}';" in SW, "the server fills the version, nobody bumps it"
    assert "const PREFIX = 'lehoi-static-';" in SW
    assert "skipWaiting()" in SW and "event.data.type === 'SKIP_WAITING'" in SW, "skipWaiting only when asked"
    served, headers = served_sw(PWA)
    assert headers["content-type"].startswith("text/javascript")
    assert headers["cache-control"] == "no-cache"
    name = cache_name(served)
    assert served == SW.replace(SHELL_DIGEST, name.removeprefix("lehoi-static-v"))

    copy = shell_copy(tmp_path)
    assert cache_name(served_sw(copy)[0]) == name, "the same files, the same cache"
    changed = copy / "css" / "app.css"
    changed.write_bytes(changed.read_bytes() + b"\n")
    assert cache_name(served_sw(copy)[0]) != name, "a changed file, a new cache"


def test_a_precached_file_missing_fails_on_the_server(tmp_path) -> None:
    copy = shell_copy(tmp_path)
    (copy / "js" / "lib" / "uuid7.js").unlink()
    with TestClient(Litestar(route_handlers=pwa_routes(copy))) as client:
        assert client.get("/sw.js").status_code == 500


def test_the_shell_lists_every_file_the_app_loads_and_nothing_missing() -> None:
    shell = shell_list()
    assert len(shell) == len(set(shell))
    for url in shell:
        assert shell_file(PWA, url).is_file(), f"{url} is precached but does not exist: the install would fail"
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


# --- the frame in a browser ------------------------------------------------------------------------------------

#: Visible controls whose centre something else covers (inside the viewport).
COVERED = """() => [...document.querySelectorAll('button, a[href], input, select, textarea')].filter((el) => {
  const r = el.getBoundingClientRect();
  if (!r.width || !r.height || r.bottom <= 0 || r.top >= innerHeight) return false;
  const hit = document.elementFromPoint(r.left + r.width / 2, Math.min(r.top + r.height / 2, innerHeight - 1));
  return hit && !el.contains(hit) && !hit.contains(el);
}).map((el) => el.id || el.textContent.trim().slice(0, 30))"""


@pytest.mark.browser
def test_the_frame_marks_the_right_tab_reads_the_festival_clock_and_keeps_the_skip_link_in_a_landmark(phone) -> None:
    page = phone.new_page()
    page.goto("/#/day/2024-11-12")
    expect(page.locator(".event-card").first).to_be_visible()
    expect(page.locator("header.topbar > a#skip")).to_have_count(1)
    # the festival clock (frozen at 10:00) says when the sync was, not the machine's
    expect(page.locator("#status-detail")).to_have_text(re.compile(r"^Synced 10:0\d$"))
    for hash_, tab in [
        ("#/volunteer", "settings"),
        ("#/organiser", "settings"),
        ("#/plan/2024-11-12", "schedule"),
        ("#/passport", "pass"),
        ("#/map", "map"),
        ("#/events/ky-uc-do-thi-bao-tang", "programme"),
    ]:
        page.goto("/" + hash_)
        expect(page.locator(".tabbar a[aria-current=page]")).to_have_attribute("data-tab", tab)
    page.goto("/#/nowhere")
    expect(page.locator(".tabbar a[aria-current]")).to_have_count(0)


@pytest.mark.browser
def test_the_reminder_offer_is_one_dismissible_line_over_no_control(phone) -> None:
    page = phone.new_page()
    page.goto("/#/day/2024-11-12")
    page.locator(".event-card [data-fav]").first.click()
    nudge = page.locator(".nudge")
    expect(nudge).to_be_visible()
    assert nudge.bounding_box()["height"] <= 60
    assert nudge.locator(".nudge-title span").bounding_box()["height"] < 30, "the question fits on one line"
    for hash_ in ("#/pass", "#/map", "#/events/ky-uc-do-thi-bao-tang"):
        page.goto("/" + hash_)
        expect(page.locator("#screen-title")).to_be_visible()
        expect(nudge).to_be_visible()
        assert page.evaluate(COVERED) == [], hash_
    page.get_by_role("button", name="Not now").click()
    expect(nudge).to_have_count(0)


@pytest.mark.browser
def test_a_heading_scrolled_to_clears_the_offline_banner(phone) -> None:
    page = phone.new_page()
    page.goto("/#/settings")
    heading = page.locator("main h2").last
    expect(heading).to_be_visible()  # the screen itself, not the one waiting for the first sync
    phone.set_offline(True)
    banner = page.locator("#offline-banner")
    expect(banner).to_be_visible()
    heading.evaluate("h => h.scrollIntoView({ block: 'start' })")
    assert page.evaluate("scrollY") > 0, "the heading is scrolled to"
    assert heading.bounding_box()["y"] >= banner.bounding_box()["y"] + banner.bounding_box()["height"]
