"""Lab mode on the teacher's dashboard, and the start banner (roles in Indonesian, only working passwords)."""
import re

from courseware.accounts.models import User
from courseware.accounts.service import reset_password, set_active
from courseware.demo import create_demo, demo_logins_text
from courseware.extensions import db
from courseware.serve import start_banner



def test_teacher_dashboard_without_lan_says_how_to_open_the_lab(as_user):
    page = as_user("teacher").get("/").get_data(as_text=True)
    assert "Alamat untuk ponsel peserta" in page
    assert "python3 run.py --lan" in page and "<svg" not in page


def test_teacher_dashboard_shows_lab_address_and_local_svg_qr(app, as_user):
    app.config["LAN_URLS"] = ["http://192.168.10.5:5000/"]
    page = as_user("teacher").get("/").get_data(as_text=True)
    assert "<code>http://192.168.10.5:5000/</code>" in page
    svg = re.search(r"<svg[^>]*class=\"qr\"[^>]*>.*?</svg>", page, re.S)
    assert svg and "viewBox" in svg.group(0) and "http" not in svg.group(0).split("<title>")[0]


def test_dashboard_reached_over_the_network_shows_that_address(as_user):
    client = as_user("admin")
    # The session cookie belongs to "localhost"; hand it to the lab address as a browser would have it.
    client.set_cookie("session", client.get_cookie("session").value, domain="10.1.2.3")
    page = client.get("/", base_url="http://10.1.2.3:8000").get_data(as_text=True)
    assert "<code>http://10.1.2.3:8000/</code>" in page and 'class="qr"' in page


def test_trainee_and_assessor_do_not_get_the_lab_panel(as_user):
    for role in ("trainee", "assessor"):
        assert "Alamat untuk ponsel peserta" not in as_user(role).get("/").get_data(as_text=True)


def test_banner_lists_roles_in_indonesian_and_only_working_demo_passwords(app):
    create_demo()
    text = demo_logins_text(app)
    assert "guru.demo" in text and "Guru" in text and "Peserta" in text and "Asesor" in text
    assert not re.search(r"\b(teacher|trainee|assessor)\b", text)
    for line in text.splitlines():
        if line.strip().startswith("peserta1"):
            password = line.split()[1]
    client = app.test_client()
    assert client.post("/masuk", data={"username": "peserta1", "password": password}).status_code == 302

    admin = db.session.scalar(db.select(User).where(User.username == "admin"))
    reset_password(db.session.scalar(db.select(User).where(User.username == "peserta1")), actor=admin)
    set_active(db.session.scalar(db.select(User).where(User.username == "peserta2")), False, actor=admin)
    text = demo_logins_text(app)
    listed = [l.split()[0] for l in text.splitlines() if l.startswith("  ") and "Kelas demo" not in l]
    assert "peserta1" not in listed and "peserta2" not in listed and "peserta3" in listed
    assert "sudah diganti" in text and password not in text


def test_banner_without_lan_points_to_lan_and_with_lan_prints_address_and_qr(app):
    local = start_banner(app, "127.0.0.1", 5000, [])
    assert "http://127.0.0.1:5000/" in local and "run.py --lan" in local
    lab = start_banner(app, "0.0.0.0", 5000, ["http://192.168.10.5:5000/"])
    assert "  http://192.168.10.5:5000/" in lab and ("▀" in lab or "█" in lab)


def test_banner_reads_the_demo_file_of_earlier_versions(app):
    from pathlib import Path

    create_demo()
    text = demo_logins_text(app)
    peserta3 = next(l for l in text.splitlines() if l.strip().startswith("peserta3")).split()[1]
    json_file = Path(app.instance_path) / "demo-logins.json"
    json_file.unlink()
    old = Path(app.instance_path) / "demo-logins.txt"
    old.write_text(
        "  nama pengguna  kata sandi  peran\n"
        f"  peserta3     {peserta3:<10} trainee\n  peserta4     salah-lama trainee\n"
        "  Kelas demo: XI MPLB 1 (demo) (2026/2027), kode gabung ABCDEF\n", encoding="utf-8")
    try:
        text = demo_logins_text(app)
    finally:
        old.unlink()  # the instance folder is shared by the tests of one run
    assert f"peserta3       {peserta3}" in text and "Peserta" in text and "trainee" not in text
    assert "salah-lama" not in text and "peserta4" in text  # named as changed, password not printed
