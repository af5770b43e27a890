"""`flask --app app bank export|import`."""
from pathlib import Path

import click
from flask.cli import AppGroup

from ..errors import ServiceError
from ..extensions import db
from .models import KUKS, POOLS

bank_cli = AppGroup("bank", help="Bank soal: ekspor dan impor format Moodle.")


@bank_cli.command("export")
@click.option("--format", "fmt", type=click.Choice(["gift", "moodlexml"]), required=True,
              help="gift (teks GIFT) atau moodlexml (Moodle XML).")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def export_command(fmt, path):
    """Write the active bank to PATH (one Moodle category per KUK)."""
    from . import service

    if fmt == "gift":
        data = service.export_gift().encode("utf-8")
    else:
        data = service.export_moodle_xml()
    Path(path).write_bytes(data)
    count = len(service.active_questions())
    click.echo(f"{count} soal aktif diekspor ke {path} ({fmt}).")


@bank_cli.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--kuk", default=None, type=click.Choice(KUKS),
              help="KUK bawaan untuk soal yang kategorinya tidak memuat KUK.")
@click.option("--pool", required=True, type=click.Choice(POOLS),
              help="Kelompok tujuan: ujian (tes tertulis, kunci dirahasiakan) atau latihan (kuis latihan).")
def import_command(path, kuk, pool):
    """Import the single-answer multiple-choice items of a GIFT or Moodle XML file (told apart by
    content); report every item."""
    from . import service

    try:
        with open(path, "rb") as handle:
            raw = handle.read(service.MAX_IMPORT_BYTES + 1)
        report = service.import_file(raw, kuk, actor=None, pool=pool)
    except OSError as exc:
        raise click.ClickException(f"Berkas tidak dapat dibaca: {exc.strerror or exc}")
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message)
    click.echo("Format: " + ("Moodle XML" if report.format == "moodlexml" else "GIFT"))
    for e in report.entries:
        label = e.name or e.stem[:60]
        if e.imported:
            click.echo(f"DIIMPOR  baris {e.line}: {label} -> {e.uid} [KUK {e.kuk}]")
            for note in e.notes:
                click.echo(f"         PERINGATAN: {note}")
        else:
            click.echo(f"DITOLAK  baris {e.line}: {label}: {e.reason}")
    click.echo(f"{len(report.imported)} soal diimpor, {len(report.refused)} tidak diimpor.")
