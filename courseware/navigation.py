"""Per-app registries: each domain adds its menu entries and dashboard panels in init_app().

This keeps the base layout and the dashboard free of knowledge about every domain. Readings that
several panels of one page share are read once per request with @once_per_request.
"""
import functools
from dataclasses import dataclass, field
from typing import Callable

from flask import g, has_request_context


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


def once_per_request(read):
    """Keep what `read(*args)` returns on flask.g for the rest of the request (outside a request it
    simply reads). For read-only pages whose panels each need the same rows; write paths read
    afresh. What it returns is shared by every caller of the request: return tuples or read-only
    mappings."""
    key = f"once_per_request:{read.__module__}.{read.__qualname__}"

    @functools.wraps(read)
    def reading(*args):
        if not has_request_context():
            return read(*args)
        cache = g.setdefault(key, {})
        if args not in cache:
            cache[args] = read(*args)
        return cache[args]

    return reading
