"""Every text a user sees goes through gettext, and the English catalog translates all of it.

1. Templates: a text node with letters outside {{ ... }} / {% ... %} is hard-coded UI text.
2. Python: flash(), abort(..., description), ServiceError(...), ValueError(...) and friends with a
   literal string (not _()/_l()) show that string to a user untranslated.
3. The catalog: a fresh `pybabel extract` (babel.cfg) finds only msgids that the English catalog
   translates (non-empty, not fuzzy), with the same %(name)s placeholders.

Refresh after adding strings (docs/development.md, "Terjemahan"):
    .venv/bin/pybabel extract -F babel.cfg -k _l -o /tmp/messages.pot . && \
    .venv/bin/pybabel update -i /tmp/messages.pot -d courseware/translations --no-fuzzy-matching
then translate the new empty msgstr entries in courseware/translations/en/LC_MESSAGES/messages.po.
"""
import ast
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"
PO = ROOT / "courseware" / "translations" / "en" / "LC_MESSAGES" / "messages.po"

# Words that are codes or names, the same in every language (a text node made only of these passes).
ALLOWED_WORDS = {
    "KUK", "LIK", "LIK_1", "LIK_2", "JP", "TUK", "NIS", "CSV", "XLSX", "PDF", "GIFT", "QR", "URL",
    # BNSP assessment form numbers, printed as they are on paper
    "FR.APL.02", "FR.AK.01", "FR.AK.02", "FR.AK.03", "FR.AK.04", "FR.AK.05", "FR.IA.01", "FR.IA.05",
    "N.821100.046",  # the unit code
    "v",  # "v2": a bank item's version number
}
# Whole text nodes allowed, each with its reason.
TEMPLATE_TEXT_ALLOWED = {
    "Bahasa Indonesia", "English",  # each language named in itself (the language switch)
    "python3 run.py --lan",  # a command to type, not prose
    "C",  # the marking screen's keyboard key (<kbd>C</kbd>) for "mark the time"
    # The CSV sample of the roster import: column names and sample rows the importer reads as they are.
    "NIS;nama;username 2425001;Ayu Lestari; 2425002;Bagus Pratama;bagus.p",
}
# Python: literal messages that never reach a page (programmer errors and start-up refusals that the
# operator reads in the console, where all output of run.py and `flask` is Indonesian).
PYTHON_LITERAL_ALLOWED = {"bad upload target kind: ", "invalid storage key: "}
# Letters (any script) make a text node "text"; punctuation, numbers, arrows and symbols do not.
LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)


class _TextNodes(HTMLParser):
    SKIP = {"script", "style"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.stack.append(tag)
        for name, value in attrs:
            # Attributes people read: alt, title, placeholder, aria-label, value of buttons.
            if name in {"alt", "title", "placeholder", "aria-label", "aria-description"} and value:
                self._check(value, f"@{name}")

    def handle_endtag(self, tag):
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()

    def handle_data(self, data):
        if not self.stack:
            self._check(data, "text")

    def _check(self, value, where):
        text = " ".join(value.split())
        if not text or not LETTERS.search(text) or text in TEMPLATE_TEXT_ALLOWED:
            return
        words = [w.strip("·:;,()[]/–-") for w in text.split()]
        if all(w in ALLOWED_WORDS or not LETTERS.search(w) for w in words):
            return
        self.found.append((where, text))


def _strip_jinja(source: str) -> str:
    # Every Jinja expression/statement becomes a neutral marker; what remains is literal text.
    source = re.sub(r"\{%\s*trans\b.*?\{%\s*endtrans\s*%\}", "", source, flags=re.S)
    # {% block body_class %}narrow{% endblock %}: a CSS class name, not text.
    source = re.sub(r"\{%\s*block\s+body_class\s*%\}.*?\{%\s*endblock\s*%\}", "", source, flags=re.S)
    return JINJA.sub("\x00", source).replace("\x00", " ")


def template_offences() -> list[str]:
    offences = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        parser = _TextNodes()
        parser.feed(_strip_jinja(path.read_text(encoding="utf-8")))
        offences += [f"{path.relative_to(ROOT)}: {where} {text!r}" for where, text in parser.found]
    return offences


# Calls whose string argument a user reads.
SHOWN_CALLS = {"flash", "abort", "ServiceError", "ValueError", "PermissionError", "render_error",
               "ValidationError", "StopValidation",
               # WTForms validators' messages
               "DataRequired", "InputRequired", "Length", "NumberRange", "Regexp", "Email", "EqualTo", "AnyOf",
               "NoneOf", "FileRequired", "FileAllowed", "FileSize"}
GETTEXT_NAMES = {"_", "_l", "gettext", "lazy_gettext", "ngettext", "lazy_ngettext"}


def _literal_text(node) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    if isinstance(node, ast.BinOp):  # "a" + "b", "a %s" % x
        return _literal_text(node.left)
    return None


def python_offences() -> list[str]:
    offences = []
    for path in sorted((ROOT / "courseware").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            # ...and form field labels: StringField("Label"), SelectField(...)
            if name not in SHOWN_CALLS and not (name or "").endswith("Field"):
                continue
            for arg in list(node.args) + [k.value for k in node.keywords if k.arg in ("description", "message", "label")]:
                text = _literal_text(arg)
                if (text and LETTERS.search(text) and (" " in text.strip() or name.endswith("Field"))
                        and text not in PYTHON_LITERAL_ALLOWED):
                    offences.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}({text[:60]!r})")
    return offences


def test_templates_have_no_text_outside_gettext():
    offences = template_offences()
    assert not offences, "UI text outside {{ _() }}:\n" + "\n".join(offences)


def test_python_messages_shown_to_users_go_through_gettext():
    offences = python_offences()
    assert not offences, "literal messages (wrap them in _()):\n" + "\n".join(offences)


def test_the_lint_catches_what_it_claims(tmp_path):
    """A lint that cannot fail is no lint: feed it a bad template and a bad call."""
    parser = _TextNodes()
    parser.feed(_strip_jinja('<p>{{ _("Baik") }}</p><p>Tulisan mentah</p><img alt="foto"><script>var a = "x y";</script>'
                             '{% trans %}Boleh{% endtrans %}'))
    assert parser.found == [("text", "Tulisan mentah"), ("@alt", "foto")]
    tree = ast.parse('flash("Data tersimpan.")\nflash(_("Data tersimpan."))\nraise ServiceError(f"Kelas {x} penuh")')
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") in SHOWN_CALLS]
    assert [_literal_text(c.args[0]) for c in calls if c.args] == ["Data tersimpan.", None, "Kelas  penuh"]
    js = 'label.textContent = "Menyimpan materi...";\n// "komentar boleh"\nel.className = "tag tag-stored";'
    assert js_offences([("x.js", js)]) == ["static/js/x.js: 'Menyimpan materi...'"]


# static/js: the messages come from the page (data-msg-*). Literal strings of two or more words are
# allowed only when no user reads them as a sentence.
JS_LITERAL_ALLOWED = {
    "use strict",
    "not a reading list", "another user",  # offline.js: internal Error texts, caught and never shown
    "flash flash-", "offline-queued flash flash-info", "tag tag-stored", "media-status media-status-",  # classes
    ".marking-video video", "small save-error",  # marking.js: a CSS selector and class names
}
JS_BILINGUAL_FALLBACK = "sw.js"  # the last-resort offline page names itself in both languages (no page to ask)


def js_offences(files=None) -> list[str]:
    """files: (name, source) pairs; the shipped static/js/*.js when None."""
    if files is None:
        files = [(p.name, p.read_text(encoding="utf-8")) for p in sorted((ROOT / "static" / "js").glob("*.js"))]
    offences = []
    for name, source in files:
        source = re.sub(r"/\*.*?\*/", "", source, flags=re.S)
        source = re.sub(r"(?m)^\s*//.*$", "", source)
        for match in re.finditer(r'"((?:[^"\\\n]|\\.)*)"|\'((?:[^\'\\\n]|\\.)*)\'', source):
            text = match.group(1) or match.group(2) or ""
            if not re.search(r"[^\W\d_]{2,} [^\W\d_]{2,}", text) or text in JS_LITERAL_ALLOWED:
                continue
            if name == JS_BILINGUAL_FALLBACK and ("offline" in text.lower() or "koneksi" in text
                                                       or "connection" in text):
                continue
            offences.append(f"static/js/{name}: {text[:70]!r}")
    return offences


def test_javascript_takes_its_messages_from_the_page():
    offences = js_offences()
    assert not offences, "text hard-coded in static/js (pass it as data-msg-* from a template):\n" + "\n".join(offences)


def _catalog():
    with PO.open("rb") as handle:
        return read_po(handle)


def _extracted_msgids() -> set:
    # The same mapping as the documented `pybabel extract -F babel.cfg -k _l`.
    from babel.messages.extract import DEFAULT_KEYWORDS
    from babel.messages.frontend import parse_mapping_cfg

    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = {**DEFAULT_KEYWORDS, "_l": None}
    ids = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords):
        ids.add(message if isinstance(message, str) else tuple(message))
    return ids


def test_every_extracted_string_has_an_english_translation():
    catalog = _catalog()
    missing = []
    for msgid in sorted(_extracted_msgids(), key=str):
        key = msgid[0] if isinstance(msgid, tuple) else msgid
        entry = catalog.get(key)
        strings = (entry.string if isinstance(entry.string, (list, tuple)) else [entry.string]) if entry else [""]
        if entry is None or entry.fuzzy or not all(strings):
            missing.append(key)
    assert not missing, (f"{len(missing)} strings without English (run the commands in "
                         "docs/development.md, 'Terjemahan'):\n" + "\n".join(missing[:40]))


PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|\{(\w+)\}")


def _placeholders(text: str) -> list:
    return sorted(m.group(0) for m in PLACEHOLDER.finditer(text))


def test_placeholders_are_identical_in_msgid_and_msgstr():
    wrong = []
    for message in _catalog():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
        for text in strings:
            if not text:
                continue
            # Plural forms may drop a count the singular spells out ("1 file" vs "%(num)d files").
            expected = [set(_placeholders(i)) for i in ids]
            if set(_placeholders(text)) not in expected and not (
                    len(ids) > 1 and set(_placeholders(text)) <= set(_placeholders(ids[-1]))):
                wrong.append(f"{message.id!r} -> {text!r}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


def test_catalog_has_no_fuzzy_or_obsolete_entries_and_compiles():
    catalog = _catalog()
    assert not [m.id for m in catalog if m.id and m.fuzzy]
    assert not catalog.obsolete, f"obsolete entries (run pybabel update): {list(catalog.obsolete)[:5]}"
    from babel.messages.mofile import write_mo

    write_mo(io.BytesIO(), catalog)


@pytest.mark.parametrize("text,placeholders", [("%(n)d soal dari %(t)s", ["%(n)d", "%(t)s"]),
                                               ("Menyimpan {done} dari {total}", ["{done}", "{total}"])])
def test_placeholder_pattern(text, placeholders):
    assert _placeholders(text) == sorted(placeholders)
