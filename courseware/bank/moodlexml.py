"""Moodle XML: export of the bank and reading of a Moodle question bank.

Export follows question/format/xml/format.php's layout: one <question type="category"> per KUK,
then its items as <question type="multichoice"> with single=true, shuffleanswers=true, answers at
fraction 100 (the key) or 0, per-answer feedback and the explanation as generalfeedback. Texts are
plain, so format="plain_text" everywhere; characters XML 1.0 forbids are replaced first.

Reading uses defusedxml with DTDs refused outright: no DOCTYPE, so no entity expansion
("billion laughs") and no external entity (XXE) can ever be resolved. Every question comes back
as a gift.GiftQuestion so one set of rules (service) judges GIFT and XML alike.
"""
import xml.etree.ElementTree as ET  # nosec B405 - builds and serialises only; parsing goes through defusedxml

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser

from .gift import GiftAnswer, GiftQuestion, html_to_text, media_label, to_plain
from .textclean import xml_safe

PLAIN = "plain_text"


def _text(parent, tag: str, value: str, fmt: str | None = PLAIN) -> ET.Element:
    element = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    ET.SubElement(element, "text").text = xml_safe(value)
    return element


def build(groups: list[tuple[str, str, list]]) -> bytes:
    """groups: [(category path, category info, [question rows])] -> the XML document as UTF-8."""
    quiz = ET.Element("quiz")
    for path, info, questions in groups:
        category = ET.SubElement(quiz, "question", {"type": "category"})
        cat = ET.SubElement(category, "category")
        ET.SubElement(cat, "text").text = xml_safe(path)
        _text(category, "info", info, "moodle_auto_format")
        ET.SubElement(category, "idnumber").text = ""
        for q in questions:
            item = ET.SubElement(quiz, "question", {"type": "multichoice"})
            name = ET.SubElement(item, "name")
            ET.SubElement(name, "text").text = xml_safe(q.uid)
            _text(item, "questiontext", q.stem)
            _text(item, "generalfeedback", q.explanation)
            ET.SubElement(item, "defaultgrade").text = "1.0000000"
            ET.SubElement(item, "penalty").text = "0.3333333"
            ET.SubElement(item, "hidden").text = "0"
            ET.SubElement(item, "idnumber").text = xml_safe(q.uid)
            ET.SubElement(item, "single").text = "true"
            ET.SubElement(item, "shuffleanswers").text = "true"
            ET.SubElement(item, "answernumbering").text = "ABCD"
            ET.SubElement(item, "showstandardinstruction").text = "0"
            _text(item, "correctfeedback", "Jawaban Anda benar.")
            _text(item, "partiallycorrectfeedback", "Jawaban Anda sebagian benar.")
            _text(item, "incorrectfeedback", "Jawaban Anda salah.")
            ET.SubElement(item, "shownumcorrect")
            for option in q.options:
                answer = ET.SubElement(item, "answer", {"fraction": "100" if option.is_key else "0",
                                                         "format": PLAIN})
                ET.SubElement(answer, "text").text = xml_safe(option.text)
                _text(answer, "feedback", option.feedback)
    ET.indent(quiz, space="  ")
    return ET.tostring(quiz, encoding="UTF-8", xml_declaration=True) + b"\n"


# --- reading --------------------------------------------------------------------------------

class NotMoodleXml(Exception):
    """The file cannot be read as Moodle XML; `kind` says why (service turns it into a message)."""

    def __init__(self, kind: str, detail=""):
        super().__init__(kind)
        self.kind, self.detail = kind, detail


# Moodle's text formats -> gift.to_plain's names
_FORMATS = {"html": "html", "moodle_auto_format": "moodle", "plain_text": "plain", "markdown": "markdown"}
# Moodle XML type names -> the qtype names the GIFT reader uses (so one refusal table serves both)
_TYPES = {"matching": "match"}


def looks_like_xml(raw: bytes) -> bool:
    """True when the content (not the file name) is XML: it opens with an XML declaration, a
    <!DOCTYPE>/comment or <quiz>, or with any tag when the file has no GIFT answer block "{" at all
    (a GIFT question may itself open with HTML such as <b>...</b>{=...})."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = raw.decode("utf-16", "ignore")
    else:
        text = raw.decode("utf-8", "ignore")
    head = text[:1000].lstrip("\ufeff \t\r\n")
    if head.startswith(("<?xml", "<!", "<quiz")):
        return True
    return head.startswith("<") and "{" not in text


class _LineParser(DefusedXMLParser):
    """Notes the source line of every <question> so the report can point at it."""

    def _start(self, tag, attr_list):
        if tag == "question":
            attr_list = list(attr_list) + ["_line", str(self.parser.CurrentLineNumber)]
        return super()._start(tag, attr_list)


def _parse_tree(raw: bytes) -> ET.Element:
    parser = _LineParser(forbid_dtd=True, forbid_entities=True, forbid_external=True)
    try:
        parser.feed(raw)
        return parser.close()
    except DTDForbidden:
        raise NotMoodleXml("doctype")
    except EntitiesForbidden:
        raise NotMoodleXml("entity")
    except ExternalReferenceForbidden:
        raise NotMoodleXml("external")
    except ET.ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise NotMoodleXml("broken", (line, column + 1))


def _rich_text(element, dropped: list) -> str:
    """Plain text of an element holding <text> (and maybe <file>s), in its format attribute."""
    if element is None:
        return ""
    fmt = _FORMATS.get(element.get("format", "html"), "html")
    text = to_plain(element.findtext("text") or "", fmt, dropped)
    _attachments(element, dropped)
    return text


def _attachments(element, dropped: list) -> None:
    """Embedded <file>s the text did not already name (an image's file is named by its <img>)."""
    for attached in element.findall("file"):
        name = attached.get("name") or ""
        if not any(d.endswith(" " + name) for d in dropped):
            dropped.append(media_label("berkas", name))


def _fraction(value: str | None) -> float:
    try:
        return float(value or 0) / 100
    except ValueError:
        return -1.0     # unreadable grade: reported as a partial grade


def _question(element, category: str | None) -> GiftQuestion:
    q = GiftQuestion(line=int(element.get("_line") or 0), category=category)
    qtype = element.get("type") or ""
    q.qtype = _TYPES.get(qtype, qtype)
    q.name = " ".join(html_to_text(element.findtext("name/text") or "").split())[:255]
    q.explicit_name = bool(q.name)
    q.text = _rich_text(element.find("questiontext"), q.dropped)
    q.general_feedback = _rich_text(element.find("generalfeedback"), q.dropped)
    if not q.name:
        q.name = " ".join(q.text.split())[:80]
    if q.qtype == "multichoice":
        q.single = (element.findtext("single") or "true").strip().lower() in ("true", "1")
        for answer in element.findall("answer"):
            fmt = _FORMATS.get(answer.get("format", "html"), "html")
            text = to_plain(answer.findtext("text") or "", fmt, q.dropped)
            _attachments(answer, q.dropped)
            q.answers.append(GiftAnswer(text, _fraction(answer.get("fraction")),
                                        _rich_text(answer.find("feedback"), q.dropped)))
    return q


def parse(raw: bytes) -> tuple[list[GiftQuestion], list[str]]:
    """(questions in file order, category paths) of a Moodle XML file; raises NotMoodleXml."""
    root = _parse_tree(raw)
    if root.tag != "quiz":
        raise NotMoodleXml("root", root.tag)
    questions, categories, category = [], [], None
    for element in root.findall("question"):
        if element.get("type") == "category":
            category = (element.findtext("category/text") or "").strip()
            categories.append(category)
            continue
        questions.append(_question(element, category))
    return questions, categories
