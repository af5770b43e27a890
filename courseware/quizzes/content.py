"""quizzes/quizzes.yml: the shipped quiz definitions, their lint and the idempotent sync."""
from pathlib import Path

import yaml
from sqlalchemy import select

from ..bank.models import KUKS
from ..extensions import db
from .models import COUNTING, KINDS, REVIEW_POLICIES, Quiz

DEFINITIONS = Path("quizzes") / "quizzes.yml"
STRUCTURE = ("kind", "title", "description", "kuk_weights")          # always follows the file
SETTINGS = ("items_per_attempt", "time_limit_minutes", "attempts_allowed", "counting", "pass_mark",
            "review_policy")


def load_definitions(root) -> list[dict]:
    path = Path(root) / DEFINITIONS
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return list(data.get("quizzes") or [])


def check_definitions(root) -> tuple[list[str], list[str]]:
    """The problems in quizzes.yml (each names the quiz), and one info line per quiz."""
    problems, info, seen = [], [], set()
    try:
        definitions = load_definitions(root)
    except yaml.YAMLError as exc:
        return [f"{DEFINITIONS}: YAML tidak sah: {exc}"], []
    if not definitions:
        problems.append(f"{DEFINITIONS}: tidak ada kuis.")
    for number, item in enumerate(definitions, start=1):
        code = str(item.get("code") or "")
        where = f"{DEFINITIONS} kuis #{number} ({code or 'tanpa kode'})"
        if not code:
            problems.append(f"{where}: code wajib diisi.")
        elif code in seen:
            problems.append(f"{where}: code dipakai dua kali.")
        seen.add(code)
        if item.get("kind") not in KINDS:
            problems.append(f"{where}: kind harus written atau practice.")
        if not item.get("title"):
            problems.append(f"{where}: title wajib diisi.")
        weights = item.get("kuk_weights") or {}
        bad = [k for k in weights if str(k) not in KUKS]
        if not weights or bad:
            problems.append(f"{where}: kuk_weights harus memetakan KUK yang ada (1.1-2.6) ke bobot; salah: {bad}.")
        elif any(not isinstance(v, int) or v < 1 for v in weights.values()):
            problems.append(f"{where}: setiap bobot KUK bilangan bulat >= 1.")
        items = item.get("items_per_attempt")
        if not isinstance(items, int) or items < 1:
            problems.append(f"{where}: items_per_attempt bilangan bulat >= 1.")
        if item.get("counting", "highest") not in COUNTING:
            problems.append(f"{where}: counting harus highest atau last.")
        mark = item.get("pass_mark", 75)
        if not isinstance(mark, int) or not 0 <= mark <= 100:
            problems.append(f"{where}: pass_mark 0-100.")
        if item.get("review_policy", "langsung") not in REVIEW_POLICIES:
            problems.append(f"{where}: review_policy harus langsung atau setelah-ditutup.")
        for key in ("time_limit_minutes", "attempts_allowed"):
            value = item.get(key)
            if value is not None and (not isinstance(value, int) or value < 1):
                problems.append(f"{where}: {key} kosong (null) atau bilangan bulat >= 1.")
        if code and not any(p.startswith(where) for p in problems):
            info.append(f"{code}: {item['kind']}, {items} soal, KUK {', '.join(sorted(map(str, weights)))}")
            problems += _pool_problems(root, where, item)
    return problems, info


def _pool_problems(root, where: str, item: dict) -> list[str]:
    """Can the shipped bank's pool for this quiz fill its blueprint? (written: ujian; practice: latihan)"""
    from ..bank.loader import read_bank
    from .selection import blueprint_shortfall

    pool = "ujian" if item["kind"] == "written" else "latihan"
    bank, _problems, _info = read_bank(root)
    available: dict[str, int] = {}
    for question in bank:
        if question.pool == pool:
            available[question.kuk] = available.get(question.kuk, 0) + 1
    weights = {str(k): int(v) for k, v in item["kuk_weights"].items()}
    return [f"{where}: kelompok soal {pool} tidak cukup untuk KUK {kuk}: butuh {need}, ada {have}."
            for kuk, need, have in blueprint_shortfall(weights, item["items_per_attempt"], available)]


def sync_quizzes(app) -> str:
    """Create missing quizzes, update their structure; never overwrite a teacher's settings."""
    problems, _info = check_definitions(app.config["CONTENT_ROOT"])
    if problems:
        raise ValueError("; ".join(problems))
    created = updated = 0
    for position, item in enumerate(load_definitions(app.config["CONTENT_ROOT"])):
        weights = {str(k): int(v) for k, v in item["kuk_weights"].items()}
        values = {
            "kind": item["kind"], "title": item["title"], "description": item.get("description") or "",
            "kuk_weights": weights, "kuks": sorted(weights), "position": position,
            "feedback_per_item": item["kind"] == "practice",
        }
        quiz = db.session.scalar(select(Quiz).where(Quiz.code == item["code"]))
        if quiz is None:
            quiz = Quiz(code=item["code"], **values, **{
                "items_per_attempt": item["items_per_attempt"],
                "time_limit_minutes": item.get("time_limit_minutes"),
                "attempts_allowed": item.get("attempts_allowed"),
                "counting": item.get("counting", "highest"),
                "pass_mark": item.get("pass_mark", 75),
                "review_policy": item.get("review_policy", "langsung"),
            })
            db.session.add(quiz)
            created += 1
            continue
        if any(getattr(quiz, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(quiz, key, value)
            updated += 1
    db.session.commit()
    return f"{created} kuis baru, {updated} diperbarui"
