"""`flask content check`: passes on the shipped content, fails (non-zero) on a broken copy."""
import re
import shutil

import pytest

from courseware.lessons.checks import check_content


def test_content_check_passes_on_shipped_content_and_prints_words_per_kuk(app):
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    for kuk in ("1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6"):
        words = int(re.search(rf"KUK {re.escape(kuk)}: (\d+) kata", result.output).group(1))
        assert words >= 500
    problems, _info = check_content(app.config["CONTENT_ROOT"])
    assert problems == []


@pytest.fixture
def broken(tmp_path):
    root = tmp_path / "copy"
    shutil.copytree("content", root / "content")
    return root


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _run(app, root):
    app.config["CONTENT_ROOT"] = str(root)
    return app.test_cli_runner().invoke(args=["content", "check"])


def test_invalid_front_matter_fails(app, broken):
    _edit(broken / "content/modules/e1-02-perencanaan-mutu.md", "element: 1", "element: 3")
    _edit(broken / "content/modules/e2-02-umpan-balik-berkelanjutan.md", "minutes: 10", "minutes: sepuluh")
    (broken / "content/modules/e2-09-kosong.md").write_text("tanpa header\n", encoding="utf-8")
    result = _run(app, broken)
    assert result.exit_code != 0
    assert "e1-02-perencanaan-mutu.md: element harus 1 atau 2" in result.output
    assert "e2-02-umpan-balik-berkelanjutan.md: minutes harus bilangan bulat" in result.output
    assert "e2-09-kosong.md: tidak diawali header YAML" in result.output


def test_kuk_without_lesson_fails(app, broken):
    (broken / "content/modules/e2-04-tanggung-jawab-rekan.md").unlink()
    result = _run(app, broken)
    assert result.exit_code != 0
    assert "KUK 2.4 tidak punya pelajaran" in result.output


def test_unresolved_glossary_link_fails(app, broken):
    _edit(broken / "content/modules/e1-01-kebutuhan-pelanggan.md", "[[riset-formal|", "[[riset-formil|")
    result = _run(app, broken)
    assert result.exit_code != 0
    assert "[[riset-formil]] tidak ada di glossary.yml" in result.output


def test_minutes_that_do_not_add_up_to_5_jp_fail(app, broken):
    _edit(broken / "content/modules/e1-03-rencana-kerja-partisipatif.md", "minutes: 12", "minutes: 20")
    result = _run(app, broken)
    assert result.exit_code != 0
    assert "seharusnya 225" in result.output
    assert "pertemuan 1: 98 menit, seharusnya 2 JP = 90 menit" in result.output


def test_plan_must_hold_every_lesson_once_and_not_repeat_minutes(app, broken):
    plan = broken / "content/plan.yml"
    _edit(plan, "lessons: [e2-07-penutup]", "lessons: [e2-07-penutup, e1-00-pengantar]\n        minutes: 4")
    result = _run(app, broken)
    assert result.exit_code != 0
    assert "pelajaran e1-00-pengantar sudah ada di" in result.output
    assert "hapus minutes" in result.output


def test_footnote_and_heading_problems_are_found(broken):
    _edit(broken / "content/modules/e1-01-kebutuhan-pelanggan.md", "## Pembuka", "# Pembuka\n\nLihat[^hilang].")
    problems, _ = check_content(broken)
    assert any("jangan menulis judul H1" in p for p in problems)
    assert any("[^hilang] tidak punya isi" in p for p in problems)
