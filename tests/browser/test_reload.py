"""A reload draws the day's list at once from a screenful kept apart, before the bundle worker has read and parsed
the whole programme (issue 26, point 2): only a screenful of the programme stored now, with the stars as they are."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_offline import card, events_on, first_visit, settle, toggle

pytestmark = pytest.mark.browser

DAY = "2024-11-12"  # the festival clock's day (conftest FESTIVAL_NOW), the list a first visit draws

WHOLE = "() => Boolean(window.lehoi?.app.programme && !window.lehoi.app.programme.whole)"
KEPT = "() => window.lehoi.store.meta('first_screen')"

# The kept screenful with its first event retitled, and of the version stored now or of the one before it.
RETITLE = """async ([title, older]) => {
  const store = window.lehoi.store;
  const kept = await store.meta('first_screen');
  kept.events[0] = { ...kept.events[0], title: { vi: title, en: title } };
  if (older) kept.version -= 1;
  await store.keepFirstScreen(kept);
  return kept.events[0].id;
}"""

# Every text the page ever shows, from before its first script (a title drawn then replaced is caught too).
SEEN = """window.__seen = [];
new MutationObserver(() => window.__seen.push(document.getElementById('main')?.textContent || ''))
  .observe(document, { childList: true, subtree: true, characterData: true });"""


def kept_screen(page: Page) -> dict:
    page.wait_for_function(f"async () => Boolean(await ({KEPT})())")
    return page.evaluate(KEPT)


def test_the_list_drawn_is_kept_and_a_reload_draws_it_with_the_stars(phone) -> None:
    page = phone.new_page()
    first_visit(page, f"#/day/{DAY}")
    kept = kept_screen(page)
    assert kept["day"] == DAY
    assert kept["version"] == page.evaluate("window.lehoi.app.programme.version")
    assert [e["id"] for e in kept["events"]] == [e["id"] for e in events_on(DAY)]
    assert {v["id"] for v in kept["venues"]} == {e["venue_id"] for e in events_on(DAY)}

    starred = events_on(DAY)[1]["id"]
    toggle(page, starred, True)
    settle(page)
    retitled = page.evaluate(RETITLE, ["Kept apart", False])
    page.reload()
    # drawn from the kept screenful (the whole programme has the true title), with the star made before the reload
    expect(card(page, retitled)).to_contain_text("Kept apart")
    expect(card(page, starred).locator("button.fav")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#count")).to_have_text(f"{len(events_on(DAY))} events")
    # once the whole programme is in, a day is drawn from it
    page.wait_for_function(WHOLE)
    page.locator('a.day[data-day="2024-11-13"]').click()
    expect(page.locator(".event-card").first).to_be_visible()
    page.locator(f'a.day[data-day="{DAY}"]').click()
    expect(card(page, retitled)).not_to_contain_text("Kept apart")


def test_a_screenful_of_another_version_is_never_shown(phone) -> None:
    page = phone.new_page()
    first_visit(page, f"#/day/{DAY}")
    kept_screen(page)
    retitled = page.evaluate(RETITLE, ["Stale screenful", True])
    page.add_init_script(SEEN)
    page.reload()
    expect(card(page, retitled)).to_be_visible()
    page.wait_for_function(WHOLE)
    assert not any("Stale screenful" in text for text in page.evaluate("window.__seen"))
    # the list drawn from the whole programme is kept in its place, for the next reload
    page.wait_for_function(f"async () => (await ({KEPT})()).version === window.lehoi.app.programme.version")
