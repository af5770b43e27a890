"""The forms as data: `flask content check` lints content/forms, and display_rows renders any kind
from its definition (no heading or fixed text in the code)."""
import shutil
from pathlib import Path

import yaml

from courseware.berkas import definitions
from courseware.berkas.models import AssessmentForm

ROOT = Path(__file__).resolve().parents[1]


def _copy(tmp_path) -> Path:
    shutil.copytree(ROOT / "content" / "forms", tmp_path / "content" / "forms")
    return tmp_path


def _edit(root: Path, name: str, change) -> None:
    path = root / "content" / "forms" / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_shipped_forms_pass_and_content_check_reports_them(app):
    problems, info = definitions.check_forms(ROOT)
    assert problems == [] and "FR.APL.02" in info[0] and "FR.IA.05" in info[0]
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 0 and "formulir berkas" in result.output


def test_lint_finds_broken_definitions(app, tmp_path):
    root = _copy(tmp_path)
    _edit(root, "FR.AK.01.yaml", lambda d: d.update(signers=["peserta", "kepala"]))
    _edit(root, "FR.APL.02.yaml", lambda d: d["fields"][1].update(type="slider"))
    _edit(root, "FR.AK.03.yaml", lambda d: d["fields"][0].update(questions=[{"id": "q1"}]))
    _edit(root, "institution.yaml", lambda d: d.update(methods=[{"id": "observasi"}], lsp_name=""))
    (root / "content" / "forms" / "FR.IA.05.yaml").unlink()
    _edit(root, "FR.AK.04.yaml", lambda d: d["fields"][1].update(options_from="hari"))
    problems = "\n".join(definitions.check_forms(root)[0])
    for expected in ("FR.AK.01.yaml: signers", "FR.APL.02.yaml: field 2: type", "FR.AK.03.yaml: field 1: questions",
                     "institution.yaml: lsp_name", "institution.yaml: methods", "FR.IA.05.yaml: file tidak ada",
                     "FR.AK.04.yaml: field 2: options_from"):
        assert expected in problems, (expected, problems)
    app.config["CONTENT_ROOT"] = str(root)
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code != 0


def test_display_rows_follow_the_definition_and_an_edited_label(app, tmp_path):
    form = AssessmentForm(kind="FR.AK.01", trainee_id=1, content={
        "methods": ["observasi", "lisan"], "date": "2026-12-14", "tuk_type": "tempat-kerja", "tuk_place": "Kantor"})
    rows = dict(definitions.display_rows(form))
    assert rows["Bukti yang akan dikumpulkan"] == "Observasi langsung atau lewat rekaman video, Pertanyaan lisan"
    assert rows["Tanggal asesmen"] == "14-12-2026" and rows["Jenis TUK"] == "Tempat Kerja"
    root = _copy(tmp_path)
    _edit(root, "institution.yaml", lambda d: d["tuk_types"][1].update(label="Tempat kerja mitra DU/DI"))
    _edit(root, "FR.AK.01.yaml", lambda d: d["fields"][3].update(label="Lokasi uji"))
    app.config["CONTENT_ROOT"] = str(root)
    rows = dict(definitions.display_rows(form))
    assert rows["Jenis TUK"] == "Tempat kerja mitra DU/DI" and rows["Lokasi uji"] == "Kantor"
    feedback = AssessmentForm(kind="FR.AK.03", trainee_id=1,
                              content={"answers": {"q1": {"answer": "ya", "comment": "Jelas"}}})
    rows = definitions.display_rows(feedback)
    assert rows[0][1] == "Ya; Jelas" and rows[1][1] == "-"
