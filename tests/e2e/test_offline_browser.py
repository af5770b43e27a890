"""Offline reading on a 360-px phone with Debian's Chromium: open the lesson overview online, lose
the network, read three lessons and the glossary, mark one done, get the network back, and the
mark arrives on the server. A live page (the written test) shows the offline message instead of
a cached copy, and logging out removes this user's stored pages from the device.

The network is cut for real: the browser talks to a relay in front of waitress, and the relay
stops passing bytes (Chromium's offline emulation alone does not reach service-worker fetches).
The context is also set offline, so the page sees navigator.onLine = false and later "online".
"""
import socket
import struct
import threading
import time

import pytest
from flask_migrate import upgrade
from sqlalchemy import select
from waitress.server import create_server

from courseware.accounts.service import create_user
from courseware.cli import run_content_sync
from courseware.extensions import db
from courseware.lessons.models import LessonProgress
from courseware.lessons.service import active_lessons

from ..conftest import make_app
from .conftest import no_horizontal_scroll, screenshot

PASSWORD = "rahasia-123"


class Relay:
    """A TCP relay on a loopback port whose network can be cut (connections reset) and restored."""

    def __init__(self, target_port: int):
        self.target, self.online, self.lock, self.sockets = target_port, True, threading.Lock(), set()
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(64)
        self.port = self.server.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    @staticmethod
    def _reset(sock):
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()

    def _accept(self):
        while True:
            try:
                client, _addr = self.server.accept()
            except OSError:
                return
            if not self.online:
                self._reset(client)
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target))
            with self.lock:
                self.sockets |= {client, upstream}
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, src, dst):
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for sock in (src, dst):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self):
        self.online = False
        with self.lock:
            sockets, self.sockets = list(self.sockets), set()
        for sock in sockets:
            self._reset(sock)

    def restore(self):
        self.online = True

    def close(self):
        self.cut()
        self.server.close()


@pytest.fixture(scope="module")
def offline_site(tmp_path_factory, e2e_db_url):
    tmp = tmp_path_factory.mktemp("e2e-offline")
    app = make_app(tmp, SQLALCHEMY_DATABASE_URI=e2e_db_url)
    with app.app_context():
        upgrade()
        run_content_sync(app)
        create_user("peserta.offline", "Peserta Offline", ["trainee"], password=PASSWORD, must_change_password=False)
        db.session.remove()
    server = create_server(app, host="127.0.0.1", port=0, threads=6)
    threading.Thread(target=server.run, daemon=True).start()
    relay = Relay(server.effective_port)
    yield f"http://127.0.0.1:{relay.port}", app, relay
    relay.close()
    server.close()
    with app.app_context():
        db.engine.dispose()


def _until(check, seconds=15.0, what="condition"):
    # Polled from Python: the CSP forbids the eval that wait_for_function would need.
    end = time.time() + seconds
    while time.time() < end:
        if check():
            return
        time.sleep(0.15)
    raise AssertionError(f"timed out waiting for {what}")


def test_lessons_read_offline_mark_sent_when_online_live_pages_never_cached(offline_site, browser):
    base, app, relay = offline_site
    with app.app_context():
        lessons = [(l.id, l.title) for l in active_lessons()]
        db.session.remove()
    assert len(lessons) >= 3
    context = browser.new_context(viewport={"width": 360, "height": 780}, base_url=base)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto("/masuk")
        page.fill("input[name=username]", "peserta.offline")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.goto("/materi/")
        _until(lambda: page.evaluate("!!navigator.serviceWorker.controller"), what="service worker in control")
        panel = page.locator("[data-offline-save]")
        assert panel.is_visible() and "Simpan semua materi untuk dibaca offline" in panel.inner_text()
        _until(lambda: panel.get_attribute("data-offline-done") == "all", 30, "all lessons stored")
        assert page.locator("progress[max]").first.is_visible()
        _until(lambda: page.locator(".lesson-list .tag-stored").count() == len(lessons), what="stored tags")
        assert no_horizontal_scroll(page)
        screenshot(page, "offline-overview-360")

        relay.cut()
        context.set_offline(True)
        for lesson_id, title in lessons[:3]:
            page.goto(f"/materi/{lesson_id}")
            assert page.locator("h1").inner_text() == title
            # Styled from the stored CSS: the brand colour of the top bar.
            assert page.evaluate("getComputedStyle(document.querySelector('.topbar')).backgroundColor") \
                == "rgb(11, 92, 138)"
        page.click("#tandai button[type=submit]")
        assert "akan dikirim otomatis saat Anda online" in page.locator(".offline-queued").inner_text()
        screenshot(page, "offline-lesson-queued-360")
        page.goto("/materi/kamus")
        assert page.locator("h1").inner_text() == "Kamus istilah"
        page.goto("/tes/")
        assert page.locator("h1").inner_text() == "Anda sedang offline"
        screenshot(page, "offline-live-page-360")
        with app.app_context():
            assert db.session.scalar(select(LessonProgress).where(LessonProgress.lesson_id == lessons[2][0])) is None
            db.session.remove()

        page.goto(f"/materi/{lessons[0][0]}")
        relay.restore()
        context.set_offline(False)

        def arrived():
            with app.app_context():
                row = db.session.scalar(select(LessonProgress).where(LessonProgress.lesson_id == lessons[2][0]))
                db.session.remove()
                return row is not None
        _until(arrived, what="the offline mark on the server")
        _until(lambda: page.get_attribute("body", "data-offline-sent") == "1", what="the sent message")
        assert "sudah terkirim" in page.locator("#offline-status").inner_text()
        assert page.evaluate("localStorage.length") == 0

        user = page.get_attribute("body", "data-user")
        assert f"cw-user-{user}" in page.evaluate("caches.keys()")
        stored = page.evaluate(f"""caches.open("cw-user-{user}").then(c => c.keys())
                                   .then(keys => keys.map(r => new URL(r.url).pathname))""")
        assert "/materi/kamus" in stored and f"/materi/{lessons[2][0]}" in stored
        assert all(path.startswith("/materi/") for path in stored), stored      # never a test, upload or marking
        page.click(".menu summary")
        page.click(".menu button:has-text('Keluar')")
        page.wait_for_url("**/masuk")
        assert f"cw-user-{user}" not in page.evaluate("caches.keys()")
        assert errors == []
    finally:
        context.close()
