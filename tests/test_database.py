"""write_transaction(): read-then-write units of work that must not race."""
import threading

from sqlalchemy import select

from courseware.classes.models import Classroom
from courseware.classes.service import create_class
from courseware.database import write_transaction
from courseware.extensions import db


def test_write_transaction_commits_and_rolls_back(app, users):
    classroom = create_class(users["teacher"], "XI A", "2026/2027")
    with write_transaction():
        classroom.name = "XI B"
    db.session.expire_all()
    assert db.session.get(Classroom, classroom.id).name == "XI B"
    try:
        with write_transaction():
            classroom.name = "XI C"
            raise RuntimeError("gagal di tengah")
    except RuntimeError:
        pass
    db.session.expire_all()
    assert db.session.get(Classroom, classroom.id).name == "XI B"


def test_concurrent_read_then_write_does_not_lose_updates(app, users):
    """Twenty threads each read a counter and write it back +1: all twenty increments land."""
    classroom = create_class(users["teacher"], "0", "2026/2027")
    class_id = classroom.id

    def bump():
        with app.app_context():
            with write_transaction() as session:
                row = session.scalars(select(Classroom).where(Classroom.id == class_id).with_for_update(of=Classroom)).one()
                row.name = str(int(row.name) + 1)
            db.session.remove()

    db.session.commit()  # end this session's read snapshot before the writers start
    threads = [threading.Thread(target=bump) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.commit()
    assert db.session.get(Classroom, class_id).name == "20"
