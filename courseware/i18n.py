"""Interface language: Indonesian (the unit's own language, the default) or English.

Which language a request gets (docs/development.md, "Terjemahan"):
  1. the signed-in user's saved choice (users.language, set on the account page),
  2. else the `lang` cookie (the switch on the login page; also set when a user saves a choice),
  3. else the browser's Accept-Language, best match among id/en,
  4. else Indonesian (BABEL_DEFAULT_LOCALE).

Only the interface is translated: lessons, bank items and LIK sheets stay in Indonesian, and the
English interface says so once near the content (templates/_content_language.html).

The catalog lives in courseware/translations/<lang>/LC_MESSAGES/messages.po; the compiled .mo is
not in git. `compile_catalogs()` builds it (run.py install, `flask init`, the test conftest).
"""
import os
from pathlib import Path

from flask import current_app, g, has_request_context, request

SUPPORTED = ("id", "en")
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
TRANSLATIONS = Path(__file__).resolve().parent / "translations"
# Each language named in itself: the switch must be readable by someone who cannot read the other.
LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}


def normalise(value) -> str | None:
    value = (value or "").strip().lower()
    return value if value in SUPPORTED else None


def _saved_choice() -> str | None:
    # Loading the user may itself translate something; do not recurse into the loader.
    if g.get("_i18n_loading_user"):
        return None
    g._i18n_loading_user = True
    try:
        from flask_login import current_user

        if current_user and current_user.is_authenticated:
            return normalise(getattr(current_user, "language", None))
    finally:
        g._i18n_loading_user = False
    return None


def select_locale() -> str:
    default = current_app.config.get("BABEL_DEFAULT_LOCALE") or "id"
    if not has_request_context():
        return default
    return (_saved_choice() or normalise(request.cookies.get(COOKIE))
            or request.accept_languages.best_match(SUPPORTED) or default)


def current_language() -> str:
    from flask_babel import get_locale

    locale = get_locale()
    return locale.language if locale is not None and locale.language in SUPPORTED else "id"


def set_language_cookie(response, language: str) -> None:
    response.set_cookie(COOKIE, language, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True,
                        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))


def catalogs() -> list[Path]:
    return sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))


def compile_catalogs(force: bool = False) -> list[Path]:
    """Compile every messages.po whose .mo is missing or older; returns the .mo files written.

    A missing translation falls back to the Indonesian original at run time; the tests
    (tests/test_i18n_lint.py) are what refuse an incomplete catalog.
    """
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in catalogs():
        mo = po.with_suffix(".mo")
        if not force and mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as handle:
            catalog = read_po(handle)
        tmp = mo.with_name(f"{mo.stem}.{os.getpid()}.tmp.mo")  # per process; still matched by *.mo in .gitignore
        with tmp.open("wb") as handle:
            write_mo(handle, catalog)
        tmp.replace(mo)  # atomic: a server reading the catalog never sees half a file
        written.append(mo)
    return written


def register(app) -> None:
    @app.context_processor
    def _language():
        return {"interface_language": current_language(), "language_names": LANGUAGE_NAMES}


def request_translations():
    """The request's catalog, looked up once per request. flask_babel looks it up again on every
    call (context, locale, a cache keyed by str(locale)); a page calls gettext 30-60 times, and that
    lookup was a tenth of the lesson page's time (bench/lesson_page.py). The locale is fixed for a
    request once chosen (flask_babel caches it too), so the catalog is as well; only flask_babel's
    force_locale() changes it mid-request, and no template is rendered inside one."""
    from flask_babel import get_translations

    if not has_request_context():
        return get_translations()
    # On the request itself, not on g: g belongs to the app context, which several requests may share.
    translations = request.environ.get("courseware.translations")
    if translations is None:
        translations = request.environ["courseware.translations"] = get_translations()
    return translations


def install_template_gettext(app) -> None:
    """The templates' _(), ngettext() and pgettext() through request_translations(); otherwise
    what flask_babel installs (newstyle: Jinja escapes and formats the placeholders)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
    )
