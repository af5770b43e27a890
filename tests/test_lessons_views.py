"""Lesson pages, progress per trainee, the teacher's grid and plan, and who may open what."""
import pytest
from sqlalchemy import func, select

from courseware.classes.models import Classroom, Enrollment
from courseware.extensions import db
from courseware.lessons.models import LessonProgress
from courseware.lessons.service import progress_summary, set_done

LESSON = "e1-01-kebutuhan-pelanggan"


@pytest.fixture
def classes(users):
    """guru1 teaches kelas A (peserta1); guru2 teaches kelas B (peserta2)."""
    a = Classroom(name="XI A", academic_year="2026/2027", teacher_id=users["teacher"].id, join_code="AAAAAA")
    b = Classroom(name="XI B", academic_year="2026/2027", teacher_id=users["teacher2"].id, join_code="BBBBBB")
    db.session.add_all([a, b])
    db.session.flush()
    db.session.add_all([Enrollment(classroom_id=a.id, user_id=users["trainee"].id),
                        Enrollment(classroom_id=b.id, user_id=users["trainee2"].id)])
    db.session.commit()
    return {"a": a, "b": b}


@pytest.mark.parametrize("path", ["/materi/", f"/materi/{LESSON}", "/materi/kamus", "/materi/referensi",
                                  "/materi/rencana", "/materi/kelas/1/kemajuan"])
def test_anonymous_is_sent_to_login(client, lessons, path):
    response = client.get(path)
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]


def test_anonymous_cannot_mark_done(client, lessons):
    response = client.post(f"/materi/{LESSON}/selesai", data={"done": "1"})
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(LessonProgress)) == 0


@pytest.mark.parametrize("role", ["trainee", "teacher", "assessor", "admin"])
def test_every_role_reads_lessons_and_sees_the_menu_entry(as_user, lessons, role):
    client = as_user(role)
    overview = client.get("/materi/").get_data(as_text=True)
    assert 'id="elemen-1"' in overview and 'id="elemen-2"' in overview
    assert ">Materi</a>" in overview
    page = client.get(f"/materi/{LESSON}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Mengenali kebutuhan, harapan, dan kepuasan pelanggan" in html
    assert "<summary>Lihat jawaban</summary>" in html
    assert client.get("/materi/kamus").status_code == 200
    assert client.get("/materi/referensi").status_code == 200


def test_overview_lists_both_elements_with_kuk_and_minutes(as_user, lessons):
    html = as_user("trainee").get("/materi/").get_data(as_text=True)
    assert "Melaksanakan pendekatan untuk menambah kualitas pelayanan" in html
    assert "Memperbaiki pelayanan kepada pelanggan" in html
    for kuk in ("1.1", "1.4", "2.1", "2.6"):
        assert f"KUK {kuk}" in html
    assert "60 menit" in html and "77 menit" in html      # element 1 and element 2
    assert "0 dari 14 pelajaran selesai" in html


def test_previous_and_next(as_user, lessons):
    client = as_user("trainee")
    first = client.get("/materi/e1-00-pengantar").get_data(as_text=True)
    assert 'rel="prev"' not in first and f'href="/materi/{LESSON}"' in first
    last_of_e1 = client.get("/materi/e1-05-penutup").get_data(as_text=True)
    assert 'rel="prev" href="/materi/e1-04-mengomunikasikan-pendekatan"' in last_of_e1
    assert 'rel="next" href="/materi/e2-00-pengantar"' in last_of_e1
    assert 'rel="next"' not in client.get("/materi/e2-07-penutup").get_data(as_text=True)


def test_unknown_lesson_is_404(as_user, lessons):
    client = as_user("trainee")
    assert client.get("/materi/tidak-ada").status_code == 404
    assert client.post("/materi/tidak-ada/selesai", data={"done": "1"}).status_code == 404


def test_trainee_marks_done_and_undone_and_progress_is_per_trainee(app, as_user, users, lessons):
    client = as_user("trainee")
    response = client.post(f"/materi/{LESSON}/selesai", data={"done": "1"})
    assert response.status_code == 302
    client.post(f"/materi/{LESSON}/selesai", data={"done": "1"})          # twice: still one row
    assert db.session.scalar(select(func.count()).select_from(LessonProgress)) == 1
    assert "✓ selesai" in client.get(f"/materi/{LESSON}").get_data(as_text=True)
    assert progress_summary(users["trainee"])["done"] == 1
    assert progress_summary(users["trainee"])["elements"][1] == {"done": 1, "total": 6}
    # the other trainee's progress is untouched and shows nothing
    other = as_user("trainee2")
    assert "✓ selesai" not in other.get(f"/materi/{LESSON}").get_data(as_text=True)
    assert progress_summary(users["trainee2"])["done"] == 0
    assert "0 dari 14" in other.get("/materi/").get_data(as_text=True)

    client.post(f"/materi/{LESSON}/selesai", data={"done": "0"})
    assert progress_summary(users["trainee"])["done"] == 0


def test_mark_done_and_next_goes_to_the_next_lesson(as_user, lessons):
    response = as_user("trainee").post(f"/materi/{LESSON}/selesai", data={"done": "1", "next": "1"})
    assert response.headers["Location"].endswith("/materi/e1-02-perencanaan-mutu")


@pytest.mark.parametrize("role", ["teacher", "assessor", "admin"])
def test_only_trainees_mark_progress(as_user, lessons, role):
    assert as_user(role).post(f"/materi/{LESSON}/selesai", data={"done": "1"}).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(LessonProgress)) == 0


def test_mark_done_without_csrf_is_refused(as_user, lessons):
    response = as_user("trainee").post(f"/materi/{LESSON}/selesai", data={"done": "1"}, csrf=False)
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(LessonProgress)) == 0


def test_set_done_service_refuses_non_trainee(users, lessons):
    from courseware.errors import ServiceError
    with pytest.raises(ServiceError):
        set_done(users["teacher"], LESSON, True)


def test_teacher_grid_shows_only_their_own_classes(as_user, users, classes, lessons):
    set_done(users["trainee"], LESSON, True)
    set_done(users["trainee2"], LESSON, True)
    a, b = classes["a"], classes["b"]
    guru1 = as_user("teacher")
    own = guru1.get(f"/materi/kelas/{a.id}/kemajuan")
    assert own.status_code == 200
    html = own.get_data(as_text=True)
    assert users["trainee"].full_name in html and users["trainee2"].full_name not in html
    assert "1/14" in html
    # another teacher's class is 404, not 403, so class ids do not leak
    assert guru1.get(f"/materi/kelas/{b.id}/kemajuan").status_code == 404
    assert guru1.get("/materi/kelas/9999/kemajuan").status_code == 404
    assert as_user("admin").get(f"/materi/kelas/{b.id}/kemajuan").status_code == 200
    assert as_user("trainee").get(f"/materi/kelas/{a.id}/kemajuan").status_code == 403
    assert as_user("assessor").get(f"/materi/kelas/{a.id}/kemajuan").status_code == 403


def test_plan_lays_out_225_minutes_for_teachers_only(as_user, lessons):
    html = as_user("teacher").get("/materi/rencana").get_data(as_text=True)
    assert "Pertemuan 1" in html and "Pertemuan 3" in html
    assert "225 menit" in html and "tidak sama dengan 5 JP" not in html
    for label in ("Penjelasan", "Diskusi", "Latihan bermain peran", "Tes tertulis", "Perekaman praktik LIK"):
        assert label in html
    assert f'href="/materi/{LESSON}"' in html
    assert as_user("admin").get("/materi/rencana").status_code == 200
    assert as_user("trainee").get("/materi/rencana").status_code == 403
    assert as_user("assessor").get("/materi/rencana").status_code == 403


def test_plan_follows_lesson_minutes(as_user, lessons):
    from courseware.lessons.models import Lesson
    from courseware.lessons.service import teaching_plan
    assert teaching_plan()["minutes"] == 225
    db.session.get(Lesson, LESSON).minutes = 20
    db.session.commit()
    plan = teaching_plan()
    assert plan["minutes"] == 230 and not plan["in_step"]
    assert "tidak sama dengan 5 JP" in as_user("teacher").get("/materi/rencana").get_data(as_text=True)


def test_dashboard_panel_replaces_placeholder(as_user, users, classes, lessons):
    trainee_home = as_user("trainee").get("/").get_data(as_text=True)
    panel = trainee_home.split('id="panel-lessons"', 1)[1].split("</section>", 1)[0]
    assert "belum tersedia" not in panel
    assert "Mulai membaca" in panel and 'href="/materi/e1-00-pengantar"' in panel
    set_done(users["trainee"], "e1-00-pengantar", True)
    panel = as_user("trainee").get("/").get_data(as_text=True).split('id="panel-lessons"', 1)[1]
    assert "Lanjutkan membaca" in panel and f'href="/materi/{LESSON}"' in panel

    teacher_panel = as_user("teacher").get("/").get_data(as_text=True).split('id="panel-lessons"', 1)[1]
    teacher_panel = teacher_panel.split("</section>", 1)[0]
    assert 'href="/materi/rencana"' in teacher_panel
    assert f'href="/materi/kelas/{classes["a"].id}/kemajuan"' in teacher_panel
    assert f'/materi/kelas/{classes["b"].id}/kemajuan' not in teacher_panel


def test_glossary_page_has_anchors_for_lesson_links(as_user, lessons):
    html = as_user("trainee").get("/materi/kamus").get_data(as_text=True)
    assert 'id="istilah-riset-informal"' in html
    assert html.count('class="glossary-entry"') >= 25
    lesson_html = as_user("trainee").get(f"/materi/{LESSON}").get_data(as_text=True)
    assert f'href="kamus?dari={LESSON}#istilah-riset-informal"' in lesson_html
