"""The LIK sheets speak to trainees about what they must do; notes about the source module's errors
(the printed "1 menit", the 5% tolerance) are a note for teachers and assessors only."""
import pytest

from courseware.practicals.sheets import load_sheets

STAFF_ONLY = ("Modul sumber mencetak", "1 menit", "1menit", "5%", "Toleransi")


@pytest.mark.parametrize("code", ["LIK_1", "LIK_2"])
def test_trainee_sees_no_note_about_the_source_module(as_user, practicals, code):
    page = as_user("trainee").get(f"/praktik/{code}").get_data(as_text=True)
    assert "Dialog 3–7 menit" in page
    for text in STAFF_ONLY + ("Catatan untuk guru dan asesor",):
        assert text not in page, text


@pytest.mark.parametrize("role", ["teacher", "assessor", "admin"])
def test_teacher_assessor_and_admin_read_the_staff_note(as_user, practicals, role):
    page = as_user(role).get("/praktik/LIK_2").get_data(as_text=True)
    note = page.split('id="catatan-staf"')[1].split("</aside>")[0]
    assert "Modul sumber mencetak" in note and "5%" in note and "aspek kritis" in note


def test_staff_note_is_only_in_the_note_field_of_each_sheet(app):
    sheets, problems = load_sheets(app.config["CONTENT_ROOT"])
    assert problems == []
    for sheet in sheets:
        assert "5%" in sheet["staff_note"]
        trainee_text = " ".join(str(sheet[k]) for k in ("scenario", "performance_standard", "time_note",
                                                         "instructions", "tools", "materials", "k3"))
        for text in STAFF_ONLY:
            assert text not in trainee_text, (sheet["code"], text)
