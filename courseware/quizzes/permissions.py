"""Who may read a trainee's test attempt besides the trainee: the definition, written once."""
from ..auth import signed_in
from ..classes.permissions import teaches_trainee
from .models import Attempt


def can_review_attempt(user, attempt: Attempt) -> bool:
    """A teacher of the trainee's class and admins read any submitted attempt (keys included: the
    views add the exam-key rule); the trainee reads their own through the trainee pages."""
    return signed_in(user) and (user.is_admin or teaches_trainee(user, attempt.user_id))


PREDICATES = (can_review_attempt,)
