"""The glossary: a search box (plain GET, no JavaScript), an A-Z index, and "kembali ke pelajaran" for a
term opened from a lesson."""
import re

from courseware.lessons.service import glossary_entries


def test_glossary_has_az_index_and_search(as_user, lessons):
    client = as_user("trainee")
    page = client.get("/materi/kamus").get_data(as_text=True)
    assert 'role="search"' in page and 'name="q"' in page
    index = page.split('aria-label="Indeks A-Z"')[1].split("</nav>")[0]
    for letter in re.findall(r'href="#huruf-([A-Z#])"', index):
        assert f'id="huruf-{letter}"' in page
    total = len(glossary_entries())
    assert page.count('class="glossary-entry"') == total > 5

    term = glossary_entries()[0]["term"]
    found = client.get("/materi/kamus", query_string={"q": term.upper()}).get_data(as_text=True)
    assert 1 <= found.count('class="glossary-entry"') < total and term in found
    none = client.get("/materi/kamus", query_string={"q": "zzzqqq"}).get_data(as_text=True)
    assert "Tidak ada istilah yang cocok" in none and 'class="glossary-entry"' not in none


def test_term_opened_from_a_lesson_offers_the_way_back(as_user, lessons):
    client = as_user("trainee")
    from sqlalchemy import select

    from courseware.extensions import db
    from courseware.lessons.models import Lesson

    lesson_id = next(l for l in db.session.scalars(select(Lesson)) if 'href="kamus#' in l.body_html).id
    lesson_page = client.get(f"/materi/{lesson_id}").get_data(as_text=True)
    link = re.search(r'href="(kamus\?dari=[^"#]+)#istilah-', lesson_page)
    assert link, "glossary links in the lesson carry the lesson id"
    glossary = client.get("/materi/" + link.group(1)).get_data(as_text=True)
    assert "Kembali ke pelajaran" in glossary and f'href="/materi/{lesson_id}"' in glossary
    plain = client.get("/materi/kamus").get_data(as_text=True)
    assert "Kembali ke pelajaran" not in plain
    bogus = client.get("/materi/kamus?dari=../../admin").get_data(as_text=True)
    assert "Kembali ke pelajaran" not in bogus
