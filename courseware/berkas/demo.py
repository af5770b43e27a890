"""Demo berkas: the demo trainee's FR.APL.02 (reviewed "dapat dilanjutkan") and FR.AK.01, both
signed, so a first look shows filled and locked forms with their fingerprints."""
import io
import math

from ..database import write_transaction
from ..formats import local_today
from . import ak01, apl02, definitions
from .service import get_or_create_form
from .signing import sign, update_content


def drawn_signature(seed: int) -> bytes:
    """A hand-drawn looking stroke (a damped wave), different per seed; a real PNG."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (600, 240), (255, 255, 255, 255))
    draw = ImageDraw.Draw(image)
    points = [(40 + x, 130 + 55 * math.sin(x / (22 + seed * 3)) * math.exp(-x / 900)) for x in range(0, 520, 4)]
    draw.line(points, fill=(16, 36, 62, 255), width=4, joint="curve")
    draw.line([(60, 190), (300 + seed * 20, 182)], fill=(16, 36, 62, 255), width=3)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def create_demo_berkas(trainee, assessor) -> None:
    answers = [{"kuk": q["kuk"], "question": q["question"], "answer": "K",
                "evidence": "Video latihan bermain peran dan catatan rencana kerja"} for q in apl02.questions()]
    methods = [o["id"] for o in definitions.options(definitions.field(ak01.KIND, "methods"))]
    tuk_types = definitions.options(definitions.field(ak01.KIND, "tuk_type"))
    apl = get_or_create_form(apl02.KIND, trainee)
    ak = get_or_create_form(ak01.KIND, trainee)
    with write_transaction():
        update_content(apl, "peserta", {"kuk": answers})
        sign(apl, trainee, "peserta", trainee.full_name, drawn_signature(1))
        update_content(apl, "asesor", {"recommendation": apl02.GO,
                                       "note": "Jawaban dan buktinya sesuai; silakan mulai praktik LIK."})
        sign(apl, assessor, "asesor", assessor.full_name, drawn_signature(2))
        update_content(ak, "asesor", {"methods": methods[:2], "date": local_today().isoformat(),
                                      "tuk_type": tuk_types[0]["id"] if tuk_types else "",
                                      "tuk_place": "Laboratorium OTKP sekolah"})
        sign(ak, assessor, "asesor", assessor.full_name, drawn_signature(2))
        sign(ak, trainee, "peserta", trainee.full_name, drawn_signature(1))
