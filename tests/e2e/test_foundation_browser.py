"""A teacher logs in at phone and desktop widths, creates a class and imports a roster."""
import pytest

from courseware.accounts.service import create_user
from courseware.extensions import db

from .conftest import no_horizontal_scroll, screenshot


@pytest.fixture(scope="module")
def teacher(live_server):
    _, app = live_server
    with app.app_context():
        create_user("guru.e2e", "Bu Guru E2E", ["teacher"], password="rahasia-123", must_change_password=False)
        db.session.remove()
    return "guru.e2e", "rahasia-123"


def _login(page, base, username, password):
    page.goto(base + "/masuk")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")


@pytest.mark.parametrize("width", [360, 1280])
def test_teacher_logs_in_and_manages_a_class(live_server, teacher, page_at, width, tmp_path):
    base, _ = live_server
    page = page_at(width)
    _login(page, base, *teacher)
    assert page.locator("h1").inner_text().startswith("Halo, Bu Guru E2E")
    screenshot(page, f"beranda-guru-{width}")
    page.goto(base + "/kelas/")
    page.fill("#name", f"XI OTKP {width}")
    page.fill("#academic_year", "2026/2027")
    page.click("form[action$='/kelas/baru'] button[type=submit]")
    assert "dibuat" in page.locator(".flash").first.inner_text()
    roster = tmp_path / "daftar.csv"
    roster.write_text(f"NIS;nama\n{width}01;Ayu Lestari\n{width}02;\n", encoding="utf-8")
    page.set_input_files("#roster", str(roster))
    page.click("form[action*='/impor'] button[type=submit]")
    body = page.locator("main").inner_text()
    assert "1 peserta dibuat dan didaftarkan; 1 baris ditolak." in body
    assert "Nama kosong" in body
    screenshot(page, f"impor-peserta-{width}")
    assert no_horizontal_scroll(page), "the page scrolls sideways"
    assert page.console_errors == [], page.console_errors
