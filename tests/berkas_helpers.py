"""Shared helpers for the berkas tests: the gated school, signature PNGs, data URLs, and APL.02 answers."""
import base64
import io

import pytest
from PIL import Image, ImageDraw

from courseware.berkas.models import ClassAssessor
from courseware.extensions import db

from courseware.lessons.content import ALL_KUK

from .conftest import login_as


@pytest.fixture
def school(app, assessment_school, make_user):
    """The assessment school with the berkas gates on. Class A names asesor1; class B names asesor2,
    so asesor2 is "another class's assessor" for A."""
    app.config["BERKAS_GATES"] = True
    s = assessment_school
    s.assessor2 = make_user("asesor2", ["assessor"], name="Asesor Dua")
    db.session.add_all([ClassAssessor(classroom_id=s.a.id, assessor_id=s.assessor.id),
                        ClassAssessor(classroom_id=s.b.id, assessor_id=s.assessor2.id)])
    db.session.commit()
    return s


def client_for(app, user):
    return login_as(app.test_client(), user)


def signature_png(width=600, height=240, blank=False) -> bytes:
    image = Image.new("RGBA", (width, height), (255, 255, 255, 255))
    if not blank:
        draw = ImageDraw.Draw(image)
        draw.line([(40, 180), (120, 60), (200, 170), (300, 70), (420, 160), (540, 90)], fill=(16, 36, 62, 255),
                  width=4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def signed(name="Nama Lengkap", png=None) -> dict:
    return {"typed_name": name, "drawing": data_url(png or signature_png())}


def apl02_answers(answer="K") -> dict:
    data = {}
    for kuk in ALL_KUK:
        data[f"kuk-{kuk}"] = answer
        data[f"bukti-{kuk}"] = f"Rekaman latihan untuk KUK {kuk}"
    return data


def ak01_plan() -> dict:
    return {"methods": ["observasi", "tertulis"], "date": "2026-12-10", "tuk_type": "sewaktu",
            "tuk_place": "Ruang praktik OTKP 2"}
