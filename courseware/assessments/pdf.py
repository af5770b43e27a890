"""The assessment record (FR.AK.02, with the FR.IA.01 checklist results) as a PDF, with fpdf2.

fpdf2 is pure Python, so Windows lab PCs need no system libraries. The Unicode font is vendored
in static/fonts (DejaVu Sans, Bitstream Vera licence) so Indonesian text and symbols render the
same everywhere. User-written text is drawn as plain text (no markup is interpreted).
"""
from pathlib import Path

from flask_babel import gettext as _

from ..formats import local_date
from fpdf import FPDF, FontFace
from fpdf.enums import XPos, YPos

FONT = "DejaVu"
HEADING = FontFace(emphasis="BOLD", fill_color=(230, 236, 242))


class _RecordPDF(FPDF):
    footer_text = ""

    def footer(self):
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(110)
        self.cell(0, 6, f"{self.footer_text} · {_('halaman')} {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0)


def new_pdf(static_folder: str, pdf_class: type[FPDF] = _RecordPDF) -> FPDF:
    """An A4 page setup with the vendored DejaVu fonts (every record PDF of the site uses it)."""
    fonts = Path(static_folder) / "fonts"
    pdf = pdf_class(orientation="P", unit="mm", format="A4")
    pdf.add_font(FONT, "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=18)
    return pdf


def _heading(pdf: FPDF, text: str, size: int = 12) -> None:
    pdf.ln(2)
    pdf.set_font(FONT, "B", size)
    pdf.multi_cell(0, 6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=9)
    pdf.ln(1)


def _para(pdf: FPDF, text: str, size: int = 9) -> None:
    pdf.set_font(FONT, size=size)
    pdf.multi_cell(0, 5, text or "-", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _plain(text) -> str:
    return (text or "").replace("\r", "").strip()


def _label(result, labels) -> str:
    return labels.get(result, result or "-")


def record_pdf(rec, static_folder: str) -> bytes:
    pdf = new_pdf(static_folder)
    pdf.footer_text = f"FR.AK.02 · {rec.unit_code} · {rec.trainee.full_name}"
    pdf.set_title(f"FR.AK.02 {rec.trainee.full_name} {rec.unit_code}")
    pdf.set_author(", ".join(rec.assessors) or "-")
    pdf.add_page()
    draw_record(pdf, rec)
    return bytes(pdf.output())


def draw_record(pdf: FPDF, rec, with_title: bool = True, with_observations: bool = True) -> None:
    """FR.AK.02 onto the current page of `pdf` (the berkas PDF draws it as one of its sections,
    without the FR.IA.01 tables it prints in their own section)."""
    from .lookups import result_labels

    labels = result_labels()
    if with_title:
        pdf.set_font(FONT, "B", 9)
        pdf.cell(0, 5, "FR.AK.02", new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="R")
        pdf.set_font(FONT, "B", 14)
        pdf.multi_cell(0, 7, _("REKAMAN ASESMEN KOMPETENSI"), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(3)

    pdf.set_font(FONT, size=9)
    meta = [
        (_("Nama asesi"), rec.trainee.full_name + (f" · NIS {rec.trainee.nis}" if rec.trainee.nis else "")),
        (_("Kelas"), ", ".join(c.label for c in rec.classes) or "-"),
        (_("Nama asesor"), ", ".join(rec.assessors) or "-"),
        (_("Tempat uji kompetensi (TUK)"), rec.tuk or "-"),
        (_("Tanggal asesmen"), ", ".join(local_date(d) for d in rec.dates) or "-"),
        (_("Kode unit"), rec.unit_code),
        (_("Judul unit"), rec.unit_title),
    ]
    with pdf.table(col_widths=(55, 125), first_row_as_headings=False, text_align="LEFT",
                   line_height=5.5, padding=1.5) as table:
        for key, value in meta:
            row = table.row()
            row.cell(key, style=FontFace(emphasis="BOLD"))
            row.cell(value)

    _heading(pdf, _("Bukti yang digunakan dan keputusan per elemen"))
    with pdf.table(col_widths=(55, 101, 12, 12), headings_style=HEADING, text_align=("LEFT", "LEFT", "CENTER", "CENTER"),
                   line_height=5, padding=1.5) as table:
        row = table.row()
        for text in (_("Elemen"), _("Bukti"), "K", "BK"):
            row.cell(text)
        for element in rec.elements:
            row = table.row()
            row.cell(f"{element['number']}. {element['title']}")
            row.cell("\n".join("• " + line for line in element["evidence"]))
            row.cell("✓" if element["result"] == "K" else "")
            row.cell("✓" if element["result"] == "BK" else "")

    if with_observations:
        _heading(pdf, _("Hasil ceklis observasi (FR.IA.01)"))
        for lik in rec.liks:
            observation_table(pdf, lik, labels)

    _heading(pdf, _("Rekomendasi hasil asesmen"))
    pdf.set_font(FONT, "B", 11)
    pdf.multi_cell(0, 6, rec.unit.label, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    _heading(pdf, _("Tindak lanjut"), size=10)
    _para(pdf, "\n".join("• " + m for m in rec.unit.missing) or _("Tidak ada; semua bukti memadai."))
    _heading(pdf, _("Umpan balik untuk asesi"), size=10)
    if rec.feedback:
        for code, text in rec.feedback:
            pdf.set_font(FONT, "B", 9)
            pdf.multi_cell(0, 5, code, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            _para(pdf, _plain(text))
    else:
        _para(pdf, "-")

    if pdf.get_y() > pdf.h - 60:
        pdf.add_page()
    pdf.ln(8)
    pdf.set_font(FONT, size=9)
    y = pdf.get_y()
    for x, role, name in ((15, _("Asesi"), rec.trainee.full_name),
                          (110, _("Asesor"), ", ".join(rec.assessors) or "")):
        pdf.set_xy(x, y)
        pdf.cell(85, 5, role)
        pdf.line(x, y + 25, x + 80, y + 25)
        pdf.set_xy(x, y + 26)
        pdf.cell(85, 5, name)
        pdf.set_xy(x, y + 31)
        pdf.cell(85, 5, _("Tanggal:") + " ____________")


def observation_table(pdf: FPDF, lik, labels) -> None:
    """One LIK's FR.IA.01 results (points, K/BK, comments with their video times) onto `pdf`."""
    title = lik.code
    if lik.practical is not None:
        title += f" · {_('Elemen')} {lik.practical.element}: {lik.practical.element_title}"
    _heading(pdf, f"{title} — {_label(lik.result, labels)}", size=10)
    if lik.judgement is None:
        _para(pdf, _label(lik.result, labels))
        return
    _para(pdf, _("Versi %(n)d · asesor %(a)s · final %(d)s · TUK %(t)s",
                 n=lik.version.number, a=lik.judgement.assessor.full_name,
                 d=local_date(lik.judgement.finalised_at), t=lik.judgement.tuk or "-"), size=8)
    if lik.judgement.supersedes_id:
        _para(pdf, _("Koreksi atas penilaian sebelumnya. Alasan: %(r)s", r=_plain(lik.judgement.correction_reason)),
              size=8)
    pdf.ln(1)
    with pdf.table(col_widths=(16, 12, 62, 14, 76), headings_style=HEADING,
                   text_align=("LEFT", "LEFT", "LEFT", "CENTER", "LEFT"), line_height=4.6, padding=1.2) as table:
        row = table.row()
        for text in (_("Butir"), "KUK", _("Yang dicek"), _("Hasil"), _("Penilaian lanjut / komentar")):
            row.cell(text)
        for point, mark in lik.rows:
            row = table.row()
            row.cell(point.uid + (f"\n({_('kritis')})" if point.critical else ""))
            row.cell(point.kuk)
            row.cell(f"{point.check}\n{point.benchmark}")
            row.cell((mark.result if mark and mark.result else "-"), style=FontFace(emphasis="BOLD"))
            comment = _plain(mark.comment) if mark else ""
            times = [c.seconds for c in lik.judgement.comments if c.point_id == point.id]
            if times:
                from .form_input import format_seconds
                comment = (comment + "\n" if comment else "") + f"{_('menit')} " + ", ".join(map(format_seconds, times))
            row.cell(comment or "-")
    pdf.set_font(FONT, "B", 9)
    pdf.multi_cell(0, 6, _("Rekomendasi %(c)s: %(r)s", c=lik.code, r=_label(lik.judgement.recommendation, labels)),
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT)
