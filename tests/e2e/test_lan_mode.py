"""`run.py --lan` for real: the start command binds every interface, prints the lab addresses and a
QR code, and a client fetching the printed non-loopback address gets the login page. Without --lan
that address refuses the connection (the site stays on 127.0.0.1)."""
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from courseware.lan import lan_addresses

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(tmp_path, port, *flags):
    env = {**os.environ, "INSTANCE_PATH": str(tmp_path / "instance"), "TASKS_EAGER": "1",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'lan.sqlite3'}", "PYTHONUNBUFFERED": "1"}
    # Its own process group, so the worker it starts is stopped with it.
    proc = subprocess.Popen([sys.executable, "-m", "courseware.serve", "--port", str(port), *flags],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, encoding="utf-8", start_new_session=True)
    lines = []
    for line in proc.stdout:  # the banner ends with the Ctrl+C hint, printed just before serving
        lines.append(line.rstrip("\n"))
        if "Hentikan dengan Ctrl+C" in line:
            break
    return proc, lines


def _stop(proc):
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=30)


_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy


def _get(url):
    with _DIRECT.open(url, timeout=10) as response:  # nosec B310 - a test's own server
        return response.status, response.read().decode("utf-8")


def _get_when_up(url, tries=100):
    """The banner is printed just before waitress binds: retry a refused connection a while."""
    for _ in range(tries):
        try:
            return _get(url)
        except urllib.error.URLError as exc:
            if not isinstance(exc.reason, ConnectionRefusedError):
                raise
            time.sleep(0.2)
    return _get(url)


@pytest.fixture
def lab_address():
    addresses = lan_addresses()
    if not addresses:
        pytest.skip("this machine has no non-loopback IPv4 address")
    return addresses[0]


def test_lan_prints_reachable_address_and_qr(tmp_path, lab_address):
    port = _free_port()
    proc, lines = _start(tmp_path, port, "--lan")
    try:
        banner = "\n".join(lines)
        assert f"http://{lab_address}:{port}/" in banner, banner
        assert "█" in banner or "▀" in banner, banner  # the terminal QR code
        printed = [l.strip() for l in lines if l.strip().startswith("http://") and "127.0.0.1" not in l]
        assert printed
        for url in printed:
            status, body = _get_when_up(url + "masuk")
            assert status == 200 and "Masuk" in body
    finally:
        _stop(proc)


def test_without_lan_the_site_stays_on_loopback(tmp_path, lab_address):
    port = _free_port()
    proc, lines = _start(tmp_path, port)
    try:
        assert "run.py --lan" in "\n".join(lines)
        assert _get_when_up(f"http://127.0.0.1:{port}/masuk")[0] == 200
        with pytest.raises(urllib.error.URLError):
            _get(f"http://{lab_address}:{port}/masuk")
    finally:
        _stop(proc)
