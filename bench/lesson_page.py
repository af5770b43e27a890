"""Benchmark: one lesson page served by waitress, as `python3 run.py` serves it.

    .venv/bin/python bench/lesson_page.py [--requests 300] [--clients 36] [--per-client 20] [--threads 8]

What it does:
1. builds a throw-away instance (SQLite file in a temporary folder): schema, the shipped
   content synced exactly as `flask --app app init` does, and one trainee account;
2. starts the site in a child process with waitress and the same serve() arguments as
   courseware/serve.py (threads=WEB_THREADS, default 8), the app wrapped in a middleware that
   reports the server time of each request in a `Server-Timing` header;
3. signs in as the trainee through the real login form, then prints for the lesson page:
   - median and p95 server time over --requests sequential requests (keep-alive),
   - requests per second and latency with --clients concurrent clients,
   - the page's total transfer: HTML + every stylesheet and script it links + fonts the CSS loads;
4. serves a hello-world Flask app the same way (waitress, same threads, same timing middleware) in
   another child process and puts the same concurrent load on it: the lesson page's throughput is
   printed as a ratio to it, a figure that survives a busy or a faster machine better than req/s.
Targets (DESIGN.md section 7 / issues 3 and 11): total transfer under 100 KB, p95 server time under
50 ms, throughput at least 0.25 of hello-world's.
This is a benchmark, not a test: it prints figures and exits 0 (1 if a target is missed).
"""
import argparse
import gzip
import http.client
import logging
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LESSON = "e2-01-memantau-standar-pelayanan"      # the longest shipped lesson
USERNAME, PASSWORD = "bench.peserta", "bench-rahasia-123"
TARGET_TRANSFER = 100 * 1024
TARGET_P95_MS = 50.0
TARGET_RATIO = 0.25


# --- the server child -------------------------------------------------------------------

def timing_middleware(wsgi_app):
    """Add `Server-Timing: app;dur=<ms>` measured from the request's arrival to the full body."""

    def app(environ, start_response):
        started, cpu_started = time.perf_counter(), time.thread_time()
        captured = {}

        def capture(status, headers, exc_info=None):
            captured.update(status=status, headers=headers, exc_info=exc_info)

        result = wsgi_app(environ, capture)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        elapsed = (time.perf_counter() - started) * 1000
        cpu = (time.thread_time() - cpu_started) * 1000
        timing = f"app;dur={elapsed:.3f}, cpu;dur={cpu:.3f}"
        start_response(captured["status"], list(captured["headers"]) + [("Server-Timing", timing)],
                       captured["exc_info"])
        return [body]

    return app


def serve(port: int, threads: int) -> None:
    from waitress import serve as waitress_serve

    from courseware import create_app

    # 36 clients on 8 threads queue by design; the queue-depth warnings would drown the figures.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    app = create_app()
    app.wsgi_app = timing_middleware(app.wsgi_app)
    # The same call as courseware/serve.py main().
    waitress_serve(app, host="127.0.0.1", port=port, threads=threads, ident="courseware",
                   max_request_body_size=app.config["MAX_CONTENT_LENGTH"] + 1024 * 1024)


def serve_hello(port: int, threads: int) -> None:
    """The yardstick: the smallest Flask app, served by the same waitress call."""
    from flask import Flask
    from waitress import serve as waitress_serve

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    app = Flask("hello")
    app.add_url_rule("/", "hello", lambda: "Hello, world!")
    app.wsgi_app = timing_middleware(app.wsgi_app)
    waitress_serve(app, host="127.0.0.1", port=port, threads=threads, ident="courseware",
                   max_request_body_size=17 * 1024 * 1024)


# --- preparing the instance -------------------------------------------------------------

def prepare() -> None:
    from flask_migrate import upgrade

    from courseware import create_app
    from courseware.accounts.service import create_user
    from courseware.cli import run_content_sync

    app = create_app()
    with app.app_context():
        upgrade()
        for line in run_content_sync(app):
            print("  sync:", line[:110])
        create_user(USERNAME, "Peserta Bench", ["trainee"], password=PASSWORD, must_change_password=False)


# --- the client -------------------------------------------------------------------------

class Client:
    def __init__(self, port: int, cookie: str = ""):
        self.port, self.cookie = port, cookie
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method: str, path: str, body: str | None = None, headers: dict | None = None):
        headers = dict(headers or {})
        if self.cookie:
            headers["Cookie"] = self.cookie
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                self.cookie = value.split(";", 1)[0]
        return response, data


def server_ms(response, metric: str = "app") -> float:
    match = re.search(metric + r";dur=([\d.]+)", response.getheader("Server-Timing") or "")
    return float(match.group(1)) if match else float("nan")


def login(port: int) -> str:
    client = Client(port)
    _, page = client.request("GET", "/masuk")
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()
    body = urllib.parse.urlencode({"csrf_token": token, "username": USERNAME, "password": PASSWORD})
    response, _ = client.request("POST", "/masuk", body=body,
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    if response.status != 302:
        raise SystemExit(f"login failed: HTTP {response.status}")
    return client.cookie


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def page_transfer(port: int, cookie: str, path: str) -> list[tuple[str, int, int]]:
    """(url, bytes, gzip bytes) for the page and every stylesheet, script and font it loads."""
    client = Client(port, cookie)
    response, html = client.request("GET", path)
    assert response.status == 200, response.status
    rows = [(path, len(html), len(gzip.compress(html)))]
    assets = re.findall(rb'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', html)
    assets += re.findall(rb'<script[^>]+src="([^"]+)"', html)
    for url in dict.fromkeys(a.decode() for a in assets):
        _, data = client.request("GET", url)
        rows.append((url, len(data), len(gzip.compress(data))))
        if url.endswith(".css"):
            for font in re.findall(rb'url\(["\']?([^"\')]+\.(?:woff2?|ttf|otf))', data):
                font_url = urllib.parse.urljoin(url, font.decode())
                _, font_data = client.request("GET", font_url)
                rows.append((font_url, len(font_data), len(font_data)))
    return rows


def wait_for(port: int, proc, seconds: float = 30) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit("the server exited early")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="sequential requests (>= 200)")
    parser.add_argument("--clients", type=int, default=36, help="concurrent clients")
    parser.add_argument("--per-client", type=int, default=20, help="requests per concurrent client")
    parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "8")))
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--serve-hello", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.threads)
        return 0
    if args.serve_hello:
        serve_hello(args.serve_hello, args.threads)
        return 0

    with tempfile.TemporaryDirectory(prefix="bench-lesson-") as tmp:
        env = {**os.environ, "INSTANCE_PATH": tmp, "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
               "SECRET_KEY": "bench-secret", "LOGIN_RATE_LIMIT": "1000 per minute"}
        os.environ.update(env)
        print("Preparing a throw-away instance ...")
        prepare()
        port = free_port()
        proc = subprocess.Popen([sys.executable, __file__, "--serve", str(port), "--threads", str(args.threads)],
                                env=env, cwd=str(ROOT))
        try:
            wait_for(port, proc)
            return run(port, args)
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def hello_throughput(args) -> tuple[float, int]:
    """(requests/s, errors) of the hello-world app under the same concurrent load."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, __file__, "--serve-hello", str(port), "--threads", str(args.threads)],
                            cwd=str(ROOT))
    try:
        wait_for(port, proc)
        client = Client(port)
        for _ in range(20):
            client.request("GET", "/")
        rps, errors, _, _ = concurrent_load(port, "", "/", args.clients, args.per_client)
        return rps, len(errors)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def concurrent_load(port: int, cookie: str, path: str, clients: int, per_client: int):
    """clients threads, each per_client keep-alive GETs of path, all starting together.
    Returns (requests/s, errors, round-trip ms, server ms)."""
    errors, load_server, load_wall = [], [], []
    lock = threading.Lock()
    barrier = threading.Barrier(clients)

    def worker():
        c = Client(port, cookie)
        barrier.wait()
        for _ in range(per_client):
            t0 = time.perf_counter()
            try:
                response, _ = c.request("GET", path)
            except Exception as exc:  # noqa: BLE001 - count and go on
                with lock:
                    errors.append(repr(exc))
                c = Client(port, cookie)
                continue
            elapsed = (time.perf_counter() - t0) * 1000
            with lock:
                if response.status != 200:
                    errors.append(response.status)
                load_wall.append(elapsed)
                load_server.append(server_ms(response))

    workers = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - started
    return len(load_wall) / elapsed, errors, load_wall, load_server


def run(port: int, args) -> int:
    cookie = login(port)
    path = f"/materi/{LESSON}"
    client = Client(port, cookie)
    for _ in range(20):                                  # warm-up
        client.request("GET", path)

    server, wall, cpu = [], [], []
    for _ in range(args.requests):
        started = time.perf_counter()
        response, _ = client.request("GET", path)
        wall.append((time.perf_counter() - started) * 1000)
        assert response.status == 200
        server.append(server_ms(response))
        cpu.append(server_ms(response, "cpu"))

    rps, errors, load_wall, load_server = concurrent_load(port, cookie, path, args.clients, args.per_client)

    rows = page_transfer(port, cookie, path)
    total = sum(r[1] for r in rows)
    total_gz = sum(r[2] for r in rows)

    load = f", load average {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
    print(f"\nLesson page {path} under waitress (threads={args.threads}), CPU count {os.cpu_count()}{load}")
    print(f"Sequential, {len(server)} requests (keep-alive):")
    print(f"  server time  median {statistics.median(server):6.2f} ms   p95 {percentile(server, 95):6.2f} ms"
          f"   max {max(server):6.2f} ms")
    print(f"  server CPU   median {statistics.median(cpu):6.2f} ms   p95 {percentile(cpu, 95):6.2f} ms"
          "   (CPU time of the serving thread: what the request costs, whatever else the box runs)")
    print(f"  round trip   median {statistics.median(wall):6.2f} ms   p95 {percentile(wall, 95):6.2f} ms")
    print(f"Concurrent, {args.clients} clients x {args.per_client} requests = {len(load_wall)} requests,"
          f" {len(errors)} errors:")
    print(f"  {rps:7.1f} requests/s; round trip median {statistics.median(load_wall):6.1f} ms,"
          f" p95 {percentile(load_wall, 95):6.1f} ms; server time p95 {percentile(load_server, 95):6.2f} ms")
    print(f"  a class of {args.clients} opening the page at once is served in about"
          f" {args.clients / rps * 1000:.0f} ms")
    hello_rps, hello_errors = hello_throughput(args)
    ratio = rps / hello_rps
    print(f"  hello-world Flask app, same waitress call and load: {hello_rps:7.1f} requests/s"
          f" ({hello_errors} errors); lesson page / hello-world = {ratio:.3f}")
    print("Transfer (uncompressed; waitress does not compress; gzip size for reference):")
    for url, size, gz in rows:
        print(f"  {url:<48} {size / 1024:7.1f} KB   (gzip {gz / 1024:5.1f} KB)")
    print(f"  {'total (HTML + CSS + JS + fonts)':<48} {total / 1024:7.1f} KB   (gzip {total_gz / 1024:5.1f} KB)")

    p95 = percentile(server, 95)
    ok_transfer, ok_p95 = total < TARGET_TRANSFER, p95 < TARGET_P95_MS
    print(f"\nTarget total transfer < 100 KB: {'OK' if ok_transfer else 'MISSED'} ({total / 1024:.1f} KB)")
    print(f"Target p95 server time < 50 ms: {'OK' if ok_p95 else 'MISSED'} ({p95:.2f} ms)")
    ok_ratio = ratio >= TARGET_RATIO
    print(f"Target throughput >= {TARGET_RATIO} of hello-world: {'OK' if ok_ratio else 'MISSED'} ({ratio:.3f})")
    return 0 if ok_transfer and ok_p95 and ok_ratio and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
