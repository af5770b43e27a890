"""Faithful GIFT (and XML): no silent loss on import, nothing Moodle would misread on export,
control characters refused at the door and never written, and an exact round trip between
two instances, all through the pages as a logged-in teacher."""
import io
import re
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import func, select

from courseware.accounts.service import create_user
from courseware.bank import service
from courseware.bank.models import Question, QuestionOption
from courseware.extensions import db
from tests.conftest import login_as, make_app

from .test_bank_editor import GOOD

# Moodle's question/format/gift/format.php tests this on every answer before it reads a format.
MOODLE_WEIGHT = re.compile(r"^%\-*([0-9]{1,2})\.?([0-9]*)%")


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Question))


def _upload(client, text: str, kuk="1.1"):
    return client.post("/bank-soal/impor", data={"gift_file": (io.BytesIO(text.encode()), "bank.gift"), "kuk": kuk,
                                                 "pool": "ujian"}, content_type="multipart/form-data")


GREETING = r"""
::Greeting::[html]<p>Dengarkan rekaman <audio controls src\="@@PLUGINFILE@@/greeting.mp3"></audio> lalu pilih
salam yang tepat.</p>{
  =Selamat pagi#<a href\="https\://contoh.sch.id/salam">baca lagi</a>
  ~Sampai jumpa
  ~Terima kasih
  ####<p><img src\="@@PLUGINFILE@@/senyum.png" alt\="senyum"> Salam pembuka dipakai di awal.</p>
}

::Md::[markdown]Lihat ![loket](https\://contoh.sch.id/loket.png) lalu pilih sikap [yang tepat](https\://contoh.sch.id/sikap).{
  =Menyapa ~Diam ~Pergi
}

::Polos::Soal tanpa media?{=ya ~tidak}
"""


def test_gift_import_names_every_dropped_image_audio_and_link(app, users, as_user):
    response = _upload(as_user("teacher"), GREETING)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "3 soal diimpor; 0 tidak diimpor." in page
    for note in ["Dibuang dari soal &#34;Greeting&#34;: audio greeting.mp3",
                 "Dibuang dari soal &#34;Greeting&#34;: tautan https://contoh.sch.id/salam",
                 "Dibuang dari soal &#34;Greeting&#34;: gambar senyum.png",
                 "Dibuang dari soal &#34;Md&#34;: gambar loket.png",
                 "Dibuang dari soal &#34;Md&#34;: tautan https://contoh.sch.id/sikap"]:
        assert note in page, note
    polos = page.split("<strong>Polos</strong>", 1)[1].split("</li>", 1)[0]
    assert "Dibuang" not in polos
    greeting = db.session.scalar(select(Question).where(Question.uid == "Greeting"))
    assert greeting.stem == "Dengarkan rekaman lalu pilih salam yang tepat."
    assert greeting.key_option.feedback == "baca lagi"


WEIGHTY = ["%50% pelanggan puas", "%-25%kurang", "[html]<b>tebal</b>", "%100%"]


def _tricky(users):
    item = service.item_from_form("2.3", "%100% soal dengan {kurung} = ~tilde~ #pagar: dan \\garis", WEIGHTY, "D",
                                  "%20% pembahasan", "ujian")
    item.feedback = ["%10% umpan balik", "", "[plain]x", ""]
    service.create_question(item, users["teacher"])
    item = service.item_from_form("1.4", "Baris satu\n\nbaris dua // bukan komentar", ["a", "b", "c", "d", "e", "f"],
                                  "F", "Pembahasan enam pilihan.", "ujian")
    service.create_question(item, users["teacher"])
    # Typed in a browser: a textarea sends its newlines as CRLF.
    item = service.item_from_form("2.1", "Tiga pilihan\r\nsaja?", ["ya", "tidak", "ragu"], "A", "Ya.\r\nBaris dua.",
                                  "ujian")
    service.create_question(item, users["teacher"])


def test_gift_export_writes_no_weight_moodle_would_read(app, users, as_user):
    _tricky(users)
    text = as_user("teacher").get("/bank-soal/ekspor/gift").get_data(as_text=True)
    block = text.split("::2.3-g01::", 1)[1].split("\n}\n", 1)[0]
    answers = [line.strip()[1:] for line in block.splitlines()[1:] if line.strip()[:1] in "=~"]
    assert len(answers) == 4
    for answer in answers:
        assert not MOODLE_WEIGHT.match(answer), answer
    assert answers[0] == "[plain]%50% pelanggan puas#[plain]%10% umpan balik"
    assert answers[2] == "[plain][html]<b>tebal</b>#[plain][plain]x"
    assert "\t####[plain]%20% pembahasan" in block


def test_editor_refuses_control_characters_with_a_message(app, users, as_user):
    client = as_user("teacher")
    before = _count()
    response = client.post("/bank-soal/baru", data={**GOOD, "stem": GOOD["stem"] + "\x0bbaris dari Word"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Pertanyaan memuat karakter kendali tak terlihat (U+000B" in page
    # NUL too: PostgreSQL cannot even store it, so it must be stopped before any write.
    response = client.post("/bank-soal/baru", data={**GOOD, "option_b": "Meminta\x0c pelanggan", "explanation": "x\x01",
                                                    "option_c": "Menutup\x00 telepon"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Pilihan B memuat karakter kendali" in page and "Pembahasan memuat" in page
    assert "Pilihan C memuat karakter kendali tak terlihat (U+0000" in page
    assert _count() == before


def test_gift_import_refuses_an_item_with_control_characters(app, users, as_user):
    text = "::Word::Soal dari Word\x0bbaris baru?{=ya ~tidak}\n\n::Bersih::Soal bersih?{=ya ~tidak#umpan\x07}\n\n" \
           "::Baik::Soal baik?{=ya ~tidak}\n"
    page = _upload(as_user("teacher"), text).get_data(as_text=True)
    assert "1 soal diimpor; 2 tidak diimpor." in page
    word = page.split("<strong>Word</strong>", 1)[1].split("</li>", 1)[0]
    assert "Soal memuat karakter kendali tak terlihat (U+000B" in word
    bersih = page.split("<strong>Bersih</strong>", 1)[1].split("</li>", 1)[0]
    assert "(U+0007" in bersih
    assert "Baris 5" in page
    assert _count() == 1


def test_exports_replace_control_characters_already_stored(app, users, as_user):
    # A row written before the check existed (or straight into the database).
    question = Question(uid="lama-01", kuk="1.1", pool="ujian", stem="Baris\x0bdari Word\x01?",
                        explanation="Halaman\x0cbaru", origin="editor")
    question.options = [QuestionOption(position=0, text="ya\x1f", is_key=True, feedback="fb\x02"),
                        QuestionOption(position=1, text="tidak", is_key=False, feedback="")]
    db.session.add(question)
    db.session.commit()
    client = as_user("teacher")
    raw = client.get("/bank-soal/ekspor/moodlexml").data
    root = ET.fromstring(raw)       # well-formed: Moodle accepts the file
    item = next(q for q in root.findall("question") if q.findtext("name/text") == "lama-01")
    assert item.findtext("questiontext/text") == "Baris\ndari Word?"
    assert item.findtext("generalfeedback/text") == "Halaman\nbaru"
    assert [a.findtext("text") for a in item.findall("answer")] == ["ya", "tidak"]
    gift_text = client.get("/bank-soal/ekspor/gift").get_data(as_text=True)
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", gift_text)
    assert "::lama-01::[plain]Baris\\ndari Word?{" in gift_text


@pytest.fixture
def second_instance(tmp_path, fresh_db_url):
    """A client logged in as a teacher of a fresh instance (its own database, shipped content synced
    as `flask init` does). Its app context is pushed only by its own requests."""
    other = make_app(tmp_path / "kedua", SQLALCHEMY_DATABASE_URI=fresh_db_url("kedua"))
    with other.app_context():
        db.create_all()
        service.sync_shipped_bank(other.config["CONTENT_ROOT"])
        teacher, _ = create_user("guru.lain", "Guru Lain", ["teacher"], password="rahasia-123",
                                 must_change_password=False)
        client = login_as(other.test_client(), teacher)
        db.session.remove()
    yield client
    with other.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("fmt", ["gift", "moodlexml"])
def test_round_trip_export_import_into_a_fresh_instance_export_gives_the_same_file(app, users, as_user, fmt,
                                                                                    second_instance):
    service.sync_shipped_bank(app.config["CONTENT_ROOT"])
    shipped = _count()
    _tricky(users)
    first = as_user("teacher").get(f"/bank-soal/ekspor/{fmt}").data
    # The file must not depend on the exporting instance: imported under a .txt name.
    response = second_instance.post("/bank-soal/impor", data={
        "gift_file": (io.BytesIO(first), "bank.txt"), "kuk": "", "pool": "ujian"}, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    # The shipped items are already there (refused as duplicates of themselves); the teacher's three arrive.
    assert f"3 soal diimpor; {shipped} tidak diimpor." in page
    assert page.count("Pertanyaan sama dengan soal") == shipped
    for uid in ("2.3-g01", "1.4-g01", "2.1-g01"):
        assert f"Diimpor sebagai {uid} " in page
    second = second_instance.get(f"/bank-soal/ekspor/{fmt}").data
    assert second == first
