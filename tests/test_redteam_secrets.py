"""Finding 7 of issue 14: a SECRET_KEY from the repository let anyone forge an admin session.

In a school setting (FORCE_HTTPS=1 or a HOST beyond loopback) the site now refuses to start
with a known or short key, and says why; the env example holds no usable key.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from courseware.config import KNOWN_SECRET_KEYS, InsecureSettings

from .conftest import make_app

PROJECT = Path(__file__).resolve().parents[1]
PLACEHOLDER = "ganti-dengan-string-acak-panjang-yang-sama-di-semua-host"
STRONG = "Zq3" * 16


def _env_example_key() -> str:
    for line in (PROJECT / "deploy" / "courseware.env.example").read_text(encoding="utf-8").splitlines():
        if line.startswith("SECRET_KEY="):
            return line.split("=", 1)[1]
    raise AssertionError("deploy/courseware.env.example names no SECRET_KEY")


SCHOOL_SETTINGS = [{"FORCE_HTTPS": True}, {"HOST": "0.0.0.0"}, {"HOST": "192.168.1.10"}, {"HOST": "::"},
                   {"HOST": "lab-server.sekolah.lan"}]


@pytest.mark.parametrize("setting", SCHOOL_SETTINGS)
@pytest.mark.parametrize("key", [PLACEHOLDER, "test-secret", "k" * 31])
def test_school_setting_refuses_a_known_or_short_key(tmp_path, setting, key):
    with pytest.raises(InsecureSettings) as refused:
        make_app(tmp_path, SECRET_KEY=key, **setting)
    assert "SECRET_KEY" in str(refused.value)
    assert ("repositori" in str(refused.value)) or ("terlalu pendek" in str(refused.value))


@pytest.mark.parametrize("setting", SCHOOL_SETTINGS)
def test_school_setting_starts_with_a_long_unknown_key(tmp_path, setting):
    assert make_app(tmp_path, SECRET_KEY=STRONG, **setting).config["SECRET_KEY"] == STRONG


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.1.1"])
def test_a_loopback_development_server_may_use_a_short_key(tmp_path, host):
    assert make_app(tmp_path, SECRET_KEY="test-secret", HOST=host).config["SECRET_KEY"] == "test-secret"


def test_env_example_holds_no_usable_key(tmp_path):
    key = _env_example_key()
    assert key == "" or key in KNOWN_SECRET_KEYS
    assert PLACEHOLDER in KNOWN_SECRET_KEYS  # the key that was printed there stays refused


def test_run_command_refuses_to_start_on_the_network_with_the_old_example_key(tmp_path):
    env = {**os.environ, "SECRET_KEY": PLACEHOLDER, "FORCE_HTTPS": "1", "INSTANCE_PATH": str(tmp_path),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "PYTHONPATH": str(PROJECT)}
    done = subprocess.run([sys.executable, "-m", "courseware.serve", "--host", "0.0.0.0", "--port", "9"],
                          cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "Situs tidak dijalankan" in done.stderr and "SECRET_KEY" in done.stderr
    assert not (tmp_path / "db.sqlite3").exists()  # refused before touching the database
