"""Time-stamped comments, draft saves without reload, "Berikutnya", the TUK and earlier versions
on the marking screen, and the trainee's timeline, attacked through the site with real logins."""
import re

import pytest
from sqlalchemy import func, select

from courseware.assessments import comments, judgements, lookups
from courseware.assessments.guards import FinalisedJudgementError
from courseware.assessments.models import JudgementComment
from courseware.extensions import db

from .conftest import login_as
from .test_assessments_service import attitudes_for, judge
from .test_assessments_views import form_for

JSON = {"Accept": "application/json"}


def _mark_url(version, trainee):
    return f"/penilaian/versi/{version.id}/peserta/{trainee.id}"


def _comment(client, version, trainee, waktu, teks, butir="", json=True, **extra):
    return client.post(_mark_url(version, trainee) + "/komentar", data={"waktu": waktu, "teks": teks, "butir": butir,
                                                                        **extra},
                       headers=JSON if json else {})


def _count() -> int:
    return db.session.scalar(select(func.count(JudgementComment.id)))


def test_comments_anywhere_in_time_order_one_tied_to_a_point(assessment_school, as_user):
    s = assessment_school
    version = s.submit(s.trainee, "LIK_1")
    point = s.lik1.active_points[1]
    client = as_user("assessor")
    for waktu, teks, butir in (("2:00", "Penutup tanpa salam", ""), ("0:10", "Salam pembuka ramah", str(point.id)),
                               ("65", "Nada naik saat pelanggan mengeluh", "")):
        response = _comment(client, version, s.trainee, waktu, teks, butir)
        assert response.status_code == 200 and response.get_json()["ok"] is True
    html = response.get_json()["list_html"]
    assert [int(x) for x in re.findall(r'data-comment data-seconds="(\d+)"', html)] == [10, 65, 120]
    assert f"butir {point.uid}" in html and "Komentar di menit 1:05 tersimpan." in response.get_json()["message"]
    # The page lists them in time order, each a link that seeks the player.
    page = client.get(_mark_url(version, s.trainee)).get_data(as_text=True)
    positions = [page.index(text) for text in ("Salam pembuka ramah", "Nada naik", "Penutup tanpa salam")]
    assert positions == sorted(positions)
    assert f'data-seconds="65" data-video="video-{version.id}"' in page
    draft = lookups.open_draft(version.id, s.trainee.id)
    assert [(c.seconds, c.point_id, c.author_id) for c in comments.comments_of(draft.id)] == [
        (10, point.id, s.assessor.id), (65, None, s.assessor.id), (120, None, s.assessor.id)]


def test_draft_save_answers_json_and_the_no_js_save_comes_back_at_its_time(assessment_school, as_user):
    s = assessment_school
    version = s.submit(s.trainee, "LIK_1")
    client = as_user("assessor")
    data = {**form_for(s.lik1, None, p1_1_a="BK"), "t": "47", "kelas": str(s.a.id), "lik": "LIK_1"}
    reply = client.post(_mark_url(version, s.trainee), data=data, headers=JSON)
    assert reply.status_code == 200 and reply.is_json
    assert reply.get_json()["ok"] and "Draf penilaian tersimpan" in reply.get_json()["message"]
    assert lookups.open_draft(version.id, s.trainee.id).tuk == "Lab OTKP 2"
    # Without JavaScript: a plain POST redirects back to the same place in the video.
    plain = client.post(_mark_url(version, s.trainee), data=data)
    assert plain.status_code == 302
    assert "t=47" in plain.headers["Location"] and f"kelas={s.a.id}" in plain.headers["Location"]
    # "Simpan komentar" without JavaScript: saved with the draft, back at the comment's time.
    with_comment = {**data, "aksi": "komentar", "komentar_baru_waktu": "1:23", "komentar_baru_teks": "Kontak mata baik"}
    back = client.post(_mark_url(version, s.trainee), data=with_comment)
    assert back.status_code == 302 and "t=83" in back.headers["Location"] and back.headers["Location"].endswith("#komentar")
    page = client.get(back.headers["Location"].split("#")[0]).get_data(as_text=True)
    assert "#t=83" in page and "Kontak mata baik" in page and 'name="t" value="83"' in page
    # The no-JS tick box removes a comment with the next save; an empty composer adds nothing.
    [comment] = comments.comments_of(lookups.open_draft(version.id, s.trainee.id).id)
    assert client.post(_mark_url(version, s.trainee), data={**data, "hapus_komentar": str(comment.id)}).status_code == 302
    assert _count() == 0
    # A time marked without text, saved with the draft, stays as a bare time mark (never lost).
    assert client.post(_mark_url(version, s.trainee), data={**data, "komentar_baru_waktu": "0:12",
                                                            "komentar_baru_butir": str(s.lik1.active_points[0].id)}
                       ).status_code == 302
    [mark] = comments.comments_of(lookups.open_draft(version.id, s.trainee.id).id)
    assert (mark.seconds, mark.text) == (12, "")
    assert client.post(_mark_url(version, s.trainee), data={**data, "hapus_komentar": str(mark.id)}).status_code == 302
    # "Simpan komentar" with an empty text is refused with the reason, and nothing is half-written.
    refused = client.post(_mark_url(version, s.trainee), data={**data, "aksi": "komentar", "komentar_baru_waktu": "0:05",
                                                               "tuk": "Ruang baru"})
    assert refused.status_code == 400 and "Tulis isi komentarnya" in refused.get_data(as_text=True)
    assert lookups.open_draft(version.id, s.trainee.id).tuk == "Lab OTKP 2" and _count() == 0


@pytest.mark.parametrize("waktu,teks,butir,status,message", [
    ("9:00", "lewat", "", 400, "melewati panjang video"),        # the clip is 4:00 long
    ("1:99", "salah", "", 400, "menit:detik"),
    ("", "tanpa waktu", "", 400, "Isi menit komentar"),
    ("0:30", "   ", "", 400, "Tulis isi komentarnya"),
    ("0:30", "butir lain", "LIK2", 400, "bukan butir daftar cek"),
    ("0:30", "x" * 1001, "", 413, "terlalu panjang"),
])
def test_bad_comments_are_refused_with_the_reason(assessment_school, as_user, waktu, teks, butir, status, message):
    s = assessment_school
    version = s.submit(s.trainee, "LIK_1")
    if butir == "LIK2":
        butir = str(s.lik2.active_points[0].id)
    reply = _comment(as_user("assessor"), version, s.trainee, waktu, teks, butir)
    assert reply.status_code == status and message in reply.get_json()["message"]
    assert _count() == 0


def test_who_may_add_and_remove_comments(assessment_school, app, make_user, as_user):
    s = assessment_school
    dual = make_user("dua.peran", ["trainee", "assessor"])
    version = s.submit(s.trainee, "LIK_1", partner=dual)
    for role in ("trainee", "trainee2", "teacher", "teacher2"):
        assert _comment(as_user(role), version, s.trainee, "0:10", "coba").status_code == 403, role
    # In the video (as the partner) with an assessor role: never judges it.
    reply = _comment(login_as(app.test_client(), dual), version, s.trainee, "0:10", "coba")
    assert reply.status_code == 403 and "tampil di video" in reply.get_json()["message"]
    # The partner is never judged from the submitter's video; another trainee is not on it at all.
    assert _comment(as_user("assessor"), version, dual, "0:10", "coba").status_code == 403
    assert _comment(as_user("assessor"), version, s.budi, "0:10", "coba").status_code == 404
    assert _count() == 0 and lookups.open_draft(version.id, s.trainee.id) is None
    # Anonymous: to the login page.
    assert app.test_client().post(_mark_url(version, s.trainee) + "/komentar", data={}).status_code == 302

    assert _comment(as_user("assessor"), version, s.trainee, "0:10", "milik asesor 1").status_code == 200
    [mine] = comments.comments_of(lookups.open_draft(version.id, s.trainee.id).id)
    other_assessor = login_as(app.test_client(), make_user("asesor2", ["assessor"]))
    refused = other_assessor.post(_mark_url(version, s.trainee) + "/komentar", data={"hapus": str(mine.id)}, headers=JSON)
    assert refused.status_code == 403 and _count() == 1
    # A comment of another version cannot be removed through this one.
    other_version = s.submit(s.ani, "LIK_1")
    assert as_user("assessor").post(_mark_url(other_version, s.ani) + "/komentar", data={"hapus": str(mine.id)},
                                    headers=JSON).status_code == 404
    assert as_user("admin").post(_mark_url(version, s.trainee) + "/komentar", data={"hapus": str(mine.id)},
                                 headers=JSON).status_code == 200
    assert _count() == 0


def test_a_final_judgement_freezes_its_comments(assessment_school, as_user):
    s = assessment_school
    version = s.submit(s.trainee, "LIK_1")
    client = as_user("assessor")
    assert _comment(client, version, s.trainee, "0:42", "sebelum final").status_code == 200
    final = judge(version, s.trainee, s.assessor, s.lik1, "K")
    [frozen] = comments.comments_of(final.id)
    # Every way in over HTTP: 409, nothing written.
    assert _comment(client, version, s.trainee, "0:50", "sesudah final").status_code == 409
    assert _comment(client, version, s.trainee, "0:50", "sesudah final", json=False).status_code == 409
    assert client.post(_mark_url(version, s.trainee) + "/komentar", data={"hapus": str(frozen.id)},
                       headers=JSON).status_code == 409
    data = {**form_for(s.lik1, "K"), "aksi": "komentar", "komentar_baru_waktu": "0:50", "komentar_baru_teks": "lewat form"}
    assert client.post(_mark_url(version, s.trainee), data=data).status_code == 409
    assert [c.text for c in comments.comments_of(final.id)] == ["sebelum final"]
    # And below the services: the ORM guard refuses insert, update and delete.
    db.session.add(JudgementComment(judgement_id=final.id, seconds=5, text="langsung", author_id=s.assessor.id))
    with pytest.raises(FinalisedJudgementError):
        db.session.commit()
    db.session.rollback()
    frozen = db.session.get(JudgementComment, frozen.id)
    frozen.text = "diubah"
    with pytest.raises(FinalisedJudgementError):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(JudgementComment, frozen.id))
    with pytest.raises(FinalisedJudgementError):
        db.session.commit()
    db.session.rollback()
    assert [c.text for c in comments.comments_of(final.id)] == ["sebelum final"]


def test_hostile_comment_text_is_inert_everywhere(assessment_school, as_user):
    s = assessment_school
    version = s.submit(s.trainee, "LIK_1")
    hostile = ('<script>alert(1)</script><img src=x onerror=alert(2)> [klik](javascript:alert(3)) '
               '"><svg onload=alert(4)> \u202egnp.exe')
    reply = _comment(as_user("assessor"), version, s.trainee, "0:07", hostile)
    assert reply.status_code == 200
    judge(version, s.trainee, s.assessor, s.lik1, "K")
    pages = [reply.get_json()["list_html"],
             as_user("assessor").get(_mark_url(version, s.trainee)).get_data(as_text=True),
             as_user("trainee").get("/penilaian/hasil/LIK_1").get_data(as_text=True)]
    for html in pages:
        assert "&lt;script&gt;" in html
        # Shown as text: no tag of its own, no live attribute or link, no direction override.
        for bad in ("<script>alert", "<img", "<svg", 'href="javascript', "\u202e"):
            assert bad not in html, bad
        assert not re.search(r"<[^>]*\son(error|load)=", html)


def test_trainee_sees_only_the_final_judgements_comments(assessment_school, as_user, make_user, app):
    s = assessment_school
    version = s.submit(s.trainee, "LIK_1", partner=s.trainee2)
    assert _comment(as_user("assessor"), version, s.trainee, "1:10", "Catatan draf").status_code == 200
    submission_page = f"/praktik/kiriman/{version.submission_id}"
    assert "Catatan draf" not in as_user("trainee").get("/penilaian/hasil/LIK_1").get_data(as_text=True)
    assert "Catatan draf" not in as_user("trainee").get(submission_page).get_data(as_text=True)
    final = judge(version, s.trainee, s.assessor, s.lik1, "BK")
    for path in ("/penilaian/hasil/LIK_1", submission_page):
        page = as_user("trainee").get(path).get_data(as_text=True)
        assert "Catatan draf" in page and "Komentar asesor pada video" in page, path
        assert f'data-seconds="70" data-video="video-{version.id}"' in page and f'id="video-{version.id}"' in page
    # The partner never sees the judgement of the submitter, comments included.
    assert "Catatan draf" not in as_user("trainee2").get("/penilaian/hasil/LIK_1").get_data(as_text=True)
    partner_view = as_user("trainee2").get(submission_page)
    assert partner_view.status_code == 200 and "Catatan draf" not in partner_view.get_data(as_text=True)
    # A correction carries the comments; the trainee's timeline shows the correction's (once).
    correction = judgements.correct(final, s.assessor, {p.id: judgements.MarkInput("K") for p in s.lik1.active_points},
                                    "K", "Sudah benar", "Lab", "Butir 1.1-a ternyata terpenuhi di menit 1:10.",
                                    attitudes_for(s.lik1))
    assert [c.text for c in comments.comments_of(correction.id)] == ["Catatan draf"]
    assert [c.text for c in comments.comments_of(final.id)] == ["Catatan draf"]
    page = as_user("trainee").get("/penilaian/hasil/LIK_1").get_data(as_text=True)
    timeline = page.split("Komentar asesor pada video", 1)[1].split("</section>", 1)[0]
    assert timeline.count("Catatan draf") == 1


def test_tuk_is_prefilled_from_the_assessors_last_judgement(assessment_school, as_user):
    s = assessment_school
    first = s.submit(s.trainee, "LIK_1")
    draft = judgements.start_or_resume_draft(first, s.trainee, s.assessor)
    judgements.save_marks(draft, s.assessor, {}, None, "", "Ruang Praktik OTKP 3", attitudes_for(s.lik1))
    second = s.submit(s.ani, "LIK_1")
    page = as_user("assessor").get(_mark_url(second, s.ani)).get_data(as_text=True)
    assert 'name="tuk" value="Ruang Praktik OTKP 3"' in page
    # Another assessor's place is not theirs.
    page = as_user("admin").get(_mark_url(second, s.ani)).get_data(as_text=True)
    assert 'name="tuk" value=""' in page


def test_next_opens_the_next_version_in_the_assessors_queue(assessment_school, app, make_user, as_user):
    s = assessment_school
    dual = make_user("dua.peran", ["trainee", "assessor"])
    a = s.submit(s.trainee, "LIK_1", partner=s.trainee2)
    b = s.submit(s.ani, "LIK_1", partner=dual)     # dual appears in it
    c = s.submit(s.budi, "LIK_1")
    client = as_user("assessor")

    def next_from(version, who=client, query=""):
        response = who.get(f"/penilaian/berikutnya?dari={version.id}{query}")
        assert response.status_code == 302
        return response.headers["Location"]

    assert _mark_url(b, s.ani) in next_from(a)
    assert _mark_url(c, s.budi) in next_from(b)
    assert _mark_url(a, s.trainee) in next_from(c)                       # wraps to the oldest
    # The class filter is kept; the partner trainee2 is never a row of its own.
    assert next_from(a, query=f"&kelas={s.b.id}").endswith(f"{_mark_url(c, s.budi)}?kelas={s.b.id}")
    # dual never lands on the version they appear in.
    dual_client = login_as(app.test_client(), dual)
    assert _mark_url(c, s.budi) in next_from(a, dual_client)
    assert _mark_url(a, s.trainee) in next_from(c, dual_client)
    # Judged final: out of the queue, so "next" after it is the oldest still waiting.
    judge(a, s.trainee, s.assessor, s.lik1, "K")
    assert _mark_url(b, s.ani) in next_from(a)
    judge(b, s.ani, s.assessor, s.lik1, "K")
    judge(c, s.budi, s.assessor, s.lik1, "K")
    assert next_from(c).endswith("/penilaian/antrean")
    for role in ("trainee", "teacher"):
        assert as_user(role).get(f"/penilaian/berikutnya?dari={a.id}").status_code == 403


def test_marking_screen_shows_the_trainees_earlier_versions(assessment_school, as_user):
    s = assessment_school
    first = s.submit(s.trainee, "LIK_1")
    judge(first, s.trainee, s.assessor, s.lik1, "BK")
    second = s.submit(s.trainee, "LIK_1")
    page = as_user("assessor").get(_mark_url(second, s.trainee)).get_data(as_text=True)
    earlier = page.split("Versi sebelumnya dari peserta ini", 1)[1]
    assert "Versi 1" in earlier and "BK" in earlier and _mark_url(first, s.trainee) in earlier
