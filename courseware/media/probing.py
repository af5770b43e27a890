"""Is this file a video? Judged by content with PyAV, never by its name or extension.

probe()  open the container, demux every packet, decode the first frame: a file is a video only
         if that all works, within the limits (Limits) the settings allow.

guard.py runs this module in a child process for every upload, as a top-level module (its folder
is sys.path[0]): it imports only PyAV, flask_babel and the standard library, never the app package.
Transcoding the accepted video is in transcoding.py.
"""
from __future__ import annotations

import os
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

import av
from flask_babel import gettext as _

# Containers phones and cameras actually produce. Image formats (GIF, JPEG, PNG sequences),
# playlists and raw streams are refused even though FFmpeg can open them.
ALLOWED_FORMATS = {"mov", "mp4", "m4a", "3gp", "3g2", "mj2", "matroska", "webm", "avi", "mpegts"}
IMAGE_CODECS = {"png", "gif", "webp", "bmp", "tiff", "apng"}
# Markup or scripts near the start: browsers sniff these, and no real video carries them.
MARKUP = (b"<!doctype", b"<html", b"<script", b"<svg", b"<?xml", b"<body", b"<iframe", b"<head")
OTHER_MAGIC = (b"#!", b"%PDF", b"PK\x03\x04", b"MZ", b"\x7fELF")


class NotAVideo(Exception):
    """The file is not an acceptable video; the message is for the user (Indonesian)."""


@dataclass
class ProbeResult:
    container: str
    video_codec: str
    audio_codec: str | None
    duration: float
    width: int          # as displayed (after the rotation flag)
    height: int
    rotation: int       # degrees clockwise the picture must be turned for display
    fps: float

    def as_dict(self) -> dict:
        return asdict(self)


def _sniff(path: Path) -> None:
    with open(path, "rb") as handle:
        head = handle.read(4096)
    if not head:
        raise NotAVideo(_("Berkas kosong (0 byte), bukan video."))
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n\x00").lower()
    if stripped.startswith(b"<") or any(mark in head.lower() for mark in MARKUP):
        raise NotAVideo(_("Berkas berisi HTML/skrip, bukan video."))
    if stripped.startswith(OTHER_MAGIC):
        raise NotAVideo(_("Berkas ini bukan video (jenis berkas lain)."))
    # A ZIP archive appended to a real video (a polyglot: a player and an unzip tool both open it)
    # is found by its end-of-archive record; camera and phone videos never carry one.
    if zipfile.is_zipfile(path):
        raise NotAVideo(_("Berkas ini juga berisi arsip ZIP, bukan video asli dari kamera."))


def _display_rotation(frame) -> int:
    """Clockwise degrees to turn a frame for display, from its display matrix (0/90/180/270)."""
    try:
        ccw = int(round(frame.rotation or 0))
    except Exception:  # noqa: BLE001 - no display matrix
        ccw = 0
    return (-ccw) % 360 if (-ccw) % 90 == 0 else 0


@dataclass(frozen=True)
class Limits:
    """What a video may declare before any frame is decoded (settings MAX_VIDEO_*)."""
    max_seconds: float | None = None
    max_pixels: int | None = None
    max_side: int | None = None
    max_fps: float | None = None
    max_streams: int | None = None
    margin: float = 5.0


def probe(path: str | os.PathLike, max_seconds: float | None = None, limits: Limits | None = None) -> ProbeResult:
    """Return what the file is, or raise NotAVideo with a clear Indonesian reason.

    Untrusted uploads go through guard.probe_isolated(), which runs this in a child process.
    """
    path = Path(path)
    limits = limits or Limits(max_seconds=max_seconds)
    max_seconds = limits.max_seconds
    _sniff(path)
    try:
        container = av.open(str(path), metadata_errors="ignore")
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError):
        raise NotAVideo(_("Berkas tidak dapat dibaca sebagai video (format tidak dikenal atau rusak)."))
    with container:
        formats = set(container.format.name.split(","))
        if not formats & ALLOWED_FORMATS:
            raise NotAVideo(_("Format berkas tidak didukung. Unggah video MP4, MOV, WebM, MKV atau 3GP."))
        if limits.max_streams and len(container.streams) > limits.max_streams:
            raise NotAVideo(_("Berkas memuat %(n)d jalur (trek); video dari kamera atau ponsel paling banyak "
                              "%(m)d.", n=len(container.streams), m=limits.max_streams))
        if not container.streams.video:
            raise NotAVideo(_("Berkas tidak memuat gambar video."))
        vstream = container.streams.video[0]
        vstream.thread_count = 1
        _check_declared_picture(vstream, limits)
        vcodec = vstream.codec_context.name
        if vcodec in IMAGE_CODECS:
            raise NotAVideo(_("Berkas ini gambar, bukan video."))
        astream = container.streams.audio[0] if container.streams.audio else None
        declared = _declared_duration(container, vstream)
        if declared is None or declared <= 0:
            raise NotAVideo(_("Durasi video tidak dapat dibaca; berkas mungkin rusak."))
        if max_seconds and declared > max_seconds:
            raise NotAVideo(_("Video terlalu panjang (%(d)s); batasnya %(m)s.", d=minutes_label(declared),
                              m=minutes_label(max_seconds)))

        first = None
        media_end = 0.0
        video_packets = 0
        streams = [vstream] + ([astream] if astream else [])
        too_long = (max_seconds + limits.margin) if max_seconds else None
        try:
            for packet in container.demux(*streams):
                if packet.size == 0:
                    continue
                if packet.pts is not None and packet.time_base is not None:
                    end = float((packet.pts + (packet.duration or 0)) * packet.time_base)
                    media_end = max(media_end, end)
                    if too_long and media_end > too_long:  # the header lied about the duration
                        raise NotAVideo(_("Isi video lebih panjang daripada yang tertulis di berkasnya; "
                                          "batasnya %(m)s.", m=minutes_label(max_seconds)))
                if packet.stream.index != vstream.index:
                    continue
                video_packets += 1
                if first is None and video_packets <= 300:
                    for frame in packet.decode():
                        first = frame
                        break
        except av.error.FFmpegError:
            raise NotAVideo(_("Video rusak atau terpotong (unggahan tidak utuh). Rekam atau unggah ulang."))
        if first is None:
            raise NotAVideo(_("Gambar video tidak dapat dibuka; berkas rusak atau bukan video."))
        start = container.start_time / av.time_base if container.start_time is not None else 0.0
        real = media_end - start
        # MP4/MOV index every frame up front: a truncated file has fewer frames than its index.
        # Other containers: the packets must reach (almost) the declared duration.
        missing_frames = vstream.frames and video_packets < vstream.frames
        if missing_frames or real < declared - max(0.25, 0.02 * declared):
            raise NotAVideo(_("Video terpotong: sebagian isinya hilang. Unggah ulang berkas yang utuh."))
        duration = min(declared, real) if real > 0 else declared
        rotation = _display_rotation(first)
        width, height = first.width, first.height
        _check_picture(width, height, limits)
        sar = vstream.sample_aspect_ratio
        if sar and sar != 1 and sar > 0:
            width = int(round(width * sar))
        if rotation in (90, 270):
            width, height = height, width
        fps = float(vstream.average_rate or vstream.guessed_rate or 0) or 30.0
        return ProbeResult(
            container=container.format.name[:60],
            video_codec=vcodec,
            audio_codec=astream.codec_context.name if astream else None,
            duration=round(duration, 3),
            width=width,
            height=height,
            rotation=rotation,
            fps=round(fps, 3),
        )


def _check_declared_picture(vstream, limits: Limits) -> None:
    context = vstream.codec_context
    if context.width and context.height:
        _check_picture(context.width, context.height, limits)
    rate = float(vstream.average_rate or vstream.guessed_rate or 0)
    if limits.max_fps and rate > limits.max_fps:
        raise NotAVideo(_("Laju gambar video terlalu tinggi (%(r)d fps); batasnya %(m)d fps.",
                          r=round(rate), m=round(limits.max_fps)))


def _check_picture(width: int, height: int, limits: Limits) -> None:
    if ((limits.max_pixels and width * height > limits.max_pixels)
            or (limits.max_side and max(width, height) > limits.max_side)):
        raise NotAVideo(_("Resolusi video terlalu besar (%(w)d×%(h)d); batasnya %(m)s megapiksel, "
                          "sisi terpanjang %(s)d piksel (4K = 3840×2160).", w=width, h=height,
                          m=f"{(limits.max_pixels or 0) / 1e6:.1f}".replace(".", ","), s=limits.max_side or 0))


def _declared_duration(container, vstream) -> float | None:
    if container.duration:
        return container.duration / av.time_base
    if vstream.duration and vstream.time_base:
        return float(vstream.duration * vstream.time_base)
    return None


def minutes_label(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d} menit"
