"""CPU cost of each action, measured one request at a time (bench/district.py --probe, on by default).

Under load the CPU figures mix every kind of request, and on a shared machine the latencies mostly
show how long requests waited for a core. Sent one after another by one client, the CPU each part
spends per action (gunicorn processes, the PostgreSQL backends of the bench database, nginx) is the
figure that carries over to other hardware: capacity per core ~ utilisation / CPU per action.
"""
from __future__ import annotations

import base64
import re
import time

CSRF_RE = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')
OPTION_RE = re.compile(r'name="jawaban-(\d+)" value="(\d+)"')


def _ticks(parts, database) -> dict:
    from district_parts import postgres_pids, proc_ticks

    groups = parts.pid_groups()
    app = [pid for key, pids in groups.items() if key.startswith("gunicorn-") for pid in pids]
    backends, _ = postgres_pids(database)
    return {"app": {p: proc_ticks(p) for p in app}, "postgres": {p: proc_ticks(p) for p in backends},
            "nginx": {p: proc_ticks(p) for p in groups.get("nginx", [])}}


def _spent(before: dict, after: dict) -> dict:
    from district_parts import CLK_TCK

    return {part: sum(t - before[part].get(p, 0) for p, t in pids.items()) * 1000 / CLK_TCK
            for part, pids in after.items()}


def _token(response) -> str:
    match = CSRF_RE.search(response.text)
    return match.group(1) if match else ""


def probe(parts, database: str, base: str, password: str, trainees: list[str], uploader: tuple | None,
          video: bytes, lesson: str, quiz: str, logins: int = 8, pages: int = 20, saves: int = 40) -> dict:
    """{action: {part: CPU ms per action}} for login, lesson page, answer save, submit, tus per MB."""
    import requests

    results, sessions = {}, []

    def measure(action, count, work):
        before, began = _ticks(parts, database), time.perf_counter()
        work()
        wall = (time.perf_counter() - began) * 1000 / count
        time.sleep(0.3)  # let the last response's bookkeeping finish
        results[action] = {part: ms / count for part, ms in _spent(before, _ticks(parts, database)).items()}
        results[action]["wall"] = wall   # one request at a time: the rest of the wall time is waiting

    def login(name):
        http = requests.Session()
        page = http.get(f"{base}/masuk", timeout=60)
        done = http.post(f"{base}/masuk", data={"username": name, "password": password, "csrf_token": _token(page)},
                         allow_redirects=False, timeout=60)
        if done.status_code != 302:
            raise RuntimeError(f"probe login {name}: HTTP {done.status_code}")
        sessions.append(http)

    measure("login (halaman + Argon2id)", logins, lambda: [login(name) for name in trainees[:logins]])
    http = sessions[0]
    measure("halaman materi", pages, lambda: [http.get(f"{base}/materi/{lesson}", timeout=60) for _ in range(pages)])
    start_page = http.get(f"{base}/tes/{quiz}/mulai", timeout=60)
    started = http.post(f"{base}/tes/{quiz}/mulai", data={"csrf_token": _token(start_page)}, allow_redirects=False,
                        timeout=60)
    attempt = started.headers["Location"].rstrip("/").rsplit("/", 1)[1]
    page = http.get(f"{base}/tes/percobaan/{attempt}", timeout=60)
    token, options = _token(page), OPTION_RE.findall(page.text)

    def save_all():
        for n in range(saves):
            position, option = options[n % len(options)]
            saved = http.post(f"{base}/tes/percobaan/{attempt}/jawab", data={"posisi": position, "pilihan": option,
                                                                           "urutan": int(time.time() * 1000)},
                              headers={"Accept": "application/json", "X-CSRFToken": token}, timeout=60)
            if saved.status_code != 200:
                raise RuntimeError(f"probe save: HTTP {saved.status_code}")

    measure("simpan jawaban", saves, save_all)
    measure("kumpulkan", 1, lambda: http.post(f"{base}/tes/percobaan/{attempt}/kumpulkan",
                                              data={"csrf_token": token}, allow_redirects=False, timeout=60))
    if uploader:
        name, version_id = uploader
        login(name)
        up = sessions[-1]
        token = _token(up.get(f"{base}/praktik/LIK_2", timeout=60))
        tus = {"Tus-Resumable": "1.0.0", "X-CSRFToken": token}
        meta = ",".join(f"{k} {base64.b64encode(str(v).encode()).decode()}"
                        for k, v in {"filename": "dialog.mp4", "kind": "submission-version",
                                     "target_id": version_id}.items())

        def upload():
            created = up.post(f"{base}/media/tus/", headers={**tus, "Upload-Length": str(len(video)),
                                                            "Upload-Metadata": meta}, timeout=60)
            location, offset, chunk = created.headers["Location"], 0, 4 * 1024 * 1024
            while offset < len(video):
                sent = up.patch(f"{base}{location}", data=video[offset:offset + chunk], timeout=300, headers={
                    **tus, "Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"})
                if sent.status_code != 204:
                    raise RuntimeError(f"probe tus: HTTP {sent.status_code}")
                offset = int(sent.headers["Upload-Offset"])

        measure(f"unggah video per MB ({len(video) // 1_000_000} MB, tus 4 MiB)", len(video) / 1_000_000, upload)
    return results


def print_probe(results: dict) -> None:
    print("  Biaya CPU per tindakan (satu permintaan sekali jalan, ms CPU):")
    print(f"    {'tindakan':46s} {'aplikasi':>9s} {'postgres':>9s} {'nginx':>7s} {'waktu nyata':>12s}")
    for action, parts in results.items():
        wall = f"{parts['wall']:9.0f} ms" if "wall" in parts else ""
        print(f"    {action:46s} {parts['app']:9.1f} {parts['postgres']:9.1f} {parts['nginx']:7.2f} {wall:>12s}")
    print("    (CPU diukur dari /proc dengan resolusi 10 ms, dirata-rata atas semua ulangan; waktu nyata = per "
          "permintaan, satu klien, termasuk menunggu inti di mesin bersama)")
