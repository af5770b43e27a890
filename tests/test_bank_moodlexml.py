"""Moodle XML import, through the import page (a logged-in teacher) and `flask bank import`:
Moodle's own fixtures, every refused type with its reason, HTML to text, dropped media named,
nested categories giving the KUK, and hostile or broken files that import nothing."""
import io
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from courseware.bank import service
from courseware.bank.models import Question
from courseware.extensions import db

MOODLE_XML = Path(__file__).resolve().parents[2] / "shared" / "peer-fixtures" / "moodle-xml"


def _fixture(name: str) -> Path:
    path = MOODLE_XML / name
    if not path.exists():
        pytest.skip(f"{path} is not available")
    return path


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Question))


def _upload(client, raw: bytes, filename="bank.txt", kuk="", pool="ujian"):
    return client.post("/bank-soal/impor", data={"gift_file": (io.BytesIO(raw), filename), "kuk": kuk, "pool": pool},
                       content_type="multipart/form-data")


def _mc(name, text, answers, general="", fmt="html", single="true", extra=""):
    options = "".join(
        f'<answer fraction="{fraction}" format="{fmt}"><text><![CDATA[{body}]]></text>'
        f'<feedback format="{fmt}"><text><![CDATA[{feedback}]]></text></feedback></answer>'
        for fraction, body, feedback in answers)
    return (f'<question type="multichoice"><name><text>{name}</text></name>'
            f'<questiontext format="{fmt}"><text><![CDATA[{text}]]></text>{extra}</questiontext>'
            f'<generalfeedback format="{fmt}"><text><![CDATA[{general}]]></text></generalfeedback>'
            f'<single>{single}</single>{options}</question>\n')


def _other(qtype, name, text="Teks soal?"):
    return (f'<question type="{qtype}"><name><text>{name}</text></name>'
            f'<questiontext format="html"><text>{text}</text></questiontext></question>\n')


def _category(path):
    return f'<question type="category"><category><text>{path}</text></category></question>\n'


def _quiz(*parts) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n' + "".join(parts) + "</quiz>\n").encode()


THREE = [("100", "Menanyakan kebutuhan pelanggan", "<b>Tepat</b>"), ("0", "Menunggu pelanggan pergi", ""),
         ("0", "Menaikkan harga", "Bukan itu")]

SAMPLE = _quiz(
    _category("$course$/top/Layanan Prima/KUK 2.5/Latihan bab 3"),
    _mc("Survei", "<p>Apa <b>tujuan</b> &amp; manfaat survei<script>alert(1)</script> kepuasan?</p>", THREE,
        general="<p>Survei <i>mengukur</i> kepuasan.</p>"),
    _mc("Gambar", '<p>Lihat <img src="@@PLUGINFILE@@/loket.png" alt="loket"> lalu pilih sikap petugas.</p>'
        '<p><a href="https://contoh.sch.id/sop">SOP</a></p>',
        [("100", "Tersenyum dan menyapa", ""), ("0", "Diam saja", "")],
        extra='<file name="loket.png" encoding="base64">iVBORw0KGgo=</file>'),
    _mc("Salam", '<p>Dengarkan salam ini <audio controls><source src="@@PLUGINFILE@@/salam.mp3"></audio></p>',
        [("100", "Salam pembuka", ""), ("0", "Salam penutup", "")]),
    _category("$course$/top/Umum"),
    _mc("Tanpa KUK", "Apa arti SOP bagi petugas?", [("100", "Prosedur baku", ""), ("0", "Gaji", "")]),
    _other("truefalse", "BS"), _other("shortanswer", "Isian"), _other("essay", "Esai"),
    _other("matching", "Jodohkan"), _other("multianswer", "Cloze", "{1:MULTICHOICE:=a~b}"),
    _other("numerical", "Angka"), _other("description", "Deskripsi"), _other("random", "Acak"),
    _other("ddwtos", "Seret"),
    _mc("Banyak kunci", "Pilih dua sikap yang baik.", [("50", "Ramah", ""), ("50", "Sigap", ""), ("0", "Ketus", "")],
        single="false"),
    _mc("Sebagian", "Nilai sebagian?", [("100", "Ya", ""), ("50", "Agak", ""), ("-33.33333", "Tidak", "")]),
)


def test_page_imports_moodle_xml_with_categories_text_and_every_reason(app, users, as_user):
    client = as_user("teacher")
    # The name says .txt: the content decides.
    response = _upload(client, SAMPLE, "dari-moodle.txt", kuk="1.3")
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "Berkas dibaca sebagai Moodle XML." in page
    assert "4 soal diimpor; 11 tidak diimpor." in page

    survei = db.session.scalar(select(Question).where(Question.uid == "Survei"))
    assert survei.kuk == "2.5" and survei.origin == "moodlexml" and survei.pool == "ujian"
    assert survei.stem == "Apa tujuan & manfaat survei kepuasan?"
    assert survei.explanation == "Survei mengukur kepuasan."
    assert [(o.text, o.is_key, o.feedback) for o in survei.options] == [
        ("Menanyakan kebutuhan pelanggan", True, "Tepat"), ("Menunggu pelanggan pergi", False, ""),
        ("Menaikkan harga", False, "Bukan itu")]
    # A category without a KUK takes the default chosen on the form.
    assert db.session.scalar(select(Question).where(Question.uid == "Tanpa KUK")).kuk == "1.3"

    gambar = db.session.scalar(select(Question).where(Question.uid == "Gambar"))
    assert gambar.stem == "Lihat lalu pilih sikap petugas.\n\nSOP"
    assert "Dibuang dari soal &#34;Gambar&#34;: gambar loket.png" in page
    assert "Dibuang dari soal &#34;Gambar&#34;: tautan https://contoh.sch.id/sop" in page
    assert "Dibuang dari soal &#34;Salam&#34;: audio salam.mp3" in page
    assert "berkas loket.png" not in page      # the <file> is the image already named

    reasons = {"BS": "benar/salah", "Isian": "isian singkat", "Esai": "esai", "Jodohkan": "menjodohkan",
               "Cloze": "cloze", "Angka": "numerik", "Deskripsi": "Teks deskripsi", "Acak": "acak (random)",
               "Seret": "Jenis soal Moodle &#34;ddwtos&#34; tidak didukung",
               "Banyak kunci": "beberapa jawaban benar", "Sebagian": "bobot nilai sebagian"}
    for name, reason in reasons.items():
        block = page.split(f"<strong>{name}</strong>", 1)[1].split("</li>", 1)[0]
        assert reason in block, (name, block)
    assert "<script>" not in survei.stem and _count() == 4


def test_nested_categories_of_moodle_give_the_kuk_like_gift(app, users):
    raw = _quiz(_category("$course$/top/N.821100.046/KUK 1.2"), _mc("Satu", "Soal satu?", THREE),
                _category("$course$/top/N.821100.046/KUK 1.2/Pendalaman/KUK 2.4 lanjutan"),
                _mc("Dua", "Soal dua?", THREE),
                _category("$course$/top/N.821100.046/KUK 1.2/Pendalaman"), _mc("Tiga", "Soal tiga?", THREE))
    report = service.import_file(raw, None, users["teacher"], "latihan")
    assert [(e.name, e.kuk) for e in report.entries] == [("Satu", "1.2"), ("Dua", "2.4"), ("Tiga", "1.2")]
    assert {q.pool for q in service.active_questions()} == {"latihan"}


@pytest.mark.parametrize("name,reports", [
    ("nested_categories_with_questions.xml", [(15, "Iota Question", "benar/salah"), (55, "Kappa Essay Question", "esai"),
                                              (83, "Kappa Question", "benar/salah"), (123, "Lambda Question", "benar/salah"),
                                              (163, "Mu Question", "benar/salah")]),
    ("truefalse.xml", [(12, "Moodle acronym (False)", "benar/salah"), (40, "Moodle acronym (True)", "benar/salah")]),
    ("export_category.xml", [(15, "Alpha Question", "benar/salah")]),
    ("category_with_description.xml", [(15, "Alpha Question", "benar/salah")]),
    ("testquestion_multianswer.moodle.xml", [(12, "Multi-choice-001", "beberapa jawaban benar")]),
])
def test_cli_reports_every_question_of_moodles_own_fixtures(app, tmp_path, name, reports):
    # Copied under a GIFT-looking name: detection is by content.
    path = tmp_path / "bank.gift"
    shutil.copy(_fixture(name), path)
    result = app.test_cli_runner().invoke(args=["bank", "import", "--pool", "ujian", "--kuk", "1.1", str(path)])
    assert result.exit_code == 0, result.output
    assert "Format: Moodle XML" in result.output
    for line, label, reason in reports:
        assert any(row.startswith(f"DITOLAK  baris {line}: {label}: ") and reason in row
                   for row in result.output.splitlines()), (label, result.output)
    assert f"0 soal diimpor, {len(reports)} tidak diimpor." in result.output
    assert _count() == 0


def test_cli_imports_and_prints_the_warnings(app, tmp_path):
    path = tmp_path / "moodle.xml"
    path.write_bytes(SAMPLE)
    result = app.test_cli_runner().invoke(args=["bank", "import", "--pool", "latihan", "--kuk", "1.1", str(path)])
    assert result.exit_code == 0, result.output
    assert "DIIMPOR  baris 5: Gambar -> Gambar [KUK 2.5]" in result.output
    assert 'PERINGATAN: Dibuang dari soal "Salam": audio salam.mp3' in result.output
    assert "4 soal diimpor, 11 tidak diimpor." in result.output


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY rahasia SYSTEM "file:///etc/passwd">]>
<quiz><question type="multichoice"><name><text>&rahasia;</text></name></question></quiz>"""
LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                     for i in range(1, 10))
          + b"]><quiz><question type=\"essay\"><name><text>&lol9;</text></name></question></quiz>")
EXTERNAL_DTD = b'<?xml version="1.0"?><!DOCTYPE quiz SYSTEM "http://contoh.invalid/quiz.dtd"><quiz/>'


@pytest.mark.parametrize("raw,status,message", [
    (XXE, 400, "DOCTYPE atau deklarasi entitas"),
    (LAUGHS, 400, "DOCTYPE atau deklarasi entitas"),
    (EXTERNAL_DTD, 400, "DOCTYPE atau deklarasi entitas"),
    (SAMPLE[:-40], 400, "Berkas XML rusak"),
    (b"<html><body>Bukan bank</body></html>", 400, "elemen teratasnya &lt;html&gt;, seharusnya &lt;quiz&gt;"),
    (SAMPLE.replace(b"Survei</text>", b"Surv\x0bei</text>"), 400, "tidak dapat dibaca (baris 4, kolom 46)"),
    (SAMPLE.replace(b"Survei</text>", b"Surv&#11;ei</text>"), 400, "Berkas XML rusak"),
    (_quiz(_category("$course$/top/Kosong")), 400, "tidak memuat soal"),
    (b"<quiz>" + b"<!-- isi -->" * (800 * 1024) + b"</quiz>", 413, "Berkas terlalu besar (maksimal 8 MiB)"),
])
def test_broken_or_hostile_xml_imports_nothing_with_a_clear_message(app, users, as_user, tmp_path, raw, status,
                                                                    message):
    response = _upload(as_user("teacher"), raw, "soal.xml", kuk="1.1")
    page = response.get_data(as_text=True)
    assert response.status_code == status and message in page
    assert _count() == 0
    path = tmp_path / "soal.xml"
    path.write_bytes(raw)
    result = app.test_cli_runner().invoke(args=["bank", "import", "--pool", "ujian", "--kuk", "1.1", str(path)])
    assert result.exit_code != 0 and message.replace("&lt;", "<").replace("&gt;", ">") in result.output
    assert _count() == 0


def test_a_text_file_that_is_neither_format_is_named_as_such(app, users, as_user):
    response = _upload(as_user("teacher"), "nama,kelas\nAni,XI\n".encode(), "daftar.csv", kuk="1.1")
    assert response.status_code == 400
    assert "tidak memuat soal GIFT" in response.get_data(as_text=True) and _count() == 0


def test_a_gift_file_that_opens_with_html_is_still_gift(app, users, as_user):
    text = "<b>Siapa</b> yang pertama menyapa pelanggan?{=Petugas ~Pelanggan ~Satpam}\n"
    page = _upload(as_user("teacher"), text.encode(), "soal.xml", kuk="1.1").get_data(as_text=True)
    assert "Berkas dibaca sebagai GIFT." in page and "1 soal diimpor; 0 tidak diimpor." in page
    assert db.session.scalar(select(Question.stem)) == "Siapa yang pertama menyapa pelanggan?"
