"""Rosters, records and exports in a real browser (Debian Chromium):

- a teacher imports a roster into a second class and the existing accounts are enrolled, not refused;
- a teacher adds an existing trainee by NIS, corrects the name, and the FR.AK.02 record shows it;
- removing a trainee goes through a confirmation page, and the trainee can be added back;
- the recap CSV downloaded by the browser has a BOM, `;` and decimal commas, and no page says "UTC".
"""
import csv
import io
from pathlib import Path

import pytest

from courseware.accounts.service import create_user
from courseware.classes.service import create_class
from courseware.extensions import db

from .conftest import screenshot

PASSWORD = "rahasia-123"


@pytest.fixture(scope="module")
def school(live_server):
    _, app = live_server
    with app.app_context():
        teacher, _ = create_user("guru.rombel", "Bu Guru Rombel", ["teacher"], password=PASSWORD,
                                 must_change_password=False)
        create_user("lama.sekali", "Nama Salah Ketik", ["trainee"], nis="880001", password=PASSWORD,
                    must_change_password=False)
        ids = {name: create_class(teacher, name, "2026/2027").id for name in ("XI OTKP A", "XI OTKP B")}
        db.session.remove()
    return ids


def _login(page, base, username):
    page.goto(base + "/masuk")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def _import(page, base, class_id, path):
    page.goto(f"{base}/kelas/{class_id}")
    page.set_input_files("#roster", str(path))
    page.click("form[action*='/impor'] button[type=submit]")
    page.wait_for_load_state()
    return page.locator("main").inner_text()


def test_second_class_import_enrols_existing_accounts(browser, live_server, school, tmp_path):
    base, _ = live_server
    page = browser.new_page(viewport={"width": 360, "height": 800})
    _login(page, base, "guru.rombel")
    roster = tmp_path / "rombel.csv"
    roster.write_text("NIS;nama\n880101;Wulan Sari\n880102;Yoga Prasetya\n", encoding="utf-8")
    assert "2 peserta dibuat dan didaftarkan; 0 baris ditolak." in _import(page, base, school["XI OTKP A"], roster)
    text = _import(page, base, school["XI OTKP B"], roster)
    assert "0 baris ditolak" in text and text.count("sudah punya akun – didaftarkan ke kelas ini") == 2
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, "rombel-impor-akun-lama-360")
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, "rombel-impor-akun-lama-1280")
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(f"{base}/kelas/{school['XI OTKP B']}")
    body = page.locator("main").inner_text()
    assert "Wulan Sari" in body and "Yoga Prasetya" in body
    page.close()


def test_add_existing_edit_name_and_see_it_on_the_record(browser, live_server, school):
    base, _ = live_server
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _login(page, base, "guru.rombel")
    class_url = f"{base}/kelas/{school['XI OTKP A']}"
    page.goto(class_url)
    page.fill("#identifier", "880001")
    page.click("form[action$='/tambah'] button[type=submit]")
    assert "Nama Salah Ketik didaftarkan ke kelas ini." in page.locator(".flash").first.inner_text()
    row = page.locator("tbody tr", has_text="Nama Salah Ketik")
    row.get_by_role("link", name="Ubah").click()
    page.fill("#full_name", "Nama Sudah Benar")
    screenshot(page, "rombel-ubah-nama-1280")
    page.click("main form button[type=submit]")
    page.wait_for_url(class_url)
    record = page.locator("tbody tr", has_text="Nama Sudah Benar")
    assert record.count() == 1

    # FR.AK.02 shows the corrected name.
    user_id = record.get_by_role("link", name="Ubah").get_attribute("href").split("/peserta/")[1].split("/")[0]
    page.goto(f"{base}/penilaian/rekaman/{user_id}")
    assert "Nama Sudah Benar" in page.locator("main").inner_text()
    assert "Nama Salah Ketik" not in page.content()

    # Removing asks first (no JavaScript needed), then the trainee can be put back.
    page.goto(class_url)
    page.locator("tbody tr", has_text="Nama Sudah Benar").get_by_role("link", name="Keluarkan").click()
    assert "Ya, keluarkan dari kelas" in page.locator("main").inner_text()
    screenshot(page, "rombel-konfirmasi-keluarkan-1280")
    page.get_by_role("link", name="Batal").click()
    assert page.locator("tbody tr", has_text="Nama Sudah Benar").count() == 1
    page.locator("tbody tr", has_text="Nama Sudah Benar").get_by_role("link", name="Keluarkan").click()
    page.get_by_role("button", name="Ya, keluarkan dari kelas").click()
    assert page.locator("tbody tr", has_text="Nama Sudah Benar").count() == 0
    page.fill("#identifier", "lama.sekali")
    page.click("form[action$='/tambah'] button[type=submit]")
    assert page.locator("tbody tr", has_text="Nama Sudah Benar").count() == 1
    page.close()


def test_recap_csv_opens_with_semicolons_and_decimal_commas(browser, live_server, school):
    base, app = live_server
    from courseware.results import status as results

    original = results.test_results
    passed = results.TestResult(results.TestStatus.LULUS, 82.5, 75)
    results.test_results = lambda user_ids, quiz=None: {uid: passed for uid in user_ids}
    try:
        context = browser.new_context(accept_downloads=True)
        page = context.new_page()
        _login(page, base, "guru.rombel")
        page.goto(f"{base}/penilaian/kelas/{school['XI OTKP A']}/rekap")
        assert "82,5" in page.locator("main").inner_text() and "UTC" not in page.content()
        with page.expect_download() as info:
            page.click("text=Unduh CSV")
        raw = Path(info.value.path()).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
        assert rows[0][:3] == ["No", "NIS", "Nama"]
        assert any(r[4] == "82,5" for r in rows[1:]), rows
        context.close()
    finally:
        results.test_results = original


def test_credentials_sheet_and_lab_address_pages(browser, live_server, school, tmp_path):
    base, app = live_server
    page = browser.new_page(viewport={"width": 360, "height": 800})
    _login(page, base, "guru.rombel")
    roster = tmp_path / "baru.csv"
    roster.write_text("NIS;nama\n880201;Zahra Aulia Rahmadani Putri Kusumawardhani\n", encoding="utf-8")
    _import(page, base, school["XI OTKP A"], roster)
    page.get_by_role("button", name="Lembar akun untuk dicetak").click()
    page.wait_for_load_state()
    slip = page.locator(".slip")
    assert slip.count() == 1 and "Zahra Aulia" in slip.inner_text() and "/masuk" in slip.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, "lembar-akun-360")
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, "lembar-akun-1280")

    app.config["LAN_URLS"] = ["http://192.168.1.10:5000/"]
    try:
        page.goto(base + "/")
        panel = page.locator("#panel-lab-address")
        assert "http://192.168.1.10:5000/" in panel.inner_text() and panel.locator("svg.qr").count() == 1
        screenshot(page, "beranda-guru-alamat-lab-1280")
        page.set_viewport_size({"width": 360, "height": 800})
        assert panel.locator("svg.qr").bounding_box()["width"] <= 330
        screenshot(page, "beranda-guru-alamat-lab-360")
    finally:
        app.config["LAN_URLS"] = []
    page.close()
