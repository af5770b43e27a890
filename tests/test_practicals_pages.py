"""The practical pages: the whole sheet with roles and critical marks, the list, nav and dashboard panel."""
import re

import pytest


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_anonymous_is_sent_to_login(client, practicals):
    for path in ("/praktik/", "/praktik/LIK_1", "/praktik/kelas/1", "/praktik/kiriman/1"):
        response = client.get(path)
        assert response.status_code == 302 and "/masuk" in response.headers["Location"], path


def test_list_shows_both_sheets_with_roles(as_user, practicals):
    page = _text(as_user("trainee").get("/praktik/"))
    assert "LIK_1" in page and "LIK_2" in page
    assert "Usulan perbaikan layanan setelah rapat evaluasi" in page
    assert "Stok kurang, pesanan harus tetap tepat waktu" in page
    assert "Peran peserta: Staf administrasi · Peran pasangan: Pimpinan" in page
    assert "Peran peserta: Pimpinan · Peran pasangan: Staf administrasi" in page
    assert page.count("Belum dikirim") == 2


def test_lik2_sheet_shows_everything_and_marks_the_critical_points(as_user, practicals):
    response = as_user("trainee").get("/praktik/LIK_2")
    page = _text(response)
    assert response.status_code == 200
    lik2 = practicals["LIK_2"]
    for text in ("Skenario", "Instruksi kerja", "Alat", "Bahan", "Keselamatan dan kesehatan kerja (K3)",
                 "Standar kinerja", "Dialog 3–7 menit", "Daftar cek (7 butir)"):
        assert text in page, text
    assert "Toko Buku Cahaya Ilmu" in page                        # scenario
    assert lik2.instructions[0] in page and lik2.k3[-1] in page
    assert lik2.tools[0] in page and lik2.materials[0] in page
    assert "untuk dialognya saja" in page                         # the time note, as an instruction
    # Exactly the three points of KUK 2.1 and 2.5 carry the mark, each inside its own point.
    assert page.count('class="tag tag-bad pr-critical-mark"') == 3
    for uid in ("2.1-a", "2.5-a", "2.5-b"):
        block = page.split(f'id="butir-{uid}"')[1].split("</li>")[0]
        assert "Aspek kritis" in block
    for uid in ("2.2-a", "2.3-a", "2.4-a", "2.6-a"):
        block = page.split(f'id="butir-{uid}"')[1].split("</li>")[0]
        assert "Aspek kritis" not in block and "KUK " + uid[:3] in block
    # Roles, and the swap with LIK_1.
    assert re.search(r"Peran Anda \(peserta\)</dt><dd[^>]*>Pimpinan<", page)
    assert re.search(r"Peran pasangan</dt><dd[^>]*>Staf administrasi<", page)
    assert "Di LIK_1 peran ditukar: Anda menjadi Staf administrasi dan pasangan menjadi Pimpinan." in page
    assert "#elemen-2" in page


def test_lik1_sheet_has_no_critical_point_and_links_the_lessons(as_user, practicals):
    page = _text(as_user("trainee").get("/praktik/lik_1"))
    assert "Daftar cek (5 butir)" in page
    assert "pr-critical-mark" not in page
    assert re.search(r"Peran Anda \(peserta\)</dt><dd[^>]*>Staf administrasi<", page)
    assert re.search(r'href="[^"]*#elemen-1"', page)


def test_sheet_has_phone_filming_tips(as_user, practicals):
    page = _text(as_user("trainee").get("/praktik/LIK_1"))
    for tip in ("mendatar (landscape)", "ruangan yang tenang", "wajah kalian berdua terlihat",
                "Cahaya datang dari depan", "sekitar 3–7 menit", "Uji suara dulu"):
        assert tip in page, tip


@pytest.mark.parametrize("role", ["teacher", "assessor", "admin"])
def test_other_roles_read_the_sheet_without_a_submission_form(as_user, practicals, role):
    page = _text(as_user(role).get("/praktik/LIK_2"))
    assert "Daftar cek (7 butir)" in page and "Kiriman Anda" not in page


def test_unknown_sheet_is_404(as_user, practicals):
    assert as_user("trainee").get("/praktik/LIK_9").status_code == 404


def test_page_before_the_sheets_are_loaded(as_user):
    assert "Lembar praktik belum dimuat" in _text(as_user("trainee").get("/praktik/"))
    assert as_user("trainee").get("/praktik/LIK_1").status_code == 404


def test_nav_and_dashboard_panel(as_user, practicals):
    trainee_home = _text(as_user("trainee").get("/"))
    assert 'href="/praktik/"' in trainee_home
    panel = trainee_home.split('id="panel-practicals"')[1].split("</section>")[0]
    assert "Bagian ini belum tersedia" not in panel and "LIK_1" in panel and "LIK_2" in panel
    teacher_home = _text(as_user("teacher").get("/"))
    assert 'href="/praktik/"' in teacher_home and 'id="panel-practicals"' in teacher_home
    assessor_home = _text(as_user("assessor").get("/"))
    assert 'id="panel-practicals"' not in assessor_home


def test_pages_carry_no_inline_script_or_style(as_user, practicals):
    page = _text(as_user("trainee").get("/praktik/LIK_2"))
    assert "style=" not in page and not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert not re.search(r"\son[a-z]+=", page)
    assert "css/practicals.css" in page
