"""Hostile input: lesson Markdown and trainee/assessor Markdown render harmless."""
import shutil
from html.parser import HTMLParser

import pytest

from courseware.lessons.content import render_markdown
from courseware.lessons.sync import sync_content
from courseware.sanitize import clean_lesson_html, render_user_markdown
from tests.conftest import login_as

HOSTILE = """
## Judul

<script>alert('xss')</script>

Teks biasa dengan <img src=x onerror=alert(1)> dan <b onmouseover="alert(2)">tebal</b>.

[klik saya](javascript:alert(3)) dan [data](data:text/html;base64,PHNjcmlwdD4=) dan [vb](vbscript:msgbox)

<iframe src="https://evil.example/"></iframe>

<div onclick="alert(4)" style="position:fixed">kotak</div>

[aman](https://example.org/x) dan [relatif](e1-01-kebutuhan-pelanggan) dan [[tidak-ada|istilah palsu]]

| a | b |
|---|---|
| <script>alert(5)</script> | [x](JaVaScRiPt:alert(6)) |
"""


class _Elements(HTMLParser):
    """Collect every element and attribute a browser would build from the HTML."""

    def __init__(self):
        super().__init__()
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def _assert_harmless(html: str):
    parser = _Elements()
    parser.feed(html)
    for tag, attrs in parser.elements:
        assert tag not in {"script", "iframe", "img", "svg", "object", "embed", "style", "form", "input", "math"}, html
        for name, value in attrs.items():
            assert not name.startswith("on") and name not in {"style", "srcdoc", "src", "formaction"}, (tag, name)
            if name == "href":
                scheme = value.split(":", 1)[0].strip().lower() if ":" in value else ""
                assert scheme in {"", "http", "https", "mailto"}, value


def test_lesson_markdown_with_script_handlers_and_iframe_renders_harmless():
    html = render_markdown(HOSTILE, {"riset-formal": "riset formal"})
    _assert_harmless(html)
    assert 'href="https://example.org/x"' in html
    assert 'href="e1-01-kebutuhan-pelanggan"' in html
    assert '<div class="table-scroll"><table>' in html
    # an unknown glossary id is plain text, not a link
    assert "istilah palsu" in html and "istilah-tidak-ada" not in html


@pytest.mark.parametrize("payload", [
    '<a href="javascript:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<svg onload=alert(1)><circle/></svg>',
    '<img src=x onerror=alert(1)>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<div class="admonition warning" onclick="alert(1)" style="color:red">x</div>',
    '<a href="#x" onfocus="alert(1)" autofocus>x</a>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<form action="https://evil"><input name=x></form>',
    '<object data="javascript:alert(1)"></object>',
    '<!-- <script>alert(1)</script> -->',
    '<details open ontoggle=alert(1)><summary>x</summary></details>',
    '<style>body{display:none}</style>',
])
def test_clean_lesson_html_drops_hostile_markup(payload):
    html = clean_lesson_html(payload)
    _assert_harmless(html)
    assert "autofocus" not in html and "<details open" not in html


def test_clean_lesson_html_keeps_the_lesson_allow_list():
    source = ('<h2 id="a">A</h2><div class="admonition tip"><p class="admonition-title">T</p></div>'
              '<details class="answer"><summary>Lihat jawaban</summary>j</details>'
              '<sup id="fnref:k"><a class="footnote-ref" href="#fn:k">1</a></sup>'
              '<a href="mailto:tu@sekolah.sch.id">m</a><a href="/materi/kamus#istilah-crm">k</a>')
    assert clean_lesson_html(source) == source
    # class values outside the allow-list are dropped
    assert "evil" not in clean_lesson_html('<div class="admonition evil">x</div>')
    assert 'id="' not in clean_lesson_html('<p id="x">y</p>')


def test_user_markdown_is_tight_and_links_are_nofollow():
    html = render_user_markdown(HOSTILE + "\n\nLihat https://contoh.sch.id dan `kode <b>`\n\n# Besar\n\n"
                                          "![gambar](https://x/y.png)")
    _assert_harmless(html)
    assert "<h1" not in html and "<h2" not in html and "<table" not in html and "<img" not in html
    assert '<a href="https://example.org/x" rel="nofollow noopener">aman</a>' in html
    assert '<a href="https://contoh.sch.id" rel="nofollow noopener">https://contoh.sch.id</a>' in html
    assert "<code>kode &lt;b&gt;</code>" in html


def test_user_markdown_keeps_emphasis_lists_and_code():
    html = render_user_markdown("**Bagus**, *rapi*.\n\n- satu\n- dua\n\n1. a\n2. b\n\n```\nx < y\n```")
    assert "<strong>Bagus</strong>" in html and "<em>rapi</em>" in html
    assert "<ul>" in html and "<ol>" in html and "<pre><code>x &lt; y" in html
    assert render_user_markdown(None) == ""


def test_hostile_lesson_file_served_as_page_is_harmless(app, tmp_path, users):
    """A lesson file carrying script, onerror, javascript: links and an iframe, through sync and the page."""
    root = tmp_path / "copy"
    shutil.copytree("content", root / "content")
    (root / "content" / "modules" / "e1-09-jahat.md").write_text(
        "---\nid: e1-09-jahat\ntitle: \"Jahat <script>alert(9)</script>\"\nelement: 1\nkind: materi\n"
        "kuk: [\"1.1\"]\norder: 9\nminutes: 1\nindicators: [\"a\", \"b\"]\nself_check:\n"
        "  - question: \"<img src=x onerror=alert(1)>?\"\n    answer: \"[x](javascript:alert(1))\"\n"
        "  - question: \"q\"\n    answer: \"a\"\n---\n" + HOSTILE, encoding="utf-8")
    sync_content(str(root))
    response = login_as(app.test_client(), users["trainee"]).get("/materi/e1-09-jahat")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    body = page.split('<article class="lesson">', 1)[1].split("</article>", 1)[0]
    _assert_harmless(body)
    assert "Jahat &lt;script&gt;" in page          # the title is escaped by Jinja
    assert '<details class="answer">' in body
