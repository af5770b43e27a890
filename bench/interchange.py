"""Benchmark: Moodle XML / GIFT import and the size of what a phone stores for offline reading.

    .venv/bin/python bench/interchange.py [--questions 500]

Builds a throw-away instance (SQLite in a temporary folder, shipped content synced as
`flask --app app init` does) and prints:
- seconds to import --questions single-answer multichoice questions from Moodle XML, and the
  same bank exported as GIFT into a second empty bank (through service.import_file, as the CLI does);
- seconds to refuse an 8 MiB Moodle XML made of embedded base64 images (parse + report);
- the bytes a trainee's phone stores when the lesson overview saves everything for offline reading
  (every page and asset of /materi/offline.json, uncompressed).
A benchmark, not a test: it prints figures and exits 0.
"""
import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def moodle_xml(n: int, image_bytes: int = 0) -> bytes:
    image = ("A" * image_bytes) if image_bytes else ""
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n']
    for kuk in ("1.1", "1.2", "2.1", "2.5"):
        parts.append(f'<question type="category"><category><text>$course$/top/Bank/KUK {kuk}</text></category>'
                     "</question>\n")
        for i in range(n // 4):
            file = f'<file name="g{i}.png" encoding="base64">{image}</file>' if image else ""
            parts.append(
                f'<question type="multichoice"><name><text>Soal {kuk} nomor {i}</text></name>'
                f'<questiontext format="html"><text><![CDATA[<p>Pertanyaan <b>{kuk}</b> nomor {i}: '
                f'apa yang dilakukan petugas pada situasi {i}?</p>]]></text>{file}</questiontext>'
                f'<generalfeedback format="html"><text>Pembahasan {i}.</text></generalfeedback><single>true</single>'
                + "".join(f'<answer fraction="{100 if j == 0 else 0}" format="html"><text>Pilihan {j} soal {kuk}-{i}'
                          f'</text><feedback format="html"><text>Umpan {j}</text></feedback></answer>'
                          for j in range(4))
                + "</question>\n")
    parts.append("</quiz>\n")
    return "".join(parts).encode()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=500)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-interchange-"))
    os.environ["INSTANCE_PATH"] = str(tmp / "instance")
    from flask_migrate import upgrade
    from sqlalchemy import delete

    from courseware import create_app
    from courseware.accounts.service import create_user
    from courseware.bank import service
    from courseware.bank.models import Question, QuestionOption
    from courseware.cli import run_content_sync
    from courseware.errors import ServiceError
    from courseware.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.sqlite3'}", "SECRET_KEY": "bench",
                      "TASKS_EAGER": True, "RATELIMIT_STORAGE_URI": "memory://", "MEDIA_ROOT": str(tmp / "media")})
    with app.app_context():
        upgrade()
        run_content_sync(app)
        trainee, _ = create_user("bench.offline", "Bench", ["trainee"], password="bench-rahasia-123",
                                 must_change_password=False)
        db.session.execute(delete(QuestionOption))
        db.session.execute(delete(Question))
        db.session.commit()

        raw = moodle_xml(args.questions)
        start = time.perf_counter()
        report = service.import_file(raw, None, None, "ujian")
        xml_s = time.perf_counter() - start
        print(f"Moodle XML import: {len(report.imported)} soal ({len(raw) / 1024:.0f} KiB) in {xml_s:.2f} s")
        gift = service.export_gift().encode()
        db.session.execute(delete(QuestionOption))
        db.session.execute(delete(Question))
        db.session.commit()
        start = time.perf_counter()
        report = service.import_file(gift, None, None, "ujian")
        print(f"GIFT import:       {len(report.imported)} soal ({len(gift) / 1024:.0f} KiB) in "
              f"{time.perf_counter() - start:.2f} s")

        big = moodle_xml(16, image_bytes=(8 * 1024 * 1024 - 64 * 1024) // 16)
        start = time.perf_counter()
        try:
            report = service.import_file(big, None, None, "ujian")
            note = f"{len(report.refused)} ditolak (duplikat)"
        except ServiceError as exc:
            note = exc.message[:60]
        print(f"8 MiB XML with images: {len(big) / 1048576:.2f} MiB read in {time.perf_counter() - start:.2f} s ({note})")

        client = app.test_client()
        with client.session_transaction() as sess:
            sess["_user_id"] = trainee.get_id()
            sess["_fresh"] = True
        info = client.get("/materi/offline.json").get_json()
        sizes = {url: len(client.get(url).data) for url in info["pages"] + info["assets"]}
        pages = sum(sizes[u] for u in info["pages"])
        assets = sum(sizes[u] for u in info["assets"])
        print(f"Offline set: {len(info['pages'])} pages {pages / 1024:.0f} KiB + {len(info['assets'])} assets "
              f"{assets / 1024:.0f} KiB = {(pages + assets) / 1024:.0f} KiB uncompressed")
        sw = len(client.get("/sw.js").data) + len(client.get("/static/js/offline.js").data)
        print(f"Service worker + offline.js: {sw / 1024:.1f} KiB")


if __name__ == "__main__":
    main()
