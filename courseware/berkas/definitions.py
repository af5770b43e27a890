"""The forms as data: content/forms/institution.yaml and one <KIND>.yaml per form kind.

The school edits these files; the code hard-codes no heading, fixed text or field list of a form.
`definition(kind)` and `institution()` read them (cached per file change), `display_rows(form)` turns
any form's content into label/value rows from its definition (pages and PDFs use it for every kind),
and `check_forms(root)` is the `flask content check` lint.
"""
from datetime import date
from pathlib import Path

import yaml
from flask import current_app
from flask_babel import gettext as _

FORMS_DIR = Path("content") / "forms"
REQUIRED_KINDS = ("FR.APL.02", "FR.AK.01", "FR.AK.03", "FR.AK.04", "FR.IA.05")
SIGNER_ROLES = ("peserta", "asesor", "guru")
FIELD_TYPES = ("text", "textarea", "choice", "checkboxes", "date", "kuk_answers", "yesno_list")
INSTITUTION_LISTS = ("tuk_types", "methods")
INSTITUTION_TEXTS = ("lsp_name", "scheme_name", "scheme_number", "unit_code", "unit_title")

_cache: dict = {}


class DefinitionError(Exception):
    pass


def forms_dir(root=None) -> Path:
    return Path(root or current_app.config["CONTENT_ROOT"]) / FORMS_DIR


def _load(path: Path):
    try:
        stamp = path.stat().st_mtime_ns
    except FileNotFoundError:
        raise DefinitionError(f"{path.name}: file tidak ada") from None
    cached = _cache.get(path)
    if cached and cached[0] == stamp:
        return cached[1]
    with path.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    _cache[path] = (stamp, data)
    return data


def institution(root=None) -> dict:
    return _load(forms_dir(root) / "institution.yaml") or {}


def definition(kind: str, root=None) -> dict:
    """The definition of `kind` ("FR.APL.02"); KeyError for a kind without a file."""
    if kind not in REQUIRED_KINDS and not (forms_dir(root) / f"{kind}.yaml").is_file():
        raise KeyError(kind)
    return _load(forms_dir(root) / f"{kind}.yaml")


def field(kind: str, field_id: str) -> dict:
    for item in definition(kind)["fields"]:
        if item["id"] == field_id:
            return item
    raise KeyError(field_id)


def options(item: dict, root=None) -> list[dict]:
    """A choice/checkboxes field's options: its own list or an institution list (options_from)."""
    if "options_from" in item:
        return list(institution(root).get(item["options_from"]) or [])
    return list(item.get("options") or [])


def option_label(item: dict, value) -> str:
    for option in options(item):
        if option["id"] == value:
            return option["label"]
    return str(value or "")


def required_roles(kind: str) -> list[str]:
    return list(definition(kind)["signers"])


def declaration(kind: str, role: str) -> str:
    for item in definition(kind).get("declarations") or []:
        if item["role"] == role:
            return item["text"]
    return ""


def fields_for_role(kind: str, role: str) -> list[dict]:
    return [item for item in definition(kind)["fields"] if item.get("role") == role]


def _format_date(value) -> str:
    try:
        return date.fromisoformat(str(value)).strftime("%d-%m-%Y")
    except ValueError:
        return str(value or "")


def display_rows(form) -> list[tuple[str, str]]:
    """Label/value rows of `form.content` in its definition's order (empty fields shown as "-")."""
    content = form.content or {}
    rows: list[tuple[str, str]] = []
    for item in definition(form.kind)["fields"]:
        value = content.get(item["id"])
        kind = item["type"]
        if kind == "kuk_answers":
            for answer in value or []:
                text = answer.get("answer") or "-"
                if answer.get("evidence"):
                    text = _("%(answer)s; bukti: %(evidence)s", answer=text, evidence=answer["evidence"])
                rows.append((_("KUK %(kuk)s. %(question)s", kuk=answer.get("kuk", ""),
                               question=answer.get("question", "")), text))
            if not value:
                rows.append((item["label"], "-"))
        elif kind == "yesno_list":
            answers = value or {}
            for question in item.get("questions") or []:
                answer = answers.get(question["id"]) or {}
                text = {"ya": _("Ya"), "tidak": _("Tidak")}.get(answer.get("answer"), "-")
                if answer.get("comment"):
                    text = f"{text}; {answer['comment']}"
                rows.append((question["text"], text))
        elif kind == "choice":
            rows.append((item["label"], option_label(item, value) if value else "-"))
        elif kind == "checkboxes":
            labels = [option_label(item, v) for v in value or []]
            rows.append((item["label"], ", ".join(labels) if labels else "-"))
        elif kind == "date":
            rows.append((item["label"], _format_date(value) if value else "-"))
        else:
            rows.append((item["label"], str(value) if value not in (None, "") else "-"))
    return rows


# --- the `content check` lint ------------------------------------------------------------------

def _check_options(where: str, values, problems: list[str]) -> None:
    if not isinstance(values, list) or not values:
        problems.append(f"{where}: harus berupa daftar berisi minimal satu pilihan")
        return
    seen = set()
    for option in values:
        if not isinstance(option, dict) or not str(option.get("id") or "").strip() \
                or not str(option.get("label") or "").strip():
            problems.append(f"{where}: setiap pilihan perlu id dan label")
            continue
        if option["id"] in seen:
            problems.append(f"{where}: id pilihan {option['id']} dipakai dua kali")
        seen.add(option["id"])


def _check_definition(name: str, data, problems: list[str]) -> None:
    if not isinstance(data, dict):
        problems.append(f"{name}: isi file harus berupa pemetaan (kind, title, fields, signers)")
        return
    expected = name.removesuffix(".yaml")
    if data.get("kind") != expected:
        problems.append(f"{name}: kind harus {expected}")
    for key in ("title", "intro"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            problems.append(f"{name}: {key} wajib diisi")
    signers = data.get("signers")
    if not isinstance(signers, list) or not signers or any(s not in SIGNER_ROLES for s in signers):
        problems.append(f"{name}: signers harus daftar peran dari {', '.join(SIGNER_ROLES)}")
        signers = []
    elif len(set(signers)) != len(signers):
        problems.append(f"{name}: peran penanda tangan ganda")
    for item in data.get("declarations") or []:
        if not isinstance(item, dict) or item.get("role") not in signers or not str(item.get("text") or "").strip():
            problems.append(f"{name}: setiap pernyataan perlu role (salah satu penanda tangan) dan text")
    fields = data.get("fields")
    if not isinstance(fields, list) or not fields:
        problems.append(f"{name}: fields wajib berupa daftar")
        return
    seen = set()
    for index, item in enumerate(fields, 1):
        where = f"{name}: field {index}"
        if not isinstance(item, dict):
            problems.append(f"{where}: harus berupa pemetaan")
            continue
        if not str(item.get("id") or "").strip():
            problems.append(f"{where}: id wajib diisi")
        elif item["id"] in seen:
            problems.append(f"{where}: id {item['id']} dipakai dua kali")
        seen.add(item.get("id"))
        if item.get("type") not in FIELD_TYPES:
            problems.append(f"{where}: type harus salah satu dari {', '.join(FIELD_TYPES)}")
        if not str(item.get("label") or "").strip():
            problems.append(f"{where}: label wajib diisi")
        if item.get("role") not in signers:
            problems.append(f"{where}: role harus salah satu penanda tangan formulir")
        if item.get("type") in ("choice", "checkboxes"):
            if "options_from" in item:
                if item["options_from"] not in INSTITUTION_LISTS:
                    problems.append(f"{where}: options_from harus {' atau '.join(INSTITUTION_LISTS)}")
            else:
                _check_options(f"{where} options", item.get("options"), problems)
        if item.get("type") == "yesno_list":
            questions = item.get("questions")
            if not isinstance(questions, list) or not questions or any(
                    not isinstance(q, dict) or not q.get("id") or not str(q.get("text") or "").strip()
                    for q in questions):
                problems.append(f"{where}: questions harus daftar berisi id dan text")
        for limit in ("max_length", "evidence_max", "comment_max", "min_selected"):
            if limit in item and (not isinstance(item[limit], int) or item[limit] < 1):
                problems.append(f"{where}: {limit} harus bilangan bulat positif")


def check_forms(root) -> tuple[list[str], list[str]]:
    """(problems, info) for content/forms: institution.yaml and every required form kind."""
    problems: list[str] = []
    folder = forms_dir(root)
    try:
        data = _load(folder / "institution.yaml")
    except (DefinitionError, yaml.YAMLError) as exc:
        return [f"forms/institution.yaml: {exc}"], []
    if not isinstance(data, dict):
        problems.append("forms/institution.yaml: isi file harus berupa pemetaan")
        data = {}
    for key in INSTITUTION_TEXTS:
        if not isinstance(data.get(key), str) or not data[key].strip():
            problems.append(f"forms/institution.yaml: {key} wajib diisi")
    for key in INSTITUTION_LISTS:
        _check_options(f"forms/institution.yaml: {key}", data.get(key), problems)
    kinds = []
    for kind in REQUIRED_KINDS:
        path = folder / f"{kind}.yaml"
        try:
            _check_definition(path.name, _load(path), problems)
            kinds.append(kind)
        except DefinitionError as exc:
            problems.append(f"forms/{exc}")
        except yaml.YAMLError as exc:
            problems.append(f"forms/{path.name}: YAML tidak sah ({exc})")
    problems = [p if p.startswith("forms/") else f"forms/{p}" for p in problems]
    return problems, [f"formulir berkas: {', '.join(kinds)}"]
