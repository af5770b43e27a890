"""FR.AK.03 Umpan Balik dan Catatan Asesmen: the trainee's answers to the standard questions.

When: once the unit result is DECIDED (Kompeten or Belum Kompeten, courseware/results). A single
final LIK judgement is not enough: the questions ask about the whole assessment (test, both
practicals, the feedback given), which the trainee has only lived through once a result stands.
Before that the page explains why it is not open yet.

The questions come from content/forms/FR.AK.03.yaml (the school may edit them): each is answered
"ya" or "tidak", with an optional comment, plus an optional general note; then the trainee signs
(role "peserta"), which locks the form. Stored as an AssessmentForm (kind "FR.AK.03", per trainee),
content {"answers": {question id: {"answer": "ya"|"tidak", "comment": str}}, "comment": str}. The class's teacher, assessors and admins read the answers; the class summary counts
ya/tidak per question.
"""
from dataclasses import dataclass

from flask_babel import gettext as _

from ..classes.service import trainees_of
from ..errors import ServiceError
from ..results import status as results
from .forms_data import find_form, forms_of_kind

KIND = "FR.AK.03"
SUBJECT = None                  # one FR.AK.03 per trainee (the unit), like APL.02 and AK.01
ANSWERS = ("ya", "tidak")
MAX_COMMENT = 1000


@dataclass
class Question:
    id: str
    text: str


def _answers_field() -> dict:
    from .definitions import definition

    return next(f for f in definition(KIND)["fields"] if f["type"] == "yesno_list")


def _comment_field() -> dict | None:
    from .definitions import definition

    return next((f for f in definition(KIND)["fields"] if f["type"] == "textarea"), None)


def questions() -> list[Question]:
    """The questions of content/forms/FR.AK.03.yaml, in order."""
    return [Question(str(q["id"]), str(q["text"])) for q in _answers_field().get("questions") or []]


def is_open_for(trainee_id: int) -> bool:
    return results.unit_result(trainee_id).status != results.UnitStatus.DALAM_PROSES


def form_of(trainee_id: int):
    return find_form(KIND, trainee_id, SUBJECT)


def parse_answers(form_data) -> dict:
    """The content to store; every question must be answered ya or tidak."""
    field = _answers_field()
    limit = int(field.get("comment_max") or MAX_COMMENT)
    answers, missing = {}, []
    for q in questions():
        answer = (form_data.get(f"jawab-{q.id}") or "").strip().lower()
        comment = (form_data.get(f"komentar-{q.id}") or "").replace("\r", "").replace("\x00", "").strip()
        if answer not in ANSWERS:
            missing.append(q.text)
            continue
        if len(comment) > limit:
            raise ServiceError(_("Komentar terlalu panjang (maksimal %(n)d karakter).", n=limit), 413)
        answers[q.id] = {"answer": answer, "comment": comment}
    if missing:
        raise ServiceError(_("Jawab setiap pertanyaan dengan Ya atau Tidak. Belum dijawab: %(q)s",
                             q="; ".join(missing)))
    content = {field["id"]: answers}
    other = _comment_field()
    if other is not None:
        note = (form_data.get("catatan") or "").replace("\r", "").replace("\x00", "").strip()
        note_limit = int(other.get("max_length") or MAX_COMMENT)
        if len(note) > note_limit:
            raise ServiceError(_("Catatan terlalu panjang (maksimal %(n)d karakter).", n=note_limit), 413)
        content[other["id"]] = note
    return content


def answers_of(form) -> dict:
    return ((form.content or {}).get(_answers_field()["id"]) or {}) if form is not None else {}


def note_of(form) -> str:
    other = _comment_field()
    return ((form.content or {}).get(other["id"]) or "") if form is not None and other else ""


@dataclass
class SummaryRow:
    question: Question
    ya: int
    tidak: int
    comments: list


def class_summary(classroom) -> tuple[list[SummaryRow], int, int]:
    """(rows per question, number of signed answers, number of trainees) for one class."""
    trainees = trainees_of(classroom)
    forms = forms_of_kind(KIND, [t.id for t in trainees])
    signed = [answers_of(f) for f in forms.values() if f.locked_at is not None and f.subject_key is None]
    rows = []
    for q in questions():
        given = [a.get(q.id) or {} for a in signed]
        rows.append(SummaryRow(q, sum(1 for a in given if a.get("answer") == "ya"),
                               sum(1 for a in given if a.get("answer") == "tidak"),
                               [a["comment"] for a in given if a.get("comment")]))
    return rows, len(signed), len(trainees)
