from flask_babel import lazy_gettext as _l

from ..cli import add_content_check, add_content_sync
from ..navigation import add_nav


def _sync(app) -> str:
    import click

    from .service import ItemInvalid, sync_shipped_bank

    try:
        return str(sync_shipped_bank(app.config["CONTENT_ROOT"]))
    except ItemInvalid as exc:
        raise click.ClickException("\n".join(exc.problems))


def init_app(app):
    from . import models  # noqa: F401
    from . import views
    from .cli import bank_cli
    from .loader import lint_bank

    app.register_blueprint(views.bp)
    app.cli.add_command(bank_cli)
    add_nav(app, "bank", _l("Bank soal"), "bank.index", ("teacher", "admin"), order=35)
    add_content_sync(app, "soal", _sync)
    add_content_check(app, "soal", lint_bank)
