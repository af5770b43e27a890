"""Video uploads (tus), validation by content, background transcoding, playback with Range."""
import click
from flask.cli import AppGroup

media_cli = AppGroup("media", help="Kelola berkas video (unggahan, pembersihan).")


@media_cli.command("sweep")
def sweep_command():
    """Delete expired partial uploads and orphaned files; re-queue stalled processing."""
    from .work import sweep

    counts = sweep()
    click.echo(
        "Pembersihan selesai: {expired} unggahan kedaluwarsa, {orphan_partials} potongan yatim, "
        "{orphan_objects} berkas yatim, {scratch} berkas kerja lama dihapus; "
        "{completed} unggahan tertunda diselesaikan; {requeued} video diantrekan ulang.".format(**counts)
    )


@media_cli.command("process")
@click.argument("file_id", type=int)
@click.option("--force", is_flag=True, help="Proses ulang walaupun statusnya siap, diproses, atau gagal.")
def process_command(file_id, force):
    """Process (transcode) one media file now, in this process."""
    from ..extensions import db
    from .models import MediaFile, MediaStatus
    from .work import process

    media = db.session.get(MediaFile, file_id)
    if media is None:
        raise click.ClickException(f"Video {file_id} tidak ada.")
    if media.status in (MediaStatus.READY, MediaStatus.PROCESSING) and not force:
        raise click.ClickException(f"Video {file_id} berstatus {media.status}; pakai --force untuk memproses ulang.")
    process(file_id, force=force)
    db.session.expire_all()
    media = db.session.get(MediaFile, file_id)
    click.echo(f"Video {file_id}: {media.status}" + (f" ({media.status_reason})" if media.status_reason else ""))
    if media.status != MediaStatus.READY:
        raise SystemExit(1)


def requeue_at_worker_start(app) -> None:
    from .work import requeue_interrupted

    count = requeue_interrupted(shared_queue=bool(app.config.get("REDIS_URL")))
    if count:
        click.echo(f"{count} video yang terhenti saat diproses diantrekan ulang.")


def init_app(app):
    from .. import tasks
    from . import processing, views  # noqa: F401 - processing registers the huey tasks

    tasks.init_app(app)
    tasks.on_worker_start(app, requeue_at_worker_start)
    from .models import status_label

    app.jinja_env.globals["video_status_label"] = status_label
    app.register_blueprint(views.bp)
    app.wsgi_app = views.MethodOverride(app.wsgi_app)
    app.cli.add_command(media_cli)
