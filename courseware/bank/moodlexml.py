"""Moodle XML export of the bank (question/format/xml/format.php's layout).

One <question type="category"> per KUK, then its items as <question type="multichoice"> with
single=true, shuffleanswers=true, answers at fraction 100 (the key) or 0, per-answer feedback
and the explanation as generalfeedback. Texts are plain, so format="plain_text" everywhere.
"""
import xml.etree.ElementTree as ET  # nosec B405 - only builds and serialises XML; nothing is parsed here

PLAIN = "plain_text"


def _text(parent, tag: str, value: str, fmt: str | None = PLAIN) -> ET.Element:
    element = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    ET.SubElement(element, "text").text = value or ""
    return element


def build(groups: list[tuple[str, str, list]]) -> bytes:
    """groups: [(category path, category info, [question rows])] -> the XML document as UTF-8."""
    quiz = ET.Element("quiz")
    for path, info, questions in groups:
        category = ET.SubElement(quiz, "question", {"type": "category"})
        cat = ET.SubElement(category, "category")
        ET.SubElement(cat, "text").text = path
        _text(category, "info", info, "moodle_auto_format")
        ET.SubElement(category, "idnumber").text = ""
        for q in questions:
            item = ET.SubElement(quiz, "question", {"type": "multichoice"})
            name = ET.SubElement(item, "name")
            ET.SubElement(name, "text").text = q.uid
            _text(item, "questiontext", q.stem)
            _text(item, "generalfeedback", q.explanation)
            ET.SubElement(item, "defaultgrade").text = "1.0000000"
            ET.SubElement(item, "penalty").text = "0.3333333"
            ET.SubElement(item, "hidden").text = "0"
            ET.SubElement(item, "idnumber").text = q.uid
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
                ET.SubElement(answer, "text").text = option.text
                _text(answer, "feedback", option.feedback)
    ET.indent(quiz, space="  ")
    return ET.tostring(quiz, encoding="UTF-8", xml_declaration=True) + b"\n"
