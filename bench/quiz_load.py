"""Benchmark: 40 trainees take and submit the written test at the same moment.

Runs the real server on the embedded default (SQLite in a temporary INSTANCE_PATH, served by
waitress with the same settings as courseware/serve.py) on a free loopback port, then 40 client
threads each log in, start the test, wait for the others, save an answer for every item at the
same moment (as quiz.js does, one POST per choice), wait again and press "Kumpulkan" together.

Prints the failed requests (must be 0), lost or mismatched answers (must be 0), the number of
recorded submissions (must be 40) and the p50/p95 latency of saving an answer and of submitting.
Exit status 1 if any must-be-zero figure is not zero.

    .venv/bin/python bench/quiz_load.py [--trainees 40] [--threads 8]
"""
import argparse
import contextlib
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-rahasia-123"
SERVER = """
import logging
import sys
from waitress import serve
logging.getLogger("waitress.queue").setLevel(logging.ERROR)   # the burst is deliberate
from courseware import create_app
app = create_app()
serve(app, host="127.0.0.1", port=int(sys.argv[1]), threads=int(sys.argv[2]), ident="courseware",
      max_request_body_size=app.config["MAX_CONTENT_LENGTH"] + 1024 * 1024)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(trainees: int) -> None:
    """Schema, shipped content, a teacher, a class of trainees and an open window."""
    from datetime import timedelta

    from flask_migrate import upgrade

    from courseware import create_app
    from courseware.accounts.service import create_user
    from courseware.classes.models import Enrollment
    from courseware.classes.service import create_class
    from courseware.cli import run_content_sync
    from courseware.extensions import db
    from courseware.models_base import utcnow
    from courseware.quizzes.service import set_window, written_test

    app = create_app()
    with app.app_context():
        upgrade()
        for line in run_content_sync(app):
            print("  sync", line)
        teacher, _ = create_user("guru.bench", "Guru Bench", ["teacher"], password=PASSWORD,
                                 must_change_password=False)
        classroom = create_class(teacher, "XI BENCH", "2026/2027")
        for n in range(1, trainees + 1):
            user, _ = create_user(f"bench{n:02d}", f"Peserta {n:02d}", ["trainee"], password=PASSWORD,
                                  nis=f"B{n:04d}", must_change_password=False, commit=False)
            db.session.flush()
            db.session.add(Enrollment(classroom_id=classroom.id, user_id=user.id))
        db.session.commit()
        set_window(classroom, written_test(), utcnow() - timedelta(minutes=5), utcnow() + timedelta(hours=2),
                   "langsung", teacher)
        db.engine.dispose()


class Trainee:
    def __init__(self, base: str, username: str):
        self.base, self.username = base, username
        self.http = requests.Session()
        self.token = ""
        self.attempt_id = None
        self.options: dict[int, list[int]] = {}
        self.sent: dict[int, int] = {}          # position -> option the server said it saved

    def _token_from(self, html: str) -> str:
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
            re.search(r'name="csrf_token" value="([^"]+)"', html)
        return match.group(1) if match else ""

    def login_and_open(self, stats) -> None:
        page = stats.call("setup", self.http.get, f"{self.base}/masuk")
        token = self._token_from(page.text)
        stats.call("setup", self.http.post, f"{self.base}/masuk", expect=(302,), allow_redirects=False,
                   data={"username": self.username, "password": PASSWORD, "csrf_token": token})
        listing = stats.call("setup", self.http.get, f"{self.base}/tes/")
        start = stats.call("setup", self.http.post, f"{self.base}/tes/tes-tertulis/mulai", expect=(302,),
                           allow_redirects=False, data={"csrf_token": self._token_from(listing.text)})
        self.attempt_id = int(start.headers["Location"].rstrip("/").rsplit("/", 1)[1])
        take = stats.call("setup", self.http.get, f"{self.base}/tes/percobaan/{self.attempt_id}")
        self.token = self._token_from(take.text)
        for position, option in re.findall(r'name="jawaban-(\d+)" value="(\d+)"', take.text):
            self.options.setdefault(int(position), []).append(int(option))

    def answer_all(self, stats, rng: random.Random) -> None:
        url = f"{self.base}/tes/percobaan/{self.attempt_id}/jawab"
        for position, options in sorted(self.options.items()):
            choice = rng.choice(options)
            response = stats.call("save", self.http.post, url, data={
                "posisi": position, "pilihan": choice, "csrf_token": self.token},
                headers={"Accept": "application/json", "X-CSRFToken": self.token})
            if response is not None and response.status_code == 200 and response.json().get("saved"):
                self.sent[position] = choice

    def submit(self, stats) -> None:
        stats.call("submit", self.http.post, f"{self.base}/tes/percobaan/{self.attempt_id}/kumpulkan",
                   expect=(302,), allow_redirects=False, data={"csrf_token": self.token})


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = {"setup": [], "save": [], "submit": []}
        self.failures: list[str] = []

    def call(self, kind, method, url, expect=(200,), **kwargs):
        began = time.perf_counter()
        try:
            response = method(url, timeout=60, **kwargs)
        except requests.RequestException as exc:
            with self.lock:
                self.failures.append(f"{kind} {url}: {exc}")
            return None
        elapsed = time.perf_counter() - began
        with self.lock:
            self.latency[kind].append(elapsed)
            if response.status_code not in expect:
                self.failures.append(f"{kind} {url}: HTTP {response.status_code}")
        return response


@contextlib.contextmanager
def _nothing():
    yield


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def verify(trainees: list[Trainee]) -> tuple[int, int, int]:
    """(lost answers, mismatched answers, submissions recorded) read straight from the database."""
    from sqlalchemy import func, select

    from courseware import create_app
    from courseware.audit.models import AuditEvent
    from courseware.extensions import db
    from courseware.quizzes.models import Attempt

    lost = mismatched = 0
    app = create_app()
    with app.app_context():
        for trainee in trainees:
            attempt = db.session.get(Attempt, trainee.attempt_id)
            stored = {item.position: item.chosen_option_id for item in attempt.items}
            for position, option in trainee.sent.items():
                if stored.get(position) is None:
                    lost += 1
                elif stored[position] != option:
                    mismatched += 1
            mismatched += sum(1 for p, o in stored.items() if o is not None and p not in trainee.sent)
        submissions = db.session.scalar(select(func.count()).select_from(AuditEvent)
                                        .where(AuditEvent.action == "quiz.submit"))
        db.engine.dispose()
    return lost, mismatched, submissions


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainees", type=int, default=40)
    parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "8")),
                        help="waitress threads (serve.py's default is 8)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary instance folder")
    parser.add_argument("--concurrent-logins", action="store_true",
                        help="let all trainees log in at once too (not only take and submit)")
    args = parser.parse_args()

    instance = tempfile.mkdtemp(prefix="quiz-load-")
    os.environ["INSTANCE_PATH"] = instance
    os.environ.pop("DATABASE_URL", None)          # the embedded default: SQLite in the instance folder
    os.environ["LOGIN_RATE_LIMIT"] = "1000 per minute"
    sys.path.insert(0, str(ROOT))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = None
    try:
        print(f"Menyiapkan basis data di {instance} ...")
        prepare(args.trainees)
        server = subprocess.Popen([sys.executable, "-c", SERVER, str(port), str(args.threads)], cwd=str(ROOT),
                                  env=dict(os.environ))
        for _ in range(100):
            try:
                if requests.get(f"{base}/masuk", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        else:
            print("Server tidak menjawab.")
            return 1
        print(f"Server waitress ({args.threads} thread) di {base}; {args.trainees} peserta mulai ...")

        stats = Stats()
        trainees = [Trainee(base, f"bench{n:02d}") for n in range(1, args.trainees + 1)]
        ready = threading.Barrier(len(trainees))
        answered = threading.Barrier(len(trainees))
        one_login_at_a_time = threading.Lock()

        def run(trainee: Trainee, seed: int):
            try:
                # Logging in is not what this measures (see --concurrent-logins): one at a time.
                with one_login_at_a_time if not args.concurrent_logins else _nothing():
                    trainee.login_and_open(stats)
            except Exception as exc:  # noqa: BLE001 - counted as a failure, the barrier must not hang
                with stats.lock:
                    stats.failures.append(f"setup {trainee.username}: {exc!r}")
            ready.wait()
            if trainee.attempt_id:
                trainee.answer_all(stats, random.Random(seed))
            answered.wait()
            if trainee.attempt_id:
                trainee.submit(stats)

        threads = [threading.Thread(target=run, args=(t, n)) for n, t in enumerate(trainees)]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - began

        lost, mismatched, submissions = verify([t for t in trainees if t.attempt_id])
        saves, submits = stats.latency["save"], stats.latency["submit"]
        print()
        print(f"peserta                        {args.trainees}")
        print(f"jawaban dikirim                {len(saves)}")
        print(f"permintaan gagal               {len(stats.failures)}   (harus 0)")
        for line in stats.failures[:10]:
            print(f"    {line}")
        print(f"jawaban hilang                 {lost}   (harus 0)")
        print(f"jawaban tidak cocok            {mismatched}   (harus 0)")
        print(f"pengumpulan tercatat           {submissions}   (harus {args.trainees})")
        print(f"simpan jawaban  p50 / p95      {percentile(saves, .5) * 1000:.0f} ms / "
              f"{percentile(saves, .95) * 1000:.0f} ms")
        print(f"kumpulkan       p50 / p95      {percentile(submits, .5) * 1000:.0f} ms / "
              f"{percentile(submits, .95) * 1000:.0f} ms")
        print(f"waktu total                    {wall:.1f} s")
        ok = not stats.failures and not lost and not mismatched and submissions == args.trainees
        return 0 if ok else 1
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        if not args.keep:
            shutil.rmtree(instance, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
