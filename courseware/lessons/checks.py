"""Linting the shipped lesson content: front matter, bodies, glossary, references and the 5-JP plan.

`check_content(root)` is the `flask content check` hook; sync.py skips a lesson whose front matter
check_meta() refuses. Reading and rendering live in content.py.
"""
import re

from .content import (ACTIVITY_KINDS, ALL_KUK, ContentError, ELEMENTS, FENCE_RE, FOOTNOTE_DEF_RE,
                      FOOTNOTE_REF_RE, GLOSSARY_LINK_RE, Glossary, JP_MINUTES, KINDS, LESSON_ID_RE,
                      LessonFile, MD_LINK_RE, MIN_GLOSSARY_TERMS, MIN_WORDS_PER_KUK, MIN_WORDS_TOTAL,
                      PLAN_MINUTES, RESERVED_IDS, TERM_ID_RE, UNIT_JP, lesson_paths, load_glossary,
                      load_plan, load_references, read_lesson)


def check_meta(lesson: LessonFile) -> list[str]:
    m, name, problems = lesson.meta, lesson.path.name, []

    def bad(msg):
        problems.append(f"{name}: {msg}")

    lesson_id = m.get("id")
    if not isinstance(lesson_id, str) or not LESSON_ID_RE.match(lesson_id):
        bad("id wajib: huruf kecil, angka, dan tanda hubung")
    elif lesson_id != lesson.path.stem:
        bad(f"id '{lesson_id}' harus sama dengan nama berkas '{lesson.path.stem}'")
    elif lesson_id in RESERVED_IDS:
        bad(f"id '{lesson_id}' dipakai oleh halaman lain di /materi/")
    if not isinstance(m.get("title"), str) or not m["title"].strip():
        bad("title wajib diisi")
    element = m.get("element")
    if element not in ELEMENTS:
        bad("element harus 1 atau 2")
    kind = m.get("kind")
    if kind not in KINDS:
        bad(f"kind harus salah satu dari {', '.join(KINDS)}")
    kuk = m.get("kuk")
    if not isinstance(kuk, list):
        bad("kuk harus berupa daftar, mis. [\"1.1\"] (atau [] untuk pengantar/penutup)")
    else:
        for k in kuk:
            if element in ELEMENTS and str(k) not in ELEMENTS[element]["kuk"]:
                bad(f"KUK {k} bukan KUK elemen {element}")
        if kind == "materi" and not kuk:
            bad("pelajaran materi harus menyebut KUK yang diajarkannya")
        if kind in ("pengantar", "penutup") and kuk:
            bad(f"{kind} tidak boleh menyebut KUK (isi kuk: [])")
    order = m.get("order")
    if not isinstance(order, int) or isinstance(order, bool) or order < 0:
        bad("order harus bilangan bulat >= 0")
    elif kind == "pengantar" and order != 0:
        bad("pengantar harus order: 0")
    minutes = m.get("minutes")
    if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0:
        bad("minutes harus bilangan bulat > 0")
    indicators = m.get("indicators")
    if not isinstance(indicators, list) or not 2 <= len(indicators) <= 4 \
            or not all(isinstance(i, str) and i.strip() for i in indicators):
        bad("indicators harus berisi 2-4 kalimat")
    checks = m.get("self_check")
    if not isinstance(checks, list) or not 2 <= len(checks) <= 3:
        bad("self_check harus berisi 2-3 pertanyaan")
    else:
        for n, item in enumerate(checks, start=1):
            if not isinstance(item, dict) or not all(isinstance(item.get(k), str) and item[k].strip()
                                                     for k in ("question", "answer")):
                bad(f"self_check ke-{n} harus punya question dan answer")
    unknown = set(m) - {"id", "title", "element", "kind", "kuk", "order", "minutes", "indicators", "self_check"}
    if unknown:
        bad(f"kunci header tidak dikenal: {', '.join(sorted(unknown))}")
    return problems


def _check_body(lesson: LessonFile, terms: dict, lesson_ids: set) -> list[str]:
    name, body, problems = lesson.path.name, lesson.body, []
    if not body.strip():
        problems.append(f"{name}: isi pelajaran kosong")
    if re.search(r"^# ", FENCE_RE.sub("", body), re.MULTILINE):
        problems.append(f"{name}: jangan menulis judul H1 (# ...); judul diambil dari header")
    texts = [body] + [str(i.get(k, "")) for i in lesson.meta.get("self_check") or [] if isinstance(i, dict)
                      for k in ("question", "answer")]
    for text in texts:
        for match in GLOSSARY_LINK_RE.finditer(FENCE_RE.sub("", text)):
            if match.group(1).strip() not in terms:
                problems.append(f"{name}: tautan kamus [[{match.group(1).strip()}]] tidak ada di glossary.yml")
    refs, defs = set(FOOTNOTE_REF_RE.findall(body)), set(FOOTNOTE_DEF_RE.findall(body))
    for missing in sorted(refs - defs):
        problems.append(f"{name}: catatan kaki [^{missing}] tidak punya isi")
    for unused in sorted(defs - refs):
        problems.append(f"{name}: catatan kaki [^{unused}] tidak pernah dirujuk")
    for target in MD_LINK_RE.findall(body):
        if re.match(r"^(https?:|mailto:|#)", target):
            continue
        page = target.split("#", 1)[0]
        if page not in lesson_ids and page not in {"kamus", "referensi"}:
            problems.append(f"{name}: tautan ({target}) tidak menuju pelajaran yang ada")
    return problems


def _check_glossary(glossary: Glossary) -> list[str]:
    problems, seen = [], set()
    for n, e in enumerate(glossary.entries, start=1):
        if not isinstance(e, dict):
            problems.append(f"glossary.yml: entri ke-{n} bukan pasangan kunci: nilai")
            continue
        term_id = e.get("id")
        if not isinstance(term_id, str) or not TERM_ID_RE.match(term_id):
            problems.append(f"glossary.yml: entri ke-{n} punya id tidak sah")
            continue
        if term_id in seen:
            problems.append(f"glossary.yml: id {term_id} muncul dua kali")
        seen.add(term_id)
        for key in ("term", "definition"):
            if not isinstance(e.get(key), str) or not e[key].strip():
                problems.append(f"glossary.yml: {term_id} tidak punya {key}")
        for other in e.get("see_also") or []:
            if other not in glossary.terms:
                problems.append(f"glossary.yml: {term_id} see_also '{other}' tidak ada di kamus")
    if len(seen) < MIN_GLOSSARY_TERMS:
        problems.append(f"glossary.yml: baru {len(seen)} istilah, minimal {MIN_GLOSSARY_TERMS}")
    return problems


def _check_references(references: list) -> list[str]:
    problems, seen = [], set()
    for n, r in enumerate(references, start=1):
        if not isinstance(r, dict) or not isinstance(r.get("id"), str) or not isinstance(r.get("text"), str):
            problems.append(f"references.yml: entri ke-{n} harus punya id dan text")
            continue
        if r["id"] in seen:
            problems.append(f"references.yml: id {r['id']} muncul dua kali")
        seen.add(r["id"])
    return problems


def plan_problems(plan: dict, minutes_by_lesson: dict[str, int]) -> list[str]:
    """Every lesson exactly once, activities well formed, meetings sum to their JP, all to 225."""
    problems, seen, total, jp_total = [], {}, 0, 0
    for m_no, meeting in enumerate(plan.get("meetings") or [], start=1):
        where = f"plan.yml pertemuan {m_no}"
        if not isinstance(meeting, dict) or not isinstance(meeting.get("activities"), list):
            problems.append(f"{where}: harus punya title, jp, dan activities")
            continue
        jp = meeting.get("jp")
        if not isinstance(jp, int) or jp <= 0:
            problems.append(f"{where}: jp harus bilangan bulat > 0")
            jp = 0
        jp_total += jp
        meeting_minutes = 0
        for a_no, act in enumerate(meeting["activities"], start=1):
            here = f"{where}, kegiatan {a_no}"
            if not isinstance(act, dict):
                problems.append(f"{here}: bukan pasangan kunci: nilai")
                continue
            if act.get("kind") not in ACTIVITY_KINDS:
                problems.append(f"{here}: kind harus salah satu dari {', '.join(ACTIVITY_KINDS)}")
            if not isinstance(act.get("title"), str) or not act["title"].strip():
                problems.append(f"{here}: title wajib diisi")
            lessons = act.get("lessons") or []
            if lessons:
                if "minutes" in act:
                    problems.append(f"{here}: menit kegiatan yang mengajarkan pelajaran diambil dari header "
                                    "pelajaran; hapus minutes")
                for lesson_id in lessons:
                    if lesson_id not in minutes_by_lesson:
                        problems.append(f"{here}: pelajaran {lesson_id} tidak ada")
                        continue
                    if lesson_id in seen:
                        problems.append(f"{here}: pelajaran {lesson_id} sudah ada di {seen[lesson_id]}")
                    seen[lesson_id] = here
                    meeting_minutes += minutes_by_lesson[lesson_id]
            else:
                minutes = act.get("minutes")
                if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0:
                    problems.append(f"{here}: minutes harus bilangan bulat > 0")
                else:
                    meeting_minutes += minutes
        if jp and meeting_minutes != jp * JP_MINUTES:
            problems.append(f"{where}: {meeting_minutes} menit, seharusnya {jp} JP = {jp * JP_MINUTES} menit")
        total += meeting_minutes
    for lesson_id in sorted(set(minutes_by_lesson) - set(seen)):
        problems.append(f"plan.yml: pelajaran {lesson_id} tidak ada di rencana")
    if jp_total != UNIT_JP:
        problems.append(f"plan.yml: jumlah JP {jp_total}, seharusnya {UNIT_JP}")
    if total != PLAN_MINUTES:
        problems.append(f"plan.yml: jumlah menit {total}, seharusnya {PLAN_MINUTES} ({UNIT_JP} JP x {JP_MINUTES})")
    return problems


def check_content(root) -> tuple[list[str], list[str]]:
    """The `content check` hook: (problems, info lines incl. words per KUK)."""
    problems, info = [], []
    try:
        glossary = load_glossary(root)
        problems += _check_glossary(glossary)
    except ContentError as exc:
        problems.append(str(exc))
        glossary = Glossary()
    try:
        problems += _check_references(load_references(root))
    except ContentError as exc:
        problems.append(str(exc))

    paths = lesson_paths(root)
    if not paths:
        problems.append("content/modules/ tidak berisi pelajaran (*.md)")
    lessons = []
    for path in paths:
        try:
            lesson = read_lesson(path)
        except ContentError as exc:
            problems.append(f"{path.name}: {exc}")
            continue
        meta_problems = check_meta(lesson)
        problems += meta_problems
        if not meta_problems:
            lessons.append(lesson)
    ids = {l.id for l in lessons}
    for lesson in lessons:
        problems += _check_body(lesson, glossary.terms, ids)

    words_per_kuk = {k: 0 for k in ALL_KUK}
    for element in ELEMENTS:
        mine = [l for l in lessons if l.meta["element"] == element]
        for kind in ("pengantar", "penutup"):
            if sum(1 for l in mine if l.meta["kind"] == kind) != 1:
                problems.append(f"elemen {element} harus punya tepat satu {kind}")
        orders = [l.meta["order"] for l in mine]
        for dup in sorted({o for o in orders if orders.count(o) > 1}):
            problems.append(f"elemen {element}: order {dup} dipakai lebih dari satu pelajaran")
        for lesson in mine:
            for k in lesson.meta["kuk"]:
                words_per_kuk[str(k)] += lesson.words
    for kuk, words in words_per_kuk.items():
        if words == 0:
            problems.append(f"KUK {kuk} tidak punya pelajaran")
        elif words < MIN_WORDS_PER_KUK:
            problems.append(f"KUK {kuk}: {words} kata, minimal {MIN_WORDS_PER_KUK}")
        info.append(f"KUK {kuk}: {words} kata")
    linked = {m.group(1).strip() for l in lessons for m in GLOSSARY_LINK_RE.finditer(l.body)}
    unlinked = sorted(set(glossary.terms) - linked)
    if unlinked:
        info.append(f"istilah kamus yang tidak ditautkan dari pelajaran mana pun: {', '.join(unlinked)}")
    total_words = sum(l.words for l in lessons)
    info.append(f"{len(lessons)} pelajaran, {total_words} kata, "
                f"{sum(l.meta['minutes'] for l in lessons)} menit baca/ajar, {len(glossary.terms)} istilah")
    if lessons and total_words < MIN_WORDS_TOTAL:
        problems.append(f"jumlah kata {total_words}, minimal {MIN_WORDS_TOTAL}")

    try:
        plan = load_plan(root)
        problems += plan_problems(plan, {l.id: l.meta["minutes"] for l in lessons})
    except ContentError as exc:
        problems.append(str(exc))
    return problems, info
