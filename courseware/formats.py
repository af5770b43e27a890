"""Indonesian formats in one place: local times with their zone label (WIB, WITA, WIT), decimal
commas, and CSV that Excel set to Indonesian opens by double-click (UTF-8 BOM, `;`, decimal commas).

Times are stored as naive UTC. Every page, record, PDF and export shows them through
`local_datetime` (the Jinja filter `datetimeformat`, which replaces Flask-Babel's so that
every template shows the zone label), so "UTC" never reaches a reader.
"""
import csv
import io
from datetime import date, datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_datetime as babel_datetime
from flask import current_app, has_app_context, has_request_context

# Indonesia's three zones; a school elsewhere (TIMEZONE set to another zone) gets that zone's abbreviation.
ZONE_LABELS = {
    "Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA", "Asia/Ujung_Pandang": "WITA",
    "Asia/Jayapura": "WIT",
}
DEFAULT_TIMEZONE = "Asia/Jakarta"
LOCALE = "id"


def _locale() -> str:
    """Month names follow the interface language (English: '3 Dec 2026'); numbers keep the decimal comma."""
    if has_request_context():
        from .i18n import current_language

        return current_language()
    return LOCALE


def timezone_name() -> str:
    if has_app_context():
        return current_app.config.get("BABEL_DEFAULT_TIMEZONE") or DEFAULT_TIMEZONE
    return DEFAULT_TIMEZONE


def zone_label(name: str | None = None) -> str:
    name = name or timezone_name()
    if name in ZONE_LABELS:
        return ZONE_LABELS[name]
    abbreviation = datetime.now(ZoneInfo(name)).strftime("%Z")
    return abbreviation if abbreviation and not abbreviation.startswith(("+", "-")) else name


def to_local(value: datetime) -> datetime:
    """A stored naive-UTC (or aware) datetime in the school's time zone."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(ZoneInfo(timezone_name()))


def local_datetime(value, pattern: str = "d MMM yyyy, HH.mm") -> str:
    """'3 Des 2026, 09.15 WIB'. Pattern in Babel (CLDR) notation."""
    if value is None:
        return "–"
    if isinstance(value, date) and not isinstance(value, datetime):
        return local_date(value, pattern)
    return f"{babel_datetime(to_local(value), pattern, locale=_locale())} {zone_label()}"


def local_date(value, pattern: str = "dd-MM-yyyy") -> str:
    """The calendar day in the school's time zone (a datetime near midnight UTC is the next day in WIB)."""
    if value is None:
        return "–"
    if isinstance(value, datetime):
        value = to_local(value)
    return babel_datetime(datetime(value.year, value.month, value.day), pattern, locale=_locale())


def local_today() -> date:
    return to_local(datetime.now(timezone.utc)).date()


def decimal_comma(value, digits: int | None = None) -> str:
    """33.333 -> '33,3' (digits=1); a whole number stays whole ('75'). None -> '–'."""
    if value is None or value == "":
        return "–"
    if isinstance(value, (int,)) and not isinstance(value, bool):
        return str(value)
    number = float(value)
    if digits is not None:
        number = round(number, digits)
        text = f"{number:.{digits}f}"
    else:
        text = repr(number)
    if "." in text:
        text = text.rstrip("0").rstrip(".") if digits is None else text
    return text.replace(".", ",")


def finalize(value):
    """Jinja's output hook: a float printed in a template gets a decimal comma ({{ x|round(1) }})."""
    if isinstance(value, (float, Decimal)):
        return decimal_comma(value)
    return value


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """A text cell a spreadsheet would run as a formula (CSV/XLSX injection) gets a leading apostrophe;
    every CSV and XLSX export passes its cells through this."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _cell(value):
    if isinstance(value, (float, Decimal)):
        return decimal_comma(round(float(value), 2))
    if isinstance(value, datetime):
        return local_datetime(value, "dd-MM-yyyy HH.mm")
    if value is None:
        return ""
    return spreadsheet_safe(value)


def csv_text(header: list, rows) -> str:
    """CSV for Excel set to Indonesian: BOM (UTF-8 names), `;` between cells, decimal commas."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([_cell(h) for h in header])
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def _decimal_comma_gettext(original):
    """Wrap Jinja's i18n gettext so that a float passed as a placeholder ({{ _("nilai %(s)s", s=x) }})
    prints with a decimal comma too; the output hook alone never sees those."""
    from jinja2 import pass_context

    @pass_context
    def gettext(__context, __string, **variables):
        return original(__context, __string, **{k: finalize(v) for k, v in variables.items()})

    return gettext


def register(app) -> None:
    app.jinja_env.finalize = finalize
    gettext = app.jinja_env.globals.get("gettext")
    if gettext is not None and getattr(gettext, "jinja_pass_arg", None) is not None:
        app.jinja_env.globals["gettext"] = app.jinja_env.globals["_"] = _decimal_comma_gettext(gettext)
    app.add_template_filter(local_datetime, "datetimeformat")
    app.add_template_filter(local_date, "dateformat")
    app.add_template_filter(decimal_comma, "angka")
    app.add_template_global(zone_label, "zone_label")
