"""FR.AK.03 Umpan Balik dan Catatan Asesmen: the trainee's answers to the standard questions.

When: once the unit result is DECIDED (Kompeten or Belum Kompeten, courseware/results). A single
final LIK judgement is not enough: the questions ask about the whole assessment (test, both
practicals, the feedback given), which the trainee has only lived through once a result stands.
Before that the page explains why it is not open yet.

The questions come from content/forms/FR.AK.03.yaml (the school may edit them): each is answered
"ya" or "tidak", with an optional comment, plus an optional general note; then the trainee signs
(role "peserta"), which locks the form. Stored as an AssessmentForm (kind "FR.AK.03", subject_key
SUBJECT). The class's teacher, assessors and admins read the answers; the class summary counts
ya/tidak per question.
"""
from dataclasses import dataclass

from flask_babel import gettext as _

from .. import UNIT_CODE
from ..classes.service import trainees_of
from ..errors import ServiceError
from ..results import status as results
from .forms_data import find_form, forms_of_kind

KIND = "FR.AK.03"
SUBJECT = f"unit:{UNIT_CODE}"
ANSWERS = ("ya", "tidak")
MAX_COMMENT = 1000


@dataclass
class Question:
    id: str
    text: str


def questions() -> list[Question]:
    """The questions of the FR.AK.03 data file, in order."""
    from .definitions import definition

    found = definition(KIND)
    raw = getattr(found, "questions", None)
    if raw is None and isinstance(found, dict):
        raw = found.get("questions") or found.get("pertanyaan")
    if raw is None:
        fields = getattr(found, "fields", None) or (found.get("fields") if isinstance(found, dict) else None) or []
        raw = [f for f in fields if (f.get("type") if isinstance(f, dict) else getattr(f, "type", None))
               in ("yesno", "ya_tidak", "ya-tidak")]
    out = []
    for index, q in enumerate(raw or [], start=1):
        if isinstance(q, dict):
            out.append(Question(str(q.get("id") or index), str(q.get("text") or q.get("label") or q.get("teks"))))
        elif isinstance(q, str):
            out.append(Question(str(index), q))
        else:
            out.append(Question(str(getattr(q, "id", index)), str(getattr(q, "text", None) or getattr(q, "label"))))
    return out


def is_open_for(trainee_id: int) -> bool:
    return results.unit_result(trainee_id).status != results.UnitStatus.DALAM_PROSES


def form_of(trainee_id: int):
    return find_form(KIND, trainee_id, SUBJECT)


def parse_answers(form_data) -> dict:
    """{"jawaban": {qid: {"jawab": ya|tidak, "komentar": str}}, "catatan": str}; every question answered."""
    answers, missing = {}, []
    for q in questions():
        answer = (form_data.get(f"jawab-{q.id}") or "").strip().lower()
        comment = (form_data.get(f"komentar-{q.id}") or "").replace("\r", "").replace("\x00", "").strip()
        if answer not in ANSWERS:
            missing.append(q.text)
            continue
        if len(comment) > MAX_COMMENT:
            raise ServiceError(_("Komentar terlalu panjang (maksimal %(n)d karakter).", n=MAX_COMMENT), 413)
        answers[q.id] = {"jawab": answer, "komentar": comment}
    if missing:
        raise ServiceError(_("Jawab setiap pertanyaan dengan Ya atau Tidak. Belum dijawab: %(q)s",
                             q="; ".join(missing)))
    note = (form_data.get("catatan") or "").replace("\r", "").replace("\x00", "").strip()
    if len(note) > MAX_COMMENT * 3:
        raise ServiceError(_("Catatan terlalu panjang (maksimal %(n)d karakter).", n=MAX_COMMENT * 3), 413)
    return {"jawaban": answers, "catatan": note}


@dataclass
class SummaryRow:
    question: Question
    ya: int
    tidak: int
    comments: list


def class_summary(classroom) -> tuple[list[SummaryRow], int, int]:
    """(rows per question, number of signed answers, number of trainees) for one class."""
    trainees = trainees_of(classroom)
    forms = forms_of_kind(KIND, [t.id for t in trainees], SUBJECT)
    signed = [f for f in forms.values() if f.locked_at is not None]
    rows = []
    for q in questions():
        ya = sum(1 for f in signed if ((f.content or {}).get("jawaban") or {}).get(q.id, {}).get("jawab") == "ya")
        tidak = sum(1 for f in signed
                    if ((f.content or {}).get("jawaban") or {}).get(q.id, {}).get("jawab") == "tidak")
        comments = [c for f in signed
                    if (c := ((f.content or {}).get("jawaban") or {}).get(q.id, {}).get("komentar"))]
        rows.append(SummaryRow(q, ya, tidak, comments))
    return rows, len(signed), len(trainees)
