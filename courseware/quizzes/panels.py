from ..classes.service import classes_taught_by
from ..results.page import reading_for_page
from . import service


def trainee_panel_context(user) -> dict:
    # The same reading as the unit panel beside it (one per request), and from it the state the test list shows.
    reading = reading_for_page(user.id)
    if reading.quiz is None:
        return {"quiz": None}
    state = service.quiz_state_among(reading.quiz, reading.sittings, reading.windows, reading.class_ids, reading.now)
    return {"quiz": reading.quiz, "status": reading.unit.test, "state": state}


def teacher_panel_context(user) -> dict:
    return {"classes": classes_taught_by(user), "quiz": service.written_test()}
