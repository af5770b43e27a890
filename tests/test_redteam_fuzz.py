"""Finding 6 of issue 14: malformed numbers gave 500. Every route of app.url_map gets odd values.

Odd values go into each URL variable, into the query string and form fields the code reads
(names gathered from the source, so a new field is covered), and into the tus and Range
headers; as an anonymous visitor, a trainee and a teacher. Bounded: a fixed list of values,
one request per (route, method, value, visitor); the world is restored once per route, as
these tests only ask "never 5xx", not "which 4xx". Nothing may answer 5xx.
"""
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import g

from courseware.accounts.models import User
from courseware.extensions import db

from .conftest import login_as
from .test_authz_matrix import _methods, _url, world  # noqa: F401  (the shared world fixture)

SOURCE = Path(__file__).resolve().parents[1] / "courseware"
ODD = ["²", "١٢٣", str(2**63), "9" * 40, "-1", "1\n2", "%00", "\x00", "..%2F..%2Fetc", " 12 ", "x" * 300]
VISITORS = ("anon", "trainee", "teacher")


def _field_names() -> list[str]:
    names = set()
    for path in SOURCE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        names.update(re.findall(r"request\.(?:form|args|values)\.get(?:list)?\(\s*[\"']([^\"']+)", text))
        names.update(re.findall(r"^\s+(\w+) = \w*Field\(", text, re.M))
    names.update({"next", "page", "csrf_token"})
    return sorted(names)


def _with_odd_path(rule, value: str) -> str:
    return re.sub(r"<(?:[^:>]+:)?[^>]+>", lambda _m: quote(value, safe=""), rule.rule)


def _client(app, ids, visitor):
    g.__dict__.clear()
    client = app.test_client()
    if visitor != "anon":
        login_as(client, db.session.get(User, ids["users"][visitor]))
    return client


def _send(client, method, url, form=None, headers=None):
    headers = dict(headers or {})
    if method in ("PATCH", "DELETE", "HEAD") or url.startswith("/media/tus"):
        headers.setdefault("Tus-Resumable", "1.0.0")
        headers.setdefault("X-CSRFToken", client.csrf_token())
        headers.setdefault("Content-Type", "application/offset+octet-stream")
        return client.open(url, method=method, headers=headers, data=b"")
    if method == "GET":
        return client.open(url, method=method, query_string=form, headers=headers)
    return client.open(url, method=method, data=form or {}, headers=headers)


def _rules(app):
    return sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule))


@pytest.fixture
def fuzz(world):  # noqa: F811
    app, ids, restore = world
    failures = []

    def check(visitor, method, url, response, what):
        if response.status_code >= 500:
            failures.append(f"{visitor} {method} {url!r} [{what}] -> {response.status_code}")

    # As in production: an unhandled error becomes a 500 answer (recorded) instead of stopping the sweep.
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        with app.app_context():
            yield app, ids, restore, check, failures
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    assert not failures, "5xx answers:\n" + "\n".join(failures)


def test_odd_values_in_every_url_variable_are_4xx(fuzz):
    app, ids, restore, check, _ = fuzz
    for rule in _rules(app):
        if not rule.arguments:
            continue
        restore()
        for method in _methods(rule):
            for value in ODD:
                url = _with_odd_path(rule, value)
                for visitor in VISITORS:
                    response = _send(_client(app, ids, visitor), method, url)
                    check(visitor, method, url, response, "path")


def test_odd_values_in_query_strings_and_form_fields_are_4xx(fuzz):
    app, ids, restore, check, _ = fuzz
    names = _field_names()
    for rule in _rules(app):
        url = _url(app, rule, ids)
        restore()
        for method in _methods(rule):
            for value in ODD[:7]:
                form = {name: value for name in names if name != "csrf_token"}
                for visitor in VISITORS:
                    response = _send(_client(app, ids, visitor), method, url, form=form)
                    check(visitor, method, url, response, f"fields={value!r}")


def test_odd_numbers_in_tus_and_range_headers_are_4xx(fuzz):
    app, ids, restore, check, _ = fuzz
    upload = f"/media/tus/{ids['upload_id']}"
    play = _url(app, app.url_map._rules_by_endpoint["media.play"][0], ids)
    for value in ODD[:9]:
        for visitor in VISITORS:
            restore()
            client = _client(app, ids, visitor)
            for method, url, headers in [
                ("POST", "/media/tus/", {"Upload-Length": value, "Upload-Metadata": "kind dXpp,target_id MQ=="}),
                ("PATCH", upload, {"Upload-Offset": value}),
                ("HEAD", upload, {"Upload-Offset": value}),
                ("GET", play, {"Range": f"bytes={value}-"}),
                ("GET", play, {"Range": f"bytes=0-{value}", "If-Range": value}),
            ]:
                try:
                    response = _send(client, method, url, headers=headers)
                except ValueError:  # the test client itself refuses a newline in a header
                    continue
                check(visitor, method, url, response, f"headers={headers!r}")


def test_a_huge_id_is_a_404_not_a_500(as_user):
    client = as_user("teacher")
    for url in (f"/kelas/{2**63}", f"/kelas/{2**64 + 1}", f"/kelas/{'9' * 40}"):
        assert client.get(url).status_code == 404


def test_a_superscript_digit_in_tus_headers_is_a_400_in_indonesian(as_user):
    client = as_user("trainee")
    created = client.post("/media/tus/", headers={"Tus-Resumable": "1.0.0", "Upload-Length": "²",
                                                   "X-CSRFToken": client.csrf_token()})
    assert created.status_code == 400 and "Upload-Length" in created.get_json()["message"]
