"""Roster import as schools keep rosters: a CSV of NIS and names, run again each term and for
each subject. A row whose NIS or username already has an account enrols that account; only
rows that are new create accounts. Rows already in the class are reported, not rejected."""
import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from ..accounts.models import User
from ..accounts.passwords import generate_password, hash_password
from ..accounts.service import USERNAME_RE, create_user
from ..audit.service import record
from ..errors import ServiceError
from ..database import write_transaction
from ..extensions import db
from ..formats import csv_text
from ..text import one_line
from .models import Classroom, Enrollment

MAX_ROSTER_ROWS = 200
NIS_RE = re.compile(r"[0-9A-Za-z./-]{1,30}")
HEADER_ALIASES = {
    "nis": "nis", "nisn": "nis", "no induk": "nis",
    "nama": "nama", "nama lengkap": "nama", "name": "nama",
    "username": "username", "nama pengguna": "username", "nama_pengguna": "username",
}


@dataclass
class RosterRow:
    line: int
    nis: str
    name: str
    username: str


@dataclass
class RosterResult:
    created: list[dict] = field(default_factory=list)    # {nis, name, username, password}
    enrolled: list[dict] = field(default_factory=list)   # existing accounts now in this class
    already: list[dict] = field(default_factory=list)    # rows that were in the class before
    problems: list[dict] = field(default_factory=list)   # {line, nis, name, message}

    @property
    def created_count(self) -> int:
        return len(self.created)


def decode_roster(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ServiceError(_("Berkas tidak dapat dibaca. Simpan sebagai CSV (UTF-8)."))


def parse_roster(text: str) -> list[RosterRow]:
    """Read a roster CSV with columns NIS, nama and an optional username (, or ; separated)."""
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise ServiceError(_("Berkas kosong. Baris pertama harus berisi judul kolom: NIS, nama."))
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [HEADER_ALIASES.get(h.strip().lower()) for h in next(reader)]
    if "nis" not in header or "nama" not in header:
        raise ServiceError(_("Judul kolom harus memuat NIS dan nama (kolom username boleh ada)."))
    rows = []
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        values = {key: (cells[i].strip() if i < len(cells) else "") for i, key in enumerate(header) if key}
        rows.append(RosterRow(number, values.get("nis", ""), one_line(values.get("nama")),
                              values.get("username", "").lower()))
    if len(rows) > MAX_ROSTER_ROWS:
        raise ServiceError(_("Terlalu banyak baris (maksimal %(n)d sekali impor).", n=MAX_ROSTER_ROWS))
    return rows


def suggest_username(name: str, nis: str, taken: set[str]) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    first = re.sub(r"[^a-z0-9]", "", ascii_name.split()[0] if ascii_name.split() else "") or "peserta"
    base = f"{first[:20]}.{re.sub(r'[^0-9a-z]', '', nis.lower())[-4:] or '0'}"
    candidate, n = base, 1
    while candidate in taken or db.session.scalar(select(User.id).where(User.username == candidate)):
        n += 1
        candidate = f"{base}{n}"
    return candidate


IMPORT_BATCH = 10


def import_roster(classroom: Classroom, raw: bytes, actor: User) -> RosterResult:
    """Create or enrol every good row; report each bad row by line with the reason.

    Rows are written ten at a time, each batch its own short transaction, with the passwords
    hashed (the slow part) before the write lock is taken: a 200-row import once held the lock
    for 8 s and made trainees' autosaves fail. A row that turns out taken meanwhile is reported
    like any other bad row.
    """
    rows = parse_roster(decode_roster(raw))
    result = RosterResult()
    members = {e.user_id for e in classroom.enrollments}
    seen_nis, seen_usernames = set(), set()
    batch = []
    for row in rows:
        problem = _row_problem(row, seen_nis, seen_usernames)
        existing = None if problem else _existing_account(row)
        if isinstance(existing, str):
            problem, existing = existing, None
        if problem:
            result.problems.append({"line": row.line, "nis": row.nis, "name": row.name, "message": problem})
            continue
        seen_nis.add(row.nis)
        if existing is not None:
            if row.username:
                seen_usernames.add(row.username)
            entry = {"line": row.line, "nis": existing.nis or row.nis, "name": existing.full_name,
                     "username": existing.username}
            if existing.id in members:
                result.already.append(entry)
            else:
                members.add(existing.id)
                batch.append(("enrol", row, existing, entry))
        else:
            username = row.username or suggest_username(row.name, row.nis, seen_usernames)
            seen_usernames.add(username)
            password = generate_password()
            batch.append(("create", row, username, password, hash_password(password)))
        if len(batch) >= IMPORT_BATCH:
            _write_batch(classroom, batch, actor, result)
            batch = []
    _write_batch(classroom, batch, actor, result)
    with write_transaction():
        record("class.roster_import", actor=actor, target=f"class:{classroom.id}",
               detail={"created": result.created_count, "enrolled": len(result.enrolled),
                       "already": len(result.already), "rejected": len(result.problems)})
    return result


def _write_batch(classroom: Classroom, batch: list, actor: User, result: RosterResult) -> None:
    if not batch:
        return
    with write_transaction():
        for kind, row, *rest in batch:
            if kind == "enrol":
                user, entry = rest
                if not user.nis:
                    user.nis = row.nis  # matched by username; the roster supplies the missing NIS
                db.session.add(Enrollment(classroom_id=classroom.id, user_id=user.id, joined_via="roster"))
                result.enrolled.append(entry)
                continue
            username, password, hashed = rest
            try:
                user, _ = create_user(username, row.name, ["trainee"], password=password, nis=row.nis,
                                      actor=actor, commit=False, password_hash=hashed, must_change_password=True)
            except ServiceError as exc:  # refused before anything was added to the session
                result.problems.append({"line": row.line, "nis": row.nis, "name": row.name, "message": exc.message})
                continue
            db.session.add(Enrollment(classroom_id=classroom.id, user_id=user.id, joined_via="roster"))
            result.created.append({"nis": row.nis, "name": row.name, "username": username, "password": password})


def _existing_account(row: RosterRow) -> User | str | None:
    """The account this row names (by NIS, then username), None for a new trainee, or the reason
    the row cannot be matched safely."""
    by_nis = db.session.scalar(select(User).where(User.nis == row.nis))
    by_username = (db.session.scalar(select(User).where(User.username == row.username))
                   if row.username else None)
    if by_nis and by_username and by_nis.id != by_username.id:
        return _("NIS %(nis)s milik akun %(a)s, tetapi username %(u)s milik akun lain.",
                 nis=row.nis, a=by_nis.username, u=row.username)
    user = by_nis or by_username
    if user is None:
        return None
    if by_username and not by_nis and user.nis:
        return _("Username %(u)s sudah dipakai akun dengan NIS lain (%(nis)s).", u=row.username, nis=user.nis)
    if not user.has_role("trainee"):
        return _("Akun %(u)s bukan akun peserta.", u=user.username)
    if not user.active:
        return _("Akun %(u)s nonaktif. Minta admin mengaktifkannya dulu.", u=user.username)
    return user


def _row_problem(row: RosterRow, seen_nis: set, seen_usernames: set) -> str | None:
    if not row.name:
        return _("Nama kosong.")
    if not row.nis:
        return _("NIS kosong.")
    if not NIS_RE.fullmatch(row.nis):
        return _("NIS tidak sah (hanya angka/huruf, maksimal 30 karakter).")
    if row.nis in seen_nis:
        return _("NIS %(nis)s muncul lebih dari sekali di berkas ini.", nis=row.nis)
    if row.username:
        if not USERNAME_RE.match(row.username):
            return _("Username tidak sah: 3-40 huruf kecil, angka, titik, garis bawah, atau tanda hubung.")
        if row.username in seen_usernames:
            return _("Username %(u)s muncul lebih dari sekali di berkas ini.", u=row.username)
    return None


def credentials_csv(rows: list[dict]) -> str:
    """First passwords for a spreadsheet in Indonesian Excel: BOM, `;` separator."""
    return csv_text(["NIS", "nama", "username", "kata_sandi_awal"],
                    ([r["nis"], r["name"], r["username"], r["password"]] for r in rows))
