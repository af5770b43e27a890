"""The whole berkas asesmen of one trainee as ONE PDF (fpdf2), in the order an LSP files it:

cover (institution data from content/forms/institution.yaml, trainee, class, unit), FR.APL.02,
FR.AK.01, FR.IA.01 for LIK_1 and LIK_2 (with the time-stamped comments of the judgements), FR.IA.05,
FR.AK.02, FR.AK.03, and FR.AK.04 when the trainee appealed. Every page says "Halaman X dari Y";
every signed form prints who signed, when, and its fingerprint (checkable at /berkas/periksa).

Forms kept as data (APL.02, AK.01, AK.03, AK.04, the IA.05 feedback) are drawn generically from
`definitions.display_rows(form)`. The font is the vendored DejaVu Sans, as in assessments/pdf.py.
Keys of the written test follow the viewer: `staff_view=False` (the trainee's own download) shows
only what the quizzes' review gate allows.
"""
import io
from dataclasses import dataclass

from flask_babel import gettext as _
from fpdf import FPDF, FontFace
from fpdf.enums import XPos, YPos

from .. import UNIT_CODE, UNIT_TITLE
from ..accounts.models import User
from ..assessments import records
from ..assessments.pdf import FONT, HEADING, _heading, _para, _plain, draw_record, observation_table
from ..assessments.pdf import new_pdf as record_pdf_setup
from ..formats import local_date, local_datetime
from ..results import status as results
from . import appeals, ia05

SECTION_ORDER = ("FR.APL.02", "FR.AK.01", "FR.IA.01", "FR.IA.05", "FR.AK.02", "FR.AK.03", "FR.AK.04")


class BerkasPDF(FPDF):
    footer_text = ""

    def footer(self):
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(110)
        self.cell(0, 6, f"{self.footer_text} · " + _("Halaman %(x)s dari %(y)s", x=self.page_no(), y="{nb}"),
                  align="C")
        self.set_text_color(0)


def new_pdf(static_folder: str) -> BerkasPDF:
    return record_pdf_setup(static_folder, BerkasPDF)


@dataclass
class Section:
    kind: str
    title: str


def _kv_table(pdf: FPDF, rows, widths=(60, 120)) -> None:
    pdf.set_font(FONT, size=9)
    with pdf.table(col_widths=widths, first_row_as_headings=False, text_align="LEFT", line_height=5.2,
                   padding=1.4) as table:
        for key, value in rows:
            row = table.row()
            row.cell(str(key), style=FontFace(emphasis="BOLD"))
            row.cell(_plain(str(value)) if value not in (None, "") else "-")


def _section_title(pdf: FPDF, kind: str, title: str) -> None:
    pdf.add_page()
    pdf.set_font(FONT, "B", 9)
    pdf.cell(0, 5, kind, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="R")
    pdf.set_font(FONT, "B", 13)
    pdf.multi_cell(0, 7, f"{kind} · {title}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)


def _signatures(pdf: FPDF, form) -> None:
    """Who signed, when, the drawn signature, and the fingerprint of a locked form."""
    signatures = list(getattr(form, "signatures", None) or [])
    if not signatures:
        _para(pdf, _("Belum ditandatangani."), size=8)
        return
    pdf.ln(2)
    for signature in signatures:
        if pdf.get_y() > pdf.h - 45:
            pdf.add_page()
        pdf.set_font(FONT, "B", 9)
        pdf.multi_cell(0, 5, _("Tanda tangan %(r)s: %(n)s, %(d)s", r=signature.role, n=signature.typed_name,
                               d=local_datetime(signature.signed_at)), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if signature.drawing:
            try:
                pdf.image(io.BytesIO(signature.drawing), h=16)
            except Exception:   # a drawing that fpdf cannot read stays out; the typed name is the record
                _para(pdf, _("(gambar tanda tangan tidak dapat ditampilkan)"), size=8)
    code = form.fingerprint if form.is_locked else None
    if code:
        pdf.set_font(FONT, size=7.5)
        pdf.multi_cell(0, 4, _("Sidik formulir (SHA-256), periksa di /berkas/periksa: %(c)s", c=code),
                       new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _generic_form(pdf: FPDF, kind: str, form, title: str) -> None:
    from .definitions import display_rows

    _section_title(pdf, kind, title)
    if form is None:
        _para(pdf, _("Formulir ini belum diisi."))
        return
    rows = display_rows(form)
    long_labels = sum(len(str(label)) for label, _v in rows) > 60 * max(len(rows), 1)
    _kv_table(pdf, rows, (115, 65) if long_labels else (60, 120))
    _signatures(pdf, form)


def _ia05(pdf: FPDF, trainee: User, staff_view: bool, title: str) -> None:
    from .forms_data import find_form

    _section_title(pdf, "FR.IA.05", title)
    attempt = ia05.counted_attempt(trainee.id)
    if attempt is None:
        _para(pdf, _("Belum ada percobaan tes tertulis yang dihitung."))
        return
    sheet = ia05.answer_sheet(attempt, staff_view=staff_view)
    _kv_table(pdf, [(_("Percobaan"), _("ke-%(n)d, dikumpulkan %(d)s", n=attempt.number,
                                        d=local_datetime(attempt.submitted_at))),
                    (_("Nilai"), results.format_score(sheet.score)),
                    (_("KKTP"), sheet.pass_mark),
                    (_("Hasil"), _("Lulus") if sheet.passed else _("Belum lulus"))])
    pdf.ln(2)
    with pdf.table(col_widths=(9, 93, 14, 22, 18, 24), headings_style=HEADING, line_height=4.4, padding=1,
                   text_align=("CENTER", "LEFT", "CENTER", "CENTER", "CENTER", "CENTER")) as table:
        row = table.row()
        for text in (_("No"), _("Soal dan pilihan"), "KUK", _("Jawaban"), _("Kunci"), _("Tercapai")):
            row.cell(text)
        for item in sheet.items:
            row = table.row()
            row.cell(str(item.number))
            row.cell(_plain(item.stem) + "\n" + "\n".join(f"{letter}. {_plain(text)}"
                                                         for letter, text, _c, _k in item.options))
            row.cell(item.kuk)
            row.cell(item.chosen or "-")
            row.cell(item.key or "-")
            row.cell("-" if item.achieved is None else (_("ya") if item.achieved else _("tidak")))
    if not sheet.keys_shown:
        _para(pdf, _("Kunci belum boleh ditampilkan kepada peserta (aturan pembahasan jendela tes)."), size=8)
    form = find_form(ia05.KIND, trainee.id, ia05.subject_key(attempt))
    _heading(pdf, _("Umpan balik asesor"), size=10)
    if form is None:
        _para(pdf, "-")
    else:
        _para(pdf, _plain((form.content or {}).get("feedback", "")))
        _signatures(pdf, form)


def _ia01(pdf: FPDF, rec, title: str) -> None:
    labels = results.lik_labels()
    for lik in rec.liks:
        _section_title(pdf, "FR.IA.01", f"{title} · {lik.code}")
        observation_table(pdf, lik, labels)


def _ak04(pdf: FPDF, trainee: User, title: str) -> None:
    from .forms_data import find_form

    items = appeals.appeals_of(trainee.id)
    if not items:
        return
    labels = appeals.state_labels()
    _section_title(pdf, "FR.AK.04", title)
    for appeal in items:
        judgement = appeal.judgement
        rows = [(_("Penilaian yang dibanding"), _("%(c)s versi %(v)d, rekomendasi %(r)s, oleh %(a)s (%(d)s)",
                                                   c=judgement.version.submission.practical.code,
                                                   v=judgement.version.number, r=judgement.recommendation,
                                                   a=judgement.assessor.full_name,
                                                   d=local_date(judgement.finalised_at))),
                (_("Diajukan"), local_datetime(appeal.created_at)),
                (_("Alasan banding"), appeal.reasons),
                (_("Status"), labels.get(appeal.state, appeal.state))]
        if appeal.decided_at:
            rows += [(_("Diputuskan oleh"), appeal.decided_by.full_name if appeal.decided_by else "-"),
                     (_("Tanggal keputusan"), local_datetime(appeal.decided_at)),
                     (_("Catatan keputusan"), appeal.decision_note)]
        if appeal.new_judgement is not None:
            rows.append((_("Hasil asesmen ulang"), appeal.new_judgement.recommendation))
        _kv_table(pdf, rows)
        form = find_form(appeals.KIND, trainee.id, appeals.subject_key(appeal.judgement_id))
        if form is not None:
            _signatures(pdf, form)
        pdf.ln(3)


def _cover(pdf: FPDF, trainee: User, rec, sections: list[Section]) -> None:
    from .definitions import institution

    inst = institution() or {}
    pdf.add_page()
    pdf.set_font(FONT, "B", 15)
    pdf.multi_cell(0, 8, _("BERKAS ASESMEN KOMPETENSI"), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=10)
    if inst.get("lsp_name"):
        pdf.multi_cell(0, 6, str(inst["lsp_name"]), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    rows = [(label, inst[key]) for key, label in (
        ("scheme_name", _("Skema sertifikasi")), ("scheme_number", _("Nomor skema")))
        if isinstance(inst.get(key), (str, int))]
    rows += [(_("Nama asesi"), trainee.full_name + (f" · NIS {trainee.nis}" if trainee.nis else "")),
             (_("Kelas"), ", ".join(c.label for c in rec.classes) or "-"),
             (_("Unit kompetensi"), f"{UNIT_CODE} · {UNIT_TITLE}"),
             (_("Asesor"), ", ".join(rec.assessors) or "-"),
             (_("Hasil unit"), rec.unit.label)]
    _kv_table(pdf, rows)
    _heading(pdf, _("Isi berkas"), size=11)
    for section in sections:
        _para(pdf, f"• {section.kind} · {section.title}")


def _title(kind: str, fallback: str) -> str:
    from .definitions import definition

    try:
        return definition(kind).get("title") or fallback
    except KeyError:    # a kind without a data file keeps its built-in title
        return fallback


def berkas_pdf(trainee: User, static_folder: str, staff_view: bool = True) -> bytes:
    from .forms_data import find_form

    rec = records.assessment_record(trainee)
    has_appeal = bool(appeals.appeals_of(trainee.id))
    sections = [Section("FR.APL.02", _title("FR.APL.02", _("Asesmen Mandiri"))),
                Section("FR.AK.01", _title("FR.AK.01", _("Persetujuan Asesmen dan Kerahasiaan"))),
                Section("FR.IA.01", _("Ceklis Observasi Aktivitas di Tempat Kerja atau Tempat Kerja Simulasi")),
                Section("FR.IA.05", _title("FR.IA.05", _("Pertanyaan Tertulis Pilihan Ganda"))),
                Section("FR.AK.02", _("Rekaman Asesmen Kompetensi")),
                Section("FR.AK.03", _title("FR.AK.03", _("Umpan Balik dan Catatan Asesmen")))]
    if has_appeal:
        sections.append(Section("FR.AK.04", _title("FR.AK.04", _("Banding Asesmen"))))
    pdf = new_pdf(static_folder)
    pdf.footer_text = f"{trainee.full_name} · {UNIT_CODE}"
    pdf.set_title(_("Berkas asesmen %(n)s", n=trainee.full_name))
    pdf.set_author(", ".join(rec.assessors) or "-")
    _cover(pdf, trainee, rec, sections)
    titles = {s.kind: s.title for s in sections}
    _generic_form(pdf, "FR.APL.02", find_form("FR.APL.02", trainee.id, None), titles["FR.APL.02"])
    _generic_form(pdf, "FR.AK.01", find_form("FR.AK.01", trainee.id, None), titles["FR.AK.01"])
    _ia01(pdf, rec, titles["FR.IA.01"])
    _ia05(pdf, trainee, staff_view, titles["FR.IA.05"])
    _section_title(pdf, "FR.AK.02", titles["FR.AK.02"])
    draw_record(pdf, rec, with_title=False, with_observations=False)
    from . import feedback
    _generic_form(pdf, "FR.AK.03", find_form("FR.AK.03", trainee.id, feedback.SUBJECT), titles["FR.AK.03"])
    if has_appeal:
        _ak04(pdf, trainee, titles["FR.AK.04"])
    return bytes(pdf.output())
