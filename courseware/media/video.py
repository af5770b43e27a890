"""Video by content, with PyAV (its wheels carry FFmpeg, libx264 and libx265).

probe()      open the container, demux every packet, decode the first frame: a file is a
             video only if that all works (never judged by its name or extension).
transcode()  whatever phones record -> H.264/AAC MP4, fast start, at most 720p, plus a poster.
make_clip()  a small synthetic clip (tests and benchmarks use it).

Nothing here touches Flask or the database.
"""
from __future__ import annotations

import os
import time
import zipfile
from dataclasses import asdict, dataclass
from fractions import Fraction
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

MAX_SHORT_SIDE = 720
MAX_LONG_SIDE = 1280


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
            raise NotAVideo(_("Video terlalu panjang (%(d)s); batasnya %(m)s.", d=_mmss(declared), m=_mmss(max_seconds)))

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
                                          "batasnya %(m)s.", m=_mmss(max_seconds)))
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


def _mmss(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d} menit"


def target_size(width: int, height: int) -> tuple[int, int]:
    """Fit inside 720p (short side <= 720, long side <= 1280), keep aspect, even numbers."""
    factor = min(1.0, MAX_SHORT_SIDE / min(width, height), MAX_LONG_SIDE / max(width, height))

    def even(value: float) -> int:
        return max(2, int(round(value * factor / 2)) * 2)

    return even(width), even(height)


ROTATE_FILTERS = {90: [("transpose", "clock")], 180: [("hflip", ""), ("vflip", "")],
                  270: [("transpose", "cclock")]}


def transcode(source: str | os.PathLike, playback_path: str | os.PathLike, poster_path: str | os.PathLike,
              preset: str = "veryfast", crf: int = 23, poster_at: float = 1.0,
              max_seconds: float | None = None, wall_seconds: float | None = None,
              info: ProbeResult | None = None) -> dict:
    """Write an H.264/AAC MP4 with the moov atom first, and a JPEG poster frame.

    The caller gives temporary paths and renames them into place afterwards.
    Stops with NotAVideo once the decoded picture passes `max_seconds`, or after
    `wall_seconds` of work. `info`: what the upload's probe found (the worker has it from the
    database), which saves reading the whole file once more. Returns {"width", "height",
    "duration", "audio"}.
    """
    started = time.monotonic()
    info = info or probe(source)
    width, height = target_size(info.width, info.height)
    poster_written = False
    last_pts = None
    with av.open(str(source), metadata_errors="ignore") as inp, \
            av.open(str(playback_path), "w", format="mp4", options={"movflags": "+faststart"}) as out:
        vin = inp.streams.video[0]
        vin.thread_type = "AUTO"
        ain = inp.streams.audio[0] if inp.streams.audio else None

        fps = info.fps or float(vin.average_rate or vin.guessed_rate or 30)
        rate = Fraction(fps).limit_denominator(1001)
        vout = out.add_stream("libx264", rate=rate)
        vout.width, vout.height, vout.pix_fmt = width, height, "yuv420p"
        vout.time_base = vin.time_base
        vout.codec_context.time_base = vin.time_base
        vout.codec_context.options = {"preset": preset, "crf": str(crf), "profile": "high"}
        vout.thread_type = "AUTO"
        aout = None
        if ain is not None:
            in_rate = ain.codec_context.sample_rate or 48000
            aout = out.add_stream("aac", rate=in_rate if in_rate in (44100, 48000) else 48000)
            aout.layout = "stereo"
            aout.bit_rate = 128_000

        graph = av.filter.Graph()
        nodes = [graph.add_buffer(template=vin)]
        for name, args in ROTATE_FILTERS.get(info.rotation, []):
            nodes.append(graph.add(name, args) if args else graph.add(name))
        nodes.append(graph.add("scale", f"{width}:{height}:flags=bicubic"))
        nodes.append(graph.add("format", "yuv420p"))
        nodes.append(graph.add("buffersink"))
        graph.link_nodes(*nodes).configure()

        def emit_video(frame):
            nonlocal last_pts, poster_written
            if frame.pts is None:
                frame.pts = 0 if last_pts is None else last_pts + 1
            if last_pts is not None and frame.pts <= last_pts:
                frame.pts = last_pts + 1
            last_pts = frame.pts
            if not poster_written and float(frame.pts * vin.time_base) >= min(poster_at, info.duration / 3):
                write_jpeg(frame, poster_path)
                poster_written = True
            frame.time_base = vin.time_base
            frame.pict_type = av.video.frame.PictureType.NONE
            out.mux(vout.encode(frame))

        def drain_graph():
            while True:
                try:
                    emit_video(graph.vpull())
                except (av.error.BlockingIOError, av.error.EOFError):
                    return

        streams = [vin] + ([ain] if ain is not None else [])
        for packet in inp.demux(*streams):
            try:
                frames = packet.decode()
            except av.error.InvalidDataError:
                continue  # one damaged packet must not sink the whole video
            for frame in frames:
                if packet.stream.type == "video":
                    _within_caps(frame, max_seconds, wall_seconds, started)
                    graph.vpush(frame)
                    drain_graph()
                else:
                    frame.pts = None
                    out.mux(aout.encode(frame))
        graph.vpush(None)
        drain_graph()
        out.mux(vout.encode(None))
        if aout is not None:
            out.mux(aout.encode(None))
    if not poster_written:
        _poster_from(playback_path, poster_path)
    _fsync(playback_path)
    _fsync(poster_path)
    return {"width": width, "height": height, "duration": info.duration, "audio": aout is not None}


def _within_caps(frame, max_seconds, wall_seconds, started) -> None:
    if max_seconds and frame.time is not None and frame.time > max_seconds:
        raise NotAVideo(_("Isi video lebih panjang daripada batas %(m)s; pemrosesan dihentikan.",
                          m=_mmss(max_seconds)))
    if wall_seconds is not None and time.monotonic() - started > wall_seconds:
        raise NotAVideo(_("Pemrosesan video melewati batas waktu; berkas ini terlalu berat. "
                          "Rekam ulang dengan pengaturan kamera biasa."))


def write_jpeg(frame, path) -> None:
    """Encode one frame as a JPEG with FFmpeg's mjpeg encoder (no Pillow needed)."""
    encoder = av.CodecContext.create("mjpeg", "w")
    encoder.width, encoder.height = frame.width, frame.height
    encoder.pix_fmt = "yuvj420p"
    encoder.time_base = Fraction(1, 25)
    encoder.options = {"q:v": "3"}
    image = frame.reformat(format="yuvj420p")
    image.pts = 0
    data = b"".join(bytes(p) for p in encoder.encode(image) + encoder.encode(None))
    with open(path, "wb") as handle:
        handle.write(data)


def _poster_from(video_path, poster_path) -> None:
    with av.open(str(video_path)) as container:
        for frame in container.decode(video=0):
            write_jpeg(frame, poster_path)
            return
    raise NotAVideo(_("Tidak ada gambar untuk poster."))


def _fsync(path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def make_clip(path: str | os.PathLike, codec: str = "libx264", seconds: float = 2.0, size=(320, 240),
              fps: int = 25, audio: bool = True, container_format: str | None = None,
              rotation: int = 0, preset: str = "ultrafast", faststart: bool = False) -> Path:
    """Write a synthetic test clip (moving test pattern, optional 440 Hz tone) with PyAV."""
    path = Path(path)
    width, height = size
    options = {"movflags": "+faststart"} if faststart else {}
    src = av.open(f"testsrc2=size={width}x{height}:rate={fps}:duration={seconds}", format="lavfi")
    with src, av.open(str(path), "w", format=container_format, options=options) as out:
        vout = out.add_stream(codec, rate=fps)
        vout.width, vout.height, vout.pix_fmt = width, height, "yuv420p"
        if codec in ("libx264", "libx265"):
            vout.codec_context.options = {"preset": preset}
            if codec == "libx265":
                vout.codec_context.options["x265-params"] = "log-level=error"
        if codec == "libx265" and (container_format or path.suffix.lstrip(".")) in ("mov", "mp4"):
            vout.codec_tag = "hvc1"  # what iPhones write; Safari needs it
        if rotation:
            vout.set_display_rotation(rotation)
        aout = None
        tone = None
        if audio:
            aout = out.add_stream("aac", rate=48000)
            aout.layout = "mono"
            tone = av.open(f"sine=frequency=440:sample_rate=48000:duration={seconds}", format="lavfi")
            tone_frames = tone.decode(audio=0)
        audio_time = 0.0
        try:
            for index, frame in enumerate(src.decode(video=0)):
                frame.pict_type = av.video.frame.PictureType.NONE
                out.mux(vout.encode(frame))
                # Interleave the tone with the picture so the muxer never buffers much.
                while aout is not None and audio_time <= (index + 1) / fps:
                    chunk = next(tone_frames, None)
                    if chunk is None:
                        break
                    audio_time += chunk.samples / 48000
                    chunk.pts = None
                    out.mux(aout.encode(chunk))
            out.mux(vout.encode(None))
            if aout is not None:
                for chunk in tone_frames:
                    chunk.pts = None
                    out.mux(aout.encode(chunk))
                out.mux(aout.encode(None))
        finally:
            if tone is not None:
                tone.close()
    return path
