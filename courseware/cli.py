"""`flask --app app ...` commands: init, users create, demo, content check.

Domains add their own content loaders and checks through `add_content_sync` and
`add_content_check`, so `init` and `content check` cover every domain.
"""
import subprocess
import sys

import click
from flask import current_app
from flask.cli import AppGroup
from flask_migrate import upgrade

from .errors import ServiceError
from .extensions import db


def add_content_sync(app, name: str, func) -> None:
    """Register func(app) -> str summary, run by `init` after the schema upgrade."""
    app.extensions.setdefault("content_sync", {})[name] = func


def add_content_check(app, name: str, func) -> None:
    """Register func(root) -> (problems: list[str], info: list[str]), run by `content check`."""
    app.extensions.setdefault("content_check", {})[name] = func


def run_content_sync(app) -> list[str]:
    return [f"{name}: {func(app)}" for name, func in app.extensions.get("content_sync", {}).items()]


users_cli = AppGroup("users", help="Kelola akun pengguna.")
content_cli = AppGroup("content", help="Periksa konten bawaan (materi, soal, lembar LIK).")


@click.command("init")
def init_command():
    """Upgrade the database to the newest revision and sync shipped content (idempotent)."""
    from .i18n import compile_catalogs

    # A checkout that skipped `run.py install`: compile the English catalog if it is missing or stale.
    for mo in compile_catalogs():
        click.echo(f"Katalog terjemahan dikompilasi: {mo.relative_to(mo.parents[3])}")
    upgrade()
    for line in run_content_sync(current_app):
        click.echo(line)
    click.echo("Basis data siap.")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True,
              help="admin, teacher/guru, trainee/peserta, assessor/asesor (boleh diulang).")
@click.option("--name", "full_name", default=None, help="Nama lengkap.")
@click.option("--nis", default=None, help="NIS (untuk peserta).")
@click.option("--password-stdin", is_flag=True, help="Baca kata sandi dari standard input.")
def users_create(username, roles, full_name, nis, password_stdin):
    """Create a user; prints the generated password unless --password-stdin is given."""
    from .accounts.service import create_user

    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    try:
        user, plain = create_user(username, full_name or username, roles, password=password, nis=nis,
                                  must_change_password=False if password_stdin else None)
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message)
    click.echo(f"Akun {user.username} dibuat dengan peran: {', '.join(sorted(user.roles))}.")
    if not password_stdin:
        click.echo(f"Kata sandi: {plain}")


@click.command("demo")
def demo_command():
    """Create the demo class and accounts once; running it again creates nothing new."""
    from .demo import create_demo

    created, lines = create_demo()
    click.echo("Data demo dibuat:" if created else "Data demo sudah ada; tidak ada yang dibuat ulang.")
    for line in lines:
        click.echo(line)


@content_cli.command("check")
def content_check():
    """Lint every shipped content file; exits non-zero when something is wrong."""
    root = current_app.config["CONTENT_ROOT"]
    failures = 0
    for name, func in current_app.extensions.get("content_check", {}).items():
        problems, info = func(root)
        click.echo(f"== {name}")
        for line in info:
            click.echo(f"  {line}")
        for line in problems:
            click.echo(f"  MASALAH: {line}", err=True)
        failures += len(problems)
    if failures:
        raise click.ClickException(f"{failures} masalah ditemukan pada konten.")
    click.echo("Konten lolos pemeriksaan.")


@click.command("backup")
@click.argument("dest", type=click.Path(file_okay=False))
def backup_command(dest):
    """Make a consistent copy of the database and the media folder under DEST."""
    from .backup import BackupError, backup

    try:
        folder = backup(current_app, dest)
    except (BackupError, subprocess.CalledProcessError) as exc:
        raise click.ClickException(str(exc))
    click.echo(f"Cadangan dibuat: {folder}")


@click.command("restore")
@click.argument("src", type=click.Path(exists=True, file_okay=False))
@click.option("--force", is_flag=True, help="Timpa basis data yang sudah berisi data.")
def restore_command(src, force):
    """Bring back a backup made by `flask backup` into the configured database and media folder."""
    from .backup import BackupError, restore

    try:
        manifest = restore(current_app, src, force=force)
    except (BackupError, subprocess.CalledProcessError) as exc:
        raise click.ClickException(str(exc))
    click.echo(f"Dipulihkan dari cadangan {manifest['created_at']} (revisi {manifest['revision']}, "
               f"{manifest['media_files']} berkas media).")


def register_cli(app):
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(init_command)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(content_cli)
