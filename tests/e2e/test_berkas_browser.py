"""The berkas in a real browser (Debian Chromium), with the gates on:

- the trainee, on a 360 px touch phone, sees the practical held back, fills FR.APL.02 and signs with a
  finger stroke (CDP touch events on the canvas: pointer events of type "touch");
- the assessor at 1280 px reviews and counter-signs with the mouse; the form is locked and shows its
  fingerprint; the public check page says "Sah";
- FR.AK.01: the assessor plans and signs at 1280 px, the trainee agrees and signs at 360 px;
- every page: axe-core without serious/critical violations, no sideways scroll at 360 px, no console
  error (CSP violations are console errors); screenshots of each form at 360 and 1280 px.
"""
from pathlib import Path

import pytest
from sqlalchemy import select

from courseware.accounts.service import create_user
from courseware.classes.models import Enrollment
from courseware.classes.service import create_class
from courseware.extensions import db

from .conftest import CHROMIUM, screenshot  # noqa: F401

PASSWORD = "rahasia-123"
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
AXE_PATH = "/__e2e__/axe.min.js"


@pytest.fixture(scope="module")
def world(live_server):
    base, app = live_server
    app.config["BERKAS_GATES"] = True
    with app.app_context():
        teacher, _ = create_user("guru.berkas", "Bu Guru Berkas", ["teacher"], password=PASSWORD,
                                 must_change_password=False)
        assessor, _ = create_user("asesor.berkas", "Pak Asesor Berkas", ["assessor"], password=PASSWORD,
                                  must_change_password=False)
        trainee, _ = create_user("peserta.berkas", "Sinta Maharani", ["trainee"], nis="770001", password=PASSWORD,
                                 must_change_password=False)
        classroom = create_class(teacher, "XI MPLB Berkas", "2026/2027")
        db.session.add(Enrollment(classroom_id=classroom.id, user_id=trainee.id))
        db.session.commit()
        ids = {"trainee": trainee.id, "class": classroom.id}
        db.session.remove()
    yield base, app, ids
    app.config["BERKAS_GATES"] = False


def _context(browser, width, touch=False):
    context = browser.new_context(viewport={"width": width, "height": 900 if width > 400 else 780},
                                  has_touch=touch, is_mobile=touch)
    context.route("**" + AXE_PATH, lambda route: route.fulfill(
        status=200, content_type="text/javascript", body=AXE.read_text(encoding="utf-8")))
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    return context, page


def _login(page, base, username):
    page.goto(base + "/masuk")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "/masuk" not in page.url


def _check_page(page, base, name):
    """axe, no sideways scroll at narrow widths, no console error; then the screenshot."""
    page.add_script_tag(url=base + AXE_PATH)
    bad = page.evaluate(
        "() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')))")
    assert bad == [], f"{name}: {bad}"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), name
    assert page.console_errors == [], page.console_errors
    screenshot(page, name)


def _both_widths(page, base, name):
    width = page.viewport_size["width"]
    for w in (360, 1280):
        page.set_viewport_size({"width": w, "height": 900})
        _check_page(page, base, f"{name}-{w}")
    page.set_viewport_size({"width": width, "height": 900})


def _stroke_by_touch(page, canvas_selector):
    page.locator(canvas_selector).scroll_into_view_if_needed()
    box = page.locator(canvas_selector).bounding_box()
    cdp = page.context.new_cdp_session(page)
    x0, y0 = box["x"] + box["width"] * 0.1, box["y"] + box["height"] * 0.6
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x0, "y": y0}]})
    for i in range(1, 25):
        x = x0 + box["width"] * 0.75 * i / 24
        y = y0 - box["height"] * 0.35 * ((i % 6) / 5)
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def _stroke_by_mouse(page, canvas_selector):
    page.locator(canvas_selector).scroll_into_view_if_needed()
    box = page.locator(canvas_selector).bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + box["height"] - 40)
    page.mouse.down()
    for i in range(1, 20):
        page.mouse.move(box["x"] + 30 + i * (box["width"] - 60) / 19,
                        box["y"] + box["height"] / 2 + (30 if i % 2 else -30), steps=2)
    page.mouse.up()


def test_trainee_fills_apl02_and_signs_by_touch_then_assessor_counter_signs(browser, world):
    base, app, ids = world
    context, page = _context(browser, 360, touch=True)
    _login(page, base, "peserta.berkas")
    page.goto(base + "/praktik/LIK_1")
    assert page.locator("[data-berkas-block]").is_visible()
    _check_page(page, base, "berkas-praktik-menunggu-apl02-360")

    page.goto(f"{base}/berkas/peserta/{ids['trainee']}/apl02")
    _check_page(page, base, "berkas-apl02-kosong-360")
    canvas = "#ttd-peserta-canvas"
    size = page.locator(canvas).bounding_box()
    assert size["width"] >= 300 and size["height"] >= 120, size
    for fieldset in page.locator("fieldset.kuk-question").all():
        fieldset.locator("input[value=K]").check()
        fieldset.locator("input[type=text]").fill("Video latihan dan catatan rapat")
    # Submitting with an empty pad is stopped in the page, with a message.
    page.click("form button.btn-primary")
    assert "Gambar tanda tangan" in page.locator("[data-pad-status]").inner_text()
    _stroke_by_touch(page, canvas)
    assert page.locator("[data-pad-output]").input_value().startswith("data:image/png;base64,")
    # "Hapus" clears; draw again.
    page.click("[data-pad-clear]")
    assert page.locator("[data-pad-output]").input_value() == ""
    _stroke_by_touch(page, canvas)
    page.fill("#ttd-peserta-name", "Sinta Maharani")
    page.click("form button.btn-primary")
    page.wait_for_load_state()
    assert "Asesmen mandiri terkirim" in page.locator(".flash").first.inner_text()
    assert page.locator(".signature-box img").count() == 1
    _both_widths(page, base, "berkas-apl02-ditandatangani-peserta")
    context.close()

    context, page = _context(browser, 1280)
    _login(page, base, "asesor.berkas")
    page.goto(f"{base}/berkas/peserta/{ids['trainee']}/apl02")
    page.check("input[name=recommendation][value=lanjut]")
    page.fill("#note", "Bukti yang disebut cukup; silakan mulai LIK_1.")
    _stroke_by_mouse(page, "#ttd-asesor-canvas")
    assert page.locator("[data-pad-output]").input_value().startswith("data:image/png;base64,")
    page.fill("#ttd-asesor-name", "Pak Asesor Berkas")
    _check_page(page, base, "berkas-apl02-tinjauan-asesor-1280")
    page.click("form[action$='/tinjau'] button.btn-primary")
    page.wait_for_load_state()
    assert "Tinjauan asesmen mandiri tersimpan" in page.locator(".flash").first.inner_text()
    code = page.locator(".fingerprint").inner_text().strip()
    assert len(code) == 64
    _both_widths(page, base, "berkas-apl02-terkunci")
    public = browser.new_context(viewport={"width": 360, "height": 780})
    public.route("**" + AXE_PATH, lambda route: route.fulfill(
        status=200, content_type="text/javascript", body=AXE.read_text(encoding="utf-8")))
    check = public.new_page()
    check.console_errors = []
    check.goto(f"{base}/berkas/periksa?kode={code}")
    assert "Sah." in check.locator("main").inner_text()
    assert "Sinta" not in check.locator("main").inner_text()
    _both_widths(check, base, "berkas-periksa-sah")
    public.close()
    context.close()

    # The practical opens for the trainee now.
    context, page = _context(browser, 360, touch=True)
    _login(page, base, "peserta.berkas")
    page.goto(base + "/praktik/LIK_1")
    assert page.locator("[data-berkas-block]").count() == 0
    context.close()


def test_ak01_assessor_plans_and_trainee_agrees(browser, world):
    base, app, ids = world
    context, page = _context(browser, 1280)
    _login(page, base, "asesor.berkas")
    page.goto(f"{base}/berkas/peserta/{ids['trainee']}/ak01")
    _check_page(page, base, "berkas-ak01-rencana-1280")
    page.check("input[name=methods][value=observasi]")
    page.check("input[name=methods][value=lisan]")
    page.fill("#date", "2026-12-14")
    page.check("input[name=tuk_type][value=sewaktu]")
    page.fill("#tuk_place", "Ruang praktik OTKP 2")
    _stroke_by_mouse(page, "#ttd-asesor-canvas")
    page.click("form[action$='/rencana'] button.btn-primary")
    page.wait_for_load_state()
    assert "Rencana asesmen tersimpan" in page.locator(".flash").first.inner_text()
    page.goto(f"{base}/berkas/kelas/{ids['class']}")
    _both_widths(page, base, "berkas-kelas")
    context.close()

    context, page = _context(browser, 360, touch=True)
    _login(page, base, "peserta.berkas")
    page.goto(f"{base}/berkas/peserta/{ids['trainee']}/ak01")
    assert "Ruang praktik OTKP 2" in page.locator("main").inner_text()
    _check_page(page, base, "berkas-ak01-persetujuan-peserta-360")
    _stroke_by_touch(page, "#ttd-peserta-canvas")
    page.click("form[action$='/setuju'] button.btn-primary")
    page.wait_for_load_state()
    assert "Persetujuan asesmen ditandatangani" in page.locator(".flash").first.inner_text()
    assert page.locator(".fingerprint").count() == 1
    _both_widths(page, base, "berkas-ak01-terkunci")
    page.goto(base + "/berkas/")
    _both_widths(page, base, "berkas-peserta-beranda")
    page.goto(base + "/berkas/pasangan")
    _both_widths(page, base, "berkas-pasangan")
    context.close()

    # The class teacher sees the class's forms, the setting, and names the class assessor.
    context, page = _context(browser, 360, touch=True)
    _login(page, base, "guru.berkas")
    page.goto(f"{base}/berkas/kelas/{ids['class']}")
    page.fill("#asesor-baru", "asesor.berkas")
    page.click("form[action$='/asesor'] button[type=submit]")
    page.wait_for_load_state()
    assert "sekarang asesor kelas ini" in page.locator(".flash").first.inner_text()
    assert "Lengkap, ditandatangani" in page.locator("main table").inner_text()
    _both_widths(page, base, "berkas-kelas-guru")
    context.close()
    with app.app_context():
        from courseware.berkas.models import AssessmentForm

        forms = db.session.scalars(select(AssessmentForm).where(AssessmentForm.trainee_id == ids["trainee"])).all()
        assert sorted((f.kind, f.is_locked) for f in forms) == [("FR.AK.01", True), ("FR.APL.02", True)]
        db.session.remove()
