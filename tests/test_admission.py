"""Issue 18: overload degrades, it does not lose.

Against real servers (SQLite by default, PostgreSQL with DATABASE_URL): writes held up by a
lock the test keeps on the database fill the admission limit, and the next write is answered
503 + Retry-After with the Indonesian message at once (not after the held ones), with nothing
written; the same with the slots shared through Redis by two hosts; a request beyond the
waitress queue depth is shed with 503. In-process: an older choice that reaches the server late
never overwrites a newer one (quiz.js's sequence number), and login limits are shared in Redis.
"""
import os
import re
import sqlite3
import threading
import time
import uuid
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, select, text

from courseware.accounts.models import User
from courseware.extensions import db
from courseware.quizzes.models import Attempt, AttemptItem

from .conftest import login_as, make_app
from .live_server import live, login  # noqa: F401

requests = pytest.importorskip("requests")

JSON = {"Accept": "application/json"}
BUSY_TEXT = "Server sedang melayani banyak penyimpanan sekaligus"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
START_SECONDS = 120   # a server process needs a while to start on a busy 2-core machine


def _redis_or_skip():
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {REDIS_URL} (set TEST_REDIS_URL); the in-process gate is tested without it")
    return redis


# --- in-process: the sequence number of an answer -------------------------------------------

def _start(client) -> Attempt:
    response = client.post("/tes/tes-tertulis/mulai")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return db.session.get(Attempt, int(re.search(r"/(\d+)$", response.headers["Location"]).group(1)))


def _stored(attempt_id: int, position: int):
    db.session.expire_all()
    return db.session.scalar(select(AttemptItem.chosen_option_id).where(
        AttemptItem.attempt_id == attempt_id, AttemptItem.position == position))


def test_an_older_choice_arriving_late_never_overwrites_a_newer_one(as_user, quiz_class):
    client = as_user("trainee")
    attempt = _start(client)
    item = attempt.items[0]
    first, second = item.option_order[0], item.option_order[1]
    url = f"/tes/percobaan/{attempt.id}/jawab"
    newer = client.post(url, data={"posisi": 1, "pilihan": second, "urutan": "1700000000200"}, headers=JSON)
    assert newer.status_code == 200 and newer.json == {**newer.json, "saved": True, "stale": False}
    # The first choice's request was held up (a queue, a retry) and arrives after the second one.
    late = client.post(url, data={"posisi": 1, "pilihan": first, "urutan": "1700000000100"}, headers=JSON)
    assert late.status_code == 200 and late.json["stale"] is True
    assert _stored(attempt.id, 1) == second
    # The same number again (a retry of the request that was saved) changes nothing either.
    again = client.post(url, data={"posisi": 1, "pilihan": first, "urutan": "1700000000200"}, headers=JSON)
    assert again.json["stale"] is True and _stored(attempt.id, 1) == second
    # A later choice wins; so does the no-JS form ("Simpan" posts the whole page, no number).
    assert client.post(url, data={"posisi": 1, "pilihan": first, "urutan": "1700000000300"},
                       headers=JSON).json["stale"] is False
    assert _stored(attempt.id, 1) == first
    assert client.post(f"/tes/percobaan/{attempt.id}/simpan", data={"jawaban-1": second}).status_code == 302
    assert _stored(attempt.id, 1) == second


@pytest.mark.parametrize("bad", ["-5", "abc", "1e9", str(2**63), " ", "١٢٣"])
def test_a_malformed_sequence_number_is_refused_and_nothing_is_written(as_user, quiz_class, bad):
    client = as_user("trainee")
    attempt = _start(client)
    option = attempt.items[0].option_order[0]
    response = client.post(f"/tes/percobaan/{attempt.id}/jawab", data={"posisi": 1, "pilihan": option,
                                                                      "urutan": bad}, headers=JSON)
    assert response.status_code == 400 and "Pilihan jawaban tidak dikenal" in response.json["error"]
    assert _stored(attempt.id, 1) is None


def test_another_trainees_attempt_stays_404_with_a_sequence_number(as_user, quiz_class):
    attempt = _start(as_user("trainee"))
    other = as_user("trainee2")
    response = other.post(f"/tes/percobaan/{attempt.id}/jawab",
                          data={"posisi": 1, "pilihan": attempt.items[0].option_order[0], "urutan": "5"}, headers=JSON)
    assert response.status_code == 404 and _stored(attempt.id, 1) is None


# --- in-process: the gate itself, and Redis shared by two app hosts -------------------------

def test_local_gate_refuses_after_the_wait_and_frees_its_slot(tmp_path):
    from courseware.admission import LocalGate

    gate = LocalGate(2)
    held = [gate.acquire(0), gate.acquire(0)]
    began = time.monotonic()
    assert gate.acquire(0.3) is None and time.monotonic() - began >= 0.29
    gate.release(held.pop())
    assert gate.acquire(0) is not None


def _redis_app(app, tmp_path, key, name):
    """Another app host on the same database and Redis."""
    return make_app(tmp_path / name, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                    REDIS_URL=REDIS_URL, ADMISSION_REDIS_KEY=key, ADMISSION_LIMIT_TOTAL=2, ADMISSION_WAIT_SECONDS=0.4)


def test_redis_slots_are_shared_by_two_hosts_and_a_dead_hosts_lease_expires(app, tmp_path, users, quiz_class):
    redis = _redis_or_skip()
    key = f"test:admission:{uuid.uuid4().hex}"
    store = redis.Redis.from_url(REDIS_URL)
    try:
        host_a, host_b = _redis_app(app, tmp_path, key, "a"), _redis_app(app, tmp_path, key, "b")
        from courseware.admission import gate_for

        gate_a = gate_for(host_a)
        held = [gate_a.acquire(0), gate_a.acquire(0)]        # two writes running on host A
        assert all(held) and store.zcard(key) == 2
        with host_b.app_context():
            client = login_as(host_b.test_client(), db.session.get(User, users["trainee"].id))
            began = time.monotonic()
            refused = client.post("/tes/tes-tertulis/mulai", headers=JSON)
            waited = time.monotonic() - began
            assert refused.status_code == 503 and 0.35 <= waited < 3
            assert int(refused.headers["Retry-After"]) >= 1 and BUSY_TEXT in refused.json["message"]
            assert db.session.scalar(select(Attempt)) is None                  # nothing half-written
            gate_a.release(held.pop())
            assert client.post("/tes/tes-tertulis/mulai").status_code == 302
            assert store.zcard(key) == 1                                       # B released its slot
            # Host A dies holding its last slot: the lease is dropped once it has expired.
            store.zadd(key, {held[0]: time.time() - 1})
            store.zadd(key, {"other-dead-host": time.time() - 5})
            assert client.get("/tes/").status_code == 200 and store.zcard(key) == 2  # reads take no slot
            assert client.post("/tes/tes-tertulis/mulai").status_code == 302
            assert store.zcard(key) == 0
            db.session.remove()
    finally:
        store.delete(key)


def test_login_limit_is_counted_in_redis_across_two_hosts(app, tmp_path):
    redis = _redis_or_skip()
    prefix = f"test-limit-{uuid.uuid4().hex[:8]}"
    settings = {"RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": prefix,
                "LOGIN_RATE_LIMIT": "3 per minute", "WTF_CSRF_ENABLED": False}
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    host_a, host_b = (make_app(tmp_path / name, SQLALCHEMY_DATABASE_URI=url, **settings) for name in "ab")
    try:
        statuses = []
        for host in (host_a, host_a, host_b, host_b):
            with host.app_context():
                response = host.test_client().post("/masuk", data={"username": "peserta.tak.ada",
                                                                  "password": "salah-salah-salah"})
                statuses.append(response.status_code)
                db.session.remove()
        # Three tries in all are allowed, wherever they land; the fourth (on host B) is refused.
        assert statuses == [401, 401, 401, 429]
    finally:
        store = redis.Redis.from_url(REDIS_URL)
        for name in store.scan_iter(f"*{prefix}*"):
            store.delete(name)


# --- real servers: held requests fill the limit -------------------------------------------

@contextmanager
def _hold_database(url: str, attempt_ids: list[int]):
    """Keep the database's write lock (SQLite) or the attempts' rows (PostgreSQL) until the block ends."""
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url[len("sqlite:///"):], isolation_level=None, timeout=10)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()
        return
    engine = create_engine(url)
    with engine.connect() as conn:
        trans = conn.begin()
        conn.execute(text("SELECT id FROM quiz_attempts WHERE id = ANY(:ids) FOR UPDATE"), {"ids": attempt_ids})
        try:
            yield
        finally:
            trans.rollback()
    engine.dispose()


def _clone(http):
    other = requests.Session()
    other.cookies.update(http.cookies)
    other.headers.update(http.headers)
    return other


def _attempt_and_options(http, base):
    started = http.post(f"{base}/tes/tes-tertulis/mulai", allow_redirects=False)
    assert started.status_code == 302, started.text[:300]
    attempt_id = int(re.search(r"/(\d+)$", started.headers["Location"]).group(1))
    page = http.get(f"{base}/tes/percobaan/{attempt_id}").text
    options = {}
    for position, option in re.findall(r'name="jawaban-(\d+)" value="(\d+)"', page):
        options.setdefault(int(position), int(option))
    return attempt_id, options


def _stored_live(app, attempt_id, position):
    with app.app_context():
        value = db.session.scalar(select(AttemptItem.chosen_option_id).where(
            AttemptItem.attempt_id == attempt_id, AttemptItem.position == position))
        db.session.remove()
    return value


@pytest.mark.parametrize("shared", ["in-process", "redis"])
def test_writes_beyond_the_admission_limit_get_503_at_once_and_lose_nothing(live, shared):
    settings = {"ADMISSION_LIMIT": "2", "ADMISSION_WAIT_SECONDS": "0.5", "LIVE_THREADS": "6",
                "QUEUE_DEPTH_LIMIT": "0"}
    key = None
    if shared == "redis":
        redis = _redis_or_skip()
        key = f"test:admission:{uuid.uuid4().hex}"
        settings.update(REDIS_URL=REDIS_URL, ADMISSION_REDIS_KEY=key, ADMISSION_LIMIT_TOTAL="2")
    hosts = [live.server() for _ in range(2 if shared == "redis" else 1)]
    for host in hosts:
        host.env.update(settings)
        host.launch()
    for host in hosts:
        host.wait_ready(START_SECONDS)
    first, last = hosts[0], hosts[-1]          # with Redis: the held writes on A, the refused one on B
    one, two = login(first.url, "peserta1"), login(last.url, "peserta2")
    attempt_1, options_1 = _attempt_and_options(one, first.url)
    attempt_2, options_2 = _attempt_and_options(two, last.url)
    results = {}

    def save(name, http, base, attempt_id, position, option):
        began = time.monotonic()
        response = http.post(f"{base}/tes/percobaan/{attempt_id}/jawab", headers=JSON, timeout=30,
                             data={"posisi": position, "pilihan": option, "urutan": "1"})
        results[name] = (response, time.monotonic() - began, time.monotonic())

    try:
        with _hold_database(live.url, [attempt_1]):
            held = [threading.Thread(target=save, args=(f"held{p}", _clone(one), first.url, attempt_1, p,
                                                        options_1[p])) for p in (1, 2)]
            for thread in held:
                thread.start()
            time.sleep(0.6)                        # both are inside, waiting for the database
            save("refused", two, last.url, attempt_2, 1, options_2[1])
            refused, waited, answered_at = results["refused"]
            assert all(thread.is_alive() for thread in held), "the held writes must still be waiting"
            time.sleep(0.3)
        for thread in held:
            thread.join(30)
        assert refused.status_code == 503, refused.text[:300]
        assert 0.45 <= waited < 2.5
        assert int(refused.headers["Retry-After"]) >= 2
        assert BUSY_TEXT in refused.json()["message"] and refused.json()["error"] == "Server sedang sibuk"
        assert _stored_live(live.app, attempt_2, 1) is None                    # nothing written
        for name in ("held1", "held2"):
            response, _, finished = results[name]
            assert response.status_code == 200 and response.json()["saved"], response.text[:300]
            assert finished > answered_at                                     # refused before they finished
        assert [_stored_live(live.app, attempt_1, p) for p in (1, 2)] == [options_1[1], options_1[2]]
        # The client retries after Retry-After, as quiz.js does: now it is saved.
        retried = two.post(f"{last.url}/tes/percobaan/{attempt_2}/jawab", headers=JSON,
                           data={"posisi": 1, "pilihan": options_2[1], "urutan": "1"})
        assert retried.status_code == 200 and _stored_live(live.app, attempt_2, 1) == options_2[1]
    finally:
        if key:
            redis.Redis.from_url(REDIS_URL).delete(key)


def test_requests_beyond_the_queue_depth_are_shed_with_503_before_the_queue(live):
    server = live.server()
    server.env.update({"LIVE_THREADS": "1", "QUEUE_DEPTH_LIMIT": "1"})
    server.start(START_SECONDS)
    http = login(server.url, "peserta1")
    attempt_id, options = _attempt_and_options(http, server.url)
    results = {}

    def call(name, method, url, **kwargs):
        began = time.monotonic()
        results[name] = (method(url, timeout=30, **kwargs), time.monotonic() - began, time.monotonic())

    with _hold_database(live.url, [attempt_id]):
        busy = threading.Thread(target=call, args=("write", _clone(http).post,
                                                   f"{server.url}/tes/percobaan/{attempt_id}/jawab"),
                                kwargs={"data": {"posisi": 1, "pilihan": options[1]}, "headers": JSON})
        busy.start()
        time.sleep(0.4)                          # the only thread is held by this write
        queued = threading.Thread(target=call, args=("queued", _clone(http).get, f"{server.url}/tes/"))
        queued.start()
        time.sleep(0.3)                          # one request waits in the queue: the limit
        call("shed", _clone(http).get, f"{server.url}/tes/")
        assert busy.is_alive() and queued.is_alive(), {k: (v[0].status_code, v[0].text[:200], v[1]) for k, v in results.items()}
        time.sleep(0.3)
    busy.join(30), queued.join(30)
    shed, took, shed_at = results["shed"]
    assert shed.status_code == 503 and took < 1.5
    assert int(shed.headers["Retry-After"]) >= 2 and "Server sedang sibuk" in shed.text
    assert results["write"][0].status_code == 200 and results["queued"][0].status_code == 200
    assert results["queued"][2] > shed_at       # the shed one was answered before the one ahead of it
    assert _stored_live(live.app, attempt_id, 1) == options[1]


def test_a_request_that_waited_too_long_for_a_thread_is_answered_503_not_run_late(live):
    server = live.server()
    server.env.update({"LIVE_THREADS": "1", "QUEUE_DEPTH_LIMIT": "0", "QUEUE_WAIT_SECONDS": "1"})
    server.start(START_SECONDS)
    http = login(server.url, "peserta1")
    attempt_id, options = _attempt_and_options(http, server.url)
    results = {}

    def call(name, method, url, **kwargs):
        results[name] = method(url, timeout=30, **kwargs)

    with _hold_database(live.url, [attempt_id]):
        busy = threading.Thread(target=call, args=("write", _clone(http).post,
                                                   f"{server.url}/tes/percobaan/{attempt_id}/jawab"),
                                kwargs={"data": {"posisi": 2, "pilihan": options[2]}, "headers": JSON})
        busy.start()
        time.sleep(0.4)                          # the only thread is held by this write
        late = threading.Thread(target=call, args=("late", _clone(http).post,
                                                   f"{server.url}/tes/percobaan/{attempt_id}/jawab"),
                                kwargs={"data": {"posisi": 3, "pilihan": options[3]}, "headers": JSON})
        late.start()
        time.sleep(1.8)                          # it waits in the queue past QUEUE_WAIT_SECONDS
    busy.join(30), late.join(30)
    assert results["write"].status_code == 200
    refused = results["late"]
    assert refused.status_code == 503 and int(refused.headers["Retry-After"]) >= 2
    assert BUSY_TEXT in refused.json()["message"]
    assert _stored_live(live.app, attempt_id, 2) == options[2]
    assert _stored_live(live.app, attempt_id, 3) is None           # it was never run
