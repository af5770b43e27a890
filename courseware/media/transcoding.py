"""Transcoding with PyAV (its wheels carry FFmpeg, libx264 and libx265), in the worker.

transcode()  whatever phones record -> H.264/AAC MP4, fast start, at most 720p, plus a poster.
make_clip()  a small synthetic clip (tests and benchmarks use it).

Nothing here touches Flask or the database. Whether a file is a video at all is probing.py's.
"""
from __future__ import annotations

import os
import time
from fractions import Fraction
from pathlib import Path

import av
from flask_babel import gettext as _

from .probing import NotAVideo, ProbeResult, minutes_label, probe

MAX_SHORT_SIDE = 720
MAX_LONG_SIDE = 1280


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
                          m=minutes_label(max_seconds)))
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
