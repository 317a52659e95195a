"""Accessibility crawl: as each demo account, every page reachable from the navigation passes axe-core
(WCAG 2.1 A and AA) with zero violations.

From each page of the navigation the crawl also follows links in the main content, one page per
URL pattern, so detail pages (a group, a person, a region) are checked too.
"""

from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import Resolver404, resolve

from activists import demo_data
from tests.browser.conftest import AXE_TAGS, log_in

pytestmark = pytest.mark.django_db(transaction=True)

ACCOUNTS = [
    None,
    "admin@example.org",
    "region.bergen@example.org",
    "region.oslo@example.org",
    "kontakt.bergen@example.org",
    "medlem@example.org",
    "ny@example.org",
]
PUBLIC_PAGES = ["/", "/konto/login/", "/konto/signup/", "/konto/password/reset/", "/finnes-ikke/"]
# The Django admin is Django's own; the crawl checks the portal's pages.
SKIP_PREFIXES = ("/admin/", "/static/", "/i18n/")
# Downloads (the dashboards' CSV and Excel exports, a person's own data as JSON) are files, not pages.
SKIP_SUFFIXES = (".csv", ".xlsx", ".json")


def _pattern(path):
    try:
        return resolve(path).route
    except Resolver404:
        return path


def _violations(page):
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]


def _links(page, selector):
    hrefs = page.eval_on_selector_all(selector, "els => els.map(e => e.getAttribute('href'))")
    for href in hrefs:
        if not href or href.startswith(("#", "mailto:", "http")):
            continue
        path = urlsplit(href).path
        if not path.startswith(SKIP_PREFIXES) and not path.endswith(SKIP_SUFFIXES):
            yield href


def _crawl(page, start):
    """Visit the start pages, the navigation, and one page per URL pattern linked from them."""
    queue, seen_patterns, visited, problems = list(start), set(), [], {}
    while queue:
        url = queue.pop(0)
        pattern = _pattern(urlsplit(url).path)
        if url in visited or (pattern in seen_patterns and url not in start):
            continue
        seen_patterns.add(pattern)
        response = page.goto(url)
        assert response.status < 500, f"{url} answered {response.status}"
        visited.append(url)
        violations = _violations(page)
        if violations:
            problems[url] = violations
        for href in _links(page, "header nav a, main a"):
            if _pattern(urlsplit(href).path) not in seen_patterns:
                queue.append(href)
    return visited, problems


@pytest.mark.parametrize("email", ACCOUNTS, ids=lambda e: e or "anonymous")
def test_every_page_has_no_axe_violations(page, email, settings):
    settings.DEBUG = True
    demo_data.load()
    if email:
        log_in(page, email)
        assert "/konto/login/" not in page.url, f"{email} could not log in"
        start = [urlsplit(page.url).path]
    else:
        start = list(PUBLIC_PAGES)
    visited, problems = _crawl(page, start)
    assert len(visited) >= 2
    assert problems == {}, "axe-core found violations:\n" + "\n".join(
        f"{url}:\n  " + "\n  ".join(v) for url, v in problems.items()
    )
