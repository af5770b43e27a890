from ..classes.forms import JoinForm
from ..classes.service import classes_of_trainee, classes_taught_by


def my_classes_context(user) -> dict:
    return {"classes": classes_of_trainee(user), "join_form": JoinForm()}


def taught_classes_context(user) -> dict:
    return {"classes": classes_taught_by(user)}
