from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import Length, Optional

from .service import MAX_TRANSCRIPT_CHARS


def _partner_id(value):
    """Coerce the partner choice; the service decides whether the person may be chosen."""
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return -1


class VersionForm(FlaskForm):
    # validate_choice=False: a stale or forged id reaches the service, which explains the refusal.
    partner = SelectField(_l("Pasangan (teman sekelas)"), coerce=_partner_id, validate_choice=False)
    transcript = TextAreaField(
        _l("Transkrip atau kerangka dialog (boleh dikosongkan)"),
        validators=[Optional(), Length(max=MAX_TRANSCRIPT_CHARS,
                                       message=_l("Transkrip maksimal 20.000 karakter."))],
        render_kw={"rows": 8, "maxlength": MAX_TRANSCRIPT_CHARS})
