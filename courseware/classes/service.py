"""Class (rombel) rules: creation, roster import, join codes, and who may see a class."""
import csv
import io
import re
import secrets
import unicodedata
from dataclasses import dataclass, field

from flask import abort
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..accounts.models import User
from ..accounts.passwords import generate_password, hash_password
from ..accounts.service import USERNAME_RE, create_user
from ..audit.service import record
from ..database import write_transaction
from ..errors import ServiceError
from ..extensions import db
from .models import Classroom, Enrollment

ACADEMIC_YEAR_RE = re.compile(r"^(\d{4})/(\d{4})$")
JOIN_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
# 10 characters of 32 = 50 bits: at the join limit (10 tries per 10 minutes per account) a
# guesser needs millions of years to expect a hit even with a thousand classes open.
JOIN_CODE_LENGTH = 10
MAX_ROSTER_ROWS = 200
HEADER_ALIASES = {
    "nis": "nis", "nisn": "nis", "no induk": "nis",
    "nama": "nama", "nama lengkap": "nama", "name": "nama",
    "username": "username", "nama pengguna": "username", "nama_pengguna": "username",
}


# --- queries that own the 404/403 -------------------------------------------------------

def get_class_for_teacher(class_id: int, user: User) -> Classroom:
    """The class if `user` teaches it (or is admin); 404 otherwise, so ids do not leak."""
    classroom = db.session.get(Classroom, class_id)
    if classroom is None or not (user.is_admin or classroom.teacher_id == user.id):
        abort(404)
    return classroom


def classes_taught_by(user: User) -> list[Classroom]:
    query = select(Classroom).order_by(Classroom.academic_year.desc(), Classroom.name)
    if not user.is_admin:
        query = query.where(Classroom.teacher_id == user.id)
    return list(db.session.scalars(query))


def classes_of_trainee(user: User) -> list[Classroom]:
    return list(db.session.scalars(
        select(Classroom).join(Enrollment).where(Enrollment.user_id == user.id).order_by(Classroom.name)
    ))


def trainees_of(classroom: Classroom) -> list[User]:
    return list(db.session.scalars(
        select(User).join(Enrollment, Enrollment.user_id == User.id)
        .where(Enrollment.classroom_id == classroom.id).order_by(User.full_name)
    ))


def teaches_trainee(teacher: User, trainee_id: int) -> bool:
    """True when `trainee_id` is enrolled in a class `teacher` runs."""
    return db.session.scalar(
        select(func.count()).select_from(Enrollment).join(Classroom)
        .where(Enrollment.user_id == trainee_id, Classroom.teacher_id == teacher.id)
    ) > 0


def same_class(a_id: int, b_id: int) -> bool:
    other = select(Enrollment.classroom_id).where(Enrollment.user_id == b_id)
    return db.session.scalar(
        select(func.count()).select_from(Enrollment)
        .where(Enrollment.user_id == a_id, Enrollment.classroom_id.in_(other))
    ) > 0


# --- creating and joining ---------------------------------------------------------------

def new_join_code() -> str:
    while True:
        code = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
        if not db.session.scalar(select(Classroom).where(Classroom.join_code == code)):
            return code


def create_class(teacher: User, name: str, academic_year: str) -> Classroom:
    name = " ".join((name or "").split())
    if not name or len(name) > 60:
        raise ServiceError(_("Nama kelas wajib diisi (maksimal 60 karakter)."))
    match = ACADEMIC_YEAR_RE.match((academic_year or "").strip())
    if not match or int(match.group(2)) != int(match.group(1)) + 1:
        raise ServiceError(_("Tahun ajaran ditulis seperti 2026/2027."))
    academic_year = match.group(0)
    exists = db.session.scalar(select(Classroom).where(
        Classroom.teacher_id == teacher.id, Classroom.name == name, Classroom.academic_year == academic_year))
    if exists:
        raise ServiceError(_("Anda sudah punya kelas %(n)s untuk tahun ajaran itu.", n=name), status=409)
    classroom = Classroom(name=name, academic_year=academic_year, teacher_id=teacher.id, join_code=new_join_code())
    db.session.add(classroom)
    db.session.flush()
    record("class.create", actor=teacher, target=f"class:{classroom.id}", detail={"name": name})
    db.session.commit()
    return classroom


def regenerate_join_code(classroom: Classroom, actor: User) -> None:
    classroom.join_code = new_join_code()
    record("class.join_code", actor=actor, target=f"class:{classroom.id}")
    db.session.commit()


def join_with_code(user: User, code: str) -> tuple[Classroom, bool]:
    """Enroll a trainee by join code. Returns (class, newly_enrolled); a second use is harmless."""
    code = re.sub(r"[\s-]", "", code or "").upper()
    classroom = db.session.scalar(select(Classroom).where(Classroom.join_code == code)) if code else None
    if classroom is None or not classroom.join_open:
        raise ServiceError(_("Kode kelas tidak dikenal. Periksa lagi kode dari guru Anda."), status=404)
    if _is_enrolled(classroom.id, user.id):
        return classroom, False
    db.session.add(Enrollment(classroom_id=classroom.id, user_id=user.id, joined_via="code"))
    record("class.join", actor=user, target=f"class:{classroom.id}")
    db.session.commit()
    return classroom, True


def remove_trainee(classroom: Classroom, trainee_id: int, actor: User) -> None:
    enrollment = db.session.scalar(select(Enrollment).where(
        Enrollment.classroom_id == classroom.id, Enrollment.user_id == trainee_id))
    if enrollment is None:
        abort(404)
    db.session.delete(enrollment)
    record("class.remove", actor=actor, target=f"class:{classroom.id}", detail={"user": trainee_id})
    db.session.commit()


def _is_enrolled(class_id: int, user_id: int) -> bool:
    return db.session.scalar(select(Enrollment.id).where(
        Enrollment.classroom_id == class_id, Enrollment.user_id == user_id)) is not None


# --- roster import ----------------------------------------------------------------------

@dataclass
class RosterRow:
    line: int
    nis: str
    name: str
    username: str


@dataclass
class RosterResult:
    created: list[dict] = field(default_factory=list)    # {nis, name, username, password}
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
        rows.append(RosterRow(number, values.get("nis", ""), " ".join(values.get("nama", "").split()),
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
    """Create and enroll every good row; report each bad row by line with the reason.

    Rows are written ten at a time, each batch its own short transaction, with the passwords
    hashed (the slow part, ~40 ms each) before the write lock is taken: a 200-row import
    once held the lock for 8 s and made trainees' autosaves fail. A row that turns out taken
    meanwhile is reported like any other bad row.
    """
    rows = parse_roster(decode_roster(raw))
    result = RosterResult()
    seen_nis, seen_usernames = set(), set()
    batch = []
    for row in rows:
        problem = _row_problem(row, seen_nis, seen_usernames)
        if problem:
            result.problems.append({"line": row.line, "nis": row.nis, "name": row.name, "message": problem})
            continue
        seen_nis.add(row.nis)
        username = row.username or suggest_username(row.name, row.nis, seen_usernames)
        seen_usernames.add(username)
        password = generate_password()
        batch.append((row, username, password, hash_password(password)))
        if len(batch) == IMPORT_BATCH:
            _write_batch(classroom, batch, actor, result)
            batch = []
    _write_batch(classroom, batch, actor, result)
    with write_transaction():
        record("class.roster_import", actor=actor, target=f"class:{classroom.id}",
               detail={"created": result.created_count, "rejected": len(result.problems)})
    return result


def _write_batch(classroom: Classroom, batch: list, actor: User, result: RosterResult) -> None:
    if not batch:
        return
    with write_transaction():
        for row, username, password, hashed in batch:
            try:
                user, _ = create_user(username, row.name, ["trainee"], password=password, nis=row.nis,
                                      actor=actor, commit=False, password_hash=hashed,
                                      must_change_password=True)
            except ServiceError as exc:  # refused before anything was added to the session
                result.problems.append({"line": row.line, "nis": row.nis, "name": row.name,
                                        "message": exc.message})
                continue
            db.session.add(Enrollment(classroom_id=classroom.id, user_id=user.id, joined_via="roster"))
            result.created.append({"nis": row.nis, "name": row.name, "username": username,
                                   "password": password})


def _row_problem(row: RosterRow, seen_nis: set, seen_usernames: set) -> str | None:
    if not row.name:
        return _("Nama kosong.")
    if not row.nis:
        return _("NIS kosong.")
    if not re.fullmatch(r"[0-9A-Za-z./-]{1,30}", row.nis):
        return _("NIS tidak sah (hanya angka/huruf, maksimal 30 karakter).")
    if row.nis in seen_nis:
        return _("NIS %(nis)s muncul lebih dari sekali di berkas ini.", nis=row.nis)
    if db.session.scalar(select(User.id).where(User.nis == row.nis)):
        return _("NIS %(nis)s sudah terdaftar di sistem.", nis=row.nis)
    if row.username:
        if not USERNAME_RE.match(row.username):
            return _("Username tidak sah: 3-40 huruf kecil, angka, titik, garis bawah, atau tanda hubung.")
        if row.username in seen_usernames:
            return _("Username %(u)s muncul lebih dari sekali di berkas ini.", u=row.username)
        if db.session.scalar(select(User.id).where(User.username == row.username)):
            return _("Username %(u)s sudah dipakai.", u=row.username)
    return None


def credentials_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["NIS", "nama", "username", "kata_sandi_awal"])
    for row in rows:
        writer.writerow([_csv_safe(row["nis"]), _csv_safe(row["name"]), row["username"], row["password"]])
    return out.getvalue()


def _csv_safe(value: str) -> str:
    """Stop a spreadsheet from running a cell as a formula (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
