"""The courseware for competency unit N.821100.046 "Mengelola Layanan Pelanggan Berkualitas"."""
import os
from pathlib import Path

from flask import Flask
from flask_babel import lazy_gettext as _l

from .config import check_secret_key, load_or_create_secret_key, settings_from_env
from .extensions import babel, csrf, db, limiter, login_manager, migrate

PROJECT_ROOT = Path(__file__).resolve().parent.parent
UNIT_CODE = "N.821100.046"
UNIT_TITLE = "Mengelola Layanan Pelanggan Berkualitas"

# Each domain package exposes init_app(app): blueprints, menu entries, panels, CLI.
DOMAINS = ("accounts", "classes", "dashboard", "audit", "bank", "lessons", "quizzes", "media", "practicals", "assessments",
           "berkas")


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=os.environ.get("INSTANCE_PATH") or str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    from .inputs import BoundedIntConverter

    # Before any route exists: every <int:...> then stops at what a database integer holds.
    app.url_map.converters["int"] = BoundedIntConverter
    app.config.update(settings_from_env(app.instance_path))
    app.config.update(config or {})
    app.config.setdefault("CONTENT_ROOT", None)
    app.config["CONTENT_ROOT"] = app.config["CONTENT_ROOT"] or str(PROJECT_ROOT)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = load_or_create_secret_key(app.instance_path)
    check_secret_key(app.config)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"] or "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    # The limiter is one module-level object: every app must state this, or an app that
    # turned limits off would leave them off for the next app in the same process.
    app.config.setdefault("RATELIMIT_ENABLED", True)

    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    _init_extensions(app)
    from .errors import register_error_handlers
    from .security import register_security_headers
    from .templating import register_template_helpers

    for name in DOMAINS:
        module = __import__(f"{__name__}.{name}", fromlist=["init_app"])
        module.init_app(app)
    register_error_handlers(app)
    from . import admission

    admission.init_app(app)  # after the domains' own request hooks (rate limits, CSRF) have run
    register_template_helpers(app)
    from .i18n import register as register_i18n

    register_i18n(app)
    register_security_headers(app)
    from .tables import register as register_card_tables

    register_card_tables(app)
    from .cli import register_cli

    register_cli(app)
    return app


def _init_extensions(app: Flask) -> None:
    from .accounts.service import load_user_from_session
    from .database import configure_engine

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True,
                     compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    from .i18n import install_template_gettext, select_locale

    babel.init_app(app, locale_selector=select_locale)
    install_template_gettext(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Silakan masuk terlebih dahulu.")
    login_manager.localize_callback = str  # the lazy message in the visitor's language, as a plain str
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user_from_session)

