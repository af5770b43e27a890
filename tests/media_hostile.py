"""Hostile videos made with PyAV, small on disk and quick to make (shared by the media tests).

- huge_frames: 8192x8192 pixels, 25,000 frames, about 1 MB: one encoded key frame and one
  all-skip frame, the latter repeated (decoding it whole would take the worker for an hour).
- lying_mkv: an MKV whose header declares 10 s but whose packets run for 3 hours (tiny frames,
  1 fps), made by rewriting the Segment Duration element after muxing.
- many_tracks: an MKV with one short video track and 10,000 audio tracks.
"""
from __future__ import annotations

import struct
from fractions import Fraction
from pathlib import Path

import av


def huge_frames(path: Path, size: int = 8192, frames: int = 25_000, fps: int = 25) -> Path:
    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width = stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.codec_context.options = {"preset": "ultrafast", "tune": "zerolatency", "bframes": "0",
                                        "x264-params": "log-level=none"}
        encoded = []
        frame = av.VideoFrame(size, size, "yuv420p")
        for plane in frame.planes:
            plane.update(bytes(plane.buffer_size))
        for index in range(2):
            frame.pts = index
            encoded += stream.encode(frame)
        encoded += stream.encode(None)
        key, skip = bytes(encoded[0]), bytes(encoded[-1])
        time_base = Fraction(1, fps)
        for index in range(frames):
            packet = av.Packet(key if index == 0 else skip)
            packet.stream = stream
            packet.pts = packet.dts = index
            packet.duration = 1
            packet.time_base = time_base
            packet.is_keyframe = index == 0
            out.mux(packet)
    return path


def lying_mkv(path: Path, real_seconds: int = 3 * 3600, declared_seconds: float = 10.0) -> Path:
    with av.open(str(path), "w", format="matroska") as out:
        stream = out.add_stream("mpeg4", rate=1)
        stream.width = stream.height = 16
        stream.pix_fmt = "yuv420p"
        stream.codec_context.options = {"g": "600"}
        frame = av.VideoFrame(16, 16, "yuv420p")
        for plane in frame.planes:
            plane.update(bytes(plane.buffer_size))
        for index in range(real_seconds):
            frame.pts = index
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    data = bytearray(path.read_bytes())
    # Segment Info > Duration: element id 0x4489, size 0x88 (8-byte float), in TimecodeScale units (ms).
    at = data.find(b"\x44\x89\x88")
    assert at > 0, "no 8-byte Duration element"
    data[at + 3:at + 11] = struct.pack(">d", declared_seconds * 1000)
    path.write_bytes(bytes(data))
    return path


def _ebml_size(n: int) -> bytes:
    return (n | (1 << 56)).to_bytes(8, "big")  # always the 8-byte form: simple and valid


def _element(element_id: bytes, payload: bytes) -> bytes:
    return element_id + _ebml_size(len(payload)) + payload


def _read_vint(data: bytes, at: int, keep_marker: bool) -> tuple[int, int]:
    first = data[at]
    length = 8 - first.bit_length() + 1
    value = int.from_bytes(data[at:at + length], "big")
    if not keep_marker:
        value &= (1 << (7 * length)) - 1
    return value, at + length


def _children(data: bytes, at: int, end: int):
    while at < end:
        element_id, body = _read_vint(data, at, keep_marker=True)
        size, body = _read_vint(data, body, keep_marker=False)
        yield element_id, data[at:body + size], data[body:body + size]
        at = body + size


def many_tracks(path: Path, tracks: int = 10_000) -> Path:
    """FFmpeg's Matroska muxer crashes long before 10,000 streams, so one short video is muxed
    normally and the extra audio track entries are written into its Tracks element directly."""
    with av.open(str(path), "w", format="matroska") as out:
        video = out.add_stream("mpeg4", rate=25)
        video.width = video.height = 16
        video.pix_fmt = "yuv420p"
        frame = av.VideoFrame(16, 16, "yuv420p")
        for plane in frame.planes:
            plane.update(bytes(plane.buffer_size))
        for index in range(25):
            frame.pts = index
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
    data = path.read_bytes()
    header_id, header_raw, _ = next(_children(data, 0, len(data)))
    segment_at = len(header_raw)
    _, body = _read_vint(data, segment_at, keep_marker=True)
    size, body = _read_vint(data, body, keep_marker=False)
    kept = []
    for element_id, raw, payload in _children(data, body, min(len(data), body + size)):
        if element_id == 0x1654AE6B:  # Tracks: the original entry plus the extra audio tracks
            extra = b"".join(_element(b"\xae", b"".join([
                _element(b"\xd7", number.to_bytes(2, "big")),
                _element(b"\x73\xc5", number.to_bytes(4, "big")),
                _element(b"\x83", b"\x02"),
                _element(b"\x86", b"A_PCM/INT/LIT"),
                _element(b"\xe1", _element(b"\xb5", struct.pack(">d", 8000.0)) + _element(b"\x9f", b"\x01")
                         + _element(b"\x62\x64", b"\x10")),
            ])) for number in range(2, tracks + 2))
            kept.append(_element(b"\x16\x54\xae\x6b", payload + extra))
        elif element_id in (0x1549A966, 0x1F43B675):  # Info, Clusters (SeekHead and Cues would lie now)
            kept.append(raw)
    segment = b"".join(kept)
    path.write_bytes(header_raw + _element(b"\x18\x53\x80\x67", segment))
    return path
