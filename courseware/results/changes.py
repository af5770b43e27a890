"""Every change of a trainee's unit status is audited, whatever caused it (a judgement, a
correction, a test result, a class's test settings): wrap the change in `unit_status_changes`
inside its write transaction and the changes are recorded in that same transaction.

The results are read once before and once after the change (issue 11: a finalise used to read
them a dozen times). The tracker it yields carries both readings, so the caller can audit its
own finer change (a LIK result) from them instead of reading again: `changes.then(hook)` runs
hook(before, after) after the second reading, before the unit-status records."""
from contextlib import contextmanager

from ..audit.service import record
from ..extensions import db
from .status import unit_results


class StatusChanges:
    def __init__(self, before: dict):
        self.before = before
        self.after: dict | None = None
        self.hooks: list = []

    def then(self, hook) -> None:
        self.hooks.append(hook)


@contextmanager
def unit_status_changes(trainee_ids, actor, cause: str, detail: dict | None = None, liks_only: bool = False,
                        test_only: bool = False):
    """liks_only=True: the change cannot touch the written test (a judgement or a correction), so
    the second reading keeps the first one's test results. test_only=True: the change cannot touch
    a LIK (a test submitted or scored), so the second reading keeps the first one's LIK results."""
    ids = sorted(set(trainee_ids))
    changes = StatusChanges(unit_results(ids, with_marks=False))
    yield changes
    db.session.flush()
    db.session.expire_all()   # the change may have used bulk UPDATEs the loaded objects do not see
    tests = {tid: r.test for tid, r in changes.before.items()} if liks_only else None
    liks = {tid: r.liks for tid, r in changes.before.items()} if test_only else None
    changes.after = unit_results(ids, with_marks=False, tests=tests, liks=liks)
    for hook in changes.hooks:
        hook(changes.before, changes.after)
    for tid, result in changes.after.items():
        if result.status != changes.before[tid].status:
            record("unit.status", actor=actor, target=f"user:{tid}",
                   detail={"from": str(changes.before[tid].status), "to": str(result.status), "cause": cause,
                           **(detail or {})})
