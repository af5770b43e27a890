"""The class archive: a ZIP with every trainee's berkas PDF and the class's FR.AK.05 report, made
in the background on the shared huey queue (courseware/tasks.py; eager in the tests).

A job row (ArchiveJob) carries the progress (done / total trainees, then the report); the
progress page polls GET .../status.json. The ZIP is written to MEDIA_ROOT/arsip-berkas/ under a
temporary name and renamed when complete, so a half-written ZIP is never offered. One running
job per class: asking again while one runs returns that job (unless it is older than STALE, which
means its worker died).
"""
import os
import re
import zipfile
from datetime import timedelta
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from ..classes.service import trainees_of
from ..database import write_transaction
from ..extensions import db
from ..models_base import utcnow
from ..tasks import huey, in_app_context
from .appeal_models import ArchiveJob

FOLDER = "arsip-berkas"
STALE = timedelta(minutes=30)


def folder() -> Path:
    path = Path(current_app.config["MEDIA_ROOT"]) / FOLDER
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_of(job: ArchiveJob) -> Path | None:
    return folder() / job.storage_name if job.storage_name else None


def safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-")[:60] or "peserta"


def request_archive(classroom, actor) -> ArchiveJob:
    with write_transaction() as session:
        # A job a dead worker left behind stops blocking after STALE (a class of 36 takes minutes).
        running = session.scalar(select(ArchiveJob).where(ArchiveJob.classroom_id == classroom.id,
                                                          ArchiveJob.state.in_(("menunggu", "berjalan")),
                                                          ArchiveJob.created_at > utcnow() - STALE)
                                 .order_by(ArchiveJob.id.desc()).limit(1))
        if running is not None:
            return running
        job = ArchiveJob(classroom_id=classroom.id, requested_by_id=actor.id, state="menunggu",
                         total=len(trainees_of(classroom)))
        session.add(job)
        session.flush()
        from ..audit.service import record
        record("berkas.archive", actor=actor, target=f"class:{classroom.id}", detail={"job": job.id})
    build_archive(job.id)
    return db.session.get(ArchiveJob, job.id)


def _progress(job_id: int, **values) -> None:
    with write_transaction() as session:
        job = session.get(ArchiveJob, job_id)
        for key, value in values.items():
            setattr(job, key, value)


def run(job_id: int) -> None:
    from ..assessments import records
    from . import bundle

    job = db.session.get(ArchiveJob, job_id)
    if job is None or job.state not in ("menunggu", "berjalan"):
        return
    classroom = job.classroom
    trainees = trainees_of(classroom)
    _progress(job_id, state="berjalan", total=len(trainees), done=0)
    name = f"berkas-{safe_name(classroom.name)}-{safe_name(classroom.academic_year)}-{job_id}.zip"
    final = folder() / name
    partial = final.with_suffix(".part")
    static = current_app.static_folder
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for number, trainee in enumerate(trainees, start=1):
                body = bundle.berkas_pdf(trainee, static, staff_view=True)
                label = trainee.nis or str(trainee.id)
                archive.writestr(f"{number:02d}-{safe_name(label)}-{safe_name(trainee.full_name)}.pdf", body)
                _progress(job_id, done=number)
            archive.writestr(f"FR.AK.05-{safe_name(classroom.name)}.pdf", report_pdf(classroom, records))
        os.replace(partial, final)
    except Exception as error:   # recorded on the job for the progress page; the worker log has the trace
        partial.unlink(missing_ok=True)
        _progress(job_id, state="gagal", error=str(error)[:500], finished_at=utcnow())
        raise
    _progress(job_id, state="selesai", storage_name=name, finished_at=utcnow())


def report_pdf(classroom, records) -> bytes:
    """FR.AK.05 of the class as a PDF: one row per trainee, with appeals."""
    from fpdf import FontFace
    from fpdf.enums import XPos, YPos

    from .. import UNIT_CODE, UNIT_TITLE
    from ..assessments.pdf import FONT, HEADING
    from . import appeals
    from .bundle import new_pdf

    pdf = new_pdf(current_app.static_folder)
    pdf.footer_text = f"FR.AK.05 · {classroom.label}"
    pdf.add_page()
    pdf.set_font(FONT, "B", 9)
    pdf.cell(0, 5, "FR.AK.05", new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="R")
    pdf.set_font(FONT, "B", 13)
    pdf.multi_cell(0, 7, _("LAPORAN ASESMEN"), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=9)
    pdf.multi_cell(0, 5, f"{UNIT_CODE} · {UNIT_TITLE}\n{_('Kelas')}: {classroom.label}",
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    rows = records.class_report(classroom)
    by_trainee = appeals.appeals_by_trainee([t.id for t, _u, _a in rows])
    labels = appeals.state_labels()
    with pdf.table(col_widths=(8, 50, 14, 40, 68), headings_style=HEADING, line_height=4.6, padding=1.2) as table:
        row = table.row()
        for text in (_("No"), _("Nama asesi"), _("Rekomendasi"), _("Asesor"), _("Banding")):
            row.cell(text)
        for number, (trainee, unit, assessors) in enumerate(rows, start=1):
            row = table.row()
            row.cell(str(number))
            row.cell(trainee.full_name)
            row.cell(unit.recommendation, style=FontFace(emphasis="BOLD"))
            row.cell(", ".join(assessors) or "-")
            row.cell("\n".join(appeal_line(a, labels) for a in by_trainee.get(trainee.id, [])) or "-")
    return bytes(pdf.output())


def appeal_line(appeal, labels) -> str:
    from ..formats import local_date

    code = appeal.judgement.version.submission.practical.code
    text = _("%(c)s: banding %(d)s, %(s)s", c=code, d=local_date(appeal.created_at), s=labels.get(appeal.state))
    if appeal.decided_at:
        text += " " + _("(%(d)s)", d=local_date(appeal.decided_at))
    return text


@huey.task()
@in_app_context
def build_archive(job_id: int):
    run(job_id)
