"""Video uploads (tus), validation by content, background transcoding, playback with Range."""
import click
from flask.cli import AppGroup

media_cli = AppGroup("media", help="Kelola berkas video (unggahan, pembersihan).")


@media_cli.command("sweep")
def sweep_command():
    """Delete expired partial uploads and orphaned files; re-queue stalled processing."""
    from .service import sweep

    counts = sweep()
    click.echo(
        "Pembersihan selesai: {expired} unggahan kedaluwarsa, {orphan_partials} potongan yatim, "
        "{orphan_objects} berkas yatim, {scratch} berkas kerja lama dihapus; "
        "{completed} unggahan tertunda diselesaikan; {requeued} video diantrekan ulang.".format(**counts)
    )


@media_cli.command("process")
@click.argument("file_id", type=int)
def process_command(file_id):
    """Process (transcode) one media file now, in this process."""
    from .service import process

    process(file_id)
    click.echo(f"Video {file_id} diproses.")


def init_app(app):
    from .. import tasks
    from . import processing, views  # noqa: F401 - processing registers the huey tasks

    tasks.init_app(app)
    app.register_blueprint(views.bp)
    app.cli.add_command(media_cli)
