"""Finding 9 of issue 14: 120 slow, half-open connections stopped waitress answering.

A bounded slowloris against a live waitress started with the site's own settings
(courseware.serve.waitress_options): 120 connections that send a request header line every
few seconds for 20 s and never finish. Meanwhile a logged-in trainee loads a lesson once a
second, each load given 2 s before it counts as unanswered.
"""
import socket
import threading
import time

import requests
from sqlalchemy import select

from courseware.extensions import db

from .live_server import live, login  # noqa: F401

CONNECTIONS = 120
SECONDS = 20


class Slowloris:
    def __init__(self, port: int):
        self.port = port
        self.sockets: list[socket.socket] = []
        self.stop = threading.Event()
        self.reconnects = 0
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _open(self) -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        sock.sendall(b"GET /masuk HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow\r\n")
        return sock

    def start(self) -> "Slowloris":
        self.sockets = [self._open() for _ in range(CONNECTIONS)]
        self.thread.start()
        return self

    def _run(self):
        n = 0
        while not self.stop.wait(2):
            for i, sock in enumerate(self.sockets):
                try:
                    sock.sendall(f"X-Pelan-{n}: a\r\n".encode())
                except OSError:  # closed by the server: open another, the attack stays at 120
                    sock.close()
                    self.reconnects += 1
                    try:
                        self.sockets[i] = self._open()
                    except OSError:
                        pass
            n += 1

    def close(self):
        self.stop.set()
        self.thread.join(10)
        for sock in self.sockets:
            sock.close()


def test_120_slow_connections_do_not_stop_a_lesson_loading(live):
    from courseware.lessons.models import Lesson
    from courseware.lessons.sync import sync_content

    with live.app.app_context():
        sync_content(live.app.config["CONTENT_ROOT"])
        lesson_id = db.session.scalar(select(Lesson.id).order_by(Lesson.id))
        db.session.remove()
    server = live.server().start()
    http = login(server.url, "peserta1")
    url = f"{server.url}/materi/{lesson_id}"
    assert http.get(url, timeout=5, headers={"Connection": "close"}).status_code == 200

    attack = Slowloris(server.port).start()
    loads, unanswered = [], []
    try:
        end = time.monotonic() + SECONDS
        while time.monotonic() < end:
            began = time.monotonic()
            try:
                # A new connection each time, as a freshly opened page would need.
                response = http.get(url, timeout=2, headers={"Connection": "close"})
                assert response.status_code == 200
                loads.append(time.monotonic() - began)
            except requests.RequestException as exc:
                unanswered.append(type(exc).__name__)
            time.sleep(max(0.0, 1 - (time.monotonic() - began)))
    finally:
        attack.close()
    print(f"\nslowloris {CONNECTIONS} connections x {SECONDS} s: {len(loads)} lesson loads answered, "
          f"{len(unanswered)} not; slowest {max(loads or [0]) * 1000:.0f} ms; reconnects {attack.reconnects}")
    assert unanswered == []
    assert len(loads) >= SECONDS // 2
