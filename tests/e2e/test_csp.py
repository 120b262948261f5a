"""The Content-Security-Policy breaks nothing: a real browser loads the public
pages, the admin and the API docs without a refused script or style."""

import pytest
from playwright.sync_api import expect

from tests.security.conftest import PASSWORD

pytestmark = pytest.mark.e2e


def collect_console(page):
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    page.on("pageerror", lambda error: messages.append(str(error)))
    return messages


def policy_violations(messages):
    # Redoc's "powered by" logo lives on a CDN: refusing it is the point.
    return [m for m in messages if "Content Security Policy" in m and "cdn.redoc.ly" not in m]


def test_pages_admin_and_docs_work_under_the_policy(site, page, django_user_model):
    django_user_model.objects.create_superuser(username="root", password=PASSWORD)
    messages = collect_console(page)
    for path in ("/", "/cases/", "/cases/CT-2019-0001/", "/facilities/"):
        page.goto(site + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()

    page.goto(site + "/api/v1/docs/")
    expect(page.locator(".opblock").first).to_be_visible()
    page.goto(site + "/api/v1/redoc/")
    expect(page.locator("li[data-item-id]").first).to_be_visible(timeout=20_000)

    page.goto(site + "/admin/")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    page.goto(site + "/admin/cases/case/add/")
    expect(page.locator("#case_form")).to_be_visible()
    # The admin's own scripts ran: the date widgets drew their shortcuts.
    expect(page.locator(".datetimeshortcuts").first).to_be_visible()
    assert policy_violations(messages) == []
