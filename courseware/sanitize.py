"""The one place that turns untrusted Markdown/HTML into HTML a page may show.

Two entry points, each with its own allow-list:

- `clean_lesson_html(html)`: HTML produced from the shipped lesson Markdown (headings with
  anchors, tables, admonitions, footnotes, details/summary for self-check answers).
- `render_user_markdown(text)`: text written by trainees and assessors (comments, notes):
  paragraphs, lists, emphasis, code and links that get rel="nofollow noopener".

Both Markdown pipelines escape raw HTML instead of passing it through (the Markdown
processors for HTML blocks and inline HTML are removed), and the sanitiser then drops any
tag, attribute or URL scheme that is not on the allow-list. bleach is in maintenance: every
bleach call lives in this file, so moving to nh3 (same allow-list model) changes only here.
"""
import re
import threading

import bleach
import markdown
from bleach.linkifier import LinkifyFilter

# --- lesson HTML ------------------------------------------------------------------------

LESSON_TAGS = frozenset({
    "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "ul", "ol", "li", "dl", "dt", "dd",
    "table", "thead", "tbody", "tr", "th", "td", "caption",
    "a", "em", "strong", "code", "pre", "blockquote", "sup", "sub", "div", "span",
    "details", "summary",
})
SAFE_PROTOCOLS = frozenset({"http", "https", "mailto"})
ADMONITION_KINDS = frozenset({"note", "tip", "warning", "example", "info", "important", "danger", "caution"})
# class values each tag may carry; anything else is removed
LESSON_CLASSES = {
    "div": frozenset({"admonition", "footnote", "table-scroll", "self-check"}) | ADMONITION_KINDS,
    "p": frozenset({"admonition-title"}),
    "a": frozenset({"headerlink", "footnote-ref", "footnote-backref", "glossary-link"}),
    "ol": frozenset(),
    "details": frozenset({"answer"}),
}
ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_:.-]{0,120}$")
ALIGN_VALUES = frozenset({"left", "right", "center"})


def _lesson_attribute(tag: str, name: str, value: str) -> bool:
    if name == "id":
        return tag in {"h2", "h3", "h4", "h5", "h6", "li", "sup", "div"} and bool(ID_RE.match(value))
    if name == "class":
        allowed = LESSON_CLASSES.get(tag, frozenset())
        return bool(value.split()) and all(c in allowed for c in value.split())
    if tag == "a":
        # the URL itself is checked by bleach against SAFE_PROTOCOLS (relative and #fragment pass)
        return name in {"href", "title"}
    if tag in {"th", "td"} and name == "align":
        return value in ALIGN_VALUES
    if tag in {"th", "td"} and name in {"colspan", "rowspan"}:
        return value.isdigit() and 0 < int(value) < 20
    if tag == "ol" and name == "start":
        return value.isdigit()
    if tag in {"abbr", "th", "td"} and name == "title":
        return True
    return False


# bleach.Cleaner and markdown.Markdown are not thread-safe: one of each per thread.
_local = threading.local()


def _lesson_cleaner() -> bleach.Cleaner:
    if not hasattr(_local, "lesson_cleaner"):
        _local.lesson_cleaner = _new_lesson_cleaner()
    return _local.lesson_cleaner


def _new_lesson_cleaner() -> bleach.Cleaner:
    return bleach.Cleaner(
        tags=LESSON_TAGS,
        attributes=_lesson_attribute,
        protocols=SAFE_PROTOCOLS,
        strip=True,
        strip_comments=True,
    )


# Content of these elements is never text a reader should see, even when the tag is dropped.
_DROP_WITH_CONTENT = re.compile(r"<(script|style|iframe|object|embed|template|noscript)\b.*?</\1\s*>",
                                re.IGNORECASE | re.DOTALL)


def clean_lesson_html(html: str) -> str:
    """Sanitise lesson HTML with the lesson allow-list (links: http/https/mailto/relative/#)."""
    return _lesson_cleaner().clean(_DROP_WITH_CONTENT.sub("", html or ""))


# --- trainee/assessor Markdown ------------------------------------------------------------

USER_TAGS = frozenset({"p", "br", "ul", "ol", "li", "em", "strong", "code", "pre", "a"})
USER_ATTRIBUTES = {"a": ["href", "rel"]}


def _rel_nofollow_noopener(attrs, new=False):
    href_key = (None, "href")
    if href_key not in attrs:
        return attrs
    attrs[(None, "rel")] = "nofollow noopener"
    return attrs


def _user_cleaner() -> bleach.Cleaner:
    if not hasattr(_local, "user_cleaner"):
        _local.user_cleaner = bleach.Cleaner(
            tags=USER_TAGS,
            attributes=USER_ATTRIBUTES,
            protocols=SAFE_PROTOCOLS,
            strip=True,
            strip_comments=True,
            filters=[lambda source: LinkifyFilter(source, callbacks=[_rel_nofollow_noopener],
                                                  skip_tags={"pre", "code"}, parse_email=False)],
        )
    return _local.user_cleaner


def escaping_markdown(extensions=(), extension_configs=None) -> markdown.Markdown:
    """A Markdown converter that escapes raw HTML instead of passing it through."""
    md = markdown.Markdown(extensions=list(extensions), extension_configs=extension_configs or {},
                           output_format="html")
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return md


def _user_markdown() -> markdown.Markdown:
    if not hasattr(_local, "user_markdown"):
        _local.user_markdown = escaping_markdown(["sane_lists", "nl2br", "fenced_code"])
    return _local.user_markdown


def render_user_markdown(text: str) -> str:
    """Markdown written by a trainee or assessor -> safe HTML (tight allow-list, nofollow links)."""
    md = _user_markdown()
    md.reset()
    html = md.convert((text or "")[:20000])
    return _user_cleaner().clean(_DROP_WITH_CONTENT.sub("", html))
