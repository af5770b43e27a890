"""The data behind the assessment records: FR.IA.01 (observation), FR.AK.02 (the trainee's
record), FR.AK.05 (the class report) and the class recap. Every result shown here is read from
courseware/results, the one place the unit-result rule is written."""
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from .. import UNIT_CODE, UNIT_TITLE
from ..accounts.models import User
from ..classes.models import Classroom, Enrollment
from ..classes.service import trainees_of
from ..extensions import db
from ..formats import to_local
from ..practicals.models import Practical, SubmissionVersion
from ..results import status as results
from .models import Judgement, Recommendation

LIK_CODES = results.LIK_CODES


@dataclass
class LikRecord:
    code: str
    practical: Practical | None
    result: str
    version: SubmissionVersion | None = None
    judgement: Judgement | None = None
    rows: list = field(default_factory=list)        # (point, mark or None)

    @property
    def k_count(self) -> int:
        return sum(1 for _p, m in self.rows if m is not None and m.result == Recommendation.K)


@dataclass
class AssessmentRecord:
    trainee: User
    unit_code: str
    unit_title: str
    unit: results.UnitResult
    test: results.TestResult
    test_date: datetime | None
    liks: list
    elements: list                  # dicts: number, title, evidence [str], result K | BK | None
    assessors: list
    tuk: str
    dates: list
    feedback: list                  # (code, text)
    classes: list
    appeals: list = field(default_factory=list)     # FR.AK.04 appeals (courseware/berkas/appeals.py)


def practical_by_code(code: str) -> Practical | None:
    return db.session.scalar(select(Practical).where(Practical.code == code))


def observation_rows(judgement: Judgement) -> list:
    practical = judgement.version.submission.practical
    marks = {m.point_id: m for m in judgement.marks}
    points = [p for p in practical.points if not p.retired or p.id in marks]
    return [(p, marks.get(p.id)) for p in points]


format_score = results.format_score


def settled_unit_results(trainee_ids: list[int]) -> dict[int, results.UnitResult]:
    """Unit results; an attempt whose time ran out already reads as submitted, so nothing is written."""
    return results.unit_results(trainee_ids)


def _element_result(test: results.TestResult, lik: results.LikResult) -> str | None:
    """K, BK, or None while the element is not decided (neither box is ticked on FR.AK.02)."""
    if lik.status == results.LikStatus.BK or test.status == results.TestStatus.TIDAK_LULUS:
        return Recommendation.BK
    if lik.status == results.LikStatus.K and test.status == results.TestStatus.LULUS:
        return Recommendation.K
    return None


def assessment_record(trainee: User) -> AssessmentRecord:
    unit = settled_unit_results([trainee.id])[trainee.id]
    test = unit.test
    test_text = _("Tes tertulis: %(st)s, nilai %(s)s (KKTP %(p)s)", st=results.test_labels()[test.status],
                  s=format_score(test.score), p=format_score(test.pass_mark))
    liks, elements = [], []
    for code in LIK_CODES:
        effective = unit.liks[code]
        practical = practical_by_code(code)
        lik = LikRecord(code, practical, effective.status, effective.version, effective.judgement)
        if effective.judgement is not None:
            lik.rows = observation_rows(effective.judgement)
            lik_text = _("%(c)s (ceklis observasi): %(k)d dari %(n)d butir K, rekomendasi %(r)s",
                         c=code, k=lik.k_count, n=len(lik.rows), r=effective.judgement.recommendation)
        else:
            lik_text = _("%(c)s (ceklis observasi): %(r)s", c=code, r=results.lik_labels()[effective.status])
        liks.append(lik)
        elements.append({"number": practical.element if practical else LIK_CODES.index(code) + 1,
                         "title": practical.element_title if practical else "",
                         "evidence": [test_text, lik_text], "result": _element_result(test, effective)})
    judgements = [lik.judgement for lik in liks if lik.judgement is not None]
    dates = {to_local(j.finalised_at).date() for j in judgements if j.finalised_at}
    if test.submitted_at:
        dates.add(to_local(test.submitted_at).date())
    classes = list(db.session.scalars(select(Classroom).join(Enrollment).where(Enrollment.user_id == trainee.id)))
    return AssessmentRecord(
        trainee, UNIT_CODE, UNIT_TITLE, unit, test, test.submitted_at, liks, elements,
        assessors=sorted({j.assessor.full_name for j in judgements}),
        tuk="; ".join(sorted({j.tuk for j in judgements if j.tuk})), dates=sorted(dates),
        feedback=[(lik.code, lik.judgement.feedback) for lik in liks if lik.judgement and lik.judgement.feedback],
        classes=classes, appeals=_appeals_of([trainee.id]).get(trainee.id, []))


def _appeals_of(trainee_ids: list[int]) -> dict[int, list]:
    from ..berkas.appeals import appeals_by_trainee

    return appeals_by_trainee(trainee_ids)


def class_appeals(classroom: Classroom) -> dict[int, list]:
    """FR.AK.05: trainee id -> their appeals (with decision and dates), for the class report."""
    return _appeals_of([t.id for t in trainees_of(classroom)])


def class_recap(classroom: Classroom) -> list[tuple[User, results.UnitResult]]:
    trainees = trainees_of(classroom)
    by_id = settled_unit_results([t.id for t in trainees])
    return [(trainee, by_id[trainee.id]) for trainee in trainees]


def class_report(classroom: Classroom) -> list[tuple[User, results.UnitResult, list]]:
    """FR.AK.05 rows: trainee, unit result, and the assessors of their effective judgements."""
    return [(trainee, unit, sorted({lik.judgement.assessor.full_name for lik in unit.liks.values()
                                    if lik.judgement is not None}))
            for trainee, unit in class_recap(classroom)]


def recap_table(classroom: Classroom) -> tuple[list[str], list[list]]:
    """Header and rows of the class recap, as exported to CSV and XLSX."""
    header = [_("No"), _("NIS"), _("Nama"), _("Tes tertulis"), _("Nilai tes"), "LIK_1", "LIK_2",
              _("Hasil unit"), _("Yang masih kurang")]
    liks, tests = results.lik_labels(), results.test_labels()
    rows = []
    for number, (trainee, unit) in enumerate(class_recap(classroom), start=1):
        score = unit.test.score
        rows.append([number, trainee.nis or "", trainee.full_name, tests[unit.test.status],
                     "" if score is None else round(float(score), 1),
                     liks[unit.lik1], liks[unit.lik2], unit.label, "; ".join(unit.missing)])
    return header, rows
