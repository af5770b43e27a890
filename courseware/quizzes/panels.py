from ..accounts.forms import EmptyForm
from ..classes.service import classes_taught_by
from ..results import status as results
from . import service


def trainee_panel_context(user) -> dict:
    quiz = service.written_test()
    if quiz is None:
        return {"quiz": None}
    status = results.test_result(user.id, quiz)
    return {
        "quiz": quiz, "status": status, "state": service.trainee_quiz_state(user, quiz),
        "open_attempt": service.open_attempt(user, quiz),
        "window": service.open_window_for(user, quiz), "left": service.attempts_left(user, quiz),
        "form": EmptyForm(),
    }


def teacher_panel_context(user) -> dict:
    return {"classes": classes_taught_by(user), "quiz": service.written_test()}
