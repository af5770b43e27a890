"""Account rules: authentication, creation, roles, activation and passwords."""
import functools
import re
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import joinedload

from ..audit.service import record
from ..database import write_transaction
from ..errors import ServiceError
from ..extensions import db
from ..models_base import utcnow
from ..text import one_line
from . import passwords
from .models import LoginSession, User, UserRole

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,39}$")

ROLE_ALIASES = {
    "admin": "admin",
    "teacher": "teacher", "guru": "teacher",
    "trainee": "trainee", "peserta": "trainee", "asesi": "trainee",
    "assessor": "assessor", "asesor": "assessor",
}


_ROLE_LABELS = {"admin": _l("Admin"), "teacher": _l("Guru"), "trainee": _l("Peserta"), "assessor": _l("Asesor")}


def role_labels() -> dict:
    """Lazy strings, translated when shown: every page's context carries them, few pages show them."""
    return _ROLE_LABELS


def normalise_role(name: str) -> str:
    role = ROLE_ALIASES.get(name.strip().lower())
    if role is None:
        raise ServiceError(_("Peran tidak dikenal: %(role)s. Pilih admin, guru, peserta, atau asesor.", role=name))
    return role


def normalise_username(username: str) -> str:
    value = (username or "").strip().lower()
    if not USERNAME_RE.match(value):
        raise ServiceError(
            _("Nama pengguna harus 3-40 karakter: huruf kecil, angka, titik, garis bawah, atau tanda hubung."),
            field="username")
    return value


def check_password_strength(password: str, field: str | None = None) -> None:
    if len(password or "") < passwords.MIN_LENGTH:
        raise ServiceError(_("Kata sandi minimal %(n)d karakter.", n=passwords.MIN_LENGTH), field=field)


def find_by_username(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == (username or "").strip().lower()))


def authenticate(username: str, password: str) -> User | None:
    """Return the active user with these credentials, or None. Costs the same for unknown names."""
    user = find_by_username(username)
    if user is None:
        passwords.verify_password(passwords.DUMMY_HASH, password or "")
        return None
    if not passwords.verify_password(user.password_hash, password or "") or not user.active:
        return None
    new_hash = passwords.hash_password(password) if passwords.needs_rehash(user.password_hash) else None
    # Read-then-write: a burst of logins in a lab must not fail with "database is locked".
    with write_transaction():
        if new_hash:
            user.password_hash = new_hash
        user.last_login_at = utcnow()
    return user


def create_user(username, full_name, roles, password=None, nis=None, actor=None,
                must_change_password=None, commit=True, password_hash=None):
    """Create a user; returns (user, plain_password). Generates a password when none is given.

    `password_hash` (of `password`) lets a caller hash before taking the write lock.
    """
    username = normalise_username(username)
    full_name = (full_name or "").strip()
    if not full_name:
        full_name = username
    if len(full_name) > 120:
        raise ServiceError(_("Nama terlalu panjang (maksimal 120 karakter)."), field="full_name")
    role_set = {normalise_role(r) for r in roles} or {"trainee"}
    if find_by_username(username):
        raise ServiceError(_("Nama pengguna %(u)s sudah dipakai.", u=username), status=409, field="username")
    if nis and db.session.scalar(select(User).where(User.nis == nis)):
        raise ServiceError(_("NIS %(nis)s sudah dipakai akun lain.", nis=nis), status=409, field="nis")
    generated = password is None
    if generated:
        password = passwords.generate_password()
    else:
        check_password_strength(password)
    user = User(
        username=username,
        full_name=full_name,
        nis=nis or None,
        password_hash=password_hash or passwords.hash_password(password),
        must_change_password=generated if must_change_password is None else must_change_password,
    )
    user.role_rows = [UserRole(role=r) for r in sorted(role_set)]
    db.session.add(user)
    db.session.flush()
    record("user.create", actor=actor, target=f"user:{user.id}", detail={"roles": sorted(role_set)})
    if commit:
        db.session.commit()
    return user, password


NIS_RE = re.compile(r"^[0-9A-Za-z./-]{1,30}$")


def update_identity(user: User, full_name: str, nis: str | None, actor: User) -> None:
    """Correct a name or NIS; both are printed on the official records, so the change is audited."""
    full_name = one_line(full_name)
    nis = (nis or "").strip() or None
    if not full_name:
        raise ServiceError(_("Nama lengkap wajib diisi."), field="full_name")
    if len(full_name) > 120:
        raise ServiceError(_("Nama terlalu panjang (maksimal 120 karakter)."), field="full_name")
    if nis is not None and not NIS_RE.match(nis):
        raise ServiceError(_("NIS tidak sah (hanya angka/huruf, maksimal 30 karakter)."), field="nis")
    if nis and db.session.scalar(select(User.id).where(User.nis == nis, User.id != user.id)):
        raise ServiceError(_("NIS %(nis)s sudah dipakai akun lain.", nis=nis), status=409, field="nis")
    if user.has_role("trainee") and nis is None and user.nis:
        raise ServiceError(_("NIS peserta tidak boleh dikosongkan."), field="nis")
    before = {"name": user.full_name, "nis": user.nis}
    if before == {"name": full_name, "nis": nis}:
        return
    user.full_name, user.nis = full_name, nis
    record("user.identity", actor=actor, target=f"user:{user.id}",
           detail={"from": before, "to": {"name": full_name, "nis": nis}})
    db.session.commit()


def set_roles(user: User, roles, actor: User) -> None:
    role_set = {normalise_role(r) for r in roles}
    if not role_set:
        raise ServiceError(_("Pilih minimal satu peran."))
    if user.id == actor.id and "admin" in user.roles and "admin" not in role_set:
        raise ServiceError(_("Anda tidak dapat mencabut peran admin dari akun Anda sendiri."))
    before = sorted(user.roles)
    keep = [row for row in user.role_rows if row.role in role_set]
    added = [UserRole(role=r) for r in sorted(role_set - user.roles)]
    user.role_rows = keep + added
    record("user.roles", actor=actor, target=f"user:{user.id}", detail={"from": before, "to": sorted(role_set)})
    db.session.commit()


def self_deactivate_message() -> str:
    return _("Anda tidak dapat menonaktifkan akun Anda sendiri. Minta admin lain bila akun ini memang "
             "harus dinonaktifkan.")


def set_active(user: User, active: bool, actor: User) -> None:
    if user.id == actor.id and not active:
        raise ServiceError(self_deactivate_message(), status=409)
    if user.active == active:
        return
    user.active = active
    user.session_version += 1
    record("user.activate" if active else "user.deactivate", actor=actor, target=f"user:{user.id}")
    db.session.commit()


def change_password(user: User, current: str, new: str, confirm: str) -> None:
    if not passwords.verify_password(user.password_hash, current or ""):
        raise ServiceError(_("Kata sandi saat ini salah."), field="current")
    if new != confirm:
        raise ServiceError(_("Konfirmasi kata sandi tidak sama."), field="confirm")
    check_password_strength(new, field="new")
    if new == current:
        raise ServiceError(_("Kata sandi baru harus berbeda dari yang lama."), field="new")
    _store_new_password(user, new, actor=user)


def set_language(user: User, language: str) -> None:
    """Save the interface language chosen on the account page ("id" or "en")."""
    from ..i18n import normalise

    if normalise(language) is None:
        raise ServiceError(_("Pilih Bahasa Indonesia atau English."), field="language")
    user.language = normalise(language)
    db.session.commit()


def reset_password(user: User, actor: User) -> str:
    new = passwords.generate_password()
    _store_new_password(user, new, actor=actor, must_change=True)
    return new


def _store_new_password(user: User, new: str, actor: User, must_change: bool = False) -> None:
    user.password_hash = passwords.hash_password(new)
    user.must_change_password = must_change
    user.session_version += 1
    record("user.password", actor=actor, target=f"user:{user.id}")
    db.session.commit()


def start_login_session(user: User, remember: bool = False) -> LoginSession:
    """Record a new login on one device; its id travels in the session and remember cookies."""
    now = utcnow()
    lifetime = current_app.config["REMEMBER_COOKIE_DURATION"] if remember \
        else current_app.permanent_session_lifetime
    with write_transaction():
        # Rows of logins long over are of no use to anyone.
        db.session.execute(delete(LoginSession).where(LoginSession.expires_at < now - timedelta(days=1)))
        row = LoginSession(user_id=user.id, remember=remember, created_at=now, expires_at=now + lifetime)
        db.session.add(row)
        db.session.flush()
        user.login_session_id = row.id
    return row


def end_login_session(user: User) -> None:
    """Logout: this device's login ends on the server, whatever copies of its cookies exist."""
    if not user.login_session_id:
        return
    with write_transaction():
        db.session.execute(update(LoginSession).where(
            LoginSession.id == user.login_session_id, LoginSession.ended_at.is_(None)).values(ended_at=utcnow()))


def end_all_sessions(user: User) -> None:
    """"Keluar dari semua perangkat": every login of the user ends, remembered ones too."""
    with write_transaction():
        user.session_version += 1
        db.session.execute(update(LoginSession).where(
            LoginSession.user_id == user.id, LoginSession.ended_at.is_(None)).values(ended_at=utcnow()))
        record("user.logout_all", actor=user, target=f"user:{user.id}")


@functools.cache
def _session_user_query():
    """Built once: constructing the statement cost more CPU than running it (bench/lesson_page.py)."""
    return (select(User, LoginSession.ended_at, LoginSession.expires_at)
            .join(LoginSession, LoginSession.user_id == User.id)
            .where(LoginSession.id == bindparam("login_id"), User.id == bindparam("user_id"))
            .options(joinedload(User.role_rows)))


def load_user_from_session(user_id_with_version: str) -> User | None:
    """Flask-Login loader for both cookies: '12.3.45' is user 12 at session version 3, login 45.

    A wrong version (password changed, deactivated, logged out everywhere) or a login that
    ended (logout) or expired is refused.
    """
    try:
        user_id, version, login_id = (int(part) for part in user_id_with_version.split("."))
    except (ValueError, AttributeError):
        return None
    # One statement per request: the login, the user and the user's roles together.
    row = db.session.execute(_session_user_query(), {"login_id": login_id, "user_id": user_id}) \
        .unique().one_or_none()
    if row is None:
        return None
    user, ended_at, expires_at = row
    if ended_at is not None or expires_at < utcnow() or user.session_version != version:
        return None
    user.login_session_id = login_id
    return user
