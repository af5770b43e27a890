"""`python run.py` ends here, inside .venv: prepare the database, then serve with waitress.

Also starts the background worker (if the app defines one) as a child process, so one
command runs the whole site on a single lab PC, on Linux or Windows.
"""
import argparse
import os
import signal
import subprocess
import sys

from waitress import serve

from . import create_app
from .cli import run_content_sync
from .demo import create_demo, demo_logins_text


def prepare(app) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
        for line in run_content_sync(app):
            print(line)
        create_demo()


def start_worker(app):
    if "worker" not in app.cli.commands:
        return None
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "worker",
                             "--parent-pid", str(os.getpid())])


def stop_worker(worker) -> None:
    """SIGTERM, then wait; a worker that does not stop within 20 s is killed."""
    if worker is None or worker.poll() is not None:
        return
    worker.terminate()
    try:
        worker.wait(20)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait(5)


def waitress_options(app) -> dict:
    """The waitress settings run.py serves with (bench/upload.py uses the same)."""
    limit = max(app.config["MAX_CONTENT_LENGTH"], app.config["MAX_VIDEO_BYTES"]) + 1024 * 1024
    return {
        # Read uploads in 256 KiB pieces (waitress reads 8 KiB by default): more than doubles
        # tus throughput on loopback (bench/upload.py).
        "recv_bytes": 262144,
        # Keep request bodies up to 17 MiB (the widget's largest chunk) in memory instead of a
        # temporary file; bigger ones (one-PATCH tus clients) still spill to disk.
        "inbuf_overflow": 17 * 1024 * 1024,
        # A tus client with default settings sends the whole video in one PATCH.
        "max_request_body_size": limit,
    }


def _stop_on_sigterm() -> None:
    def handler(signum, frame):
        raise SystemExit(0)  # unwinds serve() so the finally block stops the worker

    signal.signal(signal.SIGTERM, handler)


def main() -> int:
    parser = argparse.ArgumentParser(description="Jalankan situs courseware.")
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "5000")))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "8")))
    args = parser.parse_args()

    app = create_app()
    prepare(app)
    _stop_on_sigterm()
    worker = start_worker(app)
    # Only compares: when serving on every interface, print the local address to open.
    shown_host = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host  # nosec B104
    print("\n" + "=" * 64)
    print(f"Situs berjalan di  http://{shown_host}:{args.port}/")
    with app.app_context():
        print(demo_logins_text(app))
    print("Hentikan dengan Ctrl+C.")
    print("=" * 64 + "\n", flush=True)
    try:
        serve(app, host=args.host, port=args.port, threads=args.threads, ident="courseware",
              **waitress_options(app))
    except KeyboardInterrupt:
        pass
    finally:
        stop_worker(worker)
    return 0


if __name__ == "__main__":
    sys.exit(main())
