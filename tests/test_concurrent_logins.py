"""A lab of students logging in at the same moment: every login succeeds (none 'database is locked')."""
import threading

from courseware.accounts.service import authenticate, create_user
from courseware.extensions import db


def test_thirty_six_simultaneous_logins_all_succeed(app):
    for n in range(36):
        create_user(f"siswa{n:02d}", f"Siswa {n}", ["trainee"], password="rahasia-123",
                    must_change_password=False, commit=False)
    db.session.commit()
    results, barrier = [], threading.Barrier(36)

    def login(n):
        with app.app_context():
            barrier.wait()
            try:
                results.append(authenticate(f"siswa{n:02d}", "rahasia-123") is not None)
            except Exception as exc:  # noqa: BLE001 - the failure itself is what we report
                results.append(repr(exc))
            db.session.remove()

    threads = [threading.Thread(target=login, args=(n,)) for n in range(36)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [True] * 36
