"""The shipped practical sheets (checklists/*.yml): read, lint, and sync into the database.

`lint_sheet` holds the rules every sheet must satisfy; `sync_sheets` loads only a set of
sheets that passes them, keyed on stable ids, so running it again changes nothing and a
point removed from a sheet is retired (judgements refer to it), never deleted.
"""
import re
from pathlib import Path

import yaml
from sqlalchemy import select

from .. import UNIT_CODE
from ..audit.service import record
from ..extensions import db
from .models import ChecklistPoint, Practical

CHECKLIST_DIR = "checklists"
ELEMENT_KUKS = {1: ("1.1", "1.2", "1.3", "1.4"), 2: ("2.1", "2.2", "2.3", "2.4", "2.5", "2.6")}
CRITICAL_KUKS = ("2.1", "2.5")
CODE_FOR_ELEMENT = {1: "LIK_1", 2: "LIK_2"}
MIN_MINUTES, MAX_MINUTES = 3, 7

TEXT_FIELDS = ("code", "unit_code", "unit_title", "element_title", "title", "scenario", "trainee_role",
               "partner_role", "performance_standard", "time_note")
# Optional text: a note for teachers and assessors only (e.g. where the source module is wrong).
STAFF_FIELDS = ("staff_note",)
LIST_FIELDS = ("instructions", "tools", "materials", "k3")
INT_FIELDS = ("element", "time_minutes")
SHEET_FIELDS = set(TEXT_FIELDS + STAFF_FIELDS + LIST_FIELDS + INT_FIELDS + ("points", "attitudes"))
ATTITUDE_FIELDS = ("id", "name", "indicator")   # the attitudes the unit names, observed and recorded
ATTITUDE_ID_RE = re.compile(r"^[a-z]{3,20}$")
POINT_TEXT_FIELDS = ("id", "kuk", "task", "check", "benchmark")
POINT_FIELDS = set(POINT_TEXT_FIELDS + ("critical", "follow_up"))
MAX_FOLLOW_UP = 2    # oral questions an assessor may ask when the video leaves a point unclear
POINT_ID_RE = re.compile(r"^(\d\.\d)-[a-z]$")


def sees_staff_notes(user) -> bool:
    """Teachers, assessors and admins read the sheets' staff notes; trainees see only their task."""
    return bool(getattr(user, "is_authenticated", False)) and user.has_role("teacher", "assessor", "admin")


class SheetError(Exception):
    """The sheets do not pass the lint; `problems` lists every one of them."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def sheet_files(root) -> list[Path]:
    return sorted((Path(root) / CHECKLIST_DIR).glob("*.yml"))


def read_sheet(path: Path) -> tuple[dict | None, list[str]]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        return None, [f"{path.name}: tidak dapat dibaca sebagai YAML ({exc.__class__.__name__}: {exc})"]
    if not isinstance(data, dict):
        return None, [f"{path.name}: isi berkas harus berupa pemetaan (kunci: nilai)."]
    return data, []


def lint_sheet(data: dict, name: str) -> list[str]:
    """Every problem of one sheet, each message prefixed with the file name."""
    problems = []

    def bad(message: str) -> None:
        problems.append(f"{name}: {message}")

    for key in sorted(set(data) - SHEET_FIELDS):
        bad(f"kolom tidak dikenal '{key}'.")
    for key in TEXT_FIELDS:
        if not isinstance(data.get(key), str) or not data[key].strip():
            bad(f"kolom '{key}' wajib diisi dengan teks.")
    for key in STAFF_FIELDS:
        if data.get(key) is not None and not isinstance(data[key], str):
            bad(f"kolom '{key}' harus berupa teks.")
    for key in INT_FIELDS:
        if not isinstance(data.get(key), int) or isinstance(data.get(key), bool):
            bad(f"kolom '{key}' wajib diisi dengan bilangan bulat.")
    for key in LIST_FIELDS:
        value = data.get(key)
        if not isinstance(value, list) or not value:
            bad(f"kolom '{key}' wajib berupa daftar yang tidak kosong.")
        elif not all(isinstance(item, str) and item.strip() for item in value):
            bad(f"setiap isi '{key}' harus berupa teks yang tidak kosong.")

    if data.get("unit_code") != UNIT_CODE:
        bad(f"unit_code harus persis {UNIT_CODE} (tertulis {data.get('unit_code')!r}).")
    element = data.get("element")
    if element not in ELEMENT_KUKS or isinstance(element, bool):
        bad(f"element harus 1 atau 2 (tertulis {element!r}).")
        element = None
    code = data.get("code")
    if element is not None and code != CODE_FOR_ELEMENT[element]:
        bad(f"code untuk elemen {element} harus {CODE_FOR_ELEMENT[element]} (tertulis {code!r}).")
    minutes = data.get("time_minutes")
    if isinstance(minutes, int) and not isinstance(minutes, bool) and not MIN_MINUTES <= minutes <= MAX_MINUTES:
        bad(f"time_minutes harus {MIN_MINUTES}-{MAX_MINUTES} menit (tertulis {minutes}).")

    attitudes = data.get("attitudes")
    if not isinstance(attitudes, list) or not attitudes:
        bad("kolom 'attitudes' wajib berupa daftar sikap yang diamati (id, name, indicator).")
    else:
        for number, attitude in enumerate(attitudes, start=1):
            if not (isinstance(attitude, dict) and set(attitude) == set(ATTITUDE_FIELDS)
                    and all(isinstance(attitude[k], str) and attitude[k].strip() for k in ATTITUDE_FIELDS)
                    and ATTITUDE_ID_RE.match(attitude["id"])):
                bad(f"sikap ke-{number}: wajib tepat berisi id (huruf kecil), name, dan indicator.")

    points = data.get("points")
    if not isinstance(points, list) or not points:
        bad("kolom 'points' wajib berupa daftar butir daftar cek yang tidak kosong.")
        return problems
    seen, covered = set(), set()
    for number, point in enumerate(points, start=1):
        label = f"butir ke-{number}"
        if not isinstance(point, dict):
            bad(f"{label} harus berupa pemetaan.")
            continue
        label = f"butir {point.get('id', f'ke-{number}')}"
        for key in sorted(set(point) - POINT_FIELDS):
            bad(f"{label}: kolom tidak dikenal '{key}'.")
        for key in POINT_TEXT_FIELDS:
            if not isinstance(point.get(key), str) or not point[key].strip():
                bad(f"{label}: kolom '{key}' wajib diisi dengan teks.")
        if not isinstance(point.get("critical"), bool):
            bad(f"{label}: kolom 'critical' wajib bernilai true atau false.")
        follow_up = point.get("follow_up")
        if not (isinstance(follow_up, list) and 1 <= len(follow_up) <= MAX_FOLLOW_UP
                and all(isinstance(q, str) and q.strip().endswith("?") for q in follow_up)):
            bad(f"{label}: kolom 'follow_up' wajib berisi 1-{MAX_FOLLOW_UP} pertanyaan lisan (teks yang diakhiri '?').")
        uid, kuk = point.get("id"), point.get("kuk")
        if isinstance(uid, str):
            if uid in seen:
                bad(f"id butir '{uid}' dipakai lebih dari sekali.")
            seen.add(uid)
            match = POINT_ID_RE.match(uid)
            if not match:
                bad(f"id butir '{uid}' harus berbentuk KUK-huruf, misalnya 1.1-a.")
            elif match.group(1) != kuk:
                bad(f"id butir '{uid}' tidak sesuai dengan KUK {kuk!r}.")
        if isinstance(kuk, str) and element is not None:
            if kuk not in ELEMENT_KUKS[element]:
                bad(f"{label}: KUK {kuk} bukan bagian dari elemen {element} "
                    f"({', '.join(ELEMENT_KUKS[element])}).")
            covered.add(kuk)
        if isinstance(kuk, str) and isinstance(point.get("critical"), bool):
            should = kuk in CRITICAL_KUKS
            if point["critical"] != should:
                bad(f"{label}: aspek kritis hanya dan selalu pada butir KUK {' dan '.join(CRITICAL_KUKS)} "
                    f"(critical harus {'true' if should else 'false'}).")
    if element is not None:
        missing = [k for k in ELEMENT_KUKS[element] if k not in covered]
        if missing:
            bad(f"KUK {', '.join(missing)} belum punya butir daftar cek.")
    return problems


def load_sheets(root) -> tuple[list[dict], list[str]]:
    """Read and lint every sheet under root/checklists. Returns (sheets, problems)."""
    files = sheet_files(root)
    problems, sheets, codes = [], [], {}
    if not files:
        return [], [f"tidak ada berkas *.yml di {Path(root) / CHECKLIST_DIR}."]
    for path in files:
        data, read_problems = read_sheet(path)
        problems += read_problems
        if data is None:
            continue
        problems += lint_sheet(data, path.name)
        code = data.get("code")
        if code in codes:
            problems.append(f"{path.name}: code {code} sudah dipakai oleh {codes[code]}.")
        codes[code] = path.name
        sheets.append({**data, "_file": path.name})
    for code in CODE_FOR_ELEMENT.values():
        if code not in codes:
            problems.append(f"lembar {code} tidak ditemukan.")
    return sheets, problems


def check_content(root) -> tuple[list[str], list[str]]:
    """The `flask content check` hook: (problems, info)."""
    sheets, problems = load_sheets(root)
    info = []
    for sheet in sheets:
        points = sheet.get("points") if isinstance(sheet.get("points"), list) else []
        critical = [p.get("id") for p in points if isinstance(p, dict) and p.get("critical") is True]
        info.append(f"{sheet['_file']}: {sheet.get('code')} elemen {sheet.get('element')}, {len(points)} butir, "
                    f"aspek kritis: {', '.join(map(str, critical)) or '-'}")
    return problems, info


def sync_sheets(root, actor=None) -> str:
    """Load the sheets into the database (idempotent). Raises SheetError and writes nothing on a lint problem."""
    sheets, problems = load_sheets(root)
    if problems:
        raise SheetError(problems)
    lines = []
    for sheet in sheets:
        practical = db.session.scalar(select(Practical).where(Practical.code == sheet["code"]))
        is_new = practical is None
        if is_new:
            practical = Practical(code=sheet["code"])
            db.session.add(practical)
        values = {key: sheet[key] for key in TEXT_FIELDS + LIST_FIELDS + INT_FIELDS if key != "code"}
        values.update({key: sheet.get(key) or "" for key in STAFF_FIELDS})
        values = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()}
        values["source_file"] = sheet["_file"]
        values["attitudes"] = [{k: a[k].strip() for k in ATTITUDE_FIELDS} for a in sheet["attitudes"]]
        changed = is_new
        for key, value in values.items():
            if getattr(practical, key) != value:
                setattr(practical, key, value)
                changed = True
        db.session.flush()
        counts = _sync_points(practical, sheet["points"])
        if changed or any(counts.values()):
            record("practical.sync", actor=actor, target=f"practical:{practical.code}",
                   detail={"sheet_changed": changed, **counts})
        lines.append(f"{practical.code} {len(practical.active_points)} butir "
                     f"(baru {counts['added']}, diperbarui {counts['updated']}, "
                     f"dipensiunkan {counts['retired']})" + (" - lembar diperbarui" if changed and not is_new else ""))
    db.session.commit()
    return "; ".join(lines)


def _sync_points(practical: Practical, points: list[dict]) -> dict:
    existing = {p.uid: p for p in db.session.scalars(
        select(ChecklistPoint).where(ChecklistPoint.practical_id == practical.id))}
    counts = {"added": 0, "updated": 0, "retired": 0}
    for order, item in enumerate(points, start=1):
        values = {"order": order, "kuk": item["kuk"].strip(), "task": item["task"].strip(),
                  "check": item["check"].strip(), "benchmark": item["benchmark"].strip(),
                  "follow_up": [q.strip() for q in item["follow_up"]], "critical": item["critical"],
                  "retired": False}
        point = existing.pop(item["id"], None)
        if point is None:
            db.session.add(ChecklistPoint(practical_id=practical.id, uid=item["id"], **values))
            counts["added"] += 1
            continue
        if any(getattr(point, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(point, key, value)
            counts["updated"] += 1
    for point in existing.values():
        if not point.retired:
            point.retired = True
            counts["retired"] += 1
    db.session.flush()
    db.session.expire(practical, ["points"])
    return counts
