"""Count the SQL statements a block of code sends (for query budgets and bench/queries.py)."""
from contextlib import contextmanager

from sqlalchemy import event

from courseware.extensions import db

WRITES = ("INSERT", "UPDATE", "DELETE")


@contextmanager
def counting_statements():
    """Yields a list that collects every statement sent by the app's engine inside the block
    (transaction control such as BEGIN/COMMIT and SQLite PRAGMAs are not counted)."""
    seen: list[str] = []

    def _before(_conn, _cursor, statement, _params, _context, _many):
        head = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else ""
        if head not in ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA"):
            seen.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", _before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", _before)


def writes(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().split(None, 1)[0].upper() in WRITES]
