def init_app(app):
    from . import models  # noqa: F401  (the bank domain adds views, sync and checks here)
