"""The shipped bank files: lint (also on a broken copy) and the idempotent, versioning sync."""
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from courseware.audit.models import AuditEvent
from courseware.bank import service
from courseware.bank.loader import read_bank
from courseware.bank.models import KUKS, Question, QuestionOption
from courseware.cli import run_content_sync
from courseware.extensions import db

PROJECT = Path(__file__).resolve().parents[1]


@pytest.fixture
def bank_copy(app, tmp_path):
    """A private copy of quizzes/bank used as CONTENT_ROOT, so a test may break or change it."""
    root = tmp_path / "content"
    shutil.copytree(PROJECT / "quizzes" / "bank", root / "quizzes" / "bank")
    app.config["CONTENT_ROOT"] = str(root)
    return root / "quizzes" / "bank"


@pytest.fixture
def answered():
    """A usage checker the test controls: ids in the set count as answered."""
    ids = set()
    check = lambda question_id: question_id in ids  # noqa: E731
    service.register_usage_check(check)
    yield ids
    service.unregister_usage_check(check)


def _replace(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def test_shipped_bank_passes_the_lint():
    items, problems, info = read_bank(PROJECT)
    assert problems == []
    assert {item.kuk for item in items} == set(KUKS)
    assert all(len(item.options) == 4 and item.explanation for item in items)
    assert info[-1].startswith(f"Jumlah: {len(items)} soal")


def test_content_check_prints_counts_per_kuk(app):
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert "== soal" in result.output
    for kuk in KUKS:
        assert f"KUK {kuk}: " in result.output
    items, _problems, _info = read_bank(app.config["CONTENT_ROOT"])
    exam = sum(1 for i in items if i.kuk == "2.1" and i.pool == "ujian")
    practice = sum(1 for i in items if i.kuk == "2.1" and i.pool == "latihan")
    assert f"KUK 2.1: {exam} soal ujian, {practice} soal latihan" in result.output


def test_broken_copy_fails_with_each_problem_named(app, bank_copy):
    f11, f12, f21 = bank_copy / "kuk-1-1.yml", bank_copy / "kuk-1-2.yml", bank_copy / "kuk-2-1.yml"
    _replace(f11, 'key: "B"', 'key: "E"')                                        # 1.1-01 key outside A-D
    _replace(f11, 'key: "C"', 'key: "AB"')                                       # 1.1-02 two keys
    _replace(f11, '      - "Dari kebutuhan pribadinya sebagai tamu yang sedang terburu-buru"\n', "")  # 1.1-04: 3 options
    _replace(f11, "Langsung menurunkan ongkos kirim, karena pertanyaan terbanyak menunjukkan tarifnya dianggap mahal",
             "Semua jawaban benar")                                              # 1.1-05 forbidden option
    _replace(f11, '"Sangat puas, karena kinerja yang ia rasakan melampaui harapannya"',
             '"  PUAS, karena layanan yang diterimanya   sama dengan pengalaman tahun lalu"')  # 1.1-03 duplicate option
    _replace(f12, 'id: "1.2-02"', 'id: "1.1-09"')                                # wrong prefix for the file
    _replace(f12, 'id: "1.2-03"', 'id: "1.2-01"')                                # duplicated id
    text = f21.read_text(encoding="utf-8")
    first_explanation = text.split("explanation: ")[1].split("\n")[0]
    _replace(f21, "explanation: " + first_explanation, 'explanation: ""')       # empty explanation
    stem_13_01 = ((bank_copy / "kuk-1-3.yml").read_text(encoding="utf-8").split("stem: |\n")[1]
                  .split("\n")[0].strip())
    text = f21.read_text(encoding="utf-8")
    second_stem = text.split("stem: |\n")[2].split("\n")[0]
    _replace(f21, second_stem, "      " + stem_13_01.upper().replace(" ", "   "))   # duplicate stem (normalised)
    (bank_copy / "kuk-9-9.yml").write_text('kuk: "9.9"\nitems: []\n', encoding="utf-8")

    _items, problems, _info = read_bank(bank_copy.parent.parent)
    joined = "\n".join(problems)
    assert "kuk-1-1.yml 1.1-01: Kunci harus tepat satu huruf A-D." in joined
    assert "kuk-1-1.yml 1.1-02: Kunci harus tepat satu huruf A-D." in joined
    assert "kuk-1-1.yml 1.1-04: Harus tepat 4 pilihan jawaban (ada 3)." in joined
    assert "kuk-1-1.yml 1.1-05: Pilihan A (\"Semua jawaban benar\") tidak boleh dipakai" in joined
    assert "kuk-1-1.yml 1.1-03: Pilihan B sama dengan pilihan A." in joined
    assert "kuk-1-2.yml 1.1-09: awalan id tidak cocok dengan KUK berkas (1.2)." in joined
    assert "kuk-1-2.yml 1.2-01: id 1.2-01 sudah dipakai di kuk-1-2.yml." in joined
    assert "Pembahasan (explanation) kosong." in joined
    assert "kuk-2-1.yml 2.1-02: Pertanyaan sama dengan soal 1.3-01." in joined
    assert "kuk-9-9.yml: KUK 9.9 tidak dikenal." in joined

    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code != 0
    assert "masalah ditemukan" in result.output


@pytest.mark.parametrize("option", ["Semua benar", "semua salah.", "A dan B", "a & c", "Jawaban B dan C benar",
                                    "Tidak ada yang benar", "All of the above"])
def test_forbidden_option_wordings(option):
    from courseware.bank.validation import is_forbidden_option

    assert is_forbidden_option(option)


@pytest.mark.parametrize("option", ["Semua pelanggan dilayani sesuai urutan datang",
                                    "Dan bila pelanggan marah, tetap tenang", "Benar"])
def test_ordinary_options_are_allowed(option):
    from courseware.bank.validation import is_forbidden_option

    assert not is_forbidden_option(option)


def _count(model=Question, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_sync_is_registered_for_init_and_is_idempotent(app):
    lines = run_content_sync(app)
    assert any(line.startswith("soal: 116 baru") for line in lines)
    options_before = _count(QuestionOption)
    assert _count() == 116 and options_before == 464
    again = [line for line in run_content_sync(app) if line.startswith("soal:")][0]
    assert "0 baru, 0 diperbarui, 0 versi baru, 0 dipensiunkan, 116 tetap" in again
    assert _count() == 116 and _count(QuestionOption) == options_before
    q = db.session.scalar(select(Question).where(Question.uid == "1.1-01"))
    assert q.version == 1 and q.origin == "bank" and not q.retired
    assert [o.text for o in q.options][1].startswith("Penelitian formal") and q.key_option.position == 1


def test_changed_unanswered_item_is_updated_in_place(app, bank_copy):
    service.sync_shipped_bank(app.config["CONTENT_ROOT"])
    before = db.session.scalar(select(Question).where(Question.uid == "1.1-02"))
    option_ids = [o.id for o in before.options]
    _replace(bank_copy / "kuk-1-1.yml", "Survei kepuasan pelanggan", "Survei kepuasan pelanggan tahunan")
    summary = service.sync_shipped_bank(app.config["CONTENT_ROOT"])
    assert summary.updated == 1 and summary.new_versions == 0
    rows = db.session.scalars(select(Question).where(Question.uid == "1.1-02")).all()
    assert len(rows) == 1 and rows[0].id == before.id and rows[0].version == 1
    assert rows[0].options[0].text == "Survei kepuasan pelanggan tahunan"
    assert [o.id for o in rows[0].options] == option_ids


def test_changed_answered_item_gets_a_new_version_and_the_old_one_stays(app, bank_copy, answered):
    service.sync_shipped_bank(app.config["CONTENT_ROOT"])
    old = db.session.scalar(select(Question).where(Question.uid == "1.1-02"))
    old_id, old_key = old.id, old.key_option.text
    answered.add(old_id)
    _replace(bank_copy / "kuk-1-1.yml", 'key: "C"', 'key: "D"')
    summary = service.sync_shipped_bank(app.config["CONTENT_ROOT"])
    assert summary.new_versions == 1
    versions = service.versions_of("1.1-02")
    assert [(v.version, v.retired) for v in versions] == [(2, False), (1, True)]
    assert versions[0].key_option.text == "Analisis pelanggan yang hilang"
    kept = db.session.get(Question, old_id)
    assert kept.key_option.text == old_key == "Belanja siluman (ghost shopping)"   # old attempts still see it
    assert _count(Question, Question.retired.is_(False)) == 116
    # Running again changes nothing.
    assert service.sync_shipped_bank(app.config["CONTENT_ROOT"]).new_versions == 0
    assert len(service.versions_of("1.1-02")) == 2


def test_item_removed_from_files_is_retired_not_deleted(app, bank_copy):
    service.sync_shipped_bank(app.config["CONTENT_ROOT"])
    text = (bank_copy / "kuk-1-1.yml").read_text(encoding="utf-8")
    head, rest = text.split('  - id: "1.1-05"')
    (bank_copy / "kuk-1-1.yml").write_text(head + rest[rest.index('  - id: "1.1-06"'):], encoding="utf-8")
    summary = service.sync_shipped_bank(app.config["CONTENT_ROOT"])
    assert summary.retired == 1
    q = db.session.scalar(select(Question).where(Question.uid == "1.1-05"))
    assert q is not None and q.retired and len(q.options) == 4
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "bank.sync")) == 2


def test_broken_files_load_nothing(app, bank_copy):
    _replace(bank_copy / "kuk-1-1.yml", 'key: "B"', 'key: "X"')
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code != 0
    with pytest.raises(service.ItemInvalid) as exc:
        service.sync_shipped_bank(app.config["CONTENT_ROOT"])
    assert any("1.1-01" in p for p in exc.value.problems)
    assert _count() == 0


def test_a_teachers_edit_survives_the_next_sync(app, users):
    service.sync_shipped_bank(app.config["CONTENT_ROOT"])
    q = db.session.scalar(select(Question).where(Question.uid == "1.3-01"))
    item = service.item_of(q)
    item.explanation = "Pembahasan versi guru."
    service.update_question(q, item, users["teacher"])
    summary = service.sync_shipped_bank(app.config["CONTENT_ROOT"])
    assert summary.kept_edits == 1 and summary.updated == 0
    assert db.session.scalar(select(Question).where(Question.uid == "1.3-01")).explanation == "Pembahasan versi guru."
