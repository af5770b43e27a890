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
from .config import InsecureSettings
from .demo import create_demo, demo_logins_text
from .lan import lan_urls, terminal_qr

# waitress reads request headers and bodies in its event loop and hands only complete requests
# to the threads, so slow clients cost connections, not threads. Its default of 100
# connections was the limit a slowloris of 120 hit (issue 14); 400 stays under Windows'
# select() limit of 512 sockets. Idle channels close after 30 s (default 120) and are swept
# every 10 s. For more than a lab, nginx goes in front (docs/accounts-and-security.md, deploy/nginx.conf).
LAB_SERVER = {
    "channel_timeout": 30,
    "connection_limit": 400,
    "cleanup_interval": 10,
    "asyncore_use_poll": True,  # poll() where the OS has it: no 1024-descriptor ceiling
    # Read uploads in 256 KiB pieces (waitress reads 8 KiB by default): more than doubled tus
    # throughput on loopback (bench/upload.py).
    "recv_bytes": 262144,
}


def waitress_options(app, threads: int = 8) -> dict:
    """Every waitress setting the site runs with; the slowloris test, the live tests and
    bench/upload.py serve with the same."""
    return {**LAB_SERVER, "threads": threads, "ident": "courseware",
            # Keep request bodies up to 17 MiB (the widget's largest chunk) in memory instead of a
            # temporary file; bigger ones (one-PATCH tus clients) still spill to disk.
            "inbuf_overflow": 17 * 1024 * 1024,
            # A tus client with default settings sends the whole video in one PATCH.
            "max_request_body_size": max(app.config["MAX_CONTENT_LENGTH"], app.config["MAX_VIDEO_BYTES"])
            + 1024 * 1024}


def serve_site(app, host: str, port: int, threads: int = 8) -> None:
    """waitress with the site's settings, plus the queue gate of courseware/admission.py: when
    QUEUE_DEPTH_LIMIT requests already wait for a thread, the next one is answered 503 +
    Retry-After at once instead of waiting its turn for tens of seconds."""
    from .admission import shed_middleware, shedding_dispatcher

    dispatcher = shedding_dispatcher(app.config.get("QUEUE_DEPTH_LIMIT", 0), app.config.get("QUEUE_WAIT_SECONDS", 0))
    dispatcher.set_thread_count(threads)
    serve(shed_middleware(app), host=host, port=port, _dispatcher=dispatcher, **waitress_options(app, threads))


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


def _stop_on_sigterm() -> None:
    def handler(signum, frame):
        raise SystemExit(0)  # unwinds serve() so the finally block stops the worker

    signal.signal(signal.SIGTERM, handler)


def _printable(qr: str) -> str:
    try:  # a Windows console with an old code page cannot draw the half blocks
        qr.encode(sys.stdout.encoding or "ascii")
    except UnicodeEncodeError:
        return "(Kode QR tidak dapat digambar di terminal ini; lihat beranda guru.)"
    return qr


def start_banner(app, host: str, port: int, lan: list[str]) -> str:
    # Only compares: when serving on every interface, print the local address to open.
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # nosec B104
    lines = ["", "=" * 64, f"Situs berjalan di  http://{shown_host}:{port}/  (di PC ini)"]
    if lan:
        lines.append("Untuk ponsel dan PC lain di jaringan lab, buka:")
        lines += [f"  {url}" for url in lan]
        lines.append(_printable(terminal_qr(lan[0]).rstrip("\n")))
    elif host in ("0.0.0.0", "::"):  # nosec B104
        lines.append("Alamat jaringan lab tidak ditemukan: periksa kabel atau Wi-Fi PC ini.")
    else:
        lines.append("Hanya dapat dibuka dari PC ini. Untuk ponsel di lab: python3 run.py --lan")
    with app.app_context():
        lines.append(demo_logins_text(app))
    lines += ["Hentikan dengan Ctrl+C.", "=" * 64, ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Jalankan situs courseware.")
    parser.add_argument("--lan", action="store_true",
                        help="terima sambungan dari jaringan lab (semua antarmuka), bukan hanya PC ini")
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "5000")))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "8")))
    args = parser.parse_args(argv)
    if args.lan:
        args.host = "0.0.0.0"  # nosec B104 - lab mode is asked for explicitly with --lan

    try:
        app = create_app({"HOST": args.host})
    except InsecureSettings as exc:
        print(f"Situs tidak dijalankan: {exc}", file=sys.stderr)
        return 2
    lan = lan_urls(args.port) if args.host in ("0.0.0.0", "::") else []  # nosec B104
    app.config["LAN_URLS"] = lan
    prepare(app)
    _stop_on_sigterm()
    worker = start_worker(app)
    print(start_banner(app, args.host, args.port, lan), flush=True)
    try:
        serve_site(app, args.host, args.port, args.threads)
    except KeyboardInterrupt:
        pass
    finally:
        stop_worker(worker)
    return 0


if __name__ == "__main__":
    sys.exit(main())
