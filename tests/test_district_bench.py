"""bench/district.py without starting anything: its arguments, the nginx config it generates from
deploy/nginx.conf, and the locustfile it writes for a load step (parsed, not run: locust lives in
its own virtual environment, see docs/district.md)."""
import ast
import importlib
import json
import re
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.fixture(scope="module")
def bench():
    sys.path.insert(0, str(BENCH))
    try:
        yield importlib.import_module("district"), importlib.import_module("district_parts"), \
            importlib.import_module("district_locust")
    finally:
        sys.path.remove(str(BENCH))


def test_profiles_and_explicit_arguments(bench):
    district, _, _ = bench
    quick = district.parse_args(["--quick"])
    assert (quick.pace, quick.step_seconds, quick.hosts) == (0.1, 45, 2)
    full = district.parse_args([])
    assert full.pace == 0.25 and full.step_seconds > quick.step_seconds and full.accounts > quick.accounts
    own = district.parse_args(["--quick", "--pace", "0.5", "--start-users", "7", "--factor", "1.5",
                               "--max-users", "20", "--max-steps", "9", "--hosts", "1"])
    assert (own.pace, own.hosts) == (0.5, 1)
    assert district.step_users(own) == [7, 10, 16]          # 7, 10.5, 15.75, 23.6 > 20


@pytest.mark.parametrize("argv", [["--pace", "0"], ["--factor", "1"], ["--subnet", "192.168.1"],
                                  ["--redis-db", "16"], ["--upload-share", "0.7"], ["--hosts", "3"]])
def test_bad_arguments_are_refused(bench, argv, capsys):
    district, _, _ = bench
    with pytest.raises(SystemExit) as exit_info:
        district.parse_args(argv)
    assert exit_info.value.code == 2


def test_step_users_are_bounded_in_count_and_size(bench):
    district, _, _ = bench
    args = district.parse_args(["--start-users", "1", "--factor", "1.01", "--max-users", "10000", "--max-steps", "6"])
    counts = district.step_users(args)
    assert len(counts) == 6 and counts == sorted(set(counts))
    args = district.parse_args(["--start-users", "50", "--max-users", "40"])
    assert district.step_users(args) == []


def test_nginx_config_copies_deploy_limits_and_balances_without_stickiness(bench, tmp_path):
    _, parts, _ = bench
    limits = parts.deploy_nginx_limits()
    deploy = (BENCH.parent / "deploy" / "nginx.conf").read_text()
    for key, value in limits["server"].items():
        assert re.search(rf"^\s*{key}\s+{re.escape(value)};", deploy, re.M), key
    assert limits["tus"]["client_max_body_size"] != limits["server"]["client_max_body_size"]

    text = parts.nginx_config(["10.77.0.11:8000", "10.77.0.12:8000"], 18123, tmp_path, limits)
    upstream = re.search(r"upstream courseware \{(.*?)\}", text, re.S).group(1)
    assert re.findall(r"server (\S+);", upstream) == ["10.77.0.11:8000", "10.77.0.12:8000"]
    for sticky in ("ip_hash", "hash ", "sticky", "least_conn"):
        assert sticky not in upstream
    assert "listen 127.0.0.1:18123;" in text
    tus = re.search(r"location /media/tus/ \{(.*?)\}", text, re.S).group(1)
    assert f"client_max_body_size {limits['tus']['client_max_body_size']};" in tus
    assert "proxy_request_buffering on;" in tus
    server_level = text.split("location /static/")[0]
    for key, value in limits["server"].items():
        assert f"{key} {value};" in server_level
    assert str(tmp_path) in text and "daemon off;" in text
    assert text.count("{") == text.count("}")
    one = parts.nginx_config(["10.77.0.11:8000"], 18123, tmp_path, limits)
    assert "10.77.0.12" not in one
    with pytest.raises(ValueError):
        parts.nginx_config([], 18123, tmp_path, limits)


def test_nginx_limits_follow_the_deploy_file(bench, tmp_path):
    _, parts, _ = bench
    changed = (BENCH.parent / "deploy" / "nginx.conf").read_text().replace("client_header_timeout 10s",
                                                                            "client_header_timeout 7s")
    conf = tmp_path / "nginx.conf"
    conf.write_text(changed)
    assert parts.deploy_nginx_limits(conf)["server"]["client_header_timeout"] == "7s"
    conf.write_text(changed.replace("client_body_timeout   30s;", ""))
    with pytest.raises(ValueError):
        parts.deploy_nginx_limits(conf)


def test_locustfile_carries_the_step_settings(bench, tmp_path):
    district, _, locust = bench
    args = district.parse_args(["--quick", "--pace", "0.2"])
    settings = district.step_settings(args, 40, ["d00001", "d00002"], [["u0001", 17]], ["asesor01"],
                                      tmp_path / "video.mp4")
    text = locust.locustfile_text(settings)
    tree = ast.parse(text)
    classes = {node.name for node in tree.body if isinstance(node, ast.ClassDef)}
    assert {"Trainee", "Uploader", "Assessor"} <= classes
    literal = re.search(r'json\.loads\(r"""(.*?)"""\)', text, re.S).group(1)
    baked = json.loads(literal)
    assert baked == json.loads(json.dumps(settings))
    assert baked["pace"] == 0.2 and baked["trainees"] == ["d00001", "d00002"] and baked["uploaders"] == [["u0001", 17]]
    weights = baked["weights"]
    assert weights["trainee"] > weights["uploader"] > weights["assessor"] > 0
    assert baked["fixed"] == {"uploader": 2, "assessor": 1}       # 40 x 6% and 40 x 3%, at least one each
    small = district.step_settings(args, 2, [], [], [], tmp_path / "v.mp4")
    assert small["fixed"] == {"uploader": 0, "assessor": 0}      # two users: both trainees (by weight)
    assert district.step_settings(args, 4, [], [], [], tmp_path / "v.mp4")["fixed"] == {"uploader": 1, "assessor": 1}
    # Every request is named, and the answer saves are the ones the figures read.
    for name in ('"save"', '"submit"', '"tus chunk"', '"assessor queue"', '"login"', '"lesson"'):
        assert name in text
    assert "jawab" in text and "kumpulkan" in text and "/media/tus/" in text


def test_locust_command_is_headless_and_bounded(bench, tmp_path):
    district, _, _ = bench
    args = district.parse_args(["--quick"])
    command = district.locust_command(args, tmp_path / "step.py", 80, "http://127.0.0.1:18123", tmp_path / "s")
    assert "--headless" in command and command[command.index("-u") + 1] == "80"
    assert command[command.index("-t") + 1] == f"{args.step_seconds}s"
    assert command[command.index("--host") + 1].startswith("http://127.0.0.1:")
    assert float(command[command.index("-r") + 1]) == 8


def test_gunicorn_outlives_nginx_idle_upstream_connections(bench, monkeypatch):
    """nginx reuses idle connections to the app; if gunicorn closes one first, a POST on it is a 502
    (the first quick district run saw one). gunicorn's keepalive must exceed nginx's."""
    import runpy

    _, parts, _ = bench
    monkeypatch.delenv("GUNICORN_KEEPALIVE", raising=False)
    gunicorn = runpy.run_path(str(BENCH.parent / "deploy" / "gunicorn.conf.py"))
    upstream = parts.deploy_nginx_limits()["upstream"]
    assert upstream["keepalive_timeout"].endswith("s")
    assert gunicorn["worker_class"] == "gthread"      # the sync worker ignores keepalive
    assert gunicorn["keepalive"] > int(upstream["keepalive_timeout"][:-1])


def test_gunicorn_workers_are_not_recycled_under_nginx_by_default(monkeypatch):
    """A worker that exits after max_requests drops the idle connections nginx holds to it; the POSTs
    sent on them that instant were 502s (the full district run: a burst of failed saves at every
    recycle). Recycling is off unless GUNICORN_MAX_REQUESTS asks for it."""
    import runpy

    monkeypatch.delenv("GUNICORN_MAX_REQUESTS", raising=False)
    assert runpy.run_path(str(BENCH.parent / "deploy" / "gunicorn.conf.py"))["max_requests"] == 0
    monkeypatch.setenv("GUNICORN_MAX_REQUESTS", "5000")
    recycled = runpy.run_path(str(BENCH.parent / "deploy" / "gunicorn.conf.py"))
    assert (recycled["max_requests"], recycled["max_requests_jitter"]) == (5000, 500)


def test_capacity_estimate_from_cpu_uses_the_busiest_step(bench):
    district, _, _ = bench
    args = district.parse_args(["--quick"])
    rows = [{"users": 5, "cpu": {"gunicorn-h1": {1: 50.0}, "nginx": {2: 9.0}}},
            {"users": 20, "cpu": {"gunicorn-h1": {1: 30.0, 3: 10.0}, "gunicorn-h2": {4: 40.0}, "postgres (bench db)": {5: 50.0}}}]
    assert district.app_core_per_user(rows) == pytest.approx(0.8 / 20)       # app processes only, 20 users
    assert district.capacity_estimate(args, rows) == pytest.approx(2 * 0.6 / 0.04)
    assert district.capacity_estimate(args, []) == 0
