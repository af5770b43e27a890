from flask import Blueprint, current_app, render_template
from flask_login import login_required, current_user

from ..navigation import panels_for

bp = Blueprint("dashboard", __name__)


@login_required
def home():
    panels = [(panel, panel.context(current_user) if panel.context else {})
              for panel in panels_for(current_app, current_user)]
    return render_template("dashboard/home.html", panels=panels)


# --- URL table: every route of this blueprint, in one place ----------------------------------

bp.add_url_rule("/", view_func=home)
