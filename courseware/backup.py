"""Consistent backups and restores of the database and the media folder.

SQLite is copied with the online backup API (never by copying the live file, which can
catch a half-written page); PostgreSQL with pg_dump / pg_restore. Media files are
immutable once complete (written atomically), so copying them after the database
snapshot gives a consistent pair: at worst a file the snapshot does not reference yet.
"""
import json
import shutil
import sqlite3
import subprocess
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from .extensions import db

MANIFEST = "manifest.json"
# Unfinished tus uploads and transcoding scratch (media_dirs: "uploads", "work") are not evidence:
# a restored site could never finish them, and they can be as large as every video in flight.
SKIP_MEDIA_DIRS = {"uploads", "work"}


class BackupError(Exception):
    pass


def _libpq_url(url) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def backup(app, dest: str | Path) -> Path:
    """Write database + media + manifest into a new folder under `dest`; return that folder."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    target = Path(dest) / f"cadangan-{stamp}"
    target.mkdir(parents=True, exist_ok=False)
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        _sqlite_copy(url.database, target / "database.sqlite3")
        db_file = "database.sqlite3"
    elif url.get_backend_name() == "postgresql":
        subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file", str(target / "database.pgdump"),
                        _libpq_url(url)], check=True)
        db_file = "database.pgdump"
    else:
        raise BackupError(f"Basis data {url.get_backend_name()} belum didukung untuk cadangan.")
    files = _copy_media(Path(app.config["MEDIA_ROOT"]), target / "media")
    manifest = {
        "created_at": stamp,
        "database": url.get_backend_name(),
        "database_file": db_file,
        "revision": _revision(),
        "media_files": files,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return target


def _revision() -> str | None:
    if "alembic_version" not in inspect(db.engine).get_table_names():
        return None
    return db.session.scalar(text("SELECT version_num FROM alembic_version"))


def _sqlite_copy(source: str, destination: Path) -> None:
    src = sqlite3.connect(source)
    dst = sqlite3.connect(destination)
    try:
        with dst:
            src.backup(dst)
    finally:
        dst.close()
        src.close()


def _copy_media(source: Path, destination: Path) -> int:
    count = 0
    destination.mkdir(parents=True, exist_ok=True)
    if not source.exists():
        return 0
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if relative.parts and relative.parts[0] in SKIP_MEDIA_DIRS or not path.is_file():
            continue
        if path.name.startswith(".") or path.suffix == ".part":
            continue
        out = destination / relative
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, out)
        count += 1
    return count


def restore(app, source: str | Path, force: bool = False) -> dict:
    """Bring a backup folder back into the configured database and media folder."""
    folder = Path(source)
    manifest_path = folder / MANIFEST
    if not manifest_path.exists():
        raise BackupError(f"{folder} bukan folder cadangan (tidak ada {MANIFEST}).")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != manifest["database"]:
        raise BackupError(f"Cadangan ini dari {manifest['database']}, sedangkan basis data tujuan "
                          f"{url.get_backend_name()}.")
    if not force and _has_user_data():
        raise BackupError("Basis data tujuan sudah berisi data. Pakai --force untuk menimpanya.")
    db.session.remove()
    db.engine.dispose()
    if manifest["database"] == "sqlite":
        _restore_sqlite(folder / manifest["database_file"], url.database)
    else:
        _restore_postgres(folder / manifest["database_file"], url)
    db.engine.dispose()
    _copy_media(folder / "media", Path(app.config["MEDIA_ROOT"]))
    return manifest


def _has_user_data() -> bool:
    names = inspect(db.engine).get_table_names()
    return "users" in names and bool(db.session.scalar(text("SELECT count(*) FROM users")))


def _restore_sqlite(backup_file: Path, live_path: str) -> None:
    # Copy through the backup API into the live file, so WAL and open readers stay consistent.
    _sqlite_copy(str(backup_file), Path(live_path))


def _restore_postgres(dump: Path, url) -> None:
    with db.engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
        conn.commit()
    db.engine.dispose()
    subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "--dbname", _libpq_url(url), str(dump)],
                   check=True)
