"""Benchmark: tus upload throughput on loopback and the server's peak memory.

For each size (default 100 MB and 1 GB) this starts a fresh server process (the real app
under waitress, as run.py serves it), uploads a valid MP4 of that size through tus with
tuspy in 8 MiB chunks, and prints:
- upload throughput next to a plain local copy (copy + fsync) of the same file;
- the server's peak resident memory (VmHWM from /proc) before and after the upload,
  which must not grow with the file size.
The file is a short real clip followed by a large MP4 "free" box of random bytes, so the
server's validation by content accepts it like a long phone video.

    .venv/bin/python bench/upload.py [--sizes 100,1000] [--work /tmp/bench-upload]
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
CHUNK = 8 * 1024 * 1024


# --- server side (runs in its own process) ------------------------------------------------

def serve(work: Path, port: int, recv_bytes: int | None = None) -> None:
    os.environ["INSTANCE_PATH"] = str(work / "instance")
    from flask_migrate import upgrade
    from itsdangerous import URLSafeTimedSerializer
    from waitress import serve as waitress_serve

    from courseware import create_app
    from courseware.accounts.service import create_user
    from courseware.media.service import register_upload_target

    app = create_app({
        "SECRET_KEY": "bench-secret", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{work / 'bench.sqlite3'}",
        "MEDIA_ROOT": str(work / "media"), "TASKS_EAGER": True, "MAX_VIDEO_BYTES": 4 * 1024**3,
    })
    register_upload_target("bench", lambda user, tid: True, lambda user, tid, media: None,
                           lambda user, media: True)
    with app.app_context():
        upgrade()
        user, _ = create_user("bench", "Bench", ["trainee"], password="bench-password-1",
                              must_change_password=False)
        from courseware.accounts.service import start_login_session

        start_login_session(user)
        client = app.test_client()
        raw = os.urandom(20).hex()
        with client.session_transaction() as sess:
            sess["_user_id"], sess["_fresh"], sess["csrf_token"] = user.get_id(), True, raw
        cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
        token = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)
    (work / "session.json").write_text(json.dumps({"cookie": f"{cookie.key}={cookie.value}", "csrf": token}))
    extra = {"recv_bytes": recv_bytes} if recv_bytes else {}
    waitress_serve(app, host="127.0.0.1", port=port, threads=4, ident="bench",
                   max_request_body_size=app.config["MAX_CONTENT_LENGTH"] + 1024 * 1024, _quiet=True, **extra)


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
    from courseware.media.video import make_clip

    if path.exists() and path.stat().st_size == size:
        return
    clip = make_clip(work / "clip.mp4", seconds=2, size=(320, 240))
    head = clip.read_bytes()
    padding = size - len(head) - 16
    with open(path, "wb") as out:
        out.write(head)
        out.write((1).to_bytes(4, "big") + b"free" + (padding + 16).to_bytes(8, "big"))
        block = os.urandom(4 * 1024 * 1024)
        left = padding
        while left > 0:
            out.write(block[: min(left, len(block))])
            left -= min(left, len(block))


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


def run_one(size_mb: int, work: Path, chunk: int = CHUNK, recv_bytes: int | None = None) -> None:
    from tusclient.client import TusClient

    run_dir = work / f"run-{size_mb}"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    video = work / f"video-{size_mb}MB.mp4"
    make_video(video, size_mb * MB, work)
    port = free_port()
    command = [sys.executable, __file__, "--serve", str(run_dir), "--port", str(port)]
    if recv_bytes:
        command += ["--recv-bytes", str(recv_bytes)]
    server = subprocess.Popen(command, cwd=str(ROOT))
    try:
        deadline = time.time() + 60
        while not (run_dir / "session.json").exists() or not _listening(port):
            if time.time() > deadline or server.poll() is not None:
                raise SystemExit("server did not start")
            time.sleep(0.2)
        session = json.loads((run_dir / "session.json").read_text())
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
              f"server RSS start {before['VmRSS']:.0f} MiB, peak {after['VmHWM']:.0f} MiB   "
              f"stored intact: {ok}", flush=True)
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(run_dir, ignore_errors=True)


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
                        help="waitress recv_bytes (default: waitress's own, as run.py uses)")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(Path(args.serve), args.port, args.recv_bytes)
        return 0
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    print(f"tus chunk size {args.chunk_mib} MiB, waitress 4 threads, recv_bytes {args.recv_bytes or 'default'}, "
          f"loopback; file = 2 s clip + random padding")
    for size in (int(s) for s in args.sizes.split(",")):
        run_one(size, work, args.chunk_mib * 1024 * 1024, args.recv_bytes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
