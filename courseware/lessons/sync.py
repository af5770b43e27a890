"""`flask --app app init` hook: load the lesson files into the database, idempotently.

Stable ids are the keys: a second run updates rows in place and never duplicates them; a
lesson is re-rendered only when its hash (file + glossary terms + renderer version) changed;
a file that disappeared is retired, not deleted; trainees' progress is never touched.
"""
from sqlalchemy import inspect, select

from ..audit.service import record
from ..database import write_transaction
from ..extensions import db
from . import content
from .checks import check_meta
from .models import ContentDocument, Lesson

LESSON_FIELDS = ("title", "element", "kind", "kuk", "position", "minutes", "indicators", "self_check",
                 "body_html", "words", "source_hash")


def sync_content(root) -> dict:
    """Load lessons, glossary, references and plan from `root`; returns counts and skipped files."""
    result = {"new": 0, "updated": 0, "unchanged": 0, "retired": 0, "skipped": []}
    glossary = _safe(lambda: content.load_glossary(root), content.Glossary(), result)
    references = _safe(lambda: content.load_references(root), [], result)
    plan = _safe(lambda: content.load_plan(root), {"meetings": []}, result)

    with write_transaction() as session:
        existing = {l.id: l for l in session.scalars(select(Lesson))}
        seen = set()
        for path in content.lesson_paths(root):
            try:
                lesson_file = content.read_lesson(path)
            except content.ContentError as exc:
                result["skipped"].append(f"{path.name}: {exc}")
                continue
            problems = check_meta(lesson_file)
            if problems:
                result["skipped"].extend(problems)
                continue
            seen.add(lesson_file.id)
            row = existing.get(lesson_file.id)
            digest = content.lesson_hash(lesson_file, glossary)
            if row is not None and row.source_hash == digest and not row.retired:
                result["unchanged"] += 1
                continue
            rendered = _render(lesson_file, glossary, digest)
            if row is None:
                row = Lesson(id=lesson_file.id)
                session.add(row)
                result["new"] += 1
            else:
                result["updated"] += 1
            for name in LESSON_FIELDS:
                setattr(row, name, rendered[name])
            row.retired = False
        for lesson_id, row in existing.items():
            if lesson_id not in seen and not row.retired:
                row.retired = True
                result["retired"] += 1

        _store(session, "glossary", content.file_hash(content.RENDER_VERSION, repr(glossary.entries)),
               lambda: {"entries": content.render_glossary(glossary)})
        _store(session, "references", content.file_hash(content.RENDER_VERSION, repr(references)),
               lambda: {"entries": content.render_references(references)})
        _store(session, "plan", content.file_hash(repr(plan)), lambda: _plan_data(plan))
        if result["new"] or result["updated"] or result["retired"]:
            record("content.sync", target="lessons",
                   detail={k: v for k, v in result.items() if k != "skipped"})
    return result


# Rendered lessons by hash, so a process that syncs several times (tests, a reloader) renders a
# given file version once. Small and bounded; the database remains the cache requests read.
_RENDERED: dict[str, dict] = {}


def _render(lesson_file, glossary, digest: str) -> dict:
    rendered = _RENDERED.get(digest)
    if rendered is None:
        rendered = content.render_lesson(lesson_file, glossary)
        if len(_RENDERED) > 200:
            _RENDERED.clear()
        _RENDERED[digest] = rendered
    return dict(rendered)


def _safe(load, default, result):
    try:
        return load()
    except content.ContentError as exc:
        result["skipped"].append(str(exc))
        return default


def _store(session, key: str, digest: str, build) -> None:
    doc = session.get(ContentDocument, key)
    if doc is not None and doc.source_hash == digest:
        return
    if doc is None:
        doc = ContentDocument(key=key)
        session.add(doc)
    doc.data = build()
    doc.source_hash = digest


def _plan_data(plan: dict) -> dict:
    """Keep only the plan's structure; minutes of lesson activities are read from Lesson rows."""
    meetings = []
    for meeting in plan.get("meetings") or []:
        if not isinstance(meeting, dict):
            continue
        activities = []
        for act in meeting.get("activities") or []:
            if isinstance(act, dict):
                activities.append({"kind": str(act.get("kind", "")), "title": str(act.get("title", "")),
                                   "note": str(act.get("note", "") or ""),
                                   "lessons": [str(i) for i in act.get("lessons") or []],
                                   "minutes": act.get("minutes") if not act.get("lessons") else None})
        meetings.append({"title": str(meeting.get("title", "")), "jp": meeting.get("jp"), "activities": activities})
    return {"meetings": meetings}


def sync_summary(app) -> str:
    """The line `init` prints."""
    missing = [t for t in (Lesson.__tablename__, ContentDocument.__tablename__) if not inspect(db.engine).has_table(t)]
    if missing:
        # A database migrated to a revision older than this domain: say so instead of crashing init.
        return f"dilewati: tabel {', '.join(missing)} belum ada; jalankan migrasi (flask --app app db upgrade)"
    result = sync_content(app.config["CONTENT_ROOT"])
    line = (f"{result['new']} materi baru, {result['updated']} diperbarui, {result['unchanged']} tetap, "
            f"{result['retired']} ditarik")
    if result["skipped"]:
        line += "; dilewati: " + "; ".join(result["skipped"])
    return line
