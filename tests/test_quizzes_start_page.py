"""Taking the test as a trainee meets it: a start page that never starts anything by GET, a warning
before the last attempt, an answered counter and navigator, and the same true status on the
dashboard and the test list in every state."""
from datetime import timedelta

from sqlalchemy import func, select

from courseware.extensions import db
from courseware.models_base import utcnow
from courseware.quizzes import windows
from courseware.quizzes.models import Attempt


def _text(response) -> str:
    return response.get_data(as_text=True)


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Attempt))


def test_the_start_page_explains_and_only_its_post_starts(as_user, quiz_class):
    client = as_user("trainee")
    for _ in range(3):
        page = _text(client.get("/tes/tes-tertulis/mulai"))
    assert _count() == 0
    assert "20 soal" in page and "30 menit" in page and "sisa kesempatan: 2 dari 2" in page and "Mulai sekarang" in page
    assert "kesempatan terakhir" not in page
    attempt_id = int(client.post("/tes/tes-tertulis/mulai").headers["Location"].rsplit("/", 1)[1])
    assert _count() == 1
    take = _text(client.get(f"/tes/percobaan/{attempt_id}"))
    assert 'id="answered-count">0<' in take and take.count("data-nav=") == 20
    assert 'data-msg-unanswered="Soal nomor {n} belum dijawab."' in take
    client.post(f"/tes/percobaan/{attempt_id}/kumpulkan")
    page = _text(client.get("/tes/tes-tertulis/mulai"))
    assert "Ini kesempatan terakhir Anda" in page and _count() == 1


def _states(client) -> tuple[str, str]:
    dashboard = _text(client.get("/"))
    listing = _text(client.get("/tes/"))
    return dashboard, listing


def test_dashboard_and_test_list_say_the_same_thing_in_every_state(as_user, users, quiz_class, quizzes):
    client = as_user("trainee")
    dashboard, listing = _states(client)                     # open
    assert "Tes terbuka. Sisa kesempatan: 2." in dashboard and "Tes terbuka. Sisa kesempatan: 2." in listing
    attempt_id = int(client.post("/tes/tes-tertulis/mulai").headers["Location"].rsplit("/", 1)[1])
    dashboard, listing = _states(client)                     # in progress
    assert "Anda sedang mengerjakan percobaan 1" in dashboard and "Anda sedang mengerjakan percobaan 1" in listing
    client.post(f"/tes/percobaan/{attempt_id}/kumpulkan")
    dashboard, listing = _states(client)
    assert "Sisa kesempatan: 1." in dashboard and "Sisa kesempatan: 1." in listing
    # used up: never "belum dibuka"
    second = int(client.post("/tes/tes-tertulis/mulai").headers["Location"].rsplit("/", 1)[1])
    client.post(f"/tes/percobaan/{second}/kumpulkan")
    dashboard, listing = _states(client)
    for page in (dashboard, listing):
        assert "Kesempatan mengerjakan sudah habis (2 kali)" in page and "belum dibuka" not in page
    # not open yet (a trainee of a class whose window is in the future)
    windows.set_window(quiz_class, quizzes["tes-tertulis"], utcnow() + timedelta(days=1),
                       utcnow() + timedelta(days=2), "langsung", users["teacher"])
    dashboard, listing = _states(as_user("trainee2"))
    assert "Tes belum dibuka untuk kelas Anda" in dashboard and "Tes belum dibuka untuk kelas Anda" in listing


def test_an_attempt_whose_time_ran_out_unscored_reads_the_same_on_both(as_user, quiz_class):
    # The dashboard takes the state from the unit result's sittings, the test list from the attempt rows.
    client = as_user("trainee")
    attempt_id = int(client.post("/tes/tes-tertulis/mulai").headers["Location"].rsplit("/", 1)[1])
    attempt = db.session.get(Attempt, attempt_id)
    attempt.deadline_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    dashboard, listing = _states(client)
    for page in (dashboard, listing):
        assert "Sisa kesempatan: 1." in page and "sedang mengerjakan" not in page
    assert db.session.get(Attempt, attempt_id).submitted_at is None     # reading it wrote nothing
