"""The bank editor at /bank-soal: who may use it, validation, versions, retire/reactivate, audit."""
import pytest
from sqlalchemy import func, select

from courseware.audit.models import AuditEvent
from courseware.bank import service
from courseware.bank.models import Question
from courseware.extensions import db


@pytest.fixture
def bank(app):
    service.sync_shipped_bank(app.config["CONTENT_ROOT"])
    return {q.uid: q for q in service.bank_items(status="semua")}


@pytest.fixture
def answered():
    ids = set()
    check = lambda question_id: question_id in ids  # noqa: E731
    service.register_usage_check(check)
    yield ids
    service.unregister_usage_check(check)


GOOD = {
    "kuk": "1.2", "pool": "ujian", "level": "penerapan", "stem": "Pelanggan menelepon dan bertanya jam buka kantor. Apa yang pertama dilakukan petugas?",
    "option_a": "Menyapa dengan ramah lalu menyebutkan jam buka dengan jelas",
    "option_b": "Meminta pelanggan melihat sendiri di situs web",
    "option_c": "Menutup telepon karena pertanyaan itu terlalu sederhana",
    "option_d": "Mengalihkan telepon ke bagian keuangan",
    "option_e": "", "option_f": "",
    "key": "A", "explanation": "Layanan prima dimulai dengan salam dan jawaban yang langsung menjawab kebutuhan.",
}


def _events(action):
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


PAGES = [("get", "/bank-soal/"), ("get", "/bank-soal/baru"), ("get", "/bank-soal/{id}"),
         ("post", "/bank-soal/{id}/pensiunkan"), ("post", "/bank-soal/{id}/aktifkan"),
         ("get", "/bank-soal/ekspor/gift"), ("get", "/bank-soal/ekspor/moodlexml"), ("get", "/bank-soal/impor")]


@pytest.mark.parametrize("method,path", PAGES)
def test_trainee_and_assessor_are_refused_and_anonymous_must_log_in(app, bank, as_user, method, path):
    path = path.format(id=bank["1.1-01"].id)
    for role in ("trainee", "assessor"):
        assert getattr(as_user(role), method)(path).status_code == 403
    response = getattr(app.test_client(), method)(path)
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]
    assert not db.session.get(Question, bank["1.1-01"].id).retired


@pytest.mark.parametrize("role", ["teacher", "admin"])
def test_teacher_and_admin_see_the_bank_grouped_by_kuk_with_counts(bank, as_user, role):
    page = as_user(role).get("/bank-soal/").get_data(as_text=True)
    assert "KUK 1.1" in page and "KUK 2.6" in page
    assert "14 aktif" in page and "11 aktif" in page
    assert "1.1-01" in page and "2.6-05" in page
    assert "116 soal ditampilkan." in page


def test_filter_by_kuk_and_status(bank, as_user):
    client = as_user("teacher")
    page = client.get("/bank-soal/?kuk=2.1").get_data(as_text=True)
    assert "2.1-07" in page and "1.1-01" not in page and "14 soal ditampilkan." in page
    client.post(f"/bank-soal/{bank['2.1-03'].id}/pensiunkan", data={"konfirmasi": "ya"})
    retired = client.get("/bank-soal/?kuk=2.1&status=pensiun").get_data(as_text=True)
    assert "2.1-03" in retired and "2.1-04" not in retired and "1 soal ditampilkan." in retired
    assert "13 aktif" in client.get("/bank-soal/").get_data(as_text=True)


def test_nav_entry_for_teacher_and_admin_only(bank, as_user):
    assert "Bank soal" in as_user("teacher").get("/bank-soal/").get_data(as_text=True)
    assert 'href="/bank-soal/"' in as_user("admin").get("/").get_data(as_text=True)
    assert 'href="/bank-soal/"' not in as_user("trainee").get("/").get_data(as_text=True)


def test_unknown_question_is_404(bank, as_user):
    client = as_user("teacher")
    assert client.get("/bank-soal/99999").status_code == 404
    assert client.post("/bank-soal/99999/pensiunkan").status_code == 404


def test_teacher_adds_a_question(bank, as_user, users):
    response = as_user("teacher").post("/bank-soal/baru", data=GOOD)
    assert response.status_code == 302
    q = db.session.scalar(select(Question).where(Question.uid == "1.2-g01"))
    assert q.origin == "editor" and q.version == 1 and not q.retired
    assert [o.text for o in q.options][0] == GOOD["option_a"] and q.key_option.position == 0
    assert len(q.options) == 4
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "bank.create"))
    assert event.actor_id == users["teacher"].id and event.target == "question:1.2-g01"
    # The next one gets the next number.
    as_user("teacher").post("/bank-soal/baru", data={**GOOD, "stem": GOOD["stem"] + " (2)"})
    assert db.session.scalar(select(Question).where(Question.uid == "1.2-g02")) is not None


@pytest.mark.parametrize("change,message", [
    ({"option_b": "  menyapa DENGAN ramah lalu   menyebutkan jam buka dengan jelas"}, "Pilihan B sama dengan pilihan A."),
    ({"option_d": "Semua benar"}, "tidak boleh dipakai"),
    ({"option_c": "A dan B"}, "tidak boleh dipakai"),
    ({"key": "E"}, "Pilih tepat satu kunci jawaban."),
    ({"option_b": "", "option_c": "", "option_d": ""}, "Butuh 2 sampai 6 pilihan jawaban (ada 1)."),
    ({"option_c": ""}, "Pilihan C kosong."),
    ({"explanation": ""}, "Isi pembahasan."),
    ({"kuk": "3.1"}, "KUK 3.1 tidak dikenal"),
    ({"key": "Z"}, "Pilih tepat satu kunci jawaban."),
])
def test_editor_refuses_what_the_lint_refuses(bank, as_user, change, message):
    response = as_user("teacher").post("/bank-soal/baru", data={**GOOD, **change})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Question)) == 116
    assert _events("bank.create") == 0


def test_editor_refuses_a_duplicate_stem_of_the_shipped_bank(bank, as_user):
    stem = "  " + bank["1.4-02"].stem.upper() + "  "
    response = as_user("teacher").post("/bank-soal/baru", data={**GOOD, "stem": stem})
    assert response.status_code == 400
    assert "Pertanyaan sama dengan soal 1.4-02." in response.get_data(as_text=True)


def _form_of(q, **changes):
    letters = "abcdef"
    data = {"kuk": q.kuk, "pool": q.pool, "level": q.level, "stem": q.stem, "explanation": q.explanation,
            "key": "ABCDEF"[q.key_option.position]}
    for i, letter in enumerate(letters):
        data[f"option_{letter}"] = q.options[i].text if i < len(q.options) else ""
    data.update(changes)
    return data


def test_editing_an_unanswered_item_updates_it_in_place(bank, as_user):
    q = bank["1.1-03"]
    response = as_user("teacher").post(f"/bank-soal/{q.id}", data=_form_of(q, explanation="Pembahasan baru."))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/bank-soal/{q.id}")
    rows = service.versions_of("1.1-03")
    assert len(rows) == 1 and rows[0].explanation == "Pembahasan baru." and rows[0].origin == "editor"
    assert _events("bank.updated") == 1


def test_editing_an_answered_item_creates_a_new_version(bank, as_user, answered):
    q = bank["1.1-03"]
    old_id, old_stem = q.id, q.stem
    answered.add(old_id)
    client = as_user("teacher")
    assert "sudah pernah dijawab" in client.get(f"/bank-soal/{q.id}").get_data(as_text=True)
    response = client.post(f"/bank-soal/{q.id}", data=_form_of(q, stem=old_stem + " (diperbaiki)", key="B"))
    assert response.status_code == 302
    old, new = db.session.get(Question, old_id), service.latest_version_of("1.1-03")
    assert old.retired and old.stem == old_stem and old.key_option.position == 0
    assert new.id != old_id and new.version == 2 and not new.retired and new.key_option.position == 1
    assert _events("bank.new_version") == 1
    # The old version is still viewable but is not the one to edit.
    page = client.get(f"/bank-soal/{old_id}").get_data(as_text=True)
    assert "Ini versi lama" in page
    assert client.post(f"/bank-soal/{old_id}", data=_form_of(old, explanation="x y z")).status_code == 409
    assert client.post(f"/bank-soal/{old_id}/aktifkan").status_code == 409
    assert db.session.get(Question, old_id).retired


def test_saving_without_changes_writes_nothing(bank, as_user):
    q = bank["2.2-01"]
    response = as_user("admin").post(f"/bank-soal/{q.id}", data=_form_of(q))
    assert response.status_code == 302
    assert _events("bank.updated") == 0 and _events("bank.new_version") == 0


def test_retire_and_reactivate_are_audited(bank, as_user):
    q = bank["2.5-01"]
    client = as_user("teacher")
    assert "Ya, pensiunkan soal" in client.get(f"/bank-soal/{q.id}/pensiunkan").get_data(as_text=True)
    assert client.post(f"/bank-soal/{q.id}/pensiunkan").status_code == 400  # not confirmed
    db.session.refresh(q)
    assert not q.retired
    assert client.post(f"/bank-soal/{q.id}/pensiunkan", data={"konfirmasi": "ya"}).status_code == 302
    assert db.session.get(Question, q.id).retired
    assert q.id not in [x.id for x in service.active_questions()]
    assert client.post(f"/bank-soal/{q.id}/aktifkan").status_code == 302
    assert not db.session.get(Question, q.id).retired
    assert _events("bank.retire") == 1 and _events("bank.reactivate") == 1


def test_state_changes_need_a_csrf_token(bank, as_user):
    q = bank["2.5-01"]
    client = as_user("teacher")
    assert client.post(f"/bank-soal/{q.id}/pensiunkan", csrf=False).status_code == 400
    assert client.post("/bank-soal/baru", data=GOOD, csrf=False).status_code == 400
    assert not db.session.get(Question, q.id).retired
    assert db.session.scalar(select(func.count()).select_from(Question)) == 116


def test_an_imported_three_option_item_can_be_edited(bank, as_user, users):
    report = service.import_gift("::Tiga::Mana yang benar?{=satu#ya ~dua#tidak ~tiga}", "1.1", users["teacher"], pool="ujian")
    q = db.session.scalar(select(Question).where(Question.uid == report.imported[0].uid))
    data = _form_of(q, explanation="Karena satu.")
    assert data["option_d"] == ""
    assert as_user("teacher").post(f"/bank-soal/{q.id}", data=data).status_code == 302
    q = db.session.get(Question, q.id)
    assert [(o.text, o.feedback) for o in q.options] == [("satu", "ya"), ("dua", "tidak"), ("tiga", "")]
    assert q.explanation == "Karena satu."


def test_the_list_shows_pool_and_level_and_the_editor_changes_them_in_place(bank, as_user):
    page = as_user("teacher").get("/bank-soal/?kuk=2.1").get_data(as_text=True)
    item = bank["2.1-03"]
    before = item.pool
    assert f">{item.pool}<" in page and f">{item.level}<" in page
    data = {**_form_of(item), "pool": "latihan", "level": "analisis"}
    response = as_user("teacher").post(f"/bank-soal/{item.id}", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    moved = db.session.get(Question, item.id)
    assert (moved.pool, moved.level, moved.version) == ("latihan", "analisis", 1)
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "bank.pool")).all()
    assert [e.detail["pool"] for e in events] == [[before, "latihan"]]
