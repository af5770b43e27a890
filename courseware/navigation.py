"""Per-app registries: each domain adds its menu entries and dashboard panels in init_app().

This keeps the base layout and the dashboard free of knowledge about every domain.
"""
from dataclasses import dataclass, field
from typing import Callable


@dataclass(order=True)
class NavItem:
    order: int
    label: str = field(compare=False)
    endpoint: str = field(compare=False)
    roles: tuple = field(compare=False)


@dataclass(order=True)
class Panel:
    order: int
    key: str = field(compare=False)
    title: str = field(compare=False)
    template: str = field(compare=False)
    roles: tuple = field(compare=False)
    context: Callable | None = field(default=None, compare=False)


def _registry(app) -> dict:
    return app.extensions.setdefault("courseware_nav", {"nav": {}, "panels": {}})


def add_nav(app, key: str, label, endpoint: str, roles: tuple, order: int = 50) -> None:
    _registry(app)["nav"][key] = NavItem(order, label, endpoint, roles)


def add_panel(app, key: str, title, template: str, roles: tuple, order: int = 50, context=None) -> None:
    """Register (or replace, by key) a dashboard panel shown to users holding one of `roles`."""
    _registry(app)["panels"][key] = Panel(order, key, title, template, roles, context)


def nav_for(app, user) -> list[NavItem]:
    return sorted(i for i in _registry(app)["nav"].values() if user.has_role(*i.roles))


def panels_for(app, user) -> list[Panel]:
    return sorted(p for p in _registry(app)["panels"].values() if user.has_role(*p.roles))
