"""Offline reading: the PWA pieces served by the site, the reading list, the owner stamp the service
worker files pages under, and the JSON answer a queued offline mark gets."""
import json
import re
from pathlib import Path

from sqlalchemy import select

from courseware.extensions import db
from courseware.lessons.models import LessonProgress

SW = Path(__file__).resolve().parents[1] / "static" / "js" / "sw.js"


def test_service_worker_is_served_from_the_root_under_the_strict_csp(client):
    response = client.get("/sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert response.headers["Cache-Control"] == "no-cache"
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "script-src 'self'" in csp
    assert b'addEventListener("fetch"' in response.data


def test_everything_the_service_worker_precaches_exists(client):
    for path in re.findall(r'"(/static/[^"]+)"', SW.read_text(encoding="utf-8")):
        assert client.get(path).status_code == 200, path


def test_manifest_makes_the_site_installable(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200 and response.mimetype == "application/manifest+json"
    manifest = json.loads(response.data)
    assert manifest["start_url"] == "/materi/" and manifest["scope"] == "/" and manifest["display"] == "standalone"
    assert manifest["lang"] == "id" and manifest["name"] and manifest["short_name"]
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    assert any(icon.get("purpose") == "maskable" for icon in manifest["icons"])
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200, icon["src"]


def test_offline_page_is_indonesian_and_names_nobody(client):
    response = client.get("/offline")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Anda sedang offline" in page
    assert 'data-user=""' in page and "Keluar" not in page


def test_reading_list_names_every_lesson_the_glossary_and_the_assets(app, lessons, users, as_user):
    client = as_user("trainee")
    response = client.get("/materi/offline.json")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    info = response.get_json()
    assert info["user"] == str(users["trainee"].id) and info["csrf"]
    from courseware.lessons.service import active_lessons

    assert info["pages"][0] == "/materi/" and "/materi/kamus" in info["pages"]
    assert {f"/materi/{l.id}" for l in active_lessons()} <= set(info["pages"])
    assert "/static/css/app.css" in info["assets"] and "/static/css/lessons.css" in info["assets"]
    for url in info["pages"] + info["assets"]:
        assert client.get(url).status_code == 200, url
    assert app.test_client().get("/materi/offline.json").status_code == 302


def test_pages_carry_their_owner_for_the_service_worker(app, lessons, users, as_user):
    response = as_user("trainee").get("/materi/")
    assert response.headers["X-Courseware-User"] == str(users["trainee"].id)
    page = response.get_data(as_text=True)
    assert f'data-user="{users["trainee"].id}"' in page
    assert 'rel="manifest" href="/manifest.webmanifest"' in page and "/static/js/offline.js" in page
    assert "Simpan semua materi untuk dibaca offline" in page and "data-offline-save" in page
    assert "data-logout" in page
    assert "X-Courseware-User" not in app.test_client().get("/masuk").headers


def test_a_mark_queued_offline_is_answered_in_json_and_still_needs_csrf(app, lessons, users, as_user):
    from courseware.lessons.service import active_lessons

    lesson = active_lessons()[2].id
    client = as_user("trainee")
    response = client.post(f"/materi/{lesson}/selesai", data={"done": "1"}, headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.get_json() == {"lesson": lesson, "done": True}
    assert db.session.scalar(select(LessonProgress).where(LessonProgress.lesson_id == lesson,
                                                          LessonProgress.user_id == users["trainee"].id))
    response = client.post(f"/materi/{lesson}/selesai", data={"done": "0"}, csrf=False,
                           headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert as_user("teacher").post(f"/materi/{lesson}/selesai", data={"done": "1"},
                                   headers={"Accept": "application/json"}).status_code == 403
