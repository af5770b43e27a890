"""Admission control: a burst the server cannot serve is told "busy, retry" (503 + Retry-After)
within a second or two, instead of waiting tens of seconds in a queue and timing out.

Two gates, both answered with errors.busy_response() (Indonesian message, jittered Retry-After):

1. The write gate (this module's `WriteGate`, hooked into every POST/PATCH/PUT/DELETE): at most
   ADMISSION_LIMIT writes run at once; a write that finds no free slot within
   ADMISSION_WAIT_SECONDS gets 503 without touching the database. In-process (a semaphore) by
   default; with REDIS_URL the slots are shared by every app host (a Redis sorted set of leases),
   so a district's hosts together never run more writes than ADMISSION_LIMIT_TOTAL.
2. The queue gate (`shedding_dispatcher`, waitress only): when QUEUE_DEPTH_LIMIT requests already
   wait for a waitress thread, a new one is answered 503 at once by a thread kept for that
   (answering costs a few milliseconds) rather than queued behind them; a request that still
   waited QUEUE_WAIT_SECONDS for a thread (a PC starved of CPU serves fewer requests a second
   than the depth assumes) is answered 503 when its turn comes instead of being run that late.

Answers are never lost by either gate: nothing was written, and quiz.js and upload.js retry
after Retry-After with jitter.
"""
from __future__ import annotations

import logging
import secrets
import threading
import time

from flask import current_app, g, request

log = logging.getLogger(__name__)

WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})
LEASE_SECONDS = 120          # a Redis slot whose host died frees itself after this long
_POLL = 0.02                 # Redis gate: how often a waiting write looks for a free slot


class LocalGate:
    """Slots in this process (the embedded default: one waitress process)."""

    def __init__(self, limit: int):
        self.limit = limit
        self._slots = threading.BoundedSemaphore(limit)

    def acquire(self, timeout: float) -> str | None:
        return "local" if self._slots.acquire(timeout=max(0.0, timeout)) else None

    def release(self, token: str) -> None:
        self._slots.release()


# KEYS[1] the sorted set; ARGV: token, limit, lease seconds. Server time, so host clocks may differ.
_ACQUIRE = """
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', t)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], t + tonumber(ARGV[3]), ARGV[1])
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]) * 2)
  return 1
end
return 0
"""


class RedisGate:
    """Slots shared by every host that uses the same Redis (several app hosts, no sticky sessions)."""

    def __init__(self, url: str, limit: int, key: str = "courseware:admission:writes"):
        import redis

        self.limit, self.key = limit, key
        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._acquire = self.client.register_script(_ACQUIRE)

    def acquire(self, timeout: float) -> str | None:
        token = secrets.token_hex(8)
        deadline = time.monotonic() + max(0.0, timeout)
        while True:
            if self._acquire(keys=[self.key], args=[token, self.limit, LEASE_SECONDS]):
                return token
            if time.monotonic() >= deadline:
                return None
            time.sleep(_POLL)

    def release(self, token: str) -> None:
        self.client.zrem(self.key, token)


def gate_for(app):
    gate = app.extensions.get("admission_gate")
    if gate is None:
        if app.config.get("REDIS_URL") and app.config.get("ADMISSION_SHARED", True):
            gate = RedisGate(app.config["REDIS_URL"], app.config["ADMISSION_LIMIT_TOTAL"],
                             key=app.config.get("ADMISSION_REDIS_KEY") or "courseware:admission:writes")
        else:
            gate = LocalGate(app.config["ADMISSION_LIMIT"])
        app.extensions["admission_gate"] = gate
    return gate


def init_app(app) -> None:
    """Hook the write gate around every write request of `app` (ADMISSION_LIMIT=0 turns it off)."""
    if not app.config.get("ADMISSION_LIMIT"):
        return

    @app.before_request
    def _admit():
        if request.method not in WRITE_METHODS:
            return None
        gate = gate_for(current_app)
        try:
            token = gate.acquire(current_app.config["ADMISSION_WAIT_SECONDS"])
        except Exception:  # noqa: BLE001 - Redis down: serve rather than refuse everybody
            log.exception("admission gate unavailable; request admitted without a slot")
            return None
        if token is None:
            from .errors import busy_response

            return busy_response()
        g._admission = (gate, token)
        return None

    @app.teardown_request
    def _release(exc=None):
        held = g.pop("_admission", None)
        if held is not None:
            gate, token = held
            try:
                gate.release(token)
            except Exception:  # noqa: BLE001 - a Redis lease expires by itself
                log.exception("admission slot not released")


# --- the queue gate (waitress) ----------------------------------------------------------------

_shed = threading.local()


class _Shed:
    """A queued waitress channel whose request is answered 503 by the app (see shed_middleware)."""

    def __init__(self, channel):
        self.channel = channel

    def service(self):
        _shed.active = True
        try:
            self.channel.service()
        finally:
            _shed.active = False

    def cancel(self):
        self.channel.cancel()


class _Timed:
    """A queued waitress channel that remembers when it was queued: one that waited longer than
    the limit by the time a thread takes it is answered 503 at once instead of being run late."""

    def __init__(self, channel, limit: float):
        self.channel, self.deadline = channel, time.monotonic() + limit

    def service(self):
        if time.monotonic() > self.deadline:
            _Shed(self.channel).service()
        else:
            self.channel.service()

    def cancel(self):
        self.channel.cancel()


def shedding_dispatcher(depth_limit: int, wait_limit: float = 0):
    """A waitress ThreadedTaskDispatcher that sheds requests beyond `depth_limit` waiting ones,
    and those that waited more than `wait_limit` seconds for a thread (0: no such limit).

    A shed request is answered by one extra thread of its own, so the answer comes at once even
    while every worker thread is stuck (on a database lock, say).
    """
    import queue

    from waitress.task import ThreadedTaskDispatcher

    class SheddingDispatcher(ThreadedTaskDispatcher):
        shed_count = 0
        _shed_queue = None

        def add_task(self, task):
            with self.lock:
                idle = len(self.threads) - self.stop_count - self.active_count
                waiting = len(self.queue) - max(0, idle)
                shed = bool(depth_limit) and waiting >= depth_limit
                if shed:
                    self.shed_count += 1
                    if self._shed_queue is None:
                        self._shed_queue = queue.SimpleQueue()
                        threading.Thread(target=self._answer_shed, name="waitress-shed", daemon=True).start()
            if shed:
                self._shed_queue.put(_Shed(task))
                return
            super().add_task(_Timed(task, wait_limit) if wait_limit else task)

        def _answer_shed(self):
            while True:
                task = self._shed_queue.get()
                try:
                    task.service()
                except BaseException:  # noqa: BLE001 - as waitress's own handler threads
                    self.logger.exception("Exception when answering a shed request %r", task)

    return SheddingDispatcher()


def shed_middleware(app):
    """WSGI wrapper: a request the dispatcher shed gets the site's 503 without running the view."""
    inner = app.wsgi_app

    def wsgi(environ, start_response):
        if getattr(_shed, "active", False):
            with app.request_context(environ):
                from .errors import busy_response

                response = busy_response()
            return response(environ, start_response)
        return inner(environ, start_response)

    app.wsgi_app = wsgi
    return app

