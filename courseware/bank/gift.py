"""Moodle GIFT: reading (every question type recognised, only single-answer multiple choice
kept) and writing the bank. Pure text handling, no database.

Follows Moodle's question/format/gift/format.php: questions are separated by blank lines;
each line is trimmed; lines starting with // are comments; escapes \\: \\# \\= \\{ \\} \\~ \\n and
\\\\; ::name::; an optional [moodle]/[html]/[plain]/[markdown] prefix on every text (answers and
feedback default to the question text's format); per-answer feedback after #, general
feedback after ####; $CATEGORY: lines.
"""
import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import markdown as markdown_lib

from .textclean import describe_forbidden, xml_safe

# Private-use placeholders for escaped control characters while parsing.
_ESCAPES = {":": "\ue001", "#": "\ue002", "=": "\ue003", "{": "\ue004", "}": "\ue005", "~": "\ue006",
            "n": "\ue007"}
_BACKSLASH = "\ue000"
_RESTORE = {v: ("\n" if k == "n" else k) for k, v in _ESCAPES.items()}
_RESTORE[_BACKSLASH] = "\\"
_WEIGHT_RE = re.compile(r"^%(-*)([0-9]{1,2})\.?([0-9]*)%")
FORMATS = ("moodle", "html", "plain", "markdown")


def escape_pre(text: str) -> str:
    text = text.replace("\\\\", _BACKSLASH)
    for char, placeholder in _ESCAPES.items():
        text = text.replace("\\" + char, placeholder)
    return text


def escape_post(text: str) -> str:
    for placeholder, char in _RESTORE.items():
        text = text.replace(placeholder, char)
    return text


_MEDIA = {"img": ("src", "gambar"), "audio": ("src", "audio"), "video": ("src", "video"),
          "source": ("src", "media"), "track": ("src", "media"), "object": ("data", "media"),
          "embed": ("src", "media"), "iframe": ("src", "bingkai"), "a": ("href", "tautan")}


def media_label(kind: str, ref: str) -> str:
    """'gambar logo.jpg': what was dropped, named as a teacher would look for it."""
    ref = (ref or "").strip().replace("@@PLUGINFILE@@/", "")
    if kind != "tautan" and "/" in ref.rstrip("/"):
        ref = ref.rstrip("/").rsplit("/", 1)[1]
    return f"{kind} {ref}".strip()


class _TextExtractor(HTMLParser):
    BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre"}
    SKIP = {"script", "style", "head", "title"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self._skip, self.media, self._player = [], 0, [], []

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skip += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")
        if tag in _MEDIA:
            attribute, kind = _MEDIA[tag]
            ref = dict(attrs).get(attribute) or ""
            if tag in ("source", "track") and self._player:
                kind = self._player[-1]
            if tag in ("audio", "video"):
                self._player.append(kind)
            if ref or tag in ("img", "object", "embed", "iframe"):
                label = media_label(kind, ref)
                if not (tag == "a" and ref.startswith("#")) and label not in self.media:
                    self.media.append(label)

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in self.BLOCK:
            self.parts.append("\n")
        if tag in ("audio", "video") and self._player:
            self._player.pop()

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_to_text(source: str, keep_newlines: bool = False, dropped: list | None = None) -> str:
    """Plain text of an HTML fragment: tags and scripts dropped, entities resolved.

    Images, audio, video, embeds and link targets are lost; each is appended to `dropped`.
    """
    parser = _TextExtractor()
    parser.feed(source if keep_newlines else source.replace("\n", " "))
    parser.close()
    if dropped is not None:
        dropped.extend(m for m in parser.media if m not in dropped)
    text = html.unescape("".join(parser.parts))
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def to_plain(text: str, fmt: str, dropped: list | None = None) -> str:
    if fmt == "plain":
        return text.strip()
    if fmt == "markdown":
        return html_to_text(markdown_lib.markdown(text), dropped=dropped)
    return html_to_text(text, keep_newlines=(fmt == "moodle"), dropped=dropped)


def parse_text_with_format(text: str, default: str = "moodle", dropped: list | None = None) -> tuple[str, str]:
    """(plain text, format) of a GIFT text that may start with [format]; lost media go to `dropped`."""
    text = text.strip()
    fmt = default
    if text.startswith("["):
        end = text.find("]")
        if end > 0 and text[1:end] in FORMATS:
            fmt, text = text[1:end], text[end + 1:]
    return to_plain(escape_post(text), fmt, dropped), fmt


@dataclass
class GiftAnswer:
    text: str
    fraction: float
    feedback: str = ""


@dataclass
class GiftQuestion:
    line: int                       # first line of the block in the file
    name: str = ""
    explicit_name: bool = False     # True when the file gave ::name::; else Moodle's default from the text
    qtype: str = ""                 # multichoice, truefalse, shortanswer, match, numerical, essay, description
    text: str = ""
    answers: list[GiftAnswer] = field(default_factory=list)
    general_feedback: str = ""
    category: str | None = None     # the $CATEGORY in force for this question
    missing_word: bool = False
    single: bool = True
    error: str | None = None        # "brace" (unbalanced) or "control:U+000B" (a character XML forbids)
    dropped: list[str] = field(default_factory=list)   # images, audio, links lost on the way to plain text


@dataclass
class GiftFile:
    questions: list[GiftQuestion]
    categories: list[str]


def _blocks(source: str):
    """Yield (first line number, [trimmed lines]) for every blank-line-separated block."""
    current, start = [], 0
    # split("\n"), not splitlines(): that also breaks at \x0b, \x0c, \x1c-\x1e, \x85 and U+2028,
    # which would hide a pasted control character and shift every line number after it.
    for number, raw in enumerate(source.split("\n"), start=1):
        line = raw.strip()
        if not line:
            if current:
                yield start, current
                current = []
            continue
        if not current:
            start = number
        current.append(line)
    if current:
        yield start, current


def parse_gift(source: str) -> GiftFile:
    questions, categories = [], []
    category = None
    for start, lines in _blocks(source.replace("\r\n", "\n").replace("\r", "\n")):
        lines = [" " if line.startswith("//") else line for line in lines]
        # A $CATEGORY line sets the category for what follows (Moodle wants it alone in its block;
        # we also accept a question right under it).
        while lines and (lines[0] == " " or lines[0].startswith("$CATEGORY:")):
            if lines[0] != " ":
                category = escape_post(escape_pre(lines[0][len("$CATEGORY:"):]).strip())
                categories.append(category)
            lines = lines[1:]
            start += 1
        text = "\n".join(lines).strip()
        if not text:
            continue
        question = _read_question(escape_pre(text), start)
        question.category = category
        # Turning text plain folds some of them into spaces, so look before that happens.
        if describe_forbidden(text):
            question.error = "control:" + describe_forbidden(text)
        questions.append(question)
    return GiftFile(questions, categories)


def _read_question(text: str, line: int) -> GiftQuestion:
    q = GiftQuestion(line=line)
    if text.startswith("::"):
        rest = text[2:]
        end = rest.find("::")
        if end >= 0:
            q.name = " ".join(escape_post(rest[:end]).split())[:255]
            q.explicit_name = bool(q.name)
            text = rest[end + 2:].strip()
        else:
            text = rest
    start, finish = text.find("{"), text.find("}")
    if start < 0 and finish < 0:
        q.qtype = "description"
        q.text, _fmt = parse_text_with_format(text)
        return q
    if start < 0 or finish < 0 or finish < start:
        q.error = "brace"
        q.text, _fmt = parse_text_with_format(text.replace("{", " ").replace("}", " "))
        return q
    answer_text = text[start + 1:finish].strip()
    q.missing_word = not text.endswith("}")
    question_text = text[:start] + ("_____" if q.missing_word else "") + text[finish + 1:]
    general = ""
    gf = answer_text.rfind("####")
    if gf >= 0:
        general = answer_text[gf + 4:]
        answer_text = answer_text[:gf].strip()
    q.text, fmt = parse_text_with_format(question_text, dropped=q.dropped)
    q.general_feedback, _fmt = parse_text_with_format(general, fmt, q.dropped)
    if not q.name:
        q.name = " ".join(q.text.split())[:80]

    if answer_text == "":
        q.qtype = "essay"
    elif answer_text.startswith("#"):
        q.qtype = "numerical"
    elif "~" in answer_text:
        q.qtype = "multichoice"
    elif "=" in answer_text and "->" in answer_text:
        q.qtype = "match"
    else:
        check = answer_text.split("#", 1)[0].strip() if answer_text.find("#") > 0 else answer_text
        q.qtype = "truefalse" if check in ("T", "TRUE", "F", "FALSE") else "shortanswer"

    if q.qtype == "multichoice":
        q.single = "=" in answer_text
        parts = answer_text.replace("=", "~=").split("~")
        if parts and not parts[0].strip():
            parts = parts[1:]
        for part in parts:
            part = part.strip()
            if part.startswith("="):
                fraction, part = 1.0, part[1:]
                weight = _WEIGHT_RE.match(part.strip())
                if weight:   # "=%100%text": the weight is redundant; keep what it says
                    fraction, part = _weight(weight), part.strip()[weight.end():]
            else:
                weight = _WEIGHT_RE.match(part)
                fraction = _weight(weight) if weight else 0.0
                if weight:
                    part = part[weight.end():]
            answer, _sep, feedback = part.partition("#")
            answer_plain, _f = parse_text_with_format(answer, fmt, q.dropped)
            feedback_plain, _f = parse_text_with_format(feedback, fmt, q.dropped)
            q.answers.append(GiftAnswer(answer_plain, fraction, feedback_plain))
    return q


def _weight(match) -> float:
    """Like Moodle's answerweightparser: the number between the two % signs, divided by 100."""
    try:
        return float(match.group(0).strip("%")) / 100
    except ValueError:
        return 0.0


# --- writing ----------------------------------------------------------------------------

def escape(text: str) -> str:
    """Moodle's repchar: escape the control characters, newlines as \\n."""
    out = (text or "").replace("\\", "\\\\")
    for char in "#=~{}:":
        out = out.replace(char, "\\" + char)
    return out.replace("\r", "").replace("\n", "\\n")


def _inner_text(text: str) -> str:
    """Answers and feedback inherit [plain]. A leading '[' would read as a format prefix and a
    leading '%' as a grade weight (Moodle tests /^%-*[0-9]{1,2}.?[0-9]*%/ before it reads any
    format), so such a text gets an explicit [plain] in front: Moodle then sees no weight."""
    escaped = escape(text)
    return "[plain]" + escaped if escaped.startswith(("[", "%")) else escaped


def write_question(name: str, stem: str, options: list[tuple[str, bool, str]], explanation: str) -> str:
    name, stem, explanation = xml_safe(name), xml_safe(stem), xml_safe(explanation)
    options = [(xml_safe(text), is_key, xml_safe(feedback)) for text, is_key, feedback in options]
    lines = [f"::{escape(name)}::[plain]{escape(stem)}{{"]
    for text, is_key, feedback in options:
        line = "\t" + ("=" if is_key else "~") + _inner_text(text)
        if feedback:
            line += "#" + _inner_text(feedback)
        lines.append(line)
    if explanation:
        lines.append("\t####" + _inner_text(explanation))
    lines.append("}")
    return "\n".join(lines) + "\n"


def write_category(path: str) -> str:
    return f"$CATEGORY: {xml_safe(path)}\n"
