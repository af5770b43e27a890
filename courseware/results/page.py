"""One trainee's standing, read once for a page that shows it in several panels (the trainee's
dashboard: the written-test, unit-result and berkas panels). The rules stay in status.py and in
quizzes; this reads their inputs once and shares the readings other panels of the page make too:

- the written test with its class windows (one statement) and the trainee's attempts (one);
- the trainee's classes (classes.service.enrolled_classes_for_page, also the class list panel's);
- the trainee's practical versions (practicals.service.versions_of_trainee_for_page, also the
  practicals panel's and the partner requests') and the current finals of their evidence (one).

Write paths never use it: they call status.unit_results() and read afresh.
"""
from dataclasses import dataclass
from datetime import datetime

from ..classes.service import enrolled_classes_for_page
from ..models_base import utcnow
from ..navigation import once_per_request
from ..practicals.service import versions_of_trainee_for_page
from ..quizzes import windows
from ..quizzes.models import Quiz
from . import status
from .status import Sitting, TestResult, TestStatus, UnitResult


@dataclass(frozen=True)
class TraineeReading:
    trainee_id: int
    quiz: Quiz | None                 # the written test
    sittings: list[Sitting]           # the trainee's attempts at it, oldest first
    windows: dict                     # class id -> the written test's window
    class_ids: list[int]              # every class the trainee is enrolled in
    unit: UnitResult                  # statuses only: the judgements' marks stay unread
    now: datetime


def unit_result_for_page(trainee_id: int) -> UnitResult:
    return reading_for_page(trainee_id).unit


@once_per_request
def reading_for_page(trainee_id: int) -> TraineeReading:
    now = utcnow()
    quiz, by_class = windows.quiz_with_windows(status.WRITTEN_TEST_CODE)
    if quiz is None:
        quiz = status.written_test_quiz()
        by_class = windows.windows_by_class(quiz) if quiz is not None else {}
    class_ids = [c.id for c in enrolled_classes_for_page(trainee_id)]
    if quiz is None:
        sittings, test = [], TestResult(TestStatus.BELUM_IKUT)
    else:
        sittings = status.sittings_of([trainee_id], quiz, now)[trainee_id]
        last_class = sittings[-1].classroom_id if sittings else None
        test = status.test_status_of(sittings, windows.settings_among(quiz, by_class, class_ids, last_class, now))
    own = [(row.version, row.submitter_id, row.practical_code) for row in versions_of_trainee_for_page(trainee_id)
           if row.submitter_id == trainee_id]
    evidence = status.newest_evidence(own)
    finals = status.current_finals([v.id for v in evidence.values()], with_marks=False)
    liks = status.liks_from([trainee_id], evidence, finals)[trainee_id]
    return TraineeReading(trainee_id, quiz, sittings, by_class, class_ids,
                          status.unit_from(trainee_id, test, liks), now)
