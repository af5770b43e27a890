"""What the shipped lessons teach, read through the site as a trainee: the current regulation,
the LIK point counts as the sheets have them, one spelling, no untraceable figure, no repeated
self-check question, and a reference list that names author, year and title."""
import html as html_lib
import re
from pathlib import Path

import yaml

from courseware.lessons.content import lesson_paths, load_references, read_lesson

NUMBER_WORDS = {"empat": 4, "lima": 5, "enam": 6, "tujuh": 7, "delapan": 8,
                "keempat": 4, "kelima": 5, "keenam": 6, "ketujuh": 7}
# "menilai lima butir", "berisi tujuh butir", "kelima butir daftar cek": statements of a sheet's size
POINT_COUNT_RE = re.compile(r"\b(?:menilai|berisi|memeriksa) (\w+) (?:butir|poin)\b|\b(\w+) (?:butir|poin) daftar cek\b",
                            re.IGNORECASE)
REPLACED_RE = re.compile(r"menggantikan|mencabut|pengganti", re.IGNORECASE)


def _text(html: str) -> str:
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", html))


def _pages(client, root):
    """{lesson id: visible text of /materi/<id>} for every shipped lesson."""
    pages = {}
    for path in lesson_paths(root):
        response = client.get(f"/materi/{path.stem}")
        assert response.status_code == 200, path.stem
        pages[path.stem] = _text(response.get_data(as_text=True))
    return pages


def test_lessons_state_the_number_of_points_each_lik_sheet_has(app, as_user, lessons):
    root = Path(app.config["CONTENT_ROOT"])        # the project root: content/ and checklists/
    points = {e: len(yaml.safe_load((root / "checklists" / f"lik_{e}.yml").read_text(encoding="utf-8"))["points"])
              for e in (1, 2)}
    assert points == {1: 5, 2: 7}
    pages = _pages(as_user("trainee"), app.config["CONTENT_ROOT"])
    seen = {1: 0, 2: 0}
    for lesson_id, text in pages.items():
        element = int(lesson_id[1])
        for match in POINT_COUNT_RE.finditer(text):
            word = (match.group(1) or match.group(2)).lower()
            if word in NUMBER_WORDS:
                assert NUMBER_WORDS[word] == points[element], f"{lesson_id}: '{match.group(0)}'"
                seen[element] += 1
    assert seen[1] >= 3 and seen[2] >= 2, seen


def test_standard_lesson_teaches_the_current_regulation_and_spot_checks(app, as_user, lessons):
    client = as_user("trainee")
    text = _text(client.get("/materi/e2-01-memantau-standar-pelayanan").get_data(as_text=True))
    assert "PermenPAN-RB No. 15 Tahun 2014" in text
    for component in ("Persyaratan", "Produk pelayanan", "jumlah pelaksana", "evaluasi kinerja pelaksana"):
        assert component in text
    assert "uji petik" in text and "Tidak sesuai" in text and "Catatan penyimpangan" in text
    pages = _pages(client, app.config["CONTENT_ROOT"])
    pages["kamus"] = _text(client.get("/materi/kamus").get_data(as_text=True))
    pages["referensi"] = _text(client.get("/materi/referensi").get_data(as_text=True))
    for page, body in pages.items():
        for match in re.finditer(r"36 Tahun 2012", body):
            near = body[max(0, match.start() - 120):match.end() + 40]
            assert REPLACED_RE.search(near), f"{page}: 36/2012 not named as the replaced rule: {near!r}"


def test_no_legalisir_and_no_untraceable_figure_anywhere_a_trainee_reads(app, as_user, lessons):
    client = as_user("trainee")
    pages = _pages(client, app.config["CONTENT_ROOT"])
    for path in ("/materi/kamus", "/materi/referensi"):
        pages[path] = _text(client.get(path).get_data(as_text=True))
    for page, text in pages.items():
        assert "legalisir" not in text.lower(), page
        assert "67%" not in text and "67 %" not in text, page


def test_no_self_check_question_is_asked_twice(app):
    seen = {}
    for path in lesson_paths(app.config["CONTENT_ROOT"]):
        for item in read_lesson(path).meta["self_check"]:
            key = re.sub(r"\W+", " ", item["question"]).strip().lower()
            assert key not in seen, f"{path.stem} repeats a question of {seen.get(key)}"
            seen[key] = path.stem


def test_every_reference_names_a_title_and_a_year(app):
    for ref in load_references(app.config["CONTENT_ROOT"]):
        text = ref["text"]
        assert re.search(r"\*[^*]{8,}\*", text), f"{ref['id']}: no title in italics"
        assert re.search(r"\((?:\d{4}|t\.t\.)", text), f"{ref['id']}: no (year)"
        assert "Troot" not in text, ref["id"]
