"""Benchmark: a district bench with real parts, and the figures (not a test; CI never runs it).

On this machine, as root, it builds:
- a fresh PostgreSQL database (127.0.0.1:5432 server, reached by its Unix socket), seeded through
  the app's own CLI (`flask --app app init`, `flask --app app users create`) and services;
- the machine's Redis (127.0.0.1:6379, one database number the bench claims and empties), reached
  from the hosts through a socat relay on the bench bridge;
- moto's S3-compatible server (the stand-in the tests use) for videos;
- two app hosts, each its own network namespace (`ip netns`, veth on a bridge, 10.77.0.11 and .12)
  running gunicorn with deploy/gunicorn.conf.py (gthread workers);
- nginx in front (config generated from deploy/nginx.conf's timeouts and body limits, round robin
  over the hosts, no sticky sessions), on a random loopback port;
- locust, headless, from its own virtual environment (bench/requirements-locust.txt), stepping the
  number of virtual trainees first against one host, then against two.

It prints, per step and in a summary: the largest number of virtual trainees with p95 of answer
saves under 300 ms and no failed request, for one host and for two, and their ratio; database
connections in use (pg_stat_activity); PostgreSQL commits per second (pg_stat_database); CPU per
process (gunicorn master and workers, PostgreSQL backends, nginx, moto, the relay, locust) at
saturation, and how busy the whole machine was. docs/district.md explains how to read them.

Everything started is torn down on exit, on error and on Ctrl-C (namespaces, bridge, nginx,
gunicorn, moto, relay, locust; the database is dropped unless --keep-db). Only processes this
bench started are signalled; every load step is bounded by locust's own run time.

    sudo .venv/bin/python bench/district.py --quick          # about 12 minutes
    sudo .venv/bin/python bench/district.py                  # the fuller run, about 35 minutes
"""
from __future__ import annotations

import argparse
import atexit
import csv
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from district_locust import locustfile_text  # noqa: E402
from district_probe import print_probe, probe  # noqa: E402
from district_parts import (ROOT, Parts, Sampler, free_port, machine_ticks,  # noqa: E402
                            make_video, nginx_config, pg_commits, postgres_pids, proc_ticks, python, run,
                            wait_http, CLK_TCK)

PASSWORD = "bench-Rahasia-2026"
LESSONS = ["e1-01-kebutuhan-pelanggan", "e1-02-perencanaan-mutu"]
SAVE_P95_LIMIT_MS = 300
LOCUST_DEFAULT = ROOT / "bench" / "out" / "locust-venv" / "bin" / "locust"
PROFILES = {
    # quick: a compressed pace, short steps; full: nearer a human pace, longer steps. Both start
    # small: on a 2-core machine shared with other work even a few virtual trainees can saturate it.
    "quick": {"pace": 0.1, "step_seconds": 45, "start_users": 2, "factor": 2.0, "max_users": 320,
              "max_steps": 5, "accounts": 1000, "max_minutes": 12},
    "full": {"pace": 0.25, "step_seconds": 90, "start_users": 4, "factor": 1.6, "max_users": 1200,
             "max_steps": 6, "accounts": 1500, "max_minutes": 25},
}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="District bench: PostgreSQL, Redis, S3 (moto), two gunicorn "
                                                 "hosts in network namespaces, nginx, locust.")
    parser.add_argument("--quick", action="store_true", help="compressed pace and short steps (~6 minutes)")
    parser.add_argument("--pace", type=float, help="factor on every think time (1 = human pace; 0.1 = ten "
                        "times faster). Default 0.1 quick, 0.25 full")
    parser.add_argument("--step-seconds", type=int, help="length of one load step")
    parser.add_argument("--start-users", type=int, help="virtual users in the first step")
    parser.add_argument("--factor", type=float, help="users grow by this factor per step")
    parser.add_argument("--max-users", type=int)
    parser.add_argument("--max-steps", type=int, help="steps per topology at most (plus one refining step)")
    parser.add_argument("--accounts", type=int, help="trainee accounts to seed (each is used once)")
    parser.add_argument("--hosts", type=int, choices=(1, 2), default=2, help="measure 1 host only, or 1 then 2")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers per host (GUNICORN_WORKERS)")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker (GUNICORN_THREADS)")
    parser.add_argument("--upload-share", type=float, default=0.06, help="share of users uploading a video")
    parser.add_argument("--assessor-share", type=float, default=0.03, help="share of users opening the queue")
    parser.add_argument("--video-mb", type=int, default=20, help="size of the uploaded video (MB)")
    parser.add_argument("--subnet", default="10.77.0", help="first three octets of the bench network")
    parser.add_argument("--redis-db", type=int, default=13, help="Redis database number the bench empties and uses")
    parser.add_argument("--redis-flush", action="store_true", help="empty --redis-db even if it holds keys")
    parser.add_argument("--locust", default=str(LOCUST_DEFAULT), help="path of the locust program")
    parser.add_argument("--no-probe", action="store_true", help="skip the one-request-at-a-time CPU cost probe")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the PostgreSQL database at the end")
    parser.add_argument("--report", metavar="RESULTS_JSON", help="print the figures of an earlier run "
                        "(bench/out/district-*/results.json) and start nothing")
    parser.add_argument("--max-minutes", type=float, help="no new step starts after this (12 quick, 20 full)")
    args = parser.parse_args(argv)
    profile = PROFILES["quick" if args.quick else "full"]
    for key, value in profile.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    if not 0 < args.pace <= 5 or args.step_seconds < 10 or args.start_users < 1 or args.factor <= 1:
        parser.error("--pace in (0, 5], --step-seconds >= 10, --start-users >= 1, --factor > 1")
    if not 0 <= args.upload_share < 0.5 or not 0 <= args.assessor_share < 0.5:
        parser.error("--upload-share and --assessor-share must be below 0.5")
    if not 0 <= args.redis_db <= 15:
        parser.error("--redis-db is 0-15")
    if not (args.subnet.count(".") == 2 and args.subnet.startswith("10.")):
        parser.error("--subnet must be a private 10.x.y prefix, e.g. 10.77.0")
    return args


def step_users(args) -> list[int]:
    """The user counts tried per topology: start, start*factor, ... up to max_users, max_steps of them."""
    counts, users = [], float(args.start_users)
    while len(counts) < args.max_steps and round(users) <= args.max_users:
        if not counts or round(users) > counts[-1]:
            counts.append(round(users))
        users *= args.factor
    return counts


def cycle_seconds(pace: float, items: int = 20) -> float:
    """Mean time one trainee needs for the whole flow (two lessons, the answers, the review)."""
    return pace * (2 * sum(READ_SECONDS) / 2 + (items + 2) * sum(ANSWER_SECONDS) / 2)


READ_SECONDS = (30.0, 90.0)      # reading one lesson at a human pace
ANSWER_SECONDS = (3.0, 8.0)      # between two answers
QUEUE_SECONDS = (20.0, 40.0)     # an assessor looks at the queue again
RECORD_SECONDS = (60.0, 180.0)   # an uploader records the next dialog before uploading again
UPLOADS_PER_UPLOADER = 4         # accounts (one version each) handed to each uploading user per step
MAX_UPLOADERS = 200              # moto keeps objects in memory: 200 x 20 MB at most


def step_settings(args, users: int, trainees: list[str], uploaders: list, assessors: list[str],
                  video: Path) -> dict:
    share_up, share_as = args.upload_share, args.assessor_share
    weights = {"trainee": max(1, round(1000 * (1 - share_up - share_as))), "uploader": max(1, round(1000 * share_up)),
               "assessor": max(1, round(1000 * share_as))}
    # From 4 users on, at least one uploader and one assessor, so every step exercises tus and the
    # queue (locust's weights alone give small steps trainees only); the rest are trainees.
    fixed = {"uploader": max(1, round(users * share_up)) if users >= 4 and share_up else 0,
             "assessor": max(1, round(users * share_as)) if users >= 4 and share_as else 0}
    return {"pace": args.pace, "password": PASSWORD, "fixed": fixed, "lessons": LESSONS, "quiz": "tes-tertulis",
            "practical": "LIK_2", "trainees": trainees, "uploaders": uploaders, "assessors": assessors,
            "read_seconds": list(READ_SECONDS), "answer_seconds": list(ANSWER_SECONDS),
            "queue_seconds": list(QUEUE_SECONDS), "record_seconds": list(RECORD_SECONDS), "weights": weights, "video": str(video),
            "chunk_bytes": 4 * 1024 * 1024, "users": users}


def locust_command(args, locustfile: Path, users: int, base: str, csv_prefix: Path) -> list[str]:
    spawn = max(1.0, users / 10)          # a class logging in over ten seconds
    return [args.locust, "-f", str(locustfile), "--headless", "-u", str(users), "-r", f"{spawn:g}",
            "-t", f"{args.step_seconds}s", "--host", base, "--csv", str(csv_prefix), "--only-summary",
            "--stop-timeout", "0", "--loglevel", "WARNING", "--exit-code-on-error", "0"]


# --- seeding ------------------------------------------------------------------------------------

SEED = r"""
import json, sys
from courseware import create_app
from courseware.accounts import passwords
from courseware.accounts.service import create_user
from courseware.berkas.models import ClassFormSettings
from courseware.classes.models import Enrollment
from courseware.classes.service import create_class
from courseware.extensions import db
from courseware.models_base import utcnow
from courseware.practicals.models import Practical
from courseware.practicals.service import save_version
from courseware.quizzes.service import written_test
from courseware.quizzes.windows import set_window
from datetime import timedelta
from sqlalchemy import select

trainees, uploaders, password = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
app = create_app()
with app.app_context():
    hashed = passwords.hash_password(password)   # one real Argon2id hash, shared: logins cost what they cost
    quiz, practical = written_test(), db.session.scalar(select(Practical).where(Practical.code == "LIK_2"))
    names = [f"d{n:05d}" for n in range(1, trainees + 1)] + [f"u{n:04d}" for n in range(1, uploaders + 1)]
    classes, versions = [], []
    for start in range(0, len(names), 36):
        k = start // 36 + 1
        teacher, _ = create_user(f"guru{k:03d}", f"Guru {k:03d}", ["teacher"], password=password,
                                 password_hash=hashed, must_change_password=False)
        classroom = create_class(teacher, f"XII DIST {k:03d}", "2026/2027")
        # The bench measures the upload, not the FR.APL.02 review that a class may require before it.
        db.session.add(ClassFormSettings(classroom_id=classroom.id, apl02_required=False))
        for name in names[start:start + 36]:
            user, _ = create_user(name, f"Peserta {name}", ["trainee"], password=password, password_hash=hashed,
                                  nis=f"N{name}", must_change_password=False, commit=False)
            db.session.flush()
            db.session.add(Enrollment(classroom_id=classroom.id, user_id=user.id))
            if name.startswith("u"):
                versions.append((name, user))
        db.session.commit()
        set_window(classroom, quiz, utcnow() - timedelta(minutes=5), utcnow() + timedelta(hours=6), "langsung",
                   teacher)
    made = []
    for name, user in versions:
        version, _ = save_version(user, practical, None, "")
        made.append([name, version.id])
    print("SEED " + json.dumps({"uploaders": made, "classes": -(-len(names) // 36)}))
"""


def seed(env: dict, accounts: int, uploaders: int, assessors: int) -> dict:
    flask = [python(), "-m", "flask", "--app", "app"]
    run(*flask, "init", env=env, cwd=ROOT, timeout=600)
    for n in range(1, assessors + 1):
        run(*flask, "users", "create", f"asesor{n:02d}", "--role", "assessor", "--name", f"Asesor {n:02d}",
            "--password-stdin", env=env, cwd=ROOT, input=PASSWORD + "\n", timeout=120)
    done = run(python(), "-c", SEED, str(accounts), str(uploaders), PASSWORD, env=env, cwd=ROOT, timeout=1800)
    line = [x for x in done.stdout.splitlines() if x.startswith("SEED ")][-1]
    return json.loads(line[5:])


# --- one load step ------------------------------------------------------------------------------

def read_stats(prefix: Path) -> dict:
    rows = {}
    path = Path(f"{prefix}_stats.csv")
    if path.exists():
        with open(path, newline="") as handle:
            for row in csv.DictReader(handle):
                rows[row["Name"]] = row
    failures = []
    path = Path(f"{prefix}_failures.csv")
    if path.exists():
        with open(path, newline="") as handle:
            failures = [f"{r['Method']} {r['Name']}: {r['Error']} x{r['Occurrences']}" for r in csv.DictReader(handle)]
    return {"rows": rows, "failures": failures}


def _num(row: dict | None, key: str) -> float:
    try:
        return float(row[key]) if row and row.get(key) not in (None, "", "N/A") else float("nan")
    except ValueError:
        return float("nan")


def cpu_snapshot(parts: Parts, database: str) -> dict:
    snap = {key: {pid: proc_ticks(pid) for pid in pids} for key, pids in parts.pid_groups().items()}
    backends, background = postgres_pids(database)
    snap["postgres (bench db)"] = {pid: proc_ticks(pid) for pid in backends}
    snap["postgres (background, whole server)"] = {pid: proc_ticks(pid) for pid in background}
    redis_pid = Path("/run/redis.pid")
    if redis_pid.exists():
        pid = int(redis_pid.read_text().strip() or 0)
        snap["redis-server (whole server)"] = {pid: proc_ticks(pid)}
    snap["_machine"] = machine_ticks()
    return snap


def cpu_delta(before: dict, after: dict, seconds: float) -> dict:
    """label -> {pid: % of one core}, plus `_machine` busy % of all cores."""
    out = {}
    for label, pids in after.items():
        if label == "_machine":
            continue
        old = before.get(label, {})
        out[label] = {pid: 100.0 * (ticks - old.get(pid, 0)) / CLK_TCK / seconds for pid, ticks in pids.items()
                      if ticks - old.get(pid, 0) > 0 or pid in old}
    busy = after["_machine"][0] - before["_machine"][0]
    total = after["_machine"][1] - before["_machine"][1]
    out["_machine"] = 100.0 * busy / total if total else float("nan")
    return out


def run_step(args, parts: Parts, state: dict, hosts: int, users: int, number: int) -> dict:
    need = users * (math.ceil(args.step_seconds / cycle_seconds(args.pace)) + 1)
    first = state["next_trainee"]
    last = min(first + need, args.accounts + 1)
    state["next_trainee"] = last
    trainees = [f"d{n:05d}" for n in range(first, last)]
    up_need = max(2, math.ceil(users * args.upload_share) * UPLOADS_PER_UPLOADER)
    uploaders = state["uploaders"][:up_need]
    del state["uploaders"][:up_need]
    settings = step_settings(args, users, trainees, uploaders, state["assessors"], state["video"])
    locustfile = parts.workdir / f"step-{number:02d}.py"
    locustfile.write_text(locustfile_text(settings))
    prefix = parts.workdir / f"step-{number:02d}"
    database = parts.database
    sampler = Sampler(database, args.step_seconds + 30)
    commits_before, cpu_before, began = pg_commits(database), cpu_snapshot(parts, database), time.monotonic()
    reaped_before = os.times()
    sampler.start()
    key = f"locust-{number:02d}"
    process = parts.start(key, locust_command(args, locustfile, users, state["base"], prefix))
    try:
        process.wait(args.step_seconds + 90)
    except subprocess.TimeoutExpired:
        print(f"  locust step {number} overran; stopping it")
    cpu_after, commits_after = cpu_snapshot(parts, database), pg_commits(database)
    seconds = time.monotonic() - began
    parts.stop(key)
    reaped = os.times()   # locust has exited and been reaped: its CPU is in our children's times
    locust_cpu = 100.0 * (reaped.children_user + reaped.children_system - reaped_before.children_user
                          - reaped_before.children_system) / seconds
    sampler.halt.set()
    sampler.join(5)
    stats = read_stats(prefix)
    rows = stats["rows"]
    save, total = rows.get("save"), rows.get("Aggregated")
    failures = int(_num(total, "Failure Count")) if total and _num(total, "Failure Count") >= 0 else -1
    result = {
        "hosts": hosts, "users": users, "seconds": round(seconds, 1), "pace": args.pace,
        "requests": int(_num(total, "Request Count")) if total else 0, "failures": failures,
        "failure_lines": stats["failures"][:8],
        "rps": _num(total, "Requests/s"), "saves": int(_num(save, "Request Count")) if save else 0,
        "save_p50": _num(save, "50%"), "save_p95": _num(save, "95%"),
        "p95": {name: _num(row, "95%") for name, row in rows.items() if name != "Aggregated"},
        "counts": {name: int(_num(row, "Request Count")) for name, row in rows.items() if name != "Aggregated"},
        "pg_conn_max": max((c for c, _ in sampler.connections), default=0),
        "pg_conn_mean": sum(c for c, _ in sampler.connections) / max(1, len(sampler.connections)),
        "pg_active_max": max((a for _, a in sampler.connections), default=0),
        "tps": (commits_after - commits_before) / seconds,
        "cpu": {**cpu_delta(cpu_before, cpu_after, seconds), "locust (load tool)": {process.pid: locust_cpu}},
        "accounts_left": args.accounts + 1 - state["next_trainee"],
    }
    result["passed"] = (failures == 0 and result["saves"] > 0 and result["save_p95"] < SAVE_P95_LIMIT_MS)
    result["cpu_ms_per_request"] = cpu_per_request(result)
    print_step(result)
    return result


def cpu_per_request(r: dict) -> dict:
    """CPU milliseconds per request served, per part: the figure that carries over to other hardware."""
    served = r["requests"] / r["seconds"] if r["seconds"] else 0
    if not served:
        return {}
    parts = {"app (gunicorn)": [k for k in r["cpu"] if k.startswith("gunicorn-")],
             "postgres": ["postgres (bench db)"], "nginx": ["nginx"], "locust": ["locust (load tool)"]}
    return {name: sum(sum(r["cpu"].get(k, {}).values()) for k in keys) / 100 * 1000 / served
            for name, keys in parts.items()}


def print_step(r: dict) -> None:
    mark = "LULUS" if r["passed"] else "GAGAL"
    print(f"  [{mark}] {r['hosts']} host, {r['users']:4d} peserta virtual: {r['requests']} permintaan "
          f"({r['rps']:.1f}/s), gagal {r['failures']}, simpan jawaban {r['saves']} "
          f"p50 {r['save_p50']:.0f} ms p95 {r['save_p95']:.0f} ms; koneksi DB maks {r['pg_conn_max']} "
          f"(aktif maks {r['pg_active_max']}), {r['tps']:.0f} commit/s; mesin sibuk {r['cpu']['_machine']:.0f}%")
    if r.get("cpu_ms_per_request"):
        print("      CPU per permintaan: " + ", ".join(f"{k} {v:.1f} ms" for k, v in r["cpu_ms_per_request"].items()))
    for line in r["failure_lines"]:
        print(f"      {line}")


def print_cpu(r: dict) -> None:
    print(f"  CPU saat jenuh ({r['hosts']} host, {r['users']} peserta; % dari satu inti, {r['seconds']:.0f} s):")
    for label, pids in sorted(r["cpu"].items()):
        if label == "_machine" or not pids:
            continue
        total = sum(pids.values())
        detail = ", ".join(f"{v:.0f}" for v in sorted(pids.values(), reverse=True) if v >= 0.5)
        print(f"    {label:38s} {total:6.1f}%   per proses: {detail or '-'}")
    print(f"    {'seluruh mesin (2 inti = 200%)':38s} {2 * r['cpu']['_machine']:6.1f}%   "
          f"(termasuk pekerjaan orang lain di mesin ini)")


# --- the parts ----------------------------------------------------------------------------------

def host_env(args, parts: Parts, common: dict, n: int) -> dict:
    return {**common, "GUNICORN_BIND": f"{parts.host_address(n)}:8000", "GUNICORN_WORKERS": str(args.workers),
            "GUNICORN_THREADS": str(args.threads), "INSTANCE_PATH": str(parts.workdir / f"instance-h{n}")}


def start_host(args, parts: Parts, common: dict, n: int) -> None:
    namespace = parts.make_host_namespace(n)
    env = host_env(args, parts, common, n)
    process = parts.start(f"gunicorn-h{n}", ["ip", "netns", "exec", namespace, python(), "-m", "gunicorn",
                                             "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "app:app"], env=env)
    wait_http(f"http://{parts.host_address(n)}:8000/masuk", 60, process, parts.workdir / f"gunicorn-h{n}.log")


def start_nginx(parts: Parts, hosts: int, port: int) -> None:
    parts.stop("nginx", signal.SIGQUIT)
    for sub in ("nginx-body", "nginx-proxy", "nginx-fastcgi", "nginx-uwsgi", "nginx-scgi"):
        (parts.workdir / sub).mkdir(exist_ok=True)
    conf = parts.workdir / f"nginx-{hosts}.conf"
    conf.write_text(nginx_config([f"{parts.host_address(n)}:8000" for n in range(1, hosts + 1)], port, parts.workdir))
    run(shutil.which("nginx") or "/usr/sbin/nginx", "-t", "-c", str(conf), "-p", str(parts.workdir))
    process = parts.start("nginx", [shutil.which("nginx") or "/usr/sbin/nginx", "-c", str(conf), "-p",
                                    str(parts.workdir)])
    wait_http(f"http://127.0.0.1:{port}/masuk", 30, process, parts.workdir / "nginx.log")


def preflight(args) -> list[str]:
    problems = []
    if os.geteuid() != 0:
        problems.append("run as root (ip netns, veth, nginx)")
    for tool in ("ip", "nginx", "socat", "createdb", "dropdb", "redis-cli"):
        if not shutil.which(tool) and not Path(f"/usr/sbin/{tool}").exists():
            problems.append(f"missing program {tool} (apt-get install iproute2 nginx socat postgresql-client "
                            "redis-tools)")
    if not Path(args.locust).exists():
        problems.append(f"missing {args.locust}: python3 -m venv bench/out/locust-venv && "
                        "bench/out/locust-venv/bin/pip install -r bench/requirements-locust.txt")
    return problems


def pg_headroom(args) -> None:
    import psycopg

    with psycopg.connect(host="/var/run/postgresql", user="postgres", dbname="postgres", autocommit=True) as conn:
        limit = int(conn.execute("show max_connections").fetchone()[0])
        used = int(conn.execute("select count(*) from pg_stat_activity").fetchone()[0])
    need = args.hosts * args.workers * (args.threads + 1) + 5
    if limit - used < need + 10:
        raise RuntimeError(f"PostgreSQL has {limit - used} free connections, the bench may use {need}: "
                           "lower --workers/--threads")


def report(args) -> int:
    path = Path(args.report)
    saved = json.loads(path.read_text())
    results = {int(k): v for k, v in saved.items() if k.isdigit()}
    meta = saved.get("args", {})
    for key in ("pace", "step_seconds", "workers", "threads"):
        setattr(args, key, meta.get(key, getattr(args, key)))
    for rows in results.values():
        for r in rows:
            r["cpu"] = {k: ({int(p): v for p, v in pids.items()} if isinstance(pids, dict) else pids)
                        for k, pids in r["cpu"].items()}
            r.setdefault("cpu_ms_per_request", cpu_per_request(r))
            print_step(r)
    summary(args, results, None, saved.get("baseline"), saved.get("probe"))
    return 0


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.report:
        return report(args)
    problems = preflight(args)
    if problems:
        print("Bench tidak bisa mulai:\n  " + "\n  ".join(problems))
        return 2
    stamp = time.strftime("%Y%m%d%H%M%S")
    workdir = ROOT / "bench" / "out" / f"district-{stamp}"
    workdir.mkdir(parents=True)
    parts = Parts(workdir, args.subnet)
    parts.keep_db = args.keep_db
    atexit.register(parts.close)
    # Ctrl-C even when started in the background (a non-interactive shell starts those with SIGINT
    # ignored); SIGTERM and SIGHUP end the run the same way, through the finally below.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGHUP, lambda *_: sys.exit(129))
    started, results = time.monotonic(), {1: [], 2: []}
    try:
        parts.check_network_free()
        pg_headroom(args)
        video = make_video(ROOT / "bench" / "out" / f"district-video-{args.video_mb}mb.mp4", args.video_mb * 1_000_000)
        print(f"Video {video.name}: {video.stat().st_size} byte (H.264 720p dibuat dengan PyAV)")
        url = parts.create_database(f"cw_district_{stamp}")
        parts.claim_redis_db(args.redis_db, args.redis_flush)
        parts.make_bridge()
        moto_port = free_port()
        moto = parts.start("moto", [python(), "-m", "moto.server", "-H", parts.gateway, "-p", str(moto_port)])
        wait_http(f"http://{parts.gateway}:{moto_port}/", 30, moto, workdir / "moto.log")
        s3 = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1"}
        import boto3

        boto3.client("s3", endpoint_url=f"http://{parts.gateway}:{moto_port}", **{
            "aws_access_key_id": "bench", "aws_secret_access_key": "bench", "region_name": "us-east-1"}
        ).create_bucket(Bucket="courseware-bench")
        relay = parts.start("redis-relay", ["socat", f"TCP-LISTEN:6379,bind={parts.gateway},fork,reuseaddr",
                                            "TCP:127.0.0.1:6379"])
        time.sleep(0.5)
        if relay.poll() is not None:
            raise RuntimeError("socat relay for Redis did not start: " + (workdir / "redis-relay.log").read_text())
        common = {**os.environ, **s3, "DATABASE_URL": url, "REDIS_URL": f"redis://{parts.gateway}:6379/{args.redis_db}",
                  "S3_BUCKET": "courseware-bench", "S3_ENDPOINT_URL": f"http://{parts.gateway}:{moto_port}",
                  "MEDIA_ROOT": str(workdir / "media"), "SECRET_KEY": os.urandom(32).hex(), "PROXY_COUNT": "1",
                  "TASKS_EAGER": "0", "PYTHONPATH": str(ROOT), "INSTANCE_PATH": str(workdir / "instance-seed"),
                  "MEDIA_MAX_VERSIONS": "0", "MEDIA_MAX_BYTES_PER_USER": "0"}
        common.pop("COURSEWARE_TEST_PASSWORD_HASH", None)
        uploaders_n = min(MAX_UPLOADERS, max(30, math.ceil(args.max_users * args.upload_share)
                                             * UPLOADS_PER_UPLOADER * 2 * args.hosts))
        print(f"Mengisi basis data {parts.database}: {args.accounts} peserta, {uploaders_n} pengunggah ...")
        began = time.monotonic()
        seeded = seed(common, args.accounts, uploaders_n, assessors=4)
        print(f"  {seeded['classes']} kelas dalam {time.monotonic() - began:.0f} s")
        state = {"next_trainee": 1, "uploaders": seeded["uploaders"], "assessors": [f"asesor{n:02d}" for n in range(1, 5)],
                 "video": video}
        busy = machine_ticks()
        time.sleep(5)
        after = machine_ticks()
        state["baseline"] = 200.0 * (after[0] - busy[0]) / max(1, after[1] - busy[1])
        print(f"Mesin sebelum bench menyala: {state['baseline']:.0f}% dari 200% (2 inti) dipakai proses lain")
        start_host(args, parts, common, 1)
        port = free_port()
        state["base"] = f"http://127.0.0.1:{port}"
        start_nginx(parts, 1, port)
        print(f"nginx di {state['base']} -> {parts.host_address(1)}:8000 ({args.workers} worker x {args.threads} "
              f"thread gunicorn); langkah {args.step_seconds} s, pace {args.pace}")
        if not args.no_probe:
            first = state["next_trainee"]
            state["next_trainee"] += 8
            state["probe"] = probe(parts, parts.database, state["base"], PASSWORD,
                                   [f"d{n:05d}" for n in range(first, first + 8)], state["uploaders"].pop(),
                                   video.read_bytes(), LESSONS[0], "tes-tertulis")
            print_probe(state["probe"])
        number = 0
        for hosts in ((1, 2) if args.hosts == 2 else (1,)):
            if hosts == 2:
                start_host(args, parts, common, 2)
                start_nginx(parts, 2, port)
                print(f"nginx -> {parts.host_address(1)}:8000 dan {parts.host_address(2)}:8000 (round robin)")
            counts = step_users(args)
            if hosts == 2 and results[1]:
                best = max((r["users"] for r in results[1] if r["passed"]), default=args.start_users)
                counts = sorted({c for c in counts if c >= best} | {best})[:args.max_steps]
            tried_fail = None
            for users in counts:
                if time.monotonic() - started > args.max_minutes * 60:
                    print("  batas waktu --max-minutes tercapai; tidak ada langkah baru")
                    break
                number += 1
                outcome = run_step(args, parts, state, hosts, users, number)
                results[hosts].append(outcome)
                if not outcome["passed"]:
                    tried_fail = outcome
                    break
            passed = [r for r in results[hosts] if r["passed"]]
            if tried_fail and passed and tried_fail["users"] - passed[-1]["users"] > 2 and \
                    time.monotonic() - started < args.max_minutes * 60:
                number += 1
                middle = (tried_fail["users"] + passed[-1]["users"]) // 2
                results[hosts].append(run_step(args, parts, state, hosts, middle, number))
        summary(args, results, workdir, state.get("baseline"), state.get("probe"))
        return 0
    except KeyboardInterrupt:
        print("Dihentikan; membersihkan ...")
        return 130
    finally:
        leftovers = parts.close()
        for line in leftovers:
            print(f"  pembersihan: {line}")
        print(f"Log dan berkas locust: {workdir}")


def app_core_per_user(rows: list) -> float:
    """Cores of app CPU one virtual user keeps busy, from the step with the most users (steadiest figure)."""
    row = max(rows, key=lambda r: r["users"])
    app = sum(sum(pids.values()) for key, pids in row["cpu"].items() if key.startswith("gunicorn-"))
    return app / 100 / row["users"] if row["users"] else 0.0


def capacity_estimate(args, rows: list, cores: float = 2.0, utilisation: float = 0.6) -> float:
    """Virtual users one dedicated host of `cores` carries at `utilisation`, from the CPU they cost here."""
    per_user = app_core_per_user(rows) if rows else 0.0
    return cores * utilisation / per_user if per_user else 0.0


def summary(args, results: dict, workdir: Path | None, baseline: float | None = None,
            probed: dict | None = None) -> None:
    print("\n=== Ringkasan (bench/district.py) ===")
    if baseline is not None:
        print(f"beban lain di mesin sebelum bench: {baseline:.0f}% dari 200% (2 inti)")
    print(f"pace {args.pace} (1 = kecepatan manusia), langkah {args.step_seconds} s, gunicorn {args.workers} worker x "
          f"{args.threads} thread per host, batas p95 simpan jawaban {SAVE_P95_LIMIT_MS} ms dan 0 gagal")
    best = {}
    for hosts, rows in results.items():
        if not rows:
            continue
        passed = [r for r in rows if r["passed"]]
        best[hosts] = max((r["users"] for r in passed), default=0)
        ceiling = "" if any(not r["passed"] for r in rows) else " (belum jenuh: batas langkah tercapai)"
        if passed:
            print(f"{hosts} host: terbesar yang lulus {best[hosts]} peserta virtual{ceiling} "
                  f"(~{best[hosts] / args.pace:.0f} peserta berkecepatan manusia)")
        else:
            first = min(rows, key=lambda r: r["users"])
            print(f"{hosts} host: tidak ada langkah yang lulus; langkah terkecil {first['users']} peserta virtual: "
                  f"p95 simpan {first['save_p95']:.0f} ms, gagal {first['failures']}")
        estimate = capacity_estimate(args, rows)
        if estimate:
            print(f"   perkiraan dari CPU: satu host khusus 2 inti pada utilisasi 60% ~ {estimate:.0f} peserta virtual "
                  f"(~{estimate / args.pace:.0f} berkecepatan manusia); CPU aplikasi per peserta virtual "
                  f"{1000 * app_core_per_user(rows):.1f} ms/s")
    if best.get(1) and best.get(2):
        print(f"rasio 2 host / 1 host: {best[2] / best[1]:.2f}")
    every = [r for rows in results.values() for r in rows]
    if every:
        print(f"koneksi DB maks {max(r['pg_conn_max'] for r in every)}, commit/s maks {max(r['tps'] for r in every):.0f}")
        for rows in results.values():
            saturated = next((r for r in rows if not r["passed"]), rows[-1] if rows else None)
            if saturated:
                print_cpu(saturated)
    if probed:
        print_probe(probed)
        flow = {part: probed["login (halaman + Argon2id)"][part] + 6 * probed["halaman materi"][part]
                + 20 * probed["simpan jawaban"][part] + probed["kumpulkan"][part] for part in ("app", "postgres")}
        print(f"  satu peserta, login sampai kumpul (login, ~6 halaman, 20 jawaban, kumpulkan): aplikasi "
              f"{flow['app'] / 1000:.2f} s CPU, postgres {flow['postgres'] / 1000:.2f} s CPU")
    if workdir is not None:
        saved = {**{str(k): v for k, v in results.items()}, "baseline": baseline, "probe": probed,
                 "args": {k: v for k, v in vars(args).items() if isinstance(v, (int, float, str, bool))}}
        (workdir / "results.json").write_text(json.dumps(saved, indent=1, default=str))


if __name__ == "__main__":
    sys.exit(main())
