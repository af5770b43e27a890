"""Content sync: idempotent, keyed by stable ids, re-renders only changed files, never touches progress."""
import shutil

from sqlalchemy import func, select

from courseware.cli import run_content_sync
from courseware.extensions import db
from courseware.lessons.models import ContentDocument, Lesson, LessonProgress
from courseware.lessons.service import set_done
from courseware.lessons.sync import sync_content


def _rows():
    return [(l.id, l.title, l.element, l.position, l.minutes, l.source_hash, l.retired)
            for l in db.session.scalars(select(Lesson).order_by(Lesson.id))]


def test_sync_twice_gives_the_same_rows(app):
    first = run_content_sync(app)
    assert any("14 materi baru" in line for line in first)
    rows = _rows()
    assert len(rows) == 14
    second = sync_content(app.config["CONTENT_ROOT"])
    assert second == {"new": 0, "updated": 0, "unchanged": 14, "retired": 0, "skipped": []}
    assert _rows() == rows
    assert db.session.scalar(select(func.count()).select_from(ContentDocument)) == 3


def test_sync_stores_rendered_html_and_metadata(app, lessons):
    lesson = db.session.get(Lesson, "e1-01-kebutuhan-pelanggan")
    assert lesson.kuk == ["1.1"] and lesson.minutes == 15 and lesson.element == 1 and lesson.kind == "materi"
    assert '<div class="table-scroll"><table>' in lesson.body_html
    assert 'class="glossary-link" href="kamus#istilah-riset-informal"' in lesson.body_html
    assert 'id="fn:kotler"' in lesson.body_html and 'class="admonition warning"' in lesson.body_html
    assert len(lesson.self_check) == 3 and lesson.self_check[0]["answer_html"]
    assert sum(l.minutes for l in db.session.scalars(select(Lesson))) == 137


def test_resync_rerenders_only_changed_files_and_keeps_progress(app, tmp_path, users):
    root = tmp_path / "copy"
    shutil.copytree("content", root / "content")
    sync_content(str(root))
    set_done(users["trainee"], "e1-02-perencanaan-mutu", True)
    set_done(users["trainee"], "e2-01-memantau-standar-pelayanan", True)
    untouched = db.session.get(Lesson, "e1-01-kebutuhan-pelanggan").updated_at

    path = root / "content" / "modules" / "e1-02-perencanaan-mutu.md"
    path.write_text(path.read_text(encoding="utf-8").replace('minutes: 12', 'minutes: 13', 1)
                    + "\nParagraf tambahan.\n", encoding="utf-8")
    (root / "content" / "modules" / "e2-01-memantau-standar-pelayanan.md").unlink()
    result = sync_content(str(root))
    assert result["updated"] == 1 and result["unchanged"] == 12 and result["retired"] == 1 and result["new"] == 0

    changed = db.session.get(Lesson, "e1-02-perencanaan-mutu")
    assert changed.minutes == 13 and "Paragraf tambahan." in changed.body_html
    assert db.session.get(Lesson, "e1-01-kebutuhan-pelanggan").updated_at == untouched
    assert db.session.get(Lesson, "e2-01-memantau-standar-pelayanan").retired is True
    # progress rows survive, including the one on the retired lesson
    assert db.session.scalar(select(func.count()).select_from(LessonProgress)) == 2
    assert db.session.scalar(select(func.count()).select_from(Lesson)) == 14

    # the file comes back: the same row is reactivated, not duplicated
    shutil.copy("content/modules/e2-01-memantau-standar-pelayanan.md", root / "content" / "modules")
    again = sync_content(str(root))
    assert again["updated"] == 1 and again["new"] == 0
    assert db.session.get(Lesson, "e2-01-memantau-standar-pelayanan").retired is False
    assert db.session.scalar(select(func.count()).select_from(Lesson)) == 14


def test_sync_skips_a_file_with_invalid_front_matter(app, tmp_path):
    root = tmp_path / "copy"
    shutil.copytree("content", root / "content")
    (root / "content" / "modules" / "e1-09-rusak.md").write_text("---\nid: [tidak\n---\nisi", encoding="utf-8")
    result = sync_content(str(root))
    assert result["new"] == 14
    assert any("e1-09-rusak.md" in s for s in result["skipped"])
    assert db.session.get(Lesson, "e1-09-rusak") is None


def test_glossary_change_rerenders_lessons(app, tmp_path):
    root = tmp_path / "copy"
    shutil.copytree("content", root / "content")
    sync_content(str(root))
    glossary = root / "content" / "glossary.yml"
    glossary.write_text(glossary.read_text(encoding="utf-8").replace('term: "riset informal"',
                                                                      'term: "riset tidak resmi"'), encoding="utf-8")
    result = sync_content(str(root))
    assert result["updated"] == 14
