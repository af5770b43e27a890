"""Where finished video files live: a local folder (default) or S3-compatible object storage.

Both backends share one small interface, so services never know which one is in use.
Keys are relative, slash-separated names such as "originals/ab/ab12....mp4".

Partial tus uploads are NOT kept here: they are appended to in place in a folder
(MEDIA_ROOT/uploads, or UPLOAD_WORK_DIR: a folder every app host mounts), see files.py and uploads.py.
With S3 storage they are S3 multipart uploads instead (s3parts.py). Only complete, validated
files are put into storage.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

CHUNK = 256 * 1024
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_\-]*(/[a-z0-9][a-z0-9_\-.]*)+$")


def check_key(key: str) -> str:
    """Refuse keys that could escape the storage root (they are built by us, never by users)."""
    if not KEY_RE.match(key or "") or ".." in key:
        raise ValueError(f"invalid storage key: {key!r}")
    return key


def fsync_dir(path: Path) -> None:
    """Make a rename durable (no-op where directories cannot be opened, e.g. Windows)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    with open(path, "rb+") as handle:
        handle.flush()
        os.fsync(handle.fileno())


@dataclass
class StoredObject:
    key: str
    size: int
    modified: float  # seconds since the epoch


class Storage:
    """The interface every backend implements."""

    def open_read(self, key: str, start: int = 0, length: int | None = None) -> Iterator[bytes]:
        """Yield the bytes [start, start+length) in chunks; never the whole file at once."""
        raise NotImplementedError

    def size(self, key: str) -> int:
        raise NotImplementedError

    def exists(self, key: str) -> bool:
        raise NotImplementedError

    def put_file(self, key: str, local_path: str | os.PathLike, move: bool = False) -> None:
        """Store a local file under key atomically (readers see the old state or the whole file)."""
        raise NotImplementedError

    def delete(self, key: str) -> None:
        """Delete key; deleting a missing key is not an error."""
        raise NotImplementedError

    def list(self, prefix: str) -> Iterator[StoredObject]:
        raise NotImplementedError

    @contextmanager
    def local_path_for_processing(self, key: str) -> Iterator[Path]:
        """A local file path with the object's bytes, valid inside the with-block."""
        raise NotImplementedError
        yield  # pragma: no cover


class LocalStorage(Storage):
    """Files in a folder (MEDIA_ROOT/files), outside static/, written atomically."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        return self.root / check_key(key)

    def open_read(self, key, start=0, length=None):
        path = self.path(key)
        handle = open(path, "rb")  # opened now, so a missing file fails before streaming starts

        def _chunks():
            with handle:
                handle.seek(start)
                remaining = length
                while remaining is None or remaining > 0:
                    block = handle.read(CHUNK if remaining is None else min(CHUNK, remaining))
                    if not block:
                        break
                    if remaining is not None:
                        remaining -= len(block)
                    yield block

        return _chunks()

    def size(self, key):
        return self.path(key).stat().st_size

    def exists(self, key):
        return self.path(key).is_file()

    def put_file(self, key, local_path, move=False):
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        source = Path(local_path)
        if move:
            try:
                fsync_file(source)
                os.replace(source, target)
                fsync_dir(target.parent)
                return
            except OSError:
                pass  # another file system: fall back to copy-then-rename
        fd, tmp_name = tempfile.mkstemp(prefix=".tmp-", suffix=".part", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
                shutil.copyfileobj(src, out, CHUNK * 4)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp_name, target)
        except BaseException:
            _unlink(tmp_name)
            raise
        fsync_dir(target.parent)
        if move:
            _unlink(source)

    def delete(self, key):
        _unlink(self.path(key))

    def list(self, prefix):
        base = self.root / prefix
        if not base.is_dir():
            return
        for path in base.rglob("*"):
            if path.is_file():
                stat = path.stat()
                yield StoredObject(path.relative_to(self.root).as_posix(), stat.st_size, stat.st_mtime)

    @contextmanager
    def local_path_for_processing(self, key):
        path = self.path(key)
        if not path.is_file():
            raise FileNotFoundError(key)
        yield path


class S3Storage(Storage):
    """Objects in an S3-compatible bucket (AWS, MinIO, Ceph ...) through boto3.

    A PUT of a whole object is atomic in S3, so put_file needs no temp-then-rename.
    Credentials come from boto3's usual chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY,
    ~/.aws/credentials, an instance role).
    """

    def __init__(self, bucket: str, endpoint_url: str | None = None, prefix: str = "",
                 temp_dir: str | os.PathLike | None = None, client=None):
        import boto3  # optional dependency: only needed when S3_BUCKET is set

        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client = client or boto3.client("s3", endpoint_url=endpoint_url or None)
        self.temp_dir = Path(temp_dir) if temp_dir else None
        if self.temp_dir:
            self.temp_dir.mkdir(parents=True, exist_ok=True)

    def _k(self, key: str) -> str:
        return self.prefix + check_key(key)

    def open_read(self, key, start=0, length=None):
        if length == 0:
            return iter(())
        end = "" if length is None else str(start + length - 1)
        response = self.client.get_object(Bucket=self.bucket, Key=self._k(key), Range=f"bytes={start}-{end}")
        body = response["Body"]

        def _chunks():
            try:
                yield from body.iter_chunks(CHUNK)
            finally:
                body.close()

        return _chunks()

    def size(self, key):
        return int(self.client.head_object(Bucket=self.bucket, Key=self._k(key))["ContentLength"])

    def exists(self, key):
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._k(key))
            return True
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise

    def put_file(self, key, local_path, move=False):
        # upload_file streams the file (multipart above 8 MiB); the object appears only when complete.
        self.client.upload_file(str(local_path), self.bucket, self._k(key))
        if move:
            _unlink(local_path)

    def delete(self, key):
        self.client.delete_object(Bucket=self.bucket, Key=self._k(key))

    def list(self, prefix):
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix + prefix):
            for item in page.get("Contents", []):
                yield StoredObject(item["Key"][len(self.prefix):], int(item["Size"]),
                                   item["LastModified"].timestamp())

    @contextmanager
    def local_path_for_processing(self, key):
        fd, tmp_name = tempfile.mkstemp(prefix=".s3-", suffix=Path(key).suffix, dir=self.temp_dir)
        os.close(fd)
        try:
            self.client.download_file(self.bucket, self._k(key), tmp_name)
            yield Path(tmp_name)
        finally:
            _unlink(tmp_name)


def _unlink(path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def media_dirs(config) -> dict[str, Path]:
    """The local folders: finished files, tus partials, processing scratch (under MEDIA_ROOT).

    UPLOAD_WORK_DIR moves the tus partials elsewhere: with several app hosts and the local
    backend, a folder every host mounts (NFS), so a PATCH may land on any host.
    """
    root = Path(config["MEDIA_ROOT"])
    uploads = Path(config["UPLOAD_WORK_DIR"]) if config.get("UPLOAD_WORK_DIR") else root / "uploads"
    return {"files": root / "files", "uploads": uploads, "work": root / "work"}


def storage_from_config(config) -> Storage:
    dirs = media_dirs(config)
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    if config.get("S3_BUCKET"):
        return S3Storage(config["S3_BUCKET"], config.get("S3_ENDPOINT_URL"),
                         prefix=config.get("S3_PREFIX") or "", temp_dir=dirs["work"])
    return LocalStorage(dirs["files"])


def get_storage(app=None) -> Storage:
    """The app's storage backend, created once per app."""
    from flask import current_app

    app = app or current_app._get_current_object()
    storage = app.extensions.get("media_storage")
    if storage is None:
        storage = app.extensions["media_storage"] = storage_from_config(app.config)
    return storage


def older_than(modified: float, seconds: float) -> bool:
    return time.time() - modified > seconds
