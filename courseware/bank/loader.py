"""Reading and linting the shipped bank files quizzes/bank/*.yml (no database here).

Format of one file:  {kuk: "1.1", items: [{id: "1.1-01", pool: ujian|latihan,
level: ingatan|penerapan|analisis, stem, options: [4 strings], key: "B", explanation}]}. The sync that turns these into rows lives in service.sync_shipped_bank.
"""
import re
from collections import Counter
from pathlib import Path

import yaml
from flask_babel import gettext as _

from .models import KUKS
from .quality import quality_report
from .validation import ItemData, StemRegister, key_index_from_letter, validate_item

BANK_DIR = Path("quizzes") / "bank"
UID_RE = re.compile(r"^(\d\.\d)-(\d{2,3})$")


def bank_files(root) -> list[Path]:
    return sorted((Path(root) / BANK_DIR).glob("*.yml"))


def read_bank(root) -> tuple[list[ItemData], list[str], list[str]]:
    """Parse and lint every bank file. Returns (good items, problems, info lines).

    Problems name the file and item id; info lists the count of items per KUK.
    """
    items: list[ItemData] = []
    problems: list[str] = []
    files = bank_files(root)
    if not files:
        problems.append(_("Tidak ada berkas soal di %(d)s.", d=str(BANK_DIR)))
    uids: dict[str, str] = {}
    stems = StemRegister()
    for path in files:
        where = path.name
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            problems.append(_("%(f)s: tidak dapat dibaca (%(e)s).", f=where, e=str(exc).splitlines()[0]))
            continue
        if not isinstance(data, dict) or not isinstance(data.get("items"), list):
            problems.append(_("%(f)s: harus berisi kunci 'kuk' dan daftar 'items'.", f=where))
            continue
        kuk = str(data.get("kuk", "")).strip()
        if kuk not in KUKS:
            problems.append(_("%(f)s: KUK %(k)s tidak dikenal.", f=where, k=kuk or "-"))
            continue
        for n, raw in enumerate(data["items"], start=1):
            if not isinstance(raw, dict):
                problems.append(_("%(f)s: butir ke-%(n)d bukan soal yang sah.", f=where, n=n))
                continue
            uid = str(raw.get("id", "")).strip()
            label = f"{where} {uid or '#' + str(n)}"
            item_problems = []
            match = UID_RE.match(uid)
            if not match:
                item_problems.append(_("id harus seperti %(k)s-01.", k=kuk))
            elif match.group(1) != kuk:
                item_problems.append(_("awalan id tidak cocok dengan KUK berkas (%(k)s).", k=kuk))
            if uid and uid in uids:
                item_problems.append(_("id %(u)s sudah dipakai di %(f)s.", u=uid, f=uids[uid]))
            options = raw.get("options")
            if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
                item_problems.append(_("'options' harus daftar teks."))
                options = []
            item = ItemData(
                kuk=kuk, uid=uid,
                stem=str(raw.get("stem") or "").strip(),
                options=[o.strip() for o in options],
                key=key_index_from_letter(raw.get("key"), 4),
                explanation=str(raw.get("explanation") or "").strip(),
                pool=str(raw.get("pool") or "").strip(),
                level=str(raw.get("level") or "").strip(),
            )
            item_problems += validate_item(item, shipped=True)
            if item.stem:
                duplicate = stems.duplicate_message(item.stem, uid)
                if duplicate:
                    item_problems.append(duplicate)
            if item_problems:
                problems += [f"{label}: {p}" for p in item_problems]
                continue
            uids[uid] = where
            stems.add(item.stem, uid)
            items.append(item)
    counts = Counter((item.kuk, item.pool) for item in items)
    info = [_("KUK %(k)s: %(u)d soal ujian, %(l)d soal latihan", k=k, u=counts.get((k, "ujian"), 0),
              l=counts.get((k, "latihan"), 0)) for k in KUKS]
    info.append(_("Jumlah: %(n)d soal dari %(f)d berkas", n=len(items), f=len(files)))
    return items, problems, info


def lint_bank(root) -> tuple[list[str], list[str]]:
    """The content check registered as "soal": (problems, info).

    Adds the bank-wide quality rules (quality.py) to the per-item lint; they are editorial, so
    they fail `content check` but do not stop the sync from loading the files.
    """
    items, problems, info = read_bank(root)
    if items:
        quality_problems, quality_info = quality_report(items)
        problems += quality_problems
        info += quality_info
    return problems, info
