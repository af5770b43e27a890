from ..classes.service import classes_taught_by
from ..results import status as results
from . import service


def trainee_panel_context(user) -> dict:
    quiz = service.written_test()
    if quiz is None:
        return {"quiz": None}
    # The same reading as the unit panel beside it (one per request), and the state the test list shows.
    status = results.unit_result_for_page(user.id, quiz).test if quiz.code == results.WRITTEN_TEST_CODE \
        else results.test_result(user.id, quiz)
    return {"quiz": quiz, "status": status, "state": service.trainee_quiz_state(user, quiz)}


def teacher_panel_context(user) -> dict:
    return {"classes": classes_taught_by(user), "quiz": service.written_test()}
