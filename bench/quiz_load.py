"""Benchmark: 40 trainees take and submit the written test at the same moment.

Runs the real server on the embedded default (SQLite in a temporary INSTANCE_PATH, served by
courseware/serve.py's serve_site: waitress with the site's settings and its admission gates) on a
free loopback port, then 40 client threads each log in, start the test, wait for the others, save
an answer for every item at the same moment, change every third answer (as quiz.js does: one POST
per choice, each with a rising sequence number, retried after a 503 + Retry-After with jitter, or
after a lost connection), wait again and press "Kumpulkan" together (retried the same way).

Prints the requests that failed for good (must be 0), lost answers and answers that differ from the
trainee's last choice (must be 0), the number of recorded submissions (must be N), how often the
server said "busy" (503), the p50/p95 latency of one save request and of one answer until it was
saved (retries included), and how long the slowest trainee waited in all.
Exit status 1 if any must-be-zero figure is not zero.

    .venv/bin/python bench/quiz_load.py [--trainees 40] [--threads 8]

Setting up N accounts and logging them in one by one is not what this measures; it uses the test
suite's cheap password hash for that (COURSEWARE_TEST_PASSWORD_HASH=1; the measured phase hashes
nothing). --real-hash keeps Argon2id's 19 MiB, as a real lab has it.
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
logging.getLogger("waitress.queue").setLevel(logging.ERROR)   # the burst is deliberate
from courseware import create_app
from courseware.serve import serve_site
serve_site(create_app(), "127.0.0.1", int(sys.argv[1]), int(sys.argv[2]))
"""
GIVE_UP_SECONDS = 600   # a request still not answered after 10 minutes of retries counts as failed


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
    from courseware.quizzes.service import written_test
    from courseware.quizzes.windows import set_window

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
        self.chosen: dict[int, int] = {}        # position -> the trainee's last choice
        self.waited = 0.0                       # seconds spent waiting for saves and the submission
        self.seq = 0

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
        """Every item once, then every third item again with another option (the last choice counts)."""
        url = f"{self.base}/tes/percobaan/{self.attempt_id}/jawab"
        first = {p: rng.choice(o) for p, o in sorted(self.options.items())}
        plan = list(first.items()) + [(p, rng.choice([x for x in o if x != first[p]] or o))
                                      for p, o in sorted(self.options.items()) if p % 3 == 0]
        for position, choice in plan:
            self.chosen[position] = choice
            self.seq = max(self.seq + 1, int(time.time() * 1000))     # as quiz.js: ms, strictly rising
            began = time.perf_counter()
            stats.call("save", self.http.post, url, data={
                "posisi": position, "pilihan": choice, "urutan": self.seq, "csrf_token": self.token},
                headers={"Accept": "application/json", "X-CSRFToken": self.token})
            elapsed = time.perf_counter() - began
            self.waited += elapsed
            with stats.lock:
                stats.latency["answer"].append(elapsed)

    def submit(self, stats) -> None:
        began = time.perf_counter()
        stats.call("submit", self.http.post, f"{self.base}/tes/percobaan/{self.attempt_id}/kumpulkan",
                   expect=(302,), allow_redirects=False, data={"csrf_token": self.token})
        self.waited += time.perf_counter() - began


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = {"setup": [], "save": [], "submit": [], "answer": []}
        self.failures: list[str] = []
        self.busy = 0           # 503 answers (each retried)
        self.dropped = 0        # timeouts and lost connections (each retried)
        self.rng = random.Random(7)

    def call(self, kind, method, url, expect=(200,), **kwargs):
        """One request as the site's scripts make it: a 503/429 is retried after Retry-After (a floor)
        plus up to half of it as jitter; a timeout or lost connection after a growing pause."""
        backoff, started = 1.0, time.perf_counter()
        while True:
            began = time.perf_counter()
            try:
                response = method(url, timeout=60, **kwargs)
            except requests.RequestException as exc:
                with self.lock:
                    self.dropped += 1
                    jitter = 0.75 + self.rng.random() / 2
                if time.perf_counter() - started > GIVE_UP_SECONDS:
                    with self.lock:
                        self.failures.append(f"{kind} {url}: {exc}")
                    return None
                time.sleep(backoff * jitter)
                backoff = min(backoff * 2, 15)
                continue
            elapsed = time.perf_counter() - began
            with self.lock:
                self.latency[kind].append(elapsed)
            if response.status_code in (429, 503) and time.perf_counter() - started < GIVE_UP_SECONDS:
                retry_after = float(response.headers.get("Retry-After") or 0)
                with self.lock:
                    self.busy += 1
                    wait = max(backoff * (0.75 + self.rng.random() / 2), retry_after * (1 + self.rng.random() / 2))
                time.sleep(wait)
                backoff = min(backoff * 2, 15)
                continue
            if response.status_code not in expect:
                with self.lock:
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
            for position, option in trainee.chosen.items():
                if stored.get(position) is None:
                    lost += 1
                elif stored[position] != option:
                    mismatched += 1
            mismatched += sum(1 for p, o in stored.items() if o is not None and p not in trainee.chosen)
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
    parser.add_argument("--real-hash", action="store_true", help="set up and log in with the real Argon2id hash")
    parser.add_argument("--concurrent-logins", action="store_true",
                        help="let all trainees log in at once too (not only take and submit)")
    args = parser.parse_args()

    instance = tempfile.mkdtemp(prefix="quiz-load-")
    os.environ["INSTANCE_PATH"] = instance
    os.environ.pop("DATABASE_URL", None)          # the embedded default: SQLite in the instance folder
    os.environ["LOGIN_RATE_LIMIT"] = "1000 per minute"
    if not args.real_hash:
        os.environ["COURSEWARE_TEST_PASSWORD_HASH"] = "1"   # before the app is imported (and in the server)
    sys.path.insert(0, str(ROOT))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = None
    try:
        print(f"Menyiapkan basis data di {instance} ...")
        prepare(args.trainees)
        server = subprocess.Popen([sys.executable, "-c", SERVER, str(port), str(args.threads)], cwd=str(ROOT),
                                  env=dict(os.environ))
        deadline = time.time() + 90          # a loaded 2-core PC needs a while to import the app
        while time.time() < deadline and server.poll() is None:
            try:
                if requests.get(f"{base}/masuk", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)
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
        saves, submits, answers = stats.latency["save"], stats.latency["submit"], stats.latency["answer"]
        print()
        print(f"peserta                        {args.trainees}")
        print(f"pilihan jawaban                {len(answers)}   (permintaan simpan: {len(saves)})")
        print(f"dijawab 503 sibuk / putus      {stats.busy} / {stats.dropped}   (semua diulang)")
        print(f"permintaan gagal               {len(stats.failures)}   (harus 0)")
        for line in stats.failures[:10]:
            print(f"    {line}")
        print(f"jawaban hilang                 {lost}   (harus 0)")
        print(f"jawaban tidak cocok            {mismatched}   (harus 0)")
        print(f"pengumpulan tercatat           {submissions}   (harus {args.trainees})")
        print(f"simpan jawaban  p50 / p95      {percentile(saves, .5) * 1000:.0f} ms / "
              f"{percentile(saves, .95) * 1000:.0f} ms")
        print(f"jawaban sampai tersimpan p50 / p95 / maks  {percentile(answers, .5) * 1000:.0f} ms / "
              f"{percentile(answers, .95) * 1000:.0f} ms / {max(answers or [0]) * 1000:.0f} ms")
        print(f"kumpulkan       p50 / p95      {percentile(submits, .5) * 1000:.0f} ms / "
              f"{percentile(submits, .95) * 1000:.0f} ms")
        slowest = max(trainees, key=lambda t: t.waited)
        print(f"peserta paling lama menunggu   {slowest.waited:.1f} s total (simpan + kumpulkan, {slowest.username})")
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
