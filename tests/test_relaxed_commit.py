"""write_transaction(durable=False) (the tus offset commits): only that transaction skips the flush
to disk; every other transaction on the same pooled connection is fully durable again."""
from sqlalchemy import text

from courseware.database import write_transaction
from courseware.extensions import db


def _level() -> str:
    if db.engine.dialect.name == "sqlite":
        return {0: "off", 1: "normal", 2: "full", 3: "extra"}[db.session.execute(text("PRAGMA synchronous")).scalar()]
    return db.session.execute(text("SHOW synchronous_commit")).scalar()


def test_only_the_relaxed_transaction_is_relaxed(app):
    durable = "full" if db.engine.dialect.name == "sqlite" else "on"
    with write_transaction():
        assert _level() == durable
    for _ in range(2):  # the pool hands the same connection back: the level must be set again each time
        with write_transaction(durable=False):
            assert _level() in ("normal", "off")
        with write_transaction():
            assert _level() == durable
        db.session.execute(text("SELECT 1"))
        assert _level() == durable       # a plain transaction too
        db.session.commit()
