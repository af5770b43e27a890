"""What every template can use: the menu, role labels, the unit's identity."""
from flask import current_app
from flask_login import current_user

from . import UNIT_CODE, UNIT_TITLE
from .accounts.service import role_labels
from .navigation import nav_for


def register_template_helpers(app):
    from .formats import register as register_formats
    from .results.status import test_label, test_tag_class

    register_formats(app)
    app.jinja_env.globals.update(test_status_label=test_label, test_status_class=test_tag_class)

    @app.context_processor
    def _globals():
        nav = nav_for(current_app, current_user) if current_user.is_authenticated else []
        return {
            "nav_items": nav,
            "role_labels": role_labels(),
            "unit_code": UNIT_CODE,
            "unit_title": UNIT_TITLE,
            "school_name": current_app.config["SCHOOL_NAME"],
        }
