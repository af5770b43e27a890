"""Every data table on a page becomes a stack of cards on a phone (CSS `table.cards`, below 600 px).

A card needs each cell's column name, so this labels the cells once, after the page is rendered:
every `<td>` of a table with a `<thead>` gets `data-label="<its column header>"`, and the table gets
the class `cards`. One place for all templates and for the tables inside lesson Markdown. Tables
without a header row (label/value tables) fit a phone already and are left alone, as is any table
marked `no-cards` or with a header cell spanning columns.
"""
import html
import re

TABLE_RE = re.compile(r"<table\b([^>]*)>(.*?)</table>", re.S)
THEAD_RE = re.compile(r"<thead\b[^>]*>(.*?)</thead>", re.S)
TBODY_RE = re.compile(r"(<tbody\b[^>]*>)(.*?)(</tbody>)", re.S)
HEADER_CELL_RE = re.compile(r"<th\b([^>]*)>(.*?)</th>", re.S)
ROW_RE = re.compile(r"(<tr\b[^>]*>)(.*?)(</tr>)", re.S)
CELL_OPEN_RE = re.compile(r"<(td|th)\b([^>]*)>")
TAG_RE = re.compile(r"<[^>]+>")
CARDS_CLASS_RE = re.compile(r'class="(?:[^"]*\s)?cards(?:\s[^"]*)?"')


def _labels(thead: str) -> list[str] | None:
    cells = HEADER_CELL_RE.findall(thead)
    if not cells or any("colspan" in attrs for attrs, _ in cells):
        return None
    return [" ".join(html.unescape(TAG_RE.sub(" ", text)).split()) for _, text in cells]


def _label_row(row: str, labels: list[str]) -> str:
    index = 0

    def add(match):
        nonlocal index
        kind, attrs = match.group(1), match.group(2)
        label = labels[index] if index < len(labels) else ""
        index += 1
        if "colspan" in attrs:
            index = len(labels)  # a spanning cell: the remaining cells have no single column
            return match.group(0)
        if kind != "td" or not label or "data-label" in attrs:
            return match.group(0)
        return f'<td{attrs} data-label="{html.escape(label, quote=True)}">'

    return CELL_OPEN_RE.sub(add, row)


def _table(match) -> str:
    attrs, inner = match.group(1), match.group(2)
    if "no-cards" in attrs or CARDS_CLASS_RE.search(attrs):   # opted out, or labelled already
        return match.group(0)
    head = THEAD_RE.search(inner)
    labels = _labels(head.group(1)) if head else None
    if not labels:
        return match.group(0)
    inner = TBODY_RE.sub(lambda body: body.group(1) + ROW_RE.sub(
        lambda row: row.group(1) + _label_row(row.group(2), labels) + row.group(3), body.group(2)) + body.group(3),
        inner)
    class_match = re.search(r'class="([^"]*)"', attrs)
    if class_match is None:
        attrs += ' class="cards"'
    elif "cards" not in class_match.group(1).split():
        attrs = attrs.replace(class_match.group(0), f'class="{class_match.group(1)} cards"', 1)
    return f"<table{attrs}>{inner}</table>"


def label_tables(page: str) -> str:
    return TABLE_RE.sub(_table, page) if "<table" in page else page


def register(app) -> None:
    @app.after_request
    def _cards(response):
        if (response.mimetype == "text/html" and not response.direct_passthrough and not response.is_streamed
                and response.status_code == 200):
            body = response.get_data(as_text=True)
            if "<table" in body:
                response.set_data(label_tables(body))
        return response
