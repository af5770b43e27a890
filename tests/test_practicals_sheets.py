"""The LIK sheets: the shipped ones pass the lint and load idempotently; broken copies are refused."""
import shutil
from pathlib import Path

import click
import pytest
import yaml
from sqlalchemy import func, select

from courseware.audit.models import AuditEvent
from courseware.extensions import db
from courseware.practicals.models import ChecklistPoint, Practical
from courseware.practicals.sheets import SheetError, check_content, load_sheets, sync_sheets

ROOT = Path(__file__).resolve().parents[1]


def _copy(tmp_path) -> Path:
    root = tmp_path / "content-copy"
    shutil.copytree(ROOT / "checklists", root / "checklists")
    return root


def _edit(root: Path, name: str, change) -> None:
    path = root / "checklists" / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_shipped_sheets_pass_the_lint():
    problems, info = check_content(ROOT)
    assert problems == []
    assert any("LIK_1 elemen 1, 5 butir" in line for line in info)
    assert any("LIK_2 elemen 2, 7 butir, aspek kritis: 2.1-a, 2.5-a, 2.5-b" in line for line in info)


def test_content_check_command_covers_the_sheets(app):
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert "== praktik" in result.output
    assert "lik_2.yml: LIK_2" in result.output
    assert "MASALAH: lik_" not in result.output


def _set_point(index, **values):
    def change(data):
        data["points"][index].update(values)
    return change


BROKEN = [
    ("lik_1.yml", lambda d: d.update(unit_code="N.821100.046 "), "unit_code harus persis N.821100.046"),
    ("lik_1.yml", lambda d: d.update(unit_code="N.821100.047"), "unit_code harus persis N.821100.046"),
    ("lik_1.yml", lambda d: d.update(element=3), "element harus 1 atau 2"),
    ("lik_2.yml", lambda d: d.update(element=1), "code untuk elemen 1 harus LIK_1"),
    ("lik_1.yml", lambda d: d.pop("scenario"), "kolom 'scenario' wajib diisi"),
    ("lik_2.yml", lambda d: d.update(partner_role="  "), "kolom 'partner_role' wajib diisi"),
    ("lik_1.yml", lambda d: d.update(k3=[]), "kolom 'k3' wajib berupa daftar"),
    ("lik_1.yml", lambda d: d.update(time_minutes=1), "time_minutes harus 3-7 menit"),
    ("lik_2.yml", lambda d: d.update(time_minutes=12), "time_minutes harus 3-7 menit"),
    ("lik_1.yml", lambda d: d.update(points=[]), "kolom 'points' wajib"),
    ("lik_1.yml", _set_point(1, id="1.1-a", kuk="1.1"), "id butir '1.1-a' dipakai lebih dari sekali"),
    ("lik_1.yml", _set_point(0, id="2.1-z", kuk="2.1", critical=True), "KUK 2.1 bukan bagian dari elemen 1"),
    ("lik_2.yml", _set_point(0, critical=False), "butir 2.1-a: aspek kritis hanya dan selalu pada butir KUK 2.1"),
    ("lik_2.yml", _set_point(1, critical=True), "butir 2.2-a: aspek kritis hanya dan selalu"),
    ("lik_1.yml", _set_point(0, critical="ya"), "kolom 'critical' wajib bernilai true atau false"),
    ("lik_1.yml", _set_point(0, benchmark=""), "butir 1.1-a: kolom 'benchmark' wajib diisi"),
    ("lik_1.yml", _set_point(0, id="1.2-x"), "id butir '1.2-x' tidak sesuai dengan KUK '1.1'"),
    ("lik_1.yml", lambda d: d["points"].pop(), "KUK 1.4 belum punya butir daftar cek"),
    ("lik_1.yml", lambda d: d.update(skenario="typo"), "kolom tidak dikenal 'skenario'"),
]


@pytest.mark.parametrize("name,change,message", BROKEN, ids=[b[2][:40] for b in BROKEN])
def test_a_broken_copy_fails_the_lint_with_a_clear_message(tmp_path, name, change, message):
    root = _copy(tmp_path)
    _edit(root, name, change)
    problems, _ = check_content(root)
    assert any(message in p for p in problems), problems
    assert all(p.startswith(("lik_1.yml", "lik_2.yml")) for p in problems)


def test_unreadable_yaml_and_missing_sheet_are_reported(tmp_path):
    root = _copy(tmp_path)
    (root / "checklists" / "lik_2.yml").write_text("code: [LIK_2\n", encoding="utf-8")
    _, problems = load_sheets(root)
    assert any("lik_2.yml: tidak dapat dibaca sebagai YAML" in p for p in problems)
    assert "lembar LIK_2 tidak ditemukan." in problems


def test_content_check_command_fails_on_a_broken_copy(app, tmp_path):
    root = _copy(tmp_path)
    _edit(root, "lik_2.yml", _set_point(4, critical=False))
    app.config["CONTENT_ROOT"] = str(root)
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code != 0
    assert "butir 2.5-a: aspek kritis" in result.output


def test_sync_loads_every_field_and_is_idempotent(app):
    first = sync_sheets(app.config["CONTENT_ROOT"])
    assert "LIK_1 5 butir (baru 5" in first and "LIK_2 7 butir (baru 7" in first
    second = sync_sheets(app.config["CONTENT_ROOT"])
    assert "baru 0, diperbarui 0, dipensiunkan 0" in second
    assert db.session.scalar(select(func.count()).select_from(Practical)) == 2
    assert db.session.scalar(select(func.count()).select_from(ChecklistPoint)) == 12
    lik2 = db.session.scalar(select(Practical).where(Practical.code == "LIK_2"))
    assert (lik2.element, lik2.trainee_role, lik2.partner_role) == (2, "Pimpinan", "Staf administrasi")
    assert lik2.time_minutes == 7 and len(lik2.instructions) == 11 and lik2.k3 and lik2.tools and lik2.materials
    assert [p.uid for p in lik2.critical_points] == ["2.1-a", "2.5-a", "2.5-b"]
    assert [p.uid for p in lik2.active_points][:2] == ["2.1-a", "2.2-a"]
    # Only the first run is an audited change.
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "practical.sync")) == 2


def test_a_removed_point_is_retired_not_deleted_and_ids_stay_stable(app, tmp_path):
    root = _copy(tmp_path)
    sync_sheets(root)
    point_ids = {p.uid: p.id for p in db.session.scalars(select(ChecklistPoint))}
    # The lint requires every KUK, so 2.3-a is removed by renaming it to a new point 2.3-b.
    _edit(root, "lik_2.yml", lambda d: d["points"].__setitem__(2, {**d["points"][2], "id": "2.3-b"}))
    _edit(root, "lik_1.yml", _set_point(0, benchmark="Tolok ukur baru."))
    summary = sync_sheets(root)
    assert "LIK_2 7 butir (baru 1, diperbarui 0, dipensiunkan 1)" in summary
    assert "LIK_1 5 butir (baru 0, diperbarui 1, dipensiunkan 0)" in summary
    old = db.session.get(ChecklistPoint, point_ids["2.3-a"])
    assert old is not None and old.retired
    assert db.session.get(ChecklistPoint, point_ids["1.1-a"]).benchmark == "Tolok ukur baru."
    assert {p.uid: p.id for p in db.session.scalars(select(ChecklistPoint))
            if p.uid in point_ids} == point_ids
    # Put it back: the same row comes back to life.
    shutil.copy(ROOT / "checklists" / "lik_2.yml", root / "checklists" / "lik_2.yml")
    sync_sheets(root)
    assert not db.session.get(ChecklistPoint, point_ids["2.3-a"]).retired
    assert db.session.scalar(select(ChecklistPoint).where(ChecklistPoint.uid == "2.3-b")).retired


def test_sync_of_a_broken_copy_writes_nothing(app, tmp_path):
    root = _copy(tmp_path)
    _edit(root, "lik_2.yml", _set_point(0, critical=False))
    with pytest.raises(SheetError) as caught:
        sync_sheets(root)
    assert any("2.1-a" in p for p in caught.value.problems)
    assert db.session.scalar(select(func.count()).select_from(Practical)) == 0
    app.config["CONTENT_ROOT"] = str(root)
    with pytest.raises(click.ClickException, match="Lembar praktik tidak dimuat"):
        app.extensions["content_sync"]["praktik"](app)


def test_init_hook_says_so_when_the_tables_are_missing(tmp_path, fresh_db_url):
    from .conftest import make_app

    empty = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=fresh_db_url("praktik_empty"))
    with empty.app_context():
        line = empty.extensions["content_sync"]["praktik"](empty)
        db.engine.dispose()
    assert line.startswith("dilewati: tabel practicals, checklist_points belum ada")


def test_init_hook_loads_the_sheets(app):
    line = app.extensions["content_sync"]["praktik"](app)
    assert "LIK_1 5 butir" in line and "LIK_2 7 butir" in line


def test_every_point_carries_oral_follow_up_questions(app, practicals):
    from pathlib import Path

    from courseware.practicals.sheets import lint_sheet, read_sheet

    for practical in practicals.values():
        assert all(1 <= len(p.follow_up) <= 2 and all(q.endswith("?") for q in p.follow_up)
                   for p in practical.active_points)
    # A sheet whose point lacks them fails the lint, naming the point.
    data, _problems = read_sheet(Path(app.config["CONTENT_ROOT"]) / "checklists" / "lik_1.yml")
    del data["points"][0]["follow_up"]
    assert any("1.1-a" in p and "follow_up" in p for p in lint_sheet(data, "lik_1.yml"))
