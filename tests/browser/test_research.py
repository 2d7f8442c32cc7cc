"""The demand tracker in a real browser: the chart's bars, their counts and where they lead."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, serious_violations
from tests.research.conftest import archive  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser


@pytest.fixture
def csp_errors(page):
    """Console errors of the Content Security Policy: inline styles or scripts that it blocked."""
    errors: list[str] = []
    page.on(
        "console",
        lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return errors


def test_chart_bars_show_counts_and_open_the_filtered_list(page, archive, csp_errors):  # noqa: F811  (archive)
    page.goto("/demands/?issuer=syrian-opposition-coalition")
    svg = page.locator("svg#demands-chart")
    expect(svg).to_be_visible()
    assert svg.get_attribute("role") == "group"  # links inside: not "img"
    bars = svg.locator("a[data-series='un-security-council']")
    expect(bars).to_have_count(2)  # October and November; the draft's demand is not drawn
    titles = [bars.nth(i).locator("title").text_content() for i in range(2)]
    assert titles == [
        "UN Security Council (UNSC), Oct 2023: 2 demands",
        "UN Security Council (UNSC), Nov 2023: 2 demands",
    ]
    labels = svg.locator("a[data-series='un-security-council'] text.chart-count")
    expect(labels).to_have_text(["2", "2"])
    box = bars.nth(0).locator("rect").bounding_box()
    assert box and box["height"] > 10
    screenshot(page, "research-demands")
    assert serious_violations(page) == []

    bars.nth(1).click()
    page.wait_for_url(re.compile(r"addressee=un-security-council"))
    assert "date_from=2023-11-01" in page.url and "date_to=2023-11-30" in page.url
    expect(page.locator("[data-demand-count]")).to_have_text("2")
    expect(page.locator(".demand-item")).to_have_count(2)
    expect(page.locator(".demand-list")).not_to_contain_text("draft demand")

    # The table says the same as the chart, without JavaScript or a mouse.
    page.goto("/demands/?issuer=syrian-opposition-coalition")
    page.locator(".chart-table summary").click()
    expect(page.locator(".chart-table tbody tr").first).to_contain_text("Oct 2023")
    assert csp_errors == []


def test_entity_page_timeline_and_compare(page, archive, csp_errors):  # noqa: F811  (archive)
    page.goto("/people/badr-jamous/")
    svg = page.locator("svg#timeline-people")
    expect(svg.locator("a[data-count]")).to_have_count(3)
    expect(page.locator("[data-table=cooccurrence] tbody tr").first).to_be_visible()
    screenshot(page, "research-entity")
    assert serious_violations(page) == []

    page.goto(archive.nov.get_absolute_url())
    page.locator("[data-compare-previous]").click()
    page.wait_for_url(re.compile(rf"/compare/{archive.seed.public_id}/{archive.nov.public_id}/$"))
    expect(page.locator("h1")).to_have_text("Compare two communiqués")
    expect(page.locator(".compare-diff ins").first).to_be_visible()
    screenshot(page, "research-compare")
    assert serious_violations(page) == []
    assert csp_errors == []
