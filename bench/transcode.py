"""Benchmark: time to turn a 3-minute 1080p phone-like clip into the playback MP4.

Generates (once, cached in the work folder) a 3-minute 1920x1080 30 fps H.264 MP4 and a
3-minute 1920x1080 30 fps HEVC MOV with audio using PyAV, then times
courseware.media.video.transcode() on each (720p H.264/AAC, fast start, poster).

    .venv/bin/python bench/transcode.py [--seconds 180] [--work /tmp/bench-transcode]
"""
import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from courseware.media.video import make_clip, probe, transcode  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=180)
    parser.add_argument("--work", default="/tmp/bench-transcode")
    parser.add_argument("--preset", default=os.environ.get("MEDIA_X264_PRESET", "veryfast"))
    parser.add_argument("--only", choices=["h264", "hevc"], help="time one of the two clips")
    args = parser.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    print(f"CPU cores: {os.cpu_count()}, x264 preset: {args.preset}")
    clips = [("H.264 1080p MP4", "libx264", f"h264-1080p-{int(args.seconds)}s.mp4", "mp4"),
             ("HEVC 1080p MOV", "libx265", f"hevc-1080p-{int(args.seconds)}s.mov", "mov")]
    if args.only:
        clips = [c for c in clips if c[1] == {"h264": "libx264", "hevc": "libx265"}[args.only]]
    for label, codec, name, fmt in clips:
        source = work / name
        if not source.exists():
            started = time.perf_counter()
            tmp = work / (name + ".tmp")
            make_clip(tmp, codec=codec, seconds=args.seconds, size=(1920, 1080), fps=30, audio=True,
                      container_format=fmt, preset="ultrafast")
            tmp.rename(source)
            print(f"generated {label}: {source.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - started:.1f} s")
        info = probe(source)
        started = time.perf_counter()
        transcode(source, work / "out.mp4", work / "out.jpg", preset=args.preset)
        elapsed = time.perf_counter() - started
        out = probe(work / "out.mp4")
        print(f"{label}: {info.duration:.0f} s {info.width}x{info.height} {info.video_codec} -> "
              f"{out.width}x{out.height} {out.video_codec}/{out.audio_codec} "
              f"{(work / 'out.mp4').stat().st_size / 1e6:.1f} MB in {elapsed:.1f} s "
              f"({info.duration / elapsed:.2f}x real time)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
