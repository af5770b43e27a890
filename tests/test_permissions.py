"""The object-permission predicates (classes, practicals, assessments) and how templates use them:
as Jinja tests (`current_user is can_see_class(c)`) and through can_open(endpoint), which reads the
view's own role list. Attacked with real logins: another class's teacher, a two-role account, the
partner in a video."""
import re

import pytest
from flask import render_template_string
from flask_login import AnonymousUserMixin, login_user

from courseware.assessments.permissions import can_judge_version, can_see_class_report, can_see_trainee_records
from courseware.auth import can_open
from courseware.classes.permissions import can_see_class, teaches_trainee
from courseware.extensions import db
from courseware.practicals.permissions import can_view_submission, can_view_version
from courseware.quizzes.permissions import can_review_attempt

from .conftest import login_as

ANON = AnonymousUserMixin()


def _render(app, user, source, **context):
    """Render `source` in a request where `user` is the signed-in user."""
    with app.test_request_context():
        login_user(user)
        return render_template_string(source, **context).strip()


def test_the_predicates_are_jinja_tests_under_their_own_names(app):
    for predicate in (can_see_class, teaches_trainee, can_view_submission, can_view_version, can_judge_version,
                      can_see_trainee_records, can_see_class_report, can_review_attempt):
        assert app.jinja_env.tests[predicate.__name__] is predicate
    assert app.jinja_env.globals["can_open"] is can_open


def test_class_predicates_in_python_and_in_templates(app, assessment_school):
    s = assessment_school
    expected = {"teacher": True, "teacher2": False, "admin": True, "assessor": False, "trainee": False}
    for name, want in expected.items():
        user = getattr(s, name)
        assert can_see_class(user, s.a) is want, name
        assert _render(app, user, "{{ 'ya' if current_user is can_see_class(c) else 'tidak' }}", c=s.a) == \
            ("ya" if want else "tidak"), name
    assert can_see_class(ANON, s.a) is False and can_see_class(None, s.a) is False
    # teaches_trainee: only a teacher of the trainee's class; an admin is not "teaching" anyone.
    assert teaches_trainee(s.teacher, s.trainee.id) and not teaches_trainee(s.teacher2, s.trainee.id)
    assert teaches_trainee(s.teacher2, s.budi.id) and not teaches_trainee(s.admin, s.trainee.id)
    assert _render(app, s.teacher2, "{{ current_user is teaches_trainee(t) }}", t=s.budi.id) == "True"
    assert _render(app, s.teacher, "{{ current_user is teaches_trainee(t) }}", t=s.budi.id) == "False"


def test_a_class_teacher_who_lost_the_teacher_role_no_longer_sees_the_class(app, assessment_school):
    from courseware.accounts.models import UserRole

    s = assessment_school
    for row in list(s.teacher.role_rows):
        db.session.delete(row)
    s.teacher.role_rows = [UserRole(role="assessor")]
    db.session.commit()
    assert not can_see_class(s.teacher, s.a) and not teaches_trainee(s.teacher, s.trainee.id)
    assert can_see_class_report(s.teacher, s.a)   # as an assessor, the class report stays open


def test_submission_and_judging_predicates_with_a_partner_and_a_two_role_assessor(app, assessment_school,
                                                                                  make_user):
    s = assessment_school
    dual = make_user("dua.peran", ["trainee", "assessor"], nis="1009")
    version = s.submit(s.trainee, "LIK_1", partner=dual)
    submission = version.submission
    views = {"trainee": True, "trainee2": False, "teacher": True, "teacher2": False, "assessor": True,
             "admin": True}
    for name, want in views.items():
        assert can_view_submission(getattr(s, name), submission) is want, name
        assert can_view_version(getattr(s, name), version) is want, name
    assert can_view_version(dual, version)                     # the partner sees the video ...
    assert not can_judge_version(dual, version)                # ... and may not judge it (appears in it)
    assert can_judge_version(s.assessor, version) and can_judge_version(s.admin, version)
    assert not can_judge_version(s.teacher, version) and not can_judge_version(s.trainee, version)
    assert not can_view_submission(ANON, submission) and not can_judge_version(ANON, version)


def test_the_submission_page_offers_marking_only_to_who_may_judge(app, assessment_school, make_user):
    s = assessment_school
    dual = make_user("dua.peran", ["trainee", "assessor"], nis="1009")
    version = s.submit(s.trainee, "LIK_1", partner=dual)
    url = f"/praktik/kiriman/{version.submission_id}"
    mark_url = f"/penilaian/versi/{version.id}/peserta/{s.trainee.id}"
    for user, offered in ((s.assessor, True), (s.admin, True), (s.teacher, False), (s.trainee, False),
                          (dual, False)):
        page = login_as(app.test_client(), user).get(url)
        assert page.status_code == 200, user.username
        assert (mark_url in page.get_data(as_text=True)) is offered, user.username


def test_a_teacher_reviews_only_attempts_of_their_own_trainees(app, quiz_class, users):
    from courseware.quizzes import service, taking

    attempt, _ = taking.start_or_resume(users["trainee"], service.written_test())
    assert can_review_attempt(users["teacher"], attempt) and can_review_attempt(users["admin"], attempt)
    assert not can_review_attempt(users["teacher2"], attempt) and not can_review_attempt(users["assessor"], attempt)
    assert not can_review_attempt(users["trainee"], attempt) and not can_review_attempt(ANON, attempt)
    assert _render(app, users["teacher2"], "{{ current_user is can_review_attempt(a) }}", a=attempt) == "False"


def test_can_open_reads_the_views_own_roles_and_the_exam_key_rule(app, users, make_user):
    two_roles = make_user("guru.peserta", ["teacher", "trainee"], nis="1010")
    with app.test_request_context():
        assert can_open("lessons.plan", users["teacher"]) and can_open("lessons.plan", users["admin"])
        assert not can_open("lessons.plan", users["trainee"]) and not can_open("lessons.plan", ANON)
        assert can_open("quizzes.settings", users["admin"]) and not can_open("quizzes.settings", users["teacher"])
        assert can_open("bank.index", users["teacher"]) and not can_open("bank.index", two_roles)
        assert can_open("lessons.overview", users["trainee"])        # login only
        with pytest.raises(KeyError):
            can_open("tidak.ada", users["admin"])


def test_pages_show_links_only_to_who_can_open_them(app, users, quizzes):
    def page(role, url):
        return login_as(app.test_client(), users[role]).get(url).get_data(as_text=True)

    assert "/materi/rencana" in page("teacher", "/materi/") and "/materi/rencana" in page("admin", "/materi/")
    assert "/materi/rencana" not in page("trainee", "/materi/")
    settings_link = re.compile(r'href="/tes/kelola/[^"]+"')
    assert settings_link.search(page("admin", "/tes/kelola"))
    assert not settings_link.search(page("teacher", "/tes/kelola"))
