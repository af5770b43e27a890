"""Confirmation for destructive or irreversible actions, without JavaScript.

The action's button is a link to a confirmation page (GET, which changes nothing); the page posts
back with konfirmasi=ya. A POST without it changes nothing and shows the page again.
"""
from flask import render_template, request

CONFIRM_FIELD = "konfirmasi"


def confirmed() -> bool:
    return request.method == "POST" and request.form.get(CONFIRM_FIELD) == "ya"


def confirm_page(*, title: str, message: str, button: str, cancel_url: str, details=(), fields=None,
                 status: int | None = None):
    """Render the confirmation page posting to the current URL; 400 when a POST came unconfirmed."""
    if status is None:
        status = 400 if request.method == "POST" else 200
    return render_template("confirm.html", title=title, message=message, button=button, cancel_url=cancel_url,
                           details=details, fields=fields or {}, unconfirmed=request.method == "POST"), status
