"""XSS: hostile text written into every free-text field ends up inert on every page that shows it.

The payloads go in through the real forms (admin user form, roster CSV import, class form, practical
transcript, marking and correction forms, bank editor, GIFT import). Each page is parsed: it may hold
no inline <script>, no script from outside /static/, no on* attribute, no javascript: URL, no <svg>,
<iframe> or the payload's <img>, and the payload's text is shown literally, including `{{7*7}}`
(a template expression that must not turn into 49). CSV exports keep formula cells inert, and the
assessment record PDF builds and prints the payload as plain text.
"""
import csv
import io
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from courseware.accounts.models import User
from courseware.classes.models import Classroom, Enrollment
from courseware.extensions import db

from .conftest import login_as

HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(1)>{{7*7}}'
LINKS = ' [klik](javascript:alert(1)) <a href="javascript:alert(1)">tautan</a>'
NAME = "Ani N1 " + HOSTILE
NAME_ROSTER = "Budi N2 " + HOSTILE
FORMULA_NAME = '=cmd|" /C calc"!A0'
FORMULA_NIS = '-2+3"><b onclick=alert(1)>'  # NIS is free text too (admin form)
CLASS_NAME = 'XK1 "><svg onload=alert(1)>{{7*7}}<script>x</script>'
TRANSCRIPT = "XT1 " + HOSTILE + LINKS
COMMENT = "XC1 " + HOSTILE + LINKS
FEEDBACK = "XF1 " + HOSTILE + LINKS
REASON = "XR1 " + HOSTILE + LINKS
TUK = "XU1 " + HOSTILE
STEM = "XS1 " + HOSTILE + " Apa yang dilakukan petugas?"
OPTION = "XO1 " + HOSTILE
EXPLANATION = "XE1 " + HOSTILE + LINKS
GIFT_SOURCE = (
    "::xss-g1::[html]XG1 &lt;script&gt;alert(1)&lt;/script&gt; <script>alert(2)</script>"
    "<img src\\=x onerror\\=alert(1)> \\{\\{7*7\\}\\} {\n"
    "=[html]XGO1 <b onmouseover\\=alert(1)>benar</b> \\{\\{7*7\\}\\}\n"
    "~[plain]GO2 <script>alert(1)</script>\n"
    "~salah dua\n"
    "~salah tiga\n"
    "####[html]XGE1 <a href\\=\"javascript:alert(1)\">pembahasan</a> \\{\\{7*7\\}\\}\n"
    "}\n"
)


class _Inspector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems, self.text, self._in_script = [], [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            src = attrs.get("src") or ""
            if not src.startswith("/static/"):
                self.problems.append(f"<script> not loaded from /static/: {attrs}")
            self._in_script = True
        if tag in ("svg", "iframe", "object", "embed", "base"):
            self.problems.append(f"<{tag}> element")
        if tag == "img" and (attrs.get("src") or "").strip() == "x":
            self.problems.append("the payload's <img> became an element")
        for name, value in attrs.items():
            if name.lower().startswith("on"):
                self.problems.append(f"event handler attribute {name}={value!r} on <{tag}>")
            squashed = re.sub(r"[\s\x00-\x1f]", "", (value or "")).lower()
            if name.lower() in ("href", "src", "action", "formaction", "xlink:href", "data") \
                    and squashed.startswith(("javascript:", "data:text/html", "vbscript:")):
                self.problems.append(f"dangerous URL {name}={value!r} on <{tag}>")

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.problems.append(f"inline script content: {data[:80]!r}")
        self.text.append(data)


def assert_inert(response, *markers, where=""):
    """The page is inert and shows each marker (a text the payload starts with) literally."""
    assert response.status_code == 200, (where, response.status_code)
    inspector = _Inspector()
    inspector.feed(response.get_data(as_text=True))
    inspector.close()
    assert not inspector.problems, (where, inspector.problems)
    text = " ".join("".join(inspector.text).split())
    for marker in markers:
        assert marker in text, (where, f"payload {marker!r} is not shown")
        # the payload after the marker is shown as text, with the template expression unevaluated
        start = text.index(marker)
        assert "{{7*7}}" in text[start:start + 400], (where, marker, "template expression missing or evaluated")
    return text


def csv_rows(response) -> list[list[str]]:
    body = response.get_data(as_text=True).lstrip("\ufeff")
    header = body.splitlines()[0]
    return list(csv.reader(io.StringIO(body), delimiter=";" if header.count(";") > header.count(",") else ","))


def assert_no_formula_cells(rows, where):
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")) or cell.lstrip("-").replace(".", "").replace(
                ",", "").isdigit(), (where, f"cell {cell!r} would run as a formula")


@pytest.fixture
def hostile_world(app, users, practicals, as_user):
    """Everything written through the forms with hostile text; returns ids and clients."""
    from courseware.media.models import MediaFile
    from courseware.models_base import utcnow
    from courseware.practicals.models import Submission, SubmissionVersion

    admin, teacher, assessor = as_user("admin"), as_user("teacher"), as_user("assessor")

    # user full names: admin form and roster import
    for username, name, nis in (("xss.a", NAME, "9001"), ("xss.f", FORMULA_NAME, FORMULA_NIS)):
        response = admin.post("/admin/pengguna/baru", data={"username": username, "full_name": name, "nis": nis,
                                                            "roles": ["trainee"]})
        assert response.status_code == 200, response.get_data(as_text=True)[:2000]
        assert_inert(response, where="admin create user result")
    trainee = db.session.scalar(select(User).where(User.username == "xss.a"))
    formula_user = db.session.scalar(select(User).where(User.username == "xss.f"))
    trainee.must_change_password = False  # the first sign-in step is not what this test is about
    db.session.commit()

    # class name
    response = teacher.post("/kelas/baru", data={"name": CLASS_NAME, "academic_year": "2026/2027"})
    assert response.status_code == 302
    classroom = db.session.scalar(select(Classroom).where(Classroom.name == CLASS_NAME))
    for user in (trainee, formula_user, users["trainee2"]):
        db.session.add(Enrollment(classroom_id=classroom.id, user_id=user.id))
    db.session.commit()

    roster = io.StringIO()
    writer = csv.writer(roster)
    writer.writerows([["NIS", "nama"], ["9101", NAME_ROSTER], ["9102", "@SUM(1+1)*cmd|' /C calc'!A0"]])
    response = teacher.post(f"/kelas/{classroom.id}/impor",
                            data={"roster": (io.BytesIO(roster.getvalue().encode()), "daftar.csv")},
                            content_type="multipart/form-data")
    page = assert_inert(response, "Budi N2", where="roster import result")
    shown = response.get_data(as_text=True)
    credentials = {"username": re.findall(r'name="username" value="([^"]*)"', shown),
                   "password": re.findall(r'name="password" value="([^"]*)"', shown)}
    assert "2 peserta dibuat" in page, page[:2000]
    imported = db.session.scalars(select(User).where(User.nis.in_(["9101", "9102"]))).all()

    # practical transcript, then the video arrives (a finished MediaFile attached to that version)
    tclient = login_as(app.test_client(), trainee)
    response = tclient.post("/praktik/LIK_1/versi", data={"partner": "", "transcript": TRANSCRIPT})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    version = db.session.scalar(select(SubmissionVersion).join(Submission).where(Submission.trainee_id == trainee.id))
    assert version.transcript.startswith("XT1 ")
    media = MediaFile(owner_id=trainee.id, target_kind="submission-version", target_id=str(version.id),
                      original_filename="dialog.mp4", original_key="originals/xss.mp4", original_size=1000,
                      container="mov,mp4", video_codec="h264", audio_codec="aac", duration=240.0, width=1280,
                      height=720, status="siap", playback_key="playback/xss.mp4")
    db.session.add(media)
    db.session.flush()
    version.media_file_id, version.attached_at = media.id, utcnow()
    db.session.commit()

    # assessor: comments, feedback, then a correction with a reason
    points = practicals["LIK_1"].active_points
    marks = {f"hasil-{p.id}": "K" for p in points}
    marks.update({f"komentar-{p.id}": COMMENT for p in points})
    marks.update({f"sikap-{a['id']}": "K" for a in practicals["LIK_1"].attitudes})
    marks.update({f"sikap-komentar-{a['id']}": COMMENT for a in practicals["LIK_1"].attitudes})
    mark_url = f"/penilaian/versi/{version.id}/peserta/{trainee.id}"
    assert_inert(assessor.get(mark_url), "XT1", where="marking screen before marks")
    response = assessor.post(mark_url, data={**marks, "rekomendasi": "K", "umpan_balik": FEEDBACK,
                                             "tuk": TUK, "aksi": "final", "yakin": "1"})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    from courseware.assessments.models import Judgement

    first = db.session.scalar(select(Judgement).where(Judgement.trainee_id == trainee.id))
    assert first.is_final
    corrected = {**marks, f"hasil-{points[0].id}": "BK"}
    response = assessor.post(f"/penilaian/koreksi/{first.id}", data={
        **corrected, "rekomendasi": "BK", "umpan_balik": FEEDBACK, "tuk": TUK, "alasan": REASON, "yakin": "1"})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    final = db.session.scalars(select(Judgement).where(Judgement.trainee_id == trainee.id)
                               .order_by(Judgement.id.desc())).first()
    assert final.id != first.id and final.is_final

    # question bank: the editor and a GIFT import
    response = teacher.post("/bank-soal/baru", data={"pool": "ujian",
        "kuk": "1.2", "stem": STEM, "option_a": OPTION, "option_b": "Pilihan kedua yang wajar",
        "option_c": "Pilihan ketiga yang wajar", "option_d": "Pilihan keempat yang wajar", "option_e": "",
        "option_f": "", "key": "A", "explanation": EXPLANATION})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    response = teacher.post("/bank-soal/impor", data={"gift_file": (io.BytesIO(GIFT_SOURCE.encode()), "soal.gift"), "pool": "ujian",
                                                      "kuk": "1.3"}, content_type="multipart/form-data")
    assert response.status_code in (200, 302), response.get_data(as_text=True)[:3000]
    assert_inert(response, where="GIFT import result")
    from courseware.bank.models import Question

    questions = {q.uid: q for q in db.session.scalars(select(Question))}
    assert "xss-g1" in questions or any(q.stem.startswith("XG1") for q in questions.values()), questions.keys()

    # the written test draws exactly these two questions; the trainee takes it and submits
    from courseware.quizzes.content import sync_quizzes
    from courseware.quizzes.models import Quiz
    from courseware.quizzes.windows import set_window

    sync_quizzes(app)
    quiz = db.session.scalar(select(Quiz).where(Quiz.code == "tes-tertulis"))
    # A blueprint of just these two KUKs: a pool that cannot fill the shipped one refuses to start.
    quiz.kuk_weights, quiz.kuks = {"1.2": 1, "1.3": 1}, ["1.2", "1.3"]
    db.session.commit()
    now = utcnow()
    set_window(classroom, quiz, now - timedelta(hours=1), now + timedelta(hours=2), "langsung", users["teacher"],
               items_per_attempt=2)
    response = tclient.post("/tes/tes-tertulis/mulai")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    take_url = response.headers["Location"]
    attempt_id = int(re.search(r"/percobaan/(\d+)", take_url).group(1))

    return {"classroom": classroom, "trainee": trainee, "formula_user": formula_user, "imported": imported,
            "credentials": credentials,
            "version": version, "judgement": final, "first": first, "attempt_id": attempt_id,
            "take_url": take_url, "tclient": tclient, "admin": admin, "teacher": teacher, "assessor": assessor,
            "questions": questions}


def test_hostile_text_is_inert_on_every_page_that_shows_it(hostile_world, users, app):
    w = hostile_world
    admin, teacher, assessor, tclient = w["admin"], w["teacher"], w["assessor"], w["tclient"]
    class_id, trainee, version = w["classroom"].id, w["trainee"], w["version"]
    attempt_id = w["attempt_id"]

    # the trainee's own pages
    assert_inert(tclient.get("/"), "Ani N1", "XK1", where="trainee dashboard")
    assert_inert(tclient.get("/praktik/LIK_1"), "XT1", where="practical sheet")
    assert_inert(tclient.get(f"/praktik/kiriman/{version.submission_id}"), "XT1", where="submission page")
    assert_inert(tclient.get("/penilaian/hasil/LIK_1"), "XC1", "XF1", where="trainee result")
    assert_inert(tclient.get(f"/penilaian/observasi/{w['judgement'].id}"), "Ani N1", "XC1", "XF1",
                 where="observation sheet")
    assert_inert(tclient.get(w["take_url"]), "XS1", "XO1", where="quiz page")
    response = tclient.post(f"/tes/percobaan/{attempt_id}/kumpulkan", data={})
    assert response.status_code == 302
    assert_inert(tclient.get(f"/tes/percobaan/{attempt_id}/hasil"), "XS1", "XE1", where="quiz result with review")

    # the teacher's pages
    assert_inert(teacher.get("/"), "XK1", where="teacher dashboard")
    assert_inert(teacher.get("/kelas/"), "XK1", where="class list")
    assert_inert(teacher.get(f"/kelas/{class_id}"), "XK1", "Ani N1", "Budi N2", where="class page")
    assert_inert(teacher.get(f"/materi/kelas/{class_id}/kemajuan"), "XK1", "Ani N1", where="progress grid")
    assert_inert(teacher.get(f"/praktik/kelas/{class_id}"), "Ani N1", where="practicals class overview")
    assert_inert(teacher.get(f"/tes/kelas/{class_id}/hasil"), "Ani N1", where="quiz results")
    assert_inert(teacher.get(f"/tes/kelas/{class_id}/percobaan/{attempt_id}"), "XS1", where="teacher review")
    assert_inert(teacher.get(f"/tes/analisis?kelas={class_id}"), "XS1", where="item analysis")
    assert_inert(teacher.get(f"/tes/kelas/{class_id}/jadwal"), "XK1", where="quiz window page")
    assert_inert(teacher.get(f"/penilaian/kelas/{class_id}/rekap"), "Ani N1", where="recap")
    assert_inert(teacher.get(f"/penilaian/kelas/{class_id}/laporan"), "Ani N1", where="class report")
    assert_inert(teacher.get("/bank-soal/"), "XS1", "XG1", "XGO1", where="bank list")
    assert_inert(teacher.get(f"/bank-soal/{w['questions']['xss-g1'].id}"), "XG1", where="bank editor (GIFT item)")
    s1 = next(q for q in w["questions"].values() if q.stem.startswith("XS1"))
    assert_inert(teacher.get(f"/bank-soal/{s1.id}"), "XS1", "XO1", "XE1", where="bank editor")

    # the assessor's pages and the records
    assert_inert(assessor.get("/penilaian/antrean"), "Ani N1", "XK1", where="queue")
    assert_inert(assessor.get(f"/penilaian/versi/{version.id}/peserta/{trainee.id}"), "Ani N1", "XT1", "XC1", "XF1",
                 where="marking screen")
    record = assert_inert(assessor.get(f"/penilaian/rekaman/{trainee.id}"), "Ani N1", "XU1", "XF1",
                          where="assessment record")
    assert "XR1" in record or "XR1" in assert_inert(
        assessor.get(f"/penilaian/observasi/{w['judgement'].id}"), where="observation (correction)")

    # the admin's pages
    assert_inert(admin.get("/admin/pengguna"), "Ani N1", "Budi N2", where="user list")
    assert_inert(admin.get(f"/admin/pengguna/{trainee.id}"), "Ani N1", where="user edit")
    assert_inert(admin.get("/admin/audit/"), "XK1", "XR1", where="audit log")
    assert_inert(admin.get("/admin/audit/?q=R1"), where="audit log search")


class _Page:
    def __init__(self, html):
        self.status_code, self._html = 200, html

    def get_data(self, as_text=False):
        return self._html


@pytest.mark.parametrize("html", [
    "<p>x</p><script>alert(1)</script>", "<p>\"><img src=x onerror=alert(1)></p>",
    '<a href=" JaVaScRiPt:alert(1)">a</a>', "<svg onload=alert(1)>", '<script src="https://evil/x.js"></script>',
])
def test_the_page_check_catches_a_live_payload(html):
    with pytest.raises(AssertionError):
        assert_inert(_Page(html))


def test_the_page_check_catches_an_evaluated_template():
    with pytest.raises(AssertionError):
        assert_inert(_Page("<p>XK1 49</p>"), "XK1")
    assert_inert(_Page('<script src="/static/js/app.js" defer></script><p>XK1 &lt;b&gt; {{7*7}}</p>'), "XK1")


def test_exports_defuse_formula_cells(hostile_world):
    w = hostile_world
    teacher, class_id = w["teacher"], w["classroom"].id
    recap = csv_rows(teacher.get(f"/penilaian/kelas/{class_id}/rekap.csv"))
    assert any(FORMULA_NAME in cell for row in recap for cell in row), recap
    assert any(FORMULA_NIS in cell for row in recap for cell in row), recap
    assert_no_formula_cells(recap, "recap CSV")
    results = csv_rows(teacher.get(f"/tes/kelas/{class_id}/hasil.csv"))
    assert any(FORMULA_NAME in cell for row in results for cell in row), results
    assert_no_formula_cells(results, "quiz results CSV")
    for url in (f"/penilaian/kelas/{class_id}/rekap.xlsx", f"/tes/kelas/{class_id}/hasil.xlsx"):
        response = teacher.get(url)
        assert response.status_code == 200, url
        workbook = load_workbook(io.BytesIO(response.data))
        cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
        assert any(cell.value == FORMULA_NAME or cell.value == "'" + FORMULA_NAME for cell in cells), url
        assert not [c.coordinate for c in cells if c.data_type == "f"], (url, "formula cells in the workbook")
    # the first passwords shown after the roster import, downloaded as CSV (names of both imported rows)
    response = teacher.post(f"/kelas/{class_id}/kredensial.csv", data=w["credentials"])
    credentials = csv_rows(response)
    assert len(credentials) == 3, credentials
    assert any("@SUM(1+1)" in cell for row in credentials for cell in row), credentials
    assert_no_formula_cells(credentials, "credentials CSV")


def test_record_pdf_prints_the_payload_literally(hostile_world):
    from pypdf import PdfReader

    w = hostile_world
    response = w["assessor"].get(f"/penilaian/rekaman/{w['trainee'].id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    text = " ".join("\n".join(page.extract_text() for page in reader.pages).split())
    for marker in ("Ani N1", "XU1", "XF1"):
        assert marker in text, marker
        start = text.index(marker)
        shown = text[start:start + 200].replace(" ", "")
        assert "<script>alert(1)</script>" in shown and "{{7*7}}" in shown, shown
    # nothing active in the file: no JavaScript action, no link to a javascript: URL
    assert b"/JavaScript" not in response.data and b"/JS" not in response.data
    assert b"javascript:" not in response.data.lower()
