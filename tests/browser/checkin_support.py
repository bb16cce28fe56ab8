"""Helpers of the check-in and push browser tests: passes, enrolment codes and organisers through the API, a
volunteer's phone enrolled through the app, and a fake camera (a YUV4MPEG2 video of a QR code, which Chromium
plays as its camera with ``--use-file-for-fake-video-capture``)."""

from __future__ import annotations

import io
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
#: the phones' clock: the festival day the server's frozen clock says (the server sends no X-Lehoi-Now yet)
PHONE_TIME = datetime(2024, 11, 12, 10, 5, tzinfo=ZONE)
#: Chromium plays this file as the camera, and grants the camera without asking
FAKE_CAMERA_ARGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


def write_y4m(picture: bytes, path: Path, size: tuple[int, int] = (640, 480), frames: int = 4) -> Path:
    """A few identical frames of `picture` (PNG bytes) centred on white, as 4:2:0 YUV4MPEG2: a grey picture is
    its luma plane alone, with both chroma planes neutral (128)."""
    width, height = size
    image = Image.open(io.BytesIO(picture)).convert("L")
    side = min(width, height) - 40
    image = image.resize((side, side), Image.NEAREST)
    canvas = Image.new("L", size, 255)
    canvas.paste(image, ((width - side) // 2, (height - side) // 2))
    luma = canvas.tobytes()
    chroma = bytes([128]) * ((width // 2) * (height // 2))
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n")
            out.write(luma)
            out.write(chroma)
            out.write(chroma)
    return path


def new_device(base: str) -> dict:
    response = httpx.post(f"{base}/api/devices", timeout=10)
    assert response.status_code == 201, response.text
    return response.json()


def new_pass(base: str) -> dict:
    """A fresh attendee device and its pass: {device_id, device_token, pass_id, token, qr_png (bytes)}."""
    device = new_device(base)
    headers = {"Authorization": f"Bearer {device['token']}"}
    issued = httpx.post(f"{base}/api/passes", headers=headers, timeout=10)
    assert issued.status_code == 201, issued.text
    body = issued.json()
    png = httpx.get(f"{base}/api/passes/{body['pass_id']}/qr.png?scale=8", headers=headers, timeout=10)
    assert png.status_code == 200, png.text
    return {
        "device_id": device["device_id"],
        "device_token": device["token"],
        "pass_id": body["pass_id"],
        "token": body["token"],
        "qr_png": png.content,
    }


def enrolment_code(base: str, organiser: dict, venue_ids: list[str]) -> str:
    response = httpx.post(
        f"{base}/api/organiser/enrolment-codes",
        headers=organiser,
        timeout=10,
        json={"venue_ids": venue_ids, "expires_at": "2024-11-19T00:00:00+07:00"},
    )
    assert response.status_code == 201, response.text
    return response.json()["code"]


def scans(base: str, organiser: dict, **query) -> list[dict]:
    response = httpx.get(f"{base}/api/organiser/checkins", headers=organiser, params=query, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def scans_arrived(base: str, organiser: dict, count: int, **query) -> list[dict]:
    """The server's scans once `count` have arrived (or what it has after 15 s). The door shows an offline verdict
    before the scan is in the outbox, so "All sent" on the badge can be read in the moment between the two."""
    deadline = time.monotonic() + 15
    while len(found := scans(base, organiser, **query)) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    return found


def launch_with_camera(playwright, video: Path):
    """Chromium whose camera plays `video`."""
    return playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=[*CHROMIUM_ARGS, *FAKE_CAMERA_ARGS, f"--use-file-for-fake-video-capture={video}"],
    )


def volunteer(camera_browser: Browser, live_server, code: str) -> tuple[BrowserContext, Page, str]:
    """A phone enrolled with `code` through the app's enrolment link, its service worker in control."""
    context = camera_browser.new_context(
        viewport={"width": 360, "height": 740}, locale="en-GB", is_mobile=True, has_touch=True, base_url=live_server.url
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.clock.set_fixed_time(PHONE_TIME)
    page.goto(f"/#/enrol/{code}")
    expect(page.locator("#enrol-code")).to_have_value("-".join(code[i : i + 4] for i in range(0, 16, 4)))
    page.get_by_role("button", name="Enrol this phone").click()
    expect(page.get_by_role("heading", name="Scan passes")).to_be_visible()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    device_id = page.evaluate("""() => new Promise((resolve, reject) => {
      const open = indexedDB.open('lehoi-staff');
      open.onsuccess = () => {
        const get = open.result.transaction('meta').objectStore('meta').get('volunteer');
        get.onsuccess = () => { open.result.close(); resolve(get.result.device_id); };
        get.onerror = () => reject(get.error);
      };
      open.onerror = () => reject(open.error);
    })""")
    return context, page, device_id
