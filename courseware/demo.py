"""Demo data for a first look: one class, a teacher, an assessor, an admin and four trainees.

Passwords are generated on the first run and never stored in plain text; a second run
creates nothing and says so (reset a password from the admin page if it was lost).
"""
import json
import os
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from .accounts.models import User
from .accounts.passwords import verify_password
from .accounts.service import create_user
from .classes.models import Classroom, Enrollment
from .classes.service import new_join_code
from .extensions import db

DEMO_CLASS = ("XI MPLB 1 (demo)", "2026/2027")
DEMO_USERS = [
    ("admin", "Admin Sekolah", ["admin"], None),
    ("guru.demo", "Bu Ratna Wulandari", ["teacher"], None),
    ("asesor.demo", "Pak Hendra Saputra", ["assessor"], None),
    ("peserta1", "Ayu Lestari", ["trainee"], "DEMO-0001"),
    ("peserta2", "Bagus Pratama", ["trainee"], "DEMO-0002"),
    ("peserta3", "Citra Maharani", ["trainee"], "DEMO-0003"),
    ("peserta4", "Dimas Nugroho", ["trainee"], "DEMO-0004"),
]


def create_demo() -> tuple[bool, list[str]]:
    if db.session.scalar(select(User).where(User.username == "guru.demo")):
        return False, [f"Kata sandi akun demo tersimpan di {_demo_logins_path()}."]
    saved, accounts = [], {}
    for username, name, roles, nis in DEMO_USERS:
        if db.session.scalar(select(User).where(User.username == username)):
            continue
        user, password = create_user(username, name, roles, nis=nis, must_change_password=False, commit=False)
        accounts[username] = user
        saved.append({"username": username, "password": password, "roles": roles})
    teacher = accounts.get("guru.demo")
    classroom = Classroom(name=DEMO_CLASS[0], academic_year=DEMO_CLASS[1], teacher_id=teacher.id,
                          join_code=new_join_code())
    db.session.add(classroom)
    db.session.flush()
    for user in accounts.values():
        if user.has_role("trainee"):
            db.session.add(Enrollment(classroom_id=classroom.id, user_id=user.id, joined_via="demo"))
    db.session.commit()
    from .berkas.demo import create_demo_berkas

    # The first demo trainee's self-assessment and assessment agreement, signed and locked.
    if "peserta1" in accounts and "asesor.demo" in accounts:
        create_demo_berkas(accounts["peserta1"], accounts["asesor.demo"])
    data = {"accounts": saved, "class": classroom.label, "join_code": classroom.join_code}
    _save_demo_logins(data)
    return True, _format(data["accounts"], data)


def _format(accounts: list[dict], data: dict) -> list[str]:
    labels = {"admin": "Admin", "teacher": "Guru", "trainee": "Peserta", "assessor": "Asesor"}
    lines = ["  nama pengguna  kata sandi  peran"]
    lines += [f"  {a['username']:<14} {a['password']:<11} {', '.join(labels.get(r, r) for r in a['roles'])}"
              for a in accounts]
    if data.get("class"):
        lines.append(f"  Kelas demo: {data['class']}, kode gabung {data.get('join_code', '-')}")
    return lines


def _demo_logins_path() -> Path:
    return Path(current_app.instance_path) / "demo-logins.json"


def _save_demo_logins(data: dict) -> None:
    """Keep the demo passwords beside the database so every start can show them (demo only)."""
    path = _demo_logins_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, indent=1)


def _still_working(accounts: list[dict]) -> tuple[list[dict], list[str]]:
    """Split the saved demo accounts into those whose password still logs in and the rest."""
    working, changed = [], []
    for account in accounts:
        user = db.session.scalar(select(User).where(User.username == account["username"]))
        if user is not None and user.active and verify_password(user.password_hash, account["password"]):
            working.append(account)
        else:
            changed.append(account["username"])
    return working, changed


def _read_saved(instance_path: str) -> dict | None:
    path = Path(instance_path) / "demo-logins.json"
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    old = Path(instance_path) / "demo-logins.txt"  # written by earlier versions: "  name password roles"
    if not old.exists():
        return None
    roles = {"admin": "admin", "teacher": "teacher", "trainee": "trainee", "assessor": "assessor"}
    accounts = []
    for line in old.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 3 and line.startswith("  ") and parts[0] != "nama" and "(sudah" not in line:
            accounts.append({"username": parts[0], "password": parts[1],
                             "roles": [roles.get(r.strip(","), r.strip(",")) for r in parts[2:]]})
    return {"accounts": accounts}


def demo_logins_text(app) -> str:
    data = _read_saved(app.instance_path)
    if data is None:
        return "Masuk dengan akun yang dibuat lewat: flask --app app users create NAMA --role admin"
    working, changed = _still_working(data.get("accounts", []))
    lines = []
    if working:
        lines.append("Akun demo (hanya untuk mencoba; untuk pemakaian sungguhan buat akun sendiri):")
        lines += _format(working, data)
    if changed:
        lines.append("Kata sandi demo sudah diganti atau akun nonaktif (tidak ditampilkan): " + ", ".join(changed))
    return "\n".join(lines)
