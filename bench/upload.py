"""Benchmark: tus upload throughput on loopback, the server's peak memory, and a flaky link.

Clean link (default). For each size (default 100 MB and 1 GB) this starts a fresh server
process (the real app under waitress with run.py's settings, courseware.serve.waitress_options),
uploads a valid MP4 of that size through tus with tuspy in 16 MiB chunks (what the widget grows
to on a fast link), and prints:
- tus throughput over a plain local copy (copy + fsync) of the same file, in the same run
  (target >= 0.7);
- the server's peak resident memory (VmHWM from /proc) before and after the upload,
  which must not grow with the file size.

Flaky link (--flaky). The real browser widget (static/js/upload.js + tus-js-client in Debian's
Chromium, through Playwright) uploads through a local TCP proxy (tests/flaky_proxy.py) that
limits bandwidth (default 1.6 Mbit/s) and cuts every connection every N seconds (default 30).
Prints the bytes the browser sent over the file size (target <= 1.05).

The file is a short real clip followed by a large MP4 "free" box of random bytes, so the
server's validation by content accepts it like a long phone video.

    .venv/bin/python bench/upload.py [--sizes 100,1000] [--work /tmp/bench-upload]
    .venv/bin/python bench/upload.py --flaky [--flaky-mb 24] [--mbit 1.6] [--cut-every 30]
"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
MB = 1000 * 1000
CHUNK = 16 * 1024 * 1024
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


# --- server side (runs in its own process) ------------------------------------------------

def serve(work: Path, port: int, recv_bytes: int | None = None, flaky: bool = False) -> None:
    os.environ["INSTANCE_PATH"] = str(work / "instance")
    from flask_migrate import upgrade
    from itsdangerous import URLSafeTimedSerializer
    from waitress import serve as waitress_serve

    from courseware import create_app
    from courseware.accounts.service import create_user
    from courseware.media.targets import register_upload_target
    from courseware.serve import waitress_options

    # No eager processing: this measures the upload, not the transcode (bench/transcode.py).
    app = create_app({
        "SECRET_KEY": "bench-secret", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{work / 'bench.sqlite3'}",
        "MEDIA_ROOT": str(work / "media"), "TASKS_EAGER": False, "MAX_VIDEO_BYTES": 4 * 1024**3,
        "MEDIA_MAX_BYTES_PER_USER": 0,
    })
    register_upload_target("bench", lambda user, tid: True, lambda user, tid, media: None,
                           lambda user, media: True)
    with app.app_context():
        upgrade()
        user, _ = create_user("bench", "Bench", ["trainee"], password="bench-password-1",
                              must_change_password=False)
        from courseware.accounts.service import start_login_session

        start_login_session(user)
        if flaky:
            _practical_version(app, user)
        client = app.test_client()
        raw = os.urandom(20).hex()
        with client.session_transaction() as sess:
            sess["_user_id"], sess["_fresh"], sess["csrf_token"] = user.get_id(), True, raw
        cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
        token = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)
    (work / "session.json").write_text(json.dumps({"cookie": f"{cookie.key}={cookie.value}", "csrf": token}))
    options = {**waitress_options(app, threads=8), "ident": "bench"}
    if recv_bytes:
        options["recv_bytes"] = recv_bytes
    waitress_serve(app, host="127.0.0.1", port=port, _quiet=True, **options)


def _practical_version(app, user) -> None:
    """The LIK_1 page with an upload widget for `user` (sheets, a class, version 1)."""
    from courseware.accounts.service import create_user
    from courseware.classes.models import Enrollment
    from courseware.classes.service import create_class
    from courseware.extensions import db
    from courseware.practicals.models import Practical
    from courseware.practicals.sheets import sync_sheets
    from courseware.practicals.service import save_version
    from sqlalchemy import select

    sync_sheets(app.config["CONTENT_ROOT"])
    teacher, _ = create_user("guru.bench", "Guru", ["teacher"], password="bench-password-1",
                             must_change_password=False)
    classroom = create_class(teacher, "XI MPLB 1", "2026/2027")
    db.session.add(Enrollment(classroom_id=classroom.id, user_id=user.id))
    db.session.commit()
    save_version(user, db.session.scalar(select(Practical).where(Practical.code == "LIK_1")), None, "")


# --- client side --------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def proc_memory(pid: int) -> dict:
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024  # MiB
    return values


def make_video(path: Path, size: int, work: Path) -> None:
    from courseware.media.transcoding import make_clip
    from tests.media_tus import padded_video

    if path.exists() and path.stat().st_size == size:
        return
    padded_video(path, size, make_clip(work / "clip.mp4", seconds=2, size=(320, 240)))


def plain_copy_seconds(path: Path, work: Path) -> float:
    target = work / "copy.bin"
    started = time.perf_counter()
    with open(path, "rb") as src, open(target, "wb") as dst:
        shutil.copyfileobj(src, dst, 1024 * 1024)
        dst.flush()
        os.fsync(dst.fileno())
    elapsed = time.perf_counter() - started
    target.unlink()
    return elapsed


def start_server(run_dir: Path, recv_bytes: int | None = None, flaky: bool = False):
    port = free_port()
    command = [sys.executable, __file__, "--serve", str(run_dir), "--port", str(port)]
    if recv_bytes:
        command += ["--recv-bytes", str(recv_bytes)]
    if flaky:
        command += ["--flaky"]
    server = subprocess.Popen(command, cwd=str(ROOT))
    deadline = time.time() + 120
    while not (run_dir / "session.json").exists() or not _listening(port):
        if time.time() > deadline or server.poll() is not None:
            server.kill()
            raise SystemExit("server did not start")
        time.sleep(0.2)
    return server, port, json.loads((run_dir / "session.json").read_text())


def run_one(size_mb: int, work: Path, chunk: int = CHUNK, recv_bytes: int | None = None) -> None:
    from tusclient.client import TusClient

    run_dir = work / f"run-{size_mb}"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    video = work / f"video-{size_mb}MB.mp4"
    make_video(video, size_mb * MB, work)
    server, port, session = start_server(run_dir, recv_bytes)
    try:
        before = proc_memory(server.pid)
        tus = TusClient(f"http://127.0.0.1:{port}/media/tus/",
                        headers={"Cookie": session["cookie"], "X-CSRFToken": session["csrf"]})
        uploader = tus.uploader(file_path=str(video), chunk_size=chunk,
                                metadata={"filename": video.name, "kind": "bench", "target_id": "1"})
        started = time.perf_counter()
        uploader.upload()
        upload_s = time.perf_counter() - started
        after = proc_memory(server.pid)
        copy_s = plain_copy_seconds(video, work)
        stored = [p for p in (run_dir / "media" / "files" / "originals").rglob("*") if p.is_file()]
        ok = len(stored) == 1 and stored[0].stat().st_size == video.stat().st_size
        print(f"{size_mb:>5} MB  tus upload {upload_s:6.1f} s = {size_mb / upload_s:6.1f} MB/s   "
              f"plain copy {copy_s:5.1f} s = {size_mb / copy_s:6.1f} MB/s   "
              f"ratio {copy_s / upload_s:.2f}   "
              f"server RSS start {before['VmRSS']:.0f} MiB, peak {after['VmHWM']:.0f} MiB   "
              f"stored intact: {ok}", flush=True)
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(run_dir, ignore_errors=True)


def run_flaky(work: Path, size_mb: int, mbit: float, cut_every: float, widget_js: str | None = None,
              give_up: float | None = None) -> None:
    """The real widget in Chromium through a slow proxy that cuts every `cut_every` seconds."""
    import sqlite3

    from playwright.sync_api import sync_playwright

    from tests.flaky_proxy import FlakyProxy

    run_dir = work / "run-flaky"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    video = work / f"video-{size_mb}MB.mp4"
    make_video(video, size_mb * MB, work)
    size = video.stat().st_size
    server, port, session = start_server(run_dir, flaky=True)
    proxy = FlakyProxy(("127.0.0.1", port), rate=mbit * 1e6 / 8, cut_every=cut_every).start()
    database = sqlite3.connect(run_dir / "bench.sqlite3")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"])
            context = browser.new_context(viewport={"width": 360, "height": 800})
            name, _, value = session["cookie"].partition("=")
            context.add_cookies([{"name": name, "value": value, "url": f"http://127.0.0.1:{proxy.port}"}])
            if widget_js:  # compare another version of the widget (e.g. `git show REV:static/js/upload.js`)
                body = Path(widget_js).read_text()
                context.route("**/static/js/upload.js*", lambda route: route.fulfill(
                    body=body, content_type="text/javascript"))
            page = context.new_page()
            page.goto(f"http://127.0.0.1:{proxy.port}/praktik/LIK_1", timeout=120000)
            page.wait_for_selector("[data-upload-widget]")
            sent_before = proxy.upstream_bytes
            started = time.perf_counter()
            page.set_input_files("[data-upload-widget] input[type=file]", str(video))
            limit = give_up or 20 * size / (mbit * 1e6 / 8) + 300
            while not database.execute("SELECT 1 FROM media_uploads WHERE completed_at IS NOT NULL").fetchone():
                if time.perf_counter() - started > limit:
                    held = database.execute("SELECT max(\"offset\") FROM media_uploads").fetchone()[0] or 0
                    print(f"flaky link {mbit} Mbit/s, cut every {cut_every:.0f} s: NOT finished after {limit:.0f} s; "
                          f"{proxy.cuts} cuts, bytes sent {(proxy.upstream_bytes - sent_before) / 1e6:.2f} MB, "
                          f"server holds {held / 1e6:.2f} of {size / 1e6:.1f} MB", flush=True)
                    return
                time.sleep(0.5)
            elapsed = time.perf_counter() - started
            sent = proxy.upstream_bytes - sent_before
            browser.close()
        stored = [p for p in (run_dir / "media" / "files" / "originals").rglob("*") if p.is_file()]
        ok = len(stored) == 1 and stored[0].read_bytes() == video.read_bytes()
        print(f"flaky link {mbit} Mbit/s, cut every {cut_every:.0f} s: {size / 1e6:.1f} MB in {elapsed:.0f} s, "
              f"{proxy.cuts} cuts, bytes sent {sent / 1e6:.2f} MB, sent/size {sent / size:.3f}, "
              f"stored intact: {ok}", flush=True)
    finally:
        database.close()
        proxy.stop()
        server.terminate()
        server.wait(10)


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100,1000", help="sizes in MB, comma-separated")
    parser.add_argument("--work", default="/tmp/bench-upload")
    parser.add_argument("--chunk-mib", type=int, default=CHUNK // (1024 * 1024), help="tus chunk size")
    parser.add_argument("--recv-bytes", type=int, default=None,
                        help="waitress recv_bytes (default: as run.py serves, 256 KiB)")
    parser.add_argument("--flaky", action="store_true", help="the browser widget over a slow, cut link")
    parser.add_argument("--flaky-mb", type=int, default=24, help="file size for --flaky, MB")
    parser.add_argument("--mbit", type=float, default=1.6, help="link speed for --flaky, Mbit/s")
    parser.add_argument("--cut-every", type=float, default=30.0, help="seconds between cuts for --flaky")
    parser.add_argument("--widget-js", help="serve this file as static/js/upload.js (compare widget versions)")
    parser.add_argument("--give-up", type=float, help="--flaky: stop waiting after this many seconds")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(Path(args.serve), args.port, args.recv_bytes, args.flaky)
        return 0
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    if args.flaky:
        run_flaky(work, args.flaky_mb, args.mbit, args.cut_every, args.widget_js, args.give_up)
        return 0
    print(f"tus chunk size {args.chunk_mib} MiB, waitress with run.py's settings (8 threads), "
          f"recv_bytes {args.recv_bytes or 'as run.py'}, loopback; file = 2 s clip + random padding")
    for size in (int(s) for s in args.sizes.split(",")):
        run_one(size, work, args.chunk_mib * 1024 * 1024, args.recv_bytes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
