"""The main pages in a real browser: accessibility, layout on a phone, right-to-left text."""

import pytest

from tests.browser.conftest import screenshot, serious_violations
from tests.browser.data import small_archive

pytestmark = pytest.mark.browser


@pytest.fixture
def archive(transactional_db):
    return small_archive()


def test_home_has_no_serious_accessibility_violation(page, archive):
    page.goto("/")
    screenshot(page, "home")
    assert serious_violations(page) == []


def test_communique_page_has_no_serious_accessibility_violation(page, archive):
    page.goto(archive["seed"].get_absolute_url())
    screenshot(page, "communique")
    assert serious_violations(page) == []


def test_entity_page_has_no_serious_accessibility_violation(page, archive):
    page.goto("/people/hadi-al-bahra/")
    screenshot(page, "person")
    assert serious_violations(page) == []


def test_organization_page_has_no_serious_accessibility_violation(page, archive):
    page.goto("/organizations/syrian-opposition-coalition/")
    screenshot(page, "organization")
    assert serious_violations(page) == []


@pytest.mark.parametrize("address", ["/", "/search/?q=ceasefire", '/search/?q="unclosed'])
def test_no_accessibility_finding_of_any_impact_on_the_search_ways_in(page, archive, address):
    # Landmarks (two search forms on a page) and headings (a search that cannot run) are
    # "moderate" findings, which the serious-only checks above let through.
    page.goto(address)
    every = ("critical", "serious", "moderate", "minor")
    assert serious_violations(page, impacts=every) == []


def test_search_page_has_no_serious_accessibility_violation(page, archive):
    page.goto("/search/?q=ceasefire")
    screenshot(page, "search")
    assert serious_violations(page) == []


def test_a_demand_link_leads_to_its_highlighted_sentence(page, archive):
    page.goto(archive["seed"].get_absolute_url())
    page.get_by_role("link", name="Al-Bahra appealed to the UN Security Council").click()
    assert page.evaluate("location.hash") == "#d2"
    assert page.locator("mark#d2").evaluate("el => getComputedStyle(el).backgroundColor") != (
        "rgba(0, 0, 0, 0)"
    )


def test_arabic_text_runs_right_to_left(page, archive):
    page.goto(archive["arabic"].get_absolute_url())
    screenshot(page, "communique-arabic")
    direction = page.locator("section.text").evaluate("el => getComputedStyle(el).direction")
    assert direction == "rtl"


def test_in_the_arabic_interface_query_syntax_reads_left_to_right(browser, live_server, archive):
    # "issuer:" inside an Arabic sentence: without isolation its colon jumps to the other side.
    context = browser.new_context(base_url=live_server.url, locale="ar-SY")
    page = context.new_page()
    page.goto("/search/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    code = page.locator("#q-help code").first
    style = code.evaluate("el => getComputedStyle(el)")
    assert (style["direction"], style["unicodeBidi"]) == ("ltr", "isolate")
    context.close()


def test_on_a_phone_the_structure_follows_the_text(phone, archive):
    phone.goto(archive["seed"].get_absolute_url())
    screenshot(phone, "communique-phone", full_page=False)
    text = phone.locator("section.text").bounding_box()
    structure = phone.locator("aside.structure").bounding_box()
    assert structure["y"] >= text["y"] + text["height"]


def test_on_a_phone_nothing_scrolls_sideways(phone, archive):
    for url in ("/", archive["seed"].get_absolute_url(), "/people/hadi-al-bahra/"):
        phone.goto(url)
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), url


def test_on_a_desktop_the_structure_is_beside_the_text(page, archive):
    page.goto(archive["seed"].get_absolute_url())
    text = page.locator("section.text").bounding_box()
    structure = page.locator("aside.structure").bounding_box()
    assert structure["x"] >= text["x"] + text["width"]


def test_the_keyboard_reaches_the_search_box_first_after_the_skip_link(page, archive):
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "q"


def test_focus_is_visible(page, archive):
    page.goto("/")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"


def test_the_citation_can_be_copied(page, archive):
    page.goto(archive["seed"].get_absolute_url())
    page.get_by_role("button", name="Copy citation").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("Syrian Opposition Coalition. “Final communique.”")


def test_a_french_reader_copies_a_paragraph_link_and_is_told_in_french(
    browser, live_server, archive
):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.goto(archive["seed"].get_absolute_url())
    page.locator("#p7").hover()
    page.get_by_role("link", name="Copier le lien vers le paragraphe 7").click()
    url = f"{live_server.url}/c/{archive['seed'].public_id}/#p7"
    assert page.evaluate("navigator.clipboard.readText()") == url
    assert page.locator("[data-toast]").text_content() == f"Lien copié : {url}"
    context.close()


def test_without_javascript_a_paragraph_link_leads_to_the_paragraph(browser, live_server, archive):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto(archive["seed"].get_absolute_url())
    page.get_by_role("link", name="Copy link to paragraph 7").click()
    assert page.url.endswith(f"/c/{archive['seed'].public_id}/#p7")
    context.close()


def test_browse_pages_render(page, archive):
    page.goto("/browse/")
    screenshot(page, "browse")
    page.get_by_role("link", name="2023").click()
    page.get_by_role("link", name="October").click()
    assert page.get_by_role("heading", level=1).text_content() == "Communiqués of October 2023"
