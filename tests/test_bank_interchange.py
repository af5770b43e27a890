"""Moodle interchange: GIFT export/import, Moodle XML export, Moodle's own GIFT files."""
import io
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from courseware.bank import gift, service
from courseware.bank.models import KUKS, Question, QuestionOption
from courseware.extensions import db

MOODLE_GIFT = Path(__file__).resolve().parents[2] / "shared" / "peer-fixtures" / "moodle-gift"


def _moodle_file(name: str) -> str:
    path = MOODLE_GIFT / name
    if not path.exists():
        pytest.skip(f"{path} is not available")
    return path.read_text(encoding="utf-8")


def _content(questions):
    return sorted((q.kuk, q.stem, tuple(o.text for o in q.options), q.key_option.position, q.explanation,
                   tuple(o.feedback for o in q.options)) for q in questions)


def _empty_bank():
    db.session.execute(delete(QuestionOption))
    db.session.execute(delete(Question))
    db.session.commit()


TRICKY_STEM = "Kode {A} = 1: biaya ~ 50% #penting\\catatan\n\nbaris kedua // bukan komentar"


@pytest.fixture
def bank(app, users):
    service.sync_shipped_bank(app.config["CONTENT_ROOT"])
    item = service.item_from_form("2.6", TRICKY_STEM, ["[plain] a=b", "c~d", "e#f", "g{h}:i\\"], "D",
                                  "Pembahasan: {x} = ~y~ #z \\ akhir", "ujian")
    item.feedback = ["umpan # balik", "", "", ""]
    service.create_question(item, users["teacher"])
    return service.active_questions()


def test_gift_escaping_follows_moodle():
    assert gift.escape("a~b=c#d{e}f:g\\h\ni") == "a\\~b\\=c\\#d\\{e\\}f\\:g\\\\h\\ni"
    assert gift.escape_post(gift.escape_pre(gift.escape("x {y} \\ z:"))) == "x {y} \\ z:"


def test_gift_export_has_a_category_per_kuk_names_and_general_feedback(bank):
    text = service.export_gift()
    for kuk in KUKS:
        assert f"$CATEGORY: N.821100.046/KUK {kuk}\n" in text
    assert "::1.1-01::[plain]Bu Ratna" in text
    first = bank[0]
    assert "\t####" + gift.escape(first.explanation) in text
    assert "\t=" + gift.escape(first.key_option.text) in text
    assert any(q.uid == "2.6-g01" for q in bank)
    assert ("::2.6-g01::[plain]Kode \\{A\\} \\= 1\\: biaya \\~ 50% \\#penting\\\\catatan\\n\\nbaris kedua "
            "// bukan komentar{") in text
    assert "\t~[plain][plain] a\\=b#umpan \\# balik\n" in text
    assert "\t####Pembahasan\\: \\{x\\} \\= \\~y\\~ \\#z \\\\ akhir\n" in text
    # Category blocks stand alone, separated by blank lines, like Moodle's own export.
    assert "\n\n$CATEGORY: N.821100.046/KUK 2.6\n\n" in text


def test_gift_round_trip_into_an_empty_bank(bank, users):
    before = _content(bank)
    exported = service.export_gift()
    _empty_bank()
    report = service.import_gift(exported, None, users["teacher"], pool="ujian")
    assert report.refused == [] and len(report.imported) == len(bank) == 117
    after = _content(service.active_questions())
    assert after == before
    tricky = db.session.scalar(select(Question).where(Question.stem == TRICKY_STEM))
    assert tricky.kuk == "2.6" and tricky.origin == "gift"
    # Shipped ids are reserved for the shipped files, so imported copies get fresh codes.
    assert {e.uid for e in report.imported if e.name == "1.1-01"} == {"1.1-m01"}
    assert {e.uid for e in report.imported if e.name == "2.6-g01"} == {"2.6-g01"}


def test_moodle_xml_export_structure_and_content(bank):
    root = ET.fromstring(service.export_moodle_xml())
    assert root.tag == "quiz"
    questions = root.findall("question")
    categories = [q for q in questions if q.get("type") == "category"]
    assert [c.findtext("category/text") for c in categories] == [
        f"$course$/top/N.821100.046/KUK {k}" for k in KUKS]
    by_uid = {q.uid: q for q in bank}
    current_kuk, seen = None, 0
    for element in questions:
        if element.get("type") == "category":
            current_kuk = element.findtext("category/text").rsplit(" ", 1)[1]
            continue
        seen += 1
        assert element.get("type") == "multichoice"
        q = by_uid[element.findtext("name/text")]
        assert q.kuk == current_kuk
        assert element.find("questiontext").get("format") == "plain_text"
        assert element.findtext("questiontext/text") == q.stem
        assert element.findtext("generalfeedback/text") == q.explanation
        assert element.findtext("single") == "true" and element.findtext("shuffleanswers") == "true"
        answers = element.findall("answer")
        assert [a.findtext("text") for a in answers] == [o.text for o in q.options]
        assert [a.get("fraction") for a in answers] == ["100" if o.is_key else "0" for o in q.options]
        assert [a.findtext("feedback/text") or "" for a in answers] == [o.feedback for o in q.options]
    assert seen == len(bank) == 117


def test_retired_items_are_not_exported(bank, users):
    q = next(q for q in bank if q.uid == "1.1-01")
    service.set_retired(q, True, users["teacher"])
    assert "::1.1-01::" not in service.export_gift()
    assert b"<text>1.1-01</text>" not in service.export_moodle_xml()


# --- Moodle's own files ---------------------------------------------------------------------

def _imported(report):
    result = {}
    for e in report.imported:
        q = db.session.scalar(select(Question).where(Question.uid == e.uid))
        result[e.name] = q
    return result


def test_moodle_examples_import_single_answer_multiple_choice_exactly(app, users):
    report = service.import_gift(_moodle_file("examples.gift.txt"), "1.1", users["teacher"], pool="ujian")
    got = _imported(report)
    assert set(got) == {"Who's buried in Grant's tomb?", "Japanese characters originally came from what country?",
                        "What's the answer to this multiple-choice question?", "Which answer equals 5?",
                        "GIFT Control Characters"}
    q = got["Who's buried in Grant's tomb?"]
    assert (q.stem, [o.text for o in q.options], q.key_option.text) == (
        "Who's buried in Grant's tomb?", ["Grant", "Jefferson", "no one"], "no one")
    assert [o.position for o in q.options] == [0, 1, 2] and q.kuk == "1.1" and q.explanation == ""
    q = got["Japanese characters originally came from what country?"]
    assert [o.text for o in q.options] == ["India", "China", "Korea", "Egypt"] and q.key_option.text == "China"
    q = got["What's the answer to this multiple-choice question?"]
    assert [(o.text, o.is_key, o.feedback) for o in q.options] == [
        ("wrong answer", False, "feedback comment on the wrong answer"),
        ("another wrong answer", False, "feedback comment on this wrong answer"),
        ("right answer", True, "Very good!")]
    q = got["Which answer equals 5?"]
    assert [o.text for o in q.options] == ["= 2 + 2", "= 2 + 3", "= 2 + 4"] and q.key_option.text == "= 2 + 3"
    q = got["GIFT Control Characters"]
    assert q.uid == "GIFT Control Characters"
    assert q.stem == "Which of the following is NOT a control character for the GIFT import format?"
    assert [o.text for o in q.options] == ["~", "=", "#", "{", "}", "\\"]
    assert q.key_option.text == "\\"
    assert [o.feedback for o in q.options][:5] == [f"{c} is a control character." for c in "~=#{}"]
    assert q.key_option.feedback == (
        "Correct! \\ (backslash) is not a control character. BUT,\n"
        "it is used to escape the control characters. So, to specify\n"
        "a literal backslash, you must escape it with a backslash\n"
        "(as shown in this example).")

    refused = {(e.line, e.name): e.reason for e in report.refused}
    assert len(report.entries) == 43 and len(refused) == 38
    assert "benar/salah" in refused[(12, "Grant is buried in Grant's tomb.")]
    assert "isian singkat" in refused[(14, "Who's buried in Grant's tomb?")]
    assert "numerik" in refused[(16, "When was Ulysses S. Grant born?")]
    assert "kata hilang" in refused[(10, "Grant is _____ in Grant's tomb.")]
    assert "menjodohkan" in refused[(55, "Matching Question.")]
    assert "isian singkat" in refused[(90, "Kanji Origins")]
    assert "bobot nilai sebagian" in refused[(115, "Difficult question.")]
    assert "beberapa jawaban benar" in refused[(130, "What two people are entombed in Grant's tomb?")]
    assert "beberapa jawaban benar" in refused[(136, "What two people are entombed in Grant's tomb?")]
    assert "kata hilang" in refused[(184, "Grant's Tomb")]
    # The same question repeated later in the file is a duplicate of the one just imported.
    assert "Pertanyaan sama dengan soal" in refused[(25, "Who's buried in Grant's tomb?")]
    assert db.session.scalar(select(func.count()).select_from(Question)) == 5


def test_moodle_fixture_questions_import_q2_and_report_the_rest(app, users):
    report = service.import_gift(_moodle_file("questions.gift.txt"), "2.3", users["teacher"], pool="ujian")
    assert [e.name for e in report.imported] == ["Q2"]
    q = db.session.scalar(select(Question).where(Question.uid == "Q2"))
    assert q.stem == "What's between orange and green in the spectrum?" and q.kuk == "2.3"
    assert [(o.text, o.is_key, o.feedback) for o in q.options] == [
        ("yellow", True, "right; good!"), ("red", False, "wrong, it's yellow"), ("blue", False, "wrong, it's yellow")]
    reasons = {e.name: e.reason for e in report.refused}
    assert set(reasons) == {"Q8", "Moodle activities", "colours", "Q5", "Shortanswer", "Q1", "2-08 TSL"}
    assert len(report.refused) == 8
    assert "esai" in reasons["Q8"] and "menjodohkan" in reasons["Moodle activities"]
    assert "beberapa jawaban benar" in reasons["colours"] and "numerik" in reasons["Q5"]
    assert "isian singkat" in reasons["Shortanswer"] and "benar/salah" in reasons["Q1"]


def test_cli_import_prints_each_item_and_needs_a_kuk_without_category(app):
    path = MOODLE_GIFT / "questions.gift.txt"
    if not path.exists():
        pytest.skip("Moodle fixture not available")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["bank", "import", "--pool", "ujian", str(path)])
    assert result.exit_code == 0, result.output
    assert "DITOLAK  baris 14: Q2: KUK tidak diketahui" in result.output
    assert "0 soal diimpor, 9 tidak diimpor." in result.output
    result = runner.invoke(args=["bank", "import", "--pool", "ujian", str(path), "--kuk", "1.4"])
    assert result.exit_code == 0
    assert "DIIMPOR  baris 14: Q2 -> Q2 [KUK 1.4]" in result.output
    assert "DITOLAK  baris 2: Q8: Soal esai tidak didukung" in result.output
    assert "1 soal diimpor, 8 tidak diimpor." in result.output


def test_cli_import_fails_on_an_unreadable_file(app, tmp_path):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["bank", "import", "--pool", "ujian", str(tmp_path / "tidak-ada.txt")]).exit_code != 0
    binary = tmp_path / "gambar.gift"
    binary.write_bytes(b"\x89PNG\x00\x00\xff\xfe")
    result = runner.invoke(args=["bank", "import", "--pool", "ujian", str(binary)])
    assert result.exit_code != 0 and "biner" in result.output
    latin = tmp_path / "latin.gift"
    latin.write_bytes("Soal?{=ya ~tidak ~mungkin}".encode("utf-16"))
    assert runner.invoke(args=["bank", "import", "--pool", "ujian", str(latin)]).exit_code != 0


def test_cli_export_writes_both_formats(bank, app, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["bank", "export", "--format", "gift", str(tmp_path / "bank.txt")])
    assert result.exit_code == 0 and "117 soal aktif diekspor" in result.output
    assert (tmp_path / "bank.txt").read_text(encoding="utf-8") == service.export_gift()
    result = runner.invoke(args=["bank", "export", "--format", "moodlexml", str(tmp_path / "bank.xml")])
    assert result.exit_code == 0
    assert ET.parse(tmp_path / "bank.xml").getroot().tag == "quiz"
    assert runner.invoke(args=["bank", "export", "--format", "csv", str(tmp_path / "x")]).exit_code != 0


SAMPLE = """// contoh
$CATEGORY: $course$/top/Layanan/KUK 2.5

::Umpan::[html]<p>Apa <b>tujuan</b> &amp; manfaat<script>alert(1)</script> survei?</p>{
  =Mengetahui kebutuhan pelanggan#<i>Tepat</i>
  ~Mengisi waktu luang
  ~Menambah beban kerja
  ####[markdown]Survei **mengukur** kepuasan.
}

$CATEGORY: Umum

Pilih satu.{=x ~y ~Semua benar}

::Md::[markdown]Apa arti *SOP*?{=Prosedur baku ~Gaji ~Cuti}

::Banyak::Terlalu banyak?{=1 ~2 ~3 ~4 ~5 ~6 ~7}
"""


def test_categories_formats_and_refusals(app, users):
    report = service.import_gift(SAMPLE, None, users["teacher"], pool="ujian")
    by_name = {e.name: e for e in report.entries}
    umpan = db.session.scalar(select(Question).where(Question.uid == "Umpan"))
    assert by_name["Umpan"].kuk == "2.5" and umpan.kuk == "2.5"
    assert umpan.stem == "Apa tujuan & manfaat survei?"
    assert umpan.key_option.feedback == "Tepat" and umpan.explanation == "Survei mengukur kepuasan."
    assert "KUK tidak diketahui" in by_name["Md"].reason
    assert "KUK tidak diketahui" in by_name["Pilih satu."].reason
    assert "tidak boleh dipakai" in by_name["Pilih satu."].reason
    assert "Butuh 2 sampai 6 pilihan" in by_name["Banyak"].reason
    report = service.import_gift(SAMPLE, "1.2", users["teacher"], pool="ujian")
    assert db.session.scalar(select(Question).where(Question.uid == "Md")).stem == "Apa arti SOP?"
    by_name = {e.name: e for e in report.entries}
    assert "Pertanyaan sama dengan soal Umpan." in by_name["Umpan"].reason
    assert "Pilihan C (\"Semua benar\") tidak boleh dipakai" in by_name["Pilih satu."].reason


def test_kuk_from_category():
    assert service.kuk_from_category("N.821100.046/KUK 1.1") == "1.1"
    assert service.kuk_from_category("$course$/top/N.821100.046/KUK 2.6") == "2.6"
    assert service.kuk_from_category("$course$/top/Default for N.821100.046") is None
    assert service.kuk_from_category("Bab 3.1/Latihan") is None


def test_teacher_exports_and_imports_through_the_pages(bank, as_user):
    client = as_user("teacher")
    response = client.get("/bank-soal/ekspor/gift")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    assert response.get_data(as_text=True) == service.export_gift()
    response = client.get("/bank-soal/ekspor/moodlexml")
    assert response.status_code == 200 and ET.fromstring(response.data).tag == "quiz"
    assert client.get("/bank-soal/ekspor/csv").status_code == 404

    upload = "::Baru::Pertanyaan baru dari Moodle?{=benar ~keliru ~ragu}\n\nIni soal?{T}\n"
    response = client.post("/bank-soal/impor", data={"gift_file": (io.BytesIO(upload.encode()), "soal.txt"), "pool": "ujian",
                                                      "kuk": "2.2"}, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "1 soal diimpor; 1 tidak diimpor." in page
    assert "Diimpor sebagai Baru (KUK 2.2)" in page and "Alasan: Soal benar/salah tidak didukung" in page
    assert db.session.scalar(select(Question).where(Question.uid == "Baru")).kuk == "2.2"


def test_import_page_refuses_binary_and_missing_file(bank, as_user):
    client = as_user("teacher")
    response = client.post("/bank-soal/impor", data={"gift_file": (io.BytesIO(b"\x00\x01"), "x.gift"), "kuk": "", "pool": "ujian"},
                           content_type="multipart/form-data")
    assert response.status_code == 400 and "biner" in response.get_data(as_text=True)
    response = client.post("/bank-soal/impor", data={"kuk": ""}, content_type="multipart/form-data")
    assert response.status_code == 400 and "Pilih berkas GIFT atau Moodle XML." in response.get_data(as_text=True)
