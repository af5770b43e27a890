"""Shared helpers for the berkas tests: signature PNGs, data URLs, and APL.02 answers."""
import base64
import io

from PIL import Image, ImageDraw

from courseware.lessons.content import ALL_KUK


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
