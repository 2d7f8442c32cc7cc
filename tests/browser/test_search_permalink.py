"""A reader's path: search, narrow by a facet, open a result, share a paragraph, follow it."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import index_all, screenshot
from tests.browser.data import small_archive

pytestmark = pytest.mark.browser


def test_search_facet_result_and_paragraph_permalink(page, live_server, transactional_db):
    archive = small_archive()
    index_all()
    seed = archive["seed"]

    page.goto("/")
    page.get_by_label(re.compile(r"^Search \d+ communiqu")).fill("ceasefire")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=ceasefire"))
    results = page.locator("a.item-title")
    expect(results).to_have_count(2)  # the SOC statement and the SNC statement
    screenshot(page, "search-results")

    page.locator(
        "section.facet a.facet-value", has_text="Syrian Opposition Coalition"
    ).first.click()
    expect(results).to_have_count(1)
    expect(page.locator("section.facet a.facet-value[aria-current='true']")).to_contain_text(
        "Syrian Opposition Coalition"
    )
    screenshot(page, "search-facet")

    results.first.click()
    page.wait_for_url(re.compile(rf"/c/{seed.public_id}/"))
    paragraph = page.locator("#p7")
    paragraph.hover()
    paragraph.get_by_role("link", name="Copy link to paragraph 7").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == f"{live_server.url}/c/{seed.public_id}/#p7"

    page.goto("about:blank")
    page.goto(copied)
    assert page.evaluate("document.querySelector(':target').id") == "p7"
    top = page.evaluate("document.getElementById('p7').getBoundingClientRect().top")
    assert 0 <= top < page.viewport_size["height"] / 2  # scrolled to it, not left below
    screenshot(page, "paragraph-permalink")
