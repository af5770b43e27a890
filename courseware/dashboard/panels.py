from flask import current_app, request
from markupsafe import Markup

from ..classes.forms import JoinForm
from ..classes.service import classes_taught_by, current_classes_for_page
from ..lan import site_address, svg_qr


def my_classes_context(user) -> dict:
    return {"classes": current_classes_for_page(user.id), "join_form": JoinForm()}


def taught_classes_context(user) -> dict:
    return {"classes": classes_taught_by(user)}


def lab_address_context(user) -> dict:
    url = site_address(current_app.config, request.host_url)
    # segno writes the SVG from the URL alone (no user text inside), so it is safe markup.
    qr = Markup(svg_qr(url, "Kode QR alamat situs")) if url else None  # nosec B704
    return {"url": url, "qr": qr}
