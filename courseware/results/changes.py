"""Every change of a trainee's unit status is audited, whatever caused it (a judgement, a
correction, a test result, a class's test settings): wrap the change in `unit_status_changes`
inside its write transaction and the changes are recorded in that same transaction."""
from contextlib import contextmanager

from ..audit.service import record
from ..extensions import db
from .status import unit_results


@contextmanager
def unit_status_changes(trainee_ids, actor, cause: str, detail: dict | None = None):
    ids = sorted(set(trainee_ids))
    before = {tid: r.status for tid, r in unit_results(ids).items()}
    yield
    db.session.flush()
    db.session.expire_all()   # the change may have used bulk UPDATEs the loaded objects do not see
    for tid, result in unit_results(ids).items():
        if result.status != before[tid]:
            record("unit.status", actor=actor, target=f"user:{tid}",
                   detail={"from": str(before[tid]), "to": str(result.status), "cause": cause, **(detail or {})})
