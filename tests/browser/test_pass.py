"""My pass (issue "QR check-ins", point 4): the attendee asks for a pass once online, keeps its token on the phone
and shows it offline as a QR code drawn on the phone (it decodes to the server's token), with the pass id in text
and a bright full-screen view."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

READ_META = """(key) => new Promise((resolve, reject) => {
  const open = indexedDB.open('lehoi');
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const get = open.result.transaction('meta').objectStore('meta').get(key);
    get.onsuccess = () => { open.result.close(); resolve(get.result || null); };
    get.onerror = () => reject(get.error);
  };
})"""

#: the drawn QR code read back with jsQR (the scanner's decoder), as a scanner would read the screen
#: jsQR read from the repository, evaluated in the page (not added as a <script>: the app's CSP refuses inline
#: scripts, and offline the page has only what its service worker kept)
JSQR = (Path(__file__).resolve().parents[2] / "pwa" / "vendor" / "jsqr" / "jsQR.min.js").read_text(encoding="utf-8")
DECODE_QR = """async (selector) => {
  const svg = document.querySelector(selector);
  const image = new Image();
  image.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(new XMLSerializer().serializeToString(svg));
  await image.decode();
  const side = svg.viewBox.baseVal.width * 8;
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = side;
  const context = canvas.getContext('2d');
  context.imageSmoothingEnabled = false;
  context.drawImage(image, 0, 0, side, side);
  const found = window.jsQR(context.getImageData(0, 0, side, side).data, side, side);
  return found ? found.data : null;
}"""


def decode_qr(page, selector: str) -> str | None:
    """The text of the QR code drawn as the SVG at `selector`, read by jsQR as a camera would read it."""
    if not page.evaluate("() => Boolean(window.jsQR)"):
        page.evaluate(JSQR)
    return page.evaluate(DECODE_QR, selector)


def test_the_pass_is_issued_once_online_and_shown_offline_as_a_qr_code(phone, live_server) -> None:
    page = phone.new_page()
    page.goto("/#/pass")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null && window.lehoi.app.deviceId")
    get = page.get_by_role("button", name="Get my pass")
    expect(get).to_be_visible()
    get.click()
    pass_id = page.locator("#pass-id")
    expect(pass_id).to_have_text(__import__("re").compile(r"^[A-Za-z0-9]{1,16}$"))
    kept = page.evaluate(READ_META, "pass")
    device = page.evaluate(READ_META, "device")
    issued = httpx.get(
        f"{live_server.url}/api/passes/{kept['pass_id']}",
        timeout=10,
        headers={"Authorization": f"Bearer {device['token']}"},
    ).json()
    assert (kept["pass_id"], kept["token"]) == (issued["pass_id"], issued["token"])
    expect(pass_id).to_have_text(kept["pass_id"])
    expect(page.get_by_role("img", name=f"QR code of pass {kept['pass_id']}")).to_be_visible()
    assert decode_qr(page, ".pass-qr svg") == kept["token"]
    expect(page.get_by_text("Valid until Monday 18 November")).to_be_visible()

    # offline, after a restart of the app: the same pass, from the phone alone
    phone.set_offline(True)
    page.reload()
    expect(page.locator("#pass-id")).to_have_text(kept["pass_id"])
    assert decode_qr(page, ".pass-qr svg") == kept["token"]
    page.get_by_role("button", name="Full screen, bright").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("img", name=f"QR code of pass {kept['pass_id']}")).to_be_visible()
    assert page.evaluate("getComputedStyle(document.querySelector('.bright')).backgroundColor") == "rgb(255, 255, 255)"
    expect(dialog.get_by_role("button", name="Close")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(page.get_by_role("button", name="Full screen, bright")).to_be_focused()
    # a second request online answers the same pass
    phone.set_offline(False)
    again = httpx.post(
        f"{live_server.url}/api/passes", headers={"Authorization": f"Bearer {device['token']}"}, timeout=10
    )
    assert again.status_code == 200 and again.json()["pass_id"] == kept["pass_id"]
