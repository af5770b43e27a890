"""Database engine tuning and the one transaction helper that services use for read-then-write.

SQLite defaults are wrong for a school server: no WAL, no busy timeout, and deferred
transactions that fail with SQLITE_BUSY when two writers upgrade their read locks at once.
"""
import threading
from contextlib import contextmanager, nullcontext

from sqlalchemy import event
from sqlalchemy.engine import Engine

from .extensions import db

IMMEDIATE = "courseware_begin_immediate"
RELAXED = "courseware_relaxed_commit"

# SQLite's busy handler polls with growing sleeps (up to 100 ms), so under a burst of writers
# the lock often sits free while everybody sleeps. Queueing this process's writers on a Python
# lock first hands it over at once (40 trainees submitting together stay fast); other
# processes (the worker) still wait through busy_timeout.
_sqlite_writers = threading.RLock()
# How long a request may queue for the write lock before it is told "busy, retry" (503),
# the same as SQLite's busy_timeout below.
WRITE_WAIT_SECONDS = 5.0


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def configure_engine(engine: Engine) -> None:
    """Attach the SQLite pragmas and explicit BEGIN handling to one engine."""
    if not is_sqlite(engine):
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy emit BEGIN itself (pysqlite's own handling defers it badly).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        # Power in school labs fails; answers and judgements must survive it.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # synchronous may only change outside a transaction: set what this one needs, just before it.
        level = "NORMAL" if connection.get_execution_options().get(RELAXED) else "FULL"
        if connection.info.get("courseware_synchronous") != level:
            connection.exec_driver_sql(f"PRAGMA synchronous={level}")
            connection.info["courseware_synchronous"] = level
        if connection.get_execution_options().get(IMMEDIATE):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")


@contextmanager
def write_transaction(durable: bool = True):
    """Run a read-then-write unit of work that must not race another writer.

    On SQLite this opens the transaction with BEGIN IMMEDIATE (waiting up to the busy
    timeout for the write lock); on PostgreSQL callers lock rows with
    `select(Model).with_for_update(of=Model)` ("of" matters when the model eager-joins a
    relationship: PostgreSQL refuses FOR UPDATE on the nullable side of an outer join).
    Commits on success, rolls back on any error.

    durable=False: the commit is not flushed to disk at once (SQLite synchronous=NORMAL in WAL,
    PostgreSQL synchronous_commit=off). A power cut may undo it, never corrupt anything; only for
    writes whose loss is harmless (a tus offset: the bytes are fsynced first, and a lower offset
    only makes the client send some bytes again).
    """
    session = db.session()  # the real Session behind the scoped proxy
    sqlite = is_sqlite(db.engine)
    with _queued_writer() if sqlite else nullcontext():
        if session.in_transaction():
            session.commit()
        connection = session.connection(execution_options={IMMEDIATE: True, RELAXED: not durable})
        if not durable and not sqlite:
            connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def _queued_writer():
    from .errors import Busy

    if not _sqlite_writers.acquire(timeout=WRITE_WAIT_SECONDS):
        raise Busy()
    try:
        yield
    finally:
        _sqlite_writers.release()
