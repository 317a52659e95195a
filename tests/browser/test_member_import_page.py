"""The admin's import journey in Chromium: upload, preview with the bad row explained, confirm."""

import pytest

from activists import demo_data
from activists.models import User
from tests.browser.conftest import log_in
from tests.browser.test_accessibility import _violations

pytestmark = pytest.mark.django_db(transaction=True)

CSV = (
    "medlemsnummer;fornavn;etternavn;epost;postnummer;status\n"
    "900001;Ola;Fjellheim;ola.fjellheim@example.net;5700;betalende\n"
    "900002;Siri;Vik;ikke-en-epost;5003;betalende\n"
).encode("cp1252")


def test_admin_previews_then_confirms_an_import(page, settings, tmp_path):
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path
    demo_data.load()
    log_in(page, "admin@example.org")
    page.goto("/personer/medlemsregister/")
    upload = tmp_path / "eksport.csv"
    upload.write_bytes(CSV)
    page.locator("input[type=file]").set_input_files(str(upload))
    with page.expect_navigation():
        page.get_by_role("button", name="Vis forhåndsvisning").click()
    text = page.locator("main").inner_text()
    assert "ikke-en-epost" in text or "epost" in text
    assert _violations(page) == []
    assert not User.objects.filter(membership_number="900001").exists()
    with page.expect_navigation():
        page.get_by_role("button", name="Bekreft importen").click()
    assert User.objects.get(membership_number="900001").postal_code_id == "5700"
    assert not User.objects.filter(membership_number="900002").exists()
    assert _violations(page) == []
