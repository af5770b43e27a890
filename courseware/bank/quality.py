"""Bank-wide quality rules for the shipped items: the countable part of CONTENT_GUIDE.md.

`quality_report(items)` looks at the whole bank at once (per-item rules live in
validation.py): enough items per pool and KUK, no length cue on the key, no absolute words
that only wrong options carry, no (near-)duplicate stems, and a written test that mostly asks
to apply or judge rather than recall. Pure function over ItemData; `flask content check` runs
it through loader.lint_bank.
"""
import re
from collections import Counter
from difflib import SequenceMatcher

from flask_babel import gettext as _

from .models import KUKS
from .validation import LETTERS, LEVELS, POOLS, ItemData

MIN_UJIAN = 7                       # per KUK: enough for two attempts without many repeats
MIN_UJIAN_CRITICAL = 10             # per critical KUK
CRITICAL_KUKS = ("2.1", "2.5")
MIN_LATIHAN = 4                     # per KUK, practice only
MAX_LONGEST_KEY_SHARE = 0.30        # chance is 25%; above this length becomes a cue
MIN_APPLIED_SHARE = 0.60            # of ujian items at level penerapan or analisis
APPLIED_LEVELS = ("penerapan", "analisis")
NEAR_DUPLICATE_RATIO = 0.9          # word-sequence similarity of two normalised stems
ABSOLUTE_WORDS = ("hanya", "saja", "selalu", "pasti", "tidak pernah", "semua", "sama sekali",
                  "satu-satunya", "sepenuhnya", "selamanya")

_ABSOLUTE_RE = {w: re.compile(r"(?<![\w-])" + re.escape(w) + r"(?![\w-])") for w in ABSOLUTE_WORDS}


def normalise_stem(text: str) -> str:
    """Lowercase, punctuation stripped, spaces collapsed: the form compared for duplicates."""
    text = re.sub(r"[^\w\s-]", " ", (text or "").casefold())
    return " ".join(text.replace("-", " ").split())


def absolute_words(text: str) -> set[str]:
    lowered = " ".join((text or "").casefold().split())
    return {w for w, pattern in _ABSOLUTE_RE.items() if pattern.search(lowered)}


def key_is_strictly_longest(item: ItemData) -> bool:
    if item.key is None or not 0 <= item.key < len(item.options):
        return False
    key_len = len(item.options[item.key])
    return all(key_len > len(o) for i, o in enumerate(item.options) if i != item.key)


def _pool_sizes(items, problems) -> Counter:
    sizes = Counter((item.kuk, item.pool) for item in items)
    for kuk in KUKS:
        need_ujian = MIN_UJIAN_CRITICAL if kuk in CRITICAL_KUKS else MIN_UJIAN
        for pool, need in (("ujian", need_ujian), ("latihan", MIN_LATIHAN)):
            if sizes[(kuk, pool)] < need:
                problems.append(_("KUK %(k)s: pool %(p)s hanya %(n)d soal, minimal %(m)d.",
                                  k=kuk, p=pool, n=sizes[(kuk, pool)], m=need))
    return sizes


def _absolute_words(items, problems) -> int:
    total = 0
    for item in items:
        if item.key is None or not 0 <= item.key < len(item.options):
            continue
        in_key = absolute_words(item.options[item.key])
        for i, text in enumerate(item.options):
            if i == item.key:
                continue
            found = absolute_words(text)
            total += len(found)
            alone = sorted(found - in_key)
            if alone:
                problems.append(_("%(u)s: pilihan %(l)s memuat kata mutlak %(w)s yang tidak ada di kunci.",
                                  u=item.uid or item.kuk, l=LETTERS[i], w=", ".join(f'"{w}"' for w in alone)))
    return total


def _duplicates(items, problems) -> None:
    prepared = [(item, normalise_stem(item.stem).split()) for item in items]
    for n, (item, words) in enumerate(prepared):
        for other, other_words in prepared[:n]:
            if words == other_words:
                ratio = 1.0
            else:
                matcher = SequenceMatcher(None, words, other_words, autojunk=False)
                if matcher.real_quick_ratio() < NEAR_DUPLICATE_RATIO or matcher.quick_ratio() < NEAR_DUPLICATE_RATIO:
                    continue
                ratio = matcher.ratio()
            if ratio >= NEAR_DUPLICATE_RATIO:
                problems.append(_("%(u)s: pertanyaan hampir sama dengan soal %(o)s (kemiripan %(r)d%%).",
                                  u=item.uid, o=other.uid, r=int(ratio * 100)))


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def quality_report(items: list[ItemData]) -> tuple[list[str], list[str]]:
    """(problems, info) for the bank as a whole; problems name the KUK or item id."""
    problems: list[str] = []
    info: list[str] = []
    sizes = _pool_sizes(items, problems)

    longest = sum(1 for item in items if key_is_strictly_longest(item))
    longest_share = _share(longest, len(items))
    if longest_share > MAX_LONGEST_KEY_SHARE:
        problems.append(_("Kunci adalah pilihan terpanjang pada %(n)d dari %(t)d soal (%(s)d%%), maksimal %(m)d%%.",
                          n=longest, t=len(items), s=round(longest_share * 100), m=round(MAX_LONGEST_KEY_SHARE * 100)))

    absolute_total = _absolute_words(items, problems)
    _duplicates(items, problems)

    ujian = [item for item in items if item.pool == "ujian"]
    levels = Counter(item.level for item in ujian)
    applied = sum(levels[level] for level in APPLIED_LEVELS)
    if _share(applied, len(ujian)) < MIN_APPLIED_SHARE:
        problems.append(_("Soal ujian tingkat penerapan/analisis hanya %(n)d dari %(t)d (%(s)d%%), minimal %(m)d%%.",
                          n=applied, t=len(ujian), s=round(_share(applied, len(ujian)) * 100),
                          m=round(MIN_APPLIED_SHARE * 100)))

    info.append(_("Soal per pool dan KUK:"))
    info.append(f"  {'KUK':<5} " + " ".join(f"{pool:>8}" for pool in POOLS) + f" {'jumlah':>8}")
    for kuk in KUKS:
        row = [sizes[(kuk, pool)] for pool in POOLS]
        info.append(f"  {kuk:<5} " + " ".join(f"{n:>8}" for n in row) + f" {sum(row):>8}")
    totals = [sum(sizes[(kuk, pool)] for kuk in KUKS) for pool in POOLS]
    info.append(f"  {'semua':<5} " + " ".join(f"{n:>8}" for n in totals) + f" {sum(totals):>8}")
    info.append(_("Kunci = pilihan terpanjang: %(n)d dari %(t)d soal (%(s)d%%)",
                  n=longest, t=len(items), s=round(longest_share * 100)))
    keys = Counter(LETTERS[item.key] for item in items if item.key is not None)
    info.append(_("Letak kunci: %(k)s", k=", ".join(f"{letter} {keys[letter]}" for letter in LETTERS[:4])))
    info.append(_("Kata mutlak di pilihan salah: %(n)d", n=absolute_total))
    for pool in POOLS:
        in_pool = [item for item in items if item.pool == pool]
        counts = Counter(item.level for item in in_pool)
        info.append(_("Tingkat soal %(p)s: %(l)s", p=pool, l=", ".join(
            f"{level} {counts[level]} ({round(_share(counts[level], len(in_pool)) * 100)}%)" for level in LEVELS)))
    return problems, info
