"""Statements per request for the busiest pages and writes, for a class of 36 trainees that all
have a written test, both LIK videos and final judgements (the figures tests/test_query_budgets.py
asserts, printed as a table for the README).

    .venv/bin/python bench/queries.py                      # SQLite in a temporary folder
    DATABASE_URL=postgresql+psycopg://... .venv/bin/python bench/queries.py   # an EMPTY PostgreSQL database

Counted: SELECT, INSERT, UPDATE, DELETE (and WITH); transaction control and SQLite PRAGMAs are not.
"""
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("COURSEWARE_TEST_PASSWORD_HASH", "1")   # seeded accounts, not a login benchmark


def main() -> int:
    from courseware.cli import run_content_sync
    from courseware.extensions import db
    from tests.conftest import make_app
    from tests.test_query_budgets import BUDGETS, NOT_MET, _seed, measure

    with tempfile.TemporaryDirectory(prefix="bench-queries-") as tmp:
        app = make_app(Path(tmp))
        with app.app_context():
            db.create_all()
            run_content_sync(app)
            school, users, params = _seed()
            print(f"Statements per request, 36 trainees, {db.engine.dialect.name}:\n")
            print(f"| {'halaman / aksi':<22} | statements | budget | |")
            print(f"| {'-' * 22} | ---------- | ------ | --- |")
            missed = 0
            for name, (_role, _method, _path, budget) in BUDGETS.items():
                count = len(measure(app, school, users, params, name))
                ok = count <= budget
                missed += not ok
                note = "OK" if ok else ("belum (issue 11)" if name in NOT_MET else "MELEWATI")
                print(f"| {name:<22} | {count:>10} | {budget:>6} | {note} |")
            db.session.remove()
            db.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
