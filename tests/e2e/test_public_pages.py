import pytest
from playwright.sync_api import expect

from tests.conftest import make_case, make_person
from tests.e2e.conftest import SCREENSHOTS

pytestmark = pytest.mark.e2e


def test_reader_finds_a_case_and_reads_it_in_spanish(site, page):
    make_case(person=make_person(full_name="José Ángel Pérez"), status="detained")

    page.goto(site + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Detained military defectors: public case tracker"
    )
    expect(page.locator("figure.chart svg")).to_be_visible()

    # Filter by status; the form works from the keyboard (Enter on the button).
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cases").click()
    page.get_by_label("Status").select_option("detained")
    page.get_by_role("button", name="Show cases").press("Enter")
    expect(page).to_have_url(f"{site}/cases/?q=&status=detained&country=&facility=&branch=")
    names = page.locator(".case-name").all_inner_texts()
    assert sorted(names) == ["Erick Molina", "Hugo Parra", "José Ángel Pérez"]

    # A name typed without its accents.
    page.get_by_role("link", name="Clear filters").click()
    search = page.get_by_label("Name, alias or reference")
    search.fill("jose angel perez")
    search.press("Enter")
    expect(page.locator(".case-name")).to_have_text(["José Ángel Pérez"])

    # Parra's case.
    search = page.get_by_label("Name, alias or reference")
    search.fill("parra")
    page.get_by_role("button", name="Show cases").click()
    page.get_by_role("link", name="Hugo Parra").click()
    expect(page).to_have_url(f"{site}/cases/CT-2019-0001/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Major Hugo Parra")
    expect(page.get_by_text("Disputed: The reports put the crossing")).to_be_visible()

    # In Spanish.
    page.get_by_role("navigation", name="Language").get_by_role("link", name="español").click()
    expect(page).to_have_url(f"{site}/es/cases/CT-2019-0001/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", name="Cronología")).to_be_visible()
    expect(page.get_by_text("11 de abril de 2019").first).to_be_visible()

    # On to the facility where he is held.
    page.locator(".case-header").get_by_role("link", name="Winn Correctional Center").click()
    expect(page).to_have_url(f"{site}/es/facilities/winn-correctional-center/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Winn Correctional Center")
    expect(page.get_by_role("heading", name="Bajo custodia aquí ahora")).to_be_visible()
    expect(page.get_by_role("link", name="Hugo Parra")).to_be_visible()


@pytest.mark.parametrize(("label", "width", "height"), [("phone", 360, 740), ("desktop", 1280, 900)])
def test_case_page_screenshots(site, browser, label, width, height):
    context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1)
    page = context.new_page()
    try:
        page.goto(site + "/cases/CT-2019-0001/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Major Hugo Parra")
        # Readable without sideways scrolling; styles loaded from our own static files.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith("system-ui")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"case-{label}-{width}px.png", full_page=True)
    finally:
        context.close()
