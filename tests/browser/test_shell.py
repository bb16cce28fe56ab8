"""The installable shell, checked without a browser: the service worker precaches the attendee's screens and
nothing of the volunteers' or organisers', its cache name follows those files' bytes, every file answers under a
content-hashed name (immutable) compressed as the client takes it, and the manifest is complete."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import struct
import tempfile
from pathlib import Path

import brotli
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from playwright.sync_api import expect

from server.pwa import ASSETS, IMMUTABLE, SHELL_DIGEST, build_site, pwa_routes, shell_file, shell_urls
from tests.browser.test_offline import first_visit

PWA = Path(__file__).resolve().parents[2] / "pwa"
SW = (PWA / "sw.js").read_text()
IMPORT = re.compile(
    r"""^\s*(?:import|export)\s[^'"]*?from\s+['"](\.{1,2}/[^'"]+)['"]|import\(\s*['"](\.{1,2}/[^'"]+)['"]""", re.M
)
#: the screens an attendee opens, loaded when first shown (pwa/js/page/core/main.js): precached
ATTENDEE_SCREENS = ("map/map.js", "schedule/plan.js", "pass/pass.js")
#: the volunteers' and organisers' code and libraries: fetched when first opened, never precached
STAFF_ONLY = re.compile(
    r"^/js/page/(organiser|checkin/(?!ui\.js))|^/js/worker/qr-decode|^/vendor/(jsqr|uplot)/|live-scan"
)


def shell_list() -> list[str]:
    return shell_urls(SW)


def url_of(path: Path) -> str:
    return "/" + path.relative_to(PWA).as_posix()


def loaded_modules(entries: list[Path]) -> set[str]:
    """Every module `entries` load, followed through static imports (a dynamic one loads when its screen opens)."""
    todo, seen = list(entries), set()
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        for static, _ in IMPORT.findall(module.read_text()):
            if static:
                todo.append((module.parent / static).resolve())
    return {url_of(m) for m in seen}


def attendee_modules() -> set[str]:
    html = (PWA / "index.html").read_text()
    pages = [PWA / src.lstrip("/") for src in re.findall(r'<script type="module" src="([^"]+)"', html)]
    screens = [PWA / "js" / "page" / screen for screen in ATTENDEE_SCREENS]
    return loaded_modules(pages) | loaded_modules(screens)


#: compressed files kept between the tests' builds, as a server keeps them in its data directory
COMPRESSED = Path(tempfile.mkdtemp(prefix="lehoi-pwa-compressed-"))


def site_of(pwa_dir: Path):
    return build_site(pwa_dir, COMPRESSED)


def client_for(pwa_dir: Path) -> TestClient:
    return TestClient(Litestar(route_handlers=pwa_routes(pwa_dir, COMPRESSED)))


def served_sw(pwa_dir: Path) -> tuple[str, dict]:
    with client_for(pwa_dir) as client:
        answer = client.get("/sw.js")
        assert answer.status_code == 200
        again = client.get("/sw.js?v=next", headers={"If-None-Match": answer.headers["etag"]})
        assert again.status_code == 304, "the browser's update check costs a 304 while nothing changed"
        return answer.text, answer.headers


def cache_name(sw_source: str) -> str:
    version = re.search(r"^const VERSION = '([0-9a-f]{16})';$", sw_source, re.M).group(1)
    assert "const CACHE = `${PREFIX}v${VERSION}`;" in sw_source
    return f"lehoi-static-v{version}"


def assets_of(sw_source: str) -> dict[str, str]:
    return json.loads(re.search(r"^const ASSETS = (\{.*\});$", sw_source, re.M).group(1))


def shell_copy(tmp_path: Path) -> Path:
    """The precached files, everything they reach and sw.js, in a folder of their own."""
    for url in [*shell_list(), *attendee_modules(), "/sw.js", "/js/page/core/main.js"]:
        target = shell_file(tmp_path, url)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shell_file(PWA, url), target)
    for folder in ("vendor/leaflet/images", "icons"):
        shutil.copytree(PWA / folder, tmp_path / folder, dirs_exist_ok=True)
    return tmp_path


def test_the_cache_is_named_by_the_precached_files(tmp_path) -> None:
    assert f"const VERSION = '{SHELL_DIGEST}';" in SW, "the server fills the version, nobody bumps it"
    assert f"const ASSETS = {ASSETS};" in SW, "the server fills the hashed names"
    assert "const PREFIX = 'lehoi-static-';" in SW
    assert "skipWaiting()" in SW and "event.data.type === 'SKIP_WAITING'" in SW, "skipWaiting only when asked"
    served, headers = served_sw(PWA)
    assert headers["content-type"].startswith("text/javascript")
    assert headers["cache-control"] == "no-cache"
    name = cache_name(served)
    names = assets_of(served)
    assert served == SW.replace(SHELL_DIGEST, name.removeprefix("lehoi-static-v")).replace(
        ASSETS, json.dumps(names, separators=(",", ":"), sort_keys=True)
    )

    copy = shell_copy(tmp_path)
    assert cache_name(served_sw(copy)[0]) == name, "the same files, the same cache"
    changed = copy / "css" / "app.css"
    changed.write_bytes(changed.read_bytes() + b"\n")
    again = served_sw(copy)[0]
    assert cache_name(again) != name, "a changed file, a new cache"
    assert assets_of(again)["/css/app.css"] != names["/css/app.css"], "a changed file, a new name"
    assert assets_of(again)["/js/lib/i18n.js"] == names["/js/lib/i18n.js"], "an unchanged file keeps its name"


def test_a_changed_module_renames_every_module_that_reaches_it(tmp_path) -> None:
    before = site_of(shell_copy(tmp_path)).names
    (tmp_path / "js" / "lib" / "time.js").write_text((PWA / "js" / "lib" / "time.js").read_text() + "\n")
    after = site_of(tmp_path).names
    assert after["/js/lib/time.js"] != before["/js/lib/time.js"]
    assert after["/js/page/core/main.js"] != before["/js/page/core/main.js"], "main.js imports it, by name"
    assert after["/js/lib/uuid7.js"] == before["/js/lib/uuid7.js"]


def test_a_precached_file_missing_fails_on_the_server(tmp_path) -> None:
    copy = shell_copy(tmp_path)
    (copy / "js" / "lib" / "uuid7.js").unlink()
    with pytest.raises(ValueError, match="uuid7"):
        pwa_routes(copy, COMPRESSED)


def test_the_shell_holds_the_attendee_screens_and_no_staff_code() -> None:
    shell = shell_list()
    assert len(shell) == len(set(shell))
    for url in shell:
        assert shell_file(PWA, url).is_file(), f"{url} is precached but does not exist: the install would fail"
        assert not STAFF_ONLY.search(url), f"{url} is volunteers' or organisers' code: it loads when first opened"
    missing = attendee_modules() - set(shell)
    assert not missing, f"attendee modules not precached: {sorted(missing)}"
    html = (PWA / "index.html").read_text()
    for href in re.findall(r'(?:href|src)="(/[^"#]+)"', html):
        assert href in shell or href == "/manifest.webmanifest" or "/icons/" in href, f"index.html uses {href}"
    assert "/css/app.css" in shell and "/css/wayfinding.css" in shell


def test_index_html_has_no_inline_script() -> None:
    html = (PWA / "index.html").read_text()
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag, f"an inline script would break `script-src 'self'`: {tag}"


@pytest.fixture(scope="module")
def client():
    with client_for(PWA) as client:
        yield client


def test_hashed_names_are_immutable_and_the_page_uses_them(client) -> None:
    names = site_of(PWA).names
    page = client.get("/")
    assert page.headers["cache-control"] == "no-cache" and page.headers["etag"]
    assert client.get("/", headers={"If-None-Match": page.headers["etag"]}).status_code == 304
    assert names["/js/page/core/main.js"] in page.text and '"/js/page/core/main.js"' not in page.text
    module = client.get(names["/js/page/core/main.js"])
    assert module.status_code == 200 and module.headers["cache-control"] == IMMUTABLE
    assert module.headers["content-type"].startswith("text/javascript")
    assert names["/js/page/checkin/volunteer.js"] in module.text, "a dynamic import names the hashed file too"
    plain = client.get("/js/page/core/main.js")
    assert plain.headers["cache-control"] == "no-cache" and plain.text == module.text
    image = client.get(names["/icons/icon-192.png"])
    assert image.content == (PWA / "icons" / "icon-192.png").read_bytes() and "content-encoding" not in image.headers
    assert client.get("/js/nothing.js").status_code == 404
    assert client.get("/js/page/core/main.0000000000.js").status_code == 404


@pytest.mark.parametrize(
    "accept, encoding",
    [("gzip, deflate, br", "br"), ("gzip", "gzip"), ("br;q=0, gzip", "gzip"), ("", None), ("identity", None)],
)
def test_text_is_compressed_as_the_client_takes_it(client, accept, encoding) -> None:
    url = site_of(PWA).names["/vendor/leaflet/leaflet.js"]
    original = client.get(url, headers={"Accept-Encoding": "identity"}).content
    answer = client.stream("GET", url, headers={"Accept-Encoding": accept})
    with answer as response:
        raw = b"".join(response.iter_raw())
        assert response.headers["vary"] == "Accept-Encoding"
        assert response.headers.get("content-encoding") == encoding
    decoded = {"br": brotli.decompress, "gzip": gzip.decompress, None: bytes}[encoding](raw)
    assert decoded == original
    if encoding:
        assert len(raw) < len(original) / 3


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


@pytest.mark.browser
def test_a_reload_takes_the_page_and_the_shell_from_the_cache_without_a_fetch_event(phone) -> None:
    """sw.js's static routes: a reload's page and modules come from this version's cache, no fetch event each."""
    page = phone.new_page()
    first_visit(page)
    cdp = phone.new_cdp_session(page)
    cdp.send("Network.enable")
    answers: list[dict] = []
    cdp.on("Network.responseReceived", lambda event: answers.append(event["response"]))
    page.reload()
    expect(page.locator(".event-card").first).to_be_visible()
    shell = [a for a in answers if a["url"].endswith(("/", ".js", ".css")) and "/api/" not in a["url"]]
    assert any("/js/page/core/main." in a["url"] for a in shell), "the reload was seen"
    routed = [a["url"] for a in shell if (a.get("serviceWorkerRouterInfo") or {}).get("actualSourceType") == "cache"]
    assert sorted(routed) == sorted(a["url"] for a in shell), [a["url"] for a in shell if a["url"] not in routed]
