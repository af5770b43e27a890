from sqlalchemy import func, select

from courseware.accounts.models import User
from courseware.accounts.passwords import verify_password
from courseware.classes.models import Classroom
from courseware.extensions import db


def test_users_create_with_password_from_stdin(app):
    result = app.test_cli_runner().invoke(args=["users", "create", "bu.rina", "--role", "guru", "--role", "asesor",
                                                "--name", "Bu Rina", "--password-stdin"], input="sandi-kuat-1\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "bu.rina"))
    assert user.roles == {"teacher", "assessor"} and user.full_name == "Bu Rina"
    assert verify_password(user.password_hash, "sandi-kuat-1")


def test_users_create_generates_and_prints_a_password(app):
    result = app.test_cli_runner().invoke(args=["users", "create", "pak.joko", "--role", "admin"])
    assert result.exit_code == 0
    printed = result.output.split("Kata sandi: ")[1].strip()
    user = db.session.scalar(select(User).where(User.username == "pak.joko"))
    assert verify_password(user.password_hash, printed)


def test_users_create_refuses_duplicate(app, users):
    result = app.test_cli_runner().invoke(args=["users", "create", "guru1", "--role", "guru"])
    assert result.exit_code != 0
    assert "sudah dipakai" in result.output


def test_users_create_refuses_unknown_role(app):
    result = app.test_cli_runner().invoke(args=["users", "create", "orang", "--role", "penyihir"])
    assert result.exit_code != 0 and "Peran tidak dikenal" in result.output


def test_demo_creates_once_and_its_logins_work(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    line = next(l for l in first.output.splitlines() if l.strip().startswith("peserta1"))
    password = line.split()[1]
    client = app.test_client()
    assert client.post("/masuk", data={"username": "peserta1", "password": password}).status_code == 302
    users_before = db.session.scalar(select(func.count()).select_from(User))
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0 and "tidak ada yang dibuat ulang" in second.output
    assert db.session.scalar(select(func.count()).select_from(User)) == users_before == 7
    assert db.session.scalar(select(func.count()).select_from(Classroom)) == 1
