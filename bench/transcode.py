"""Benchmark: time to turn a 3-minute 1080p phone-like clip into the playback MP4, next to a
raw PyAV transcode with the same settings on the same clip in the same run.

Generates (once, cached in the work folder) a 3-minute 1920x1080 30 fps H.264 MP4 and a
3-minute 1920x1080 30 fps HEVC MOV with audio using PyAV, then for each clip times
- courseware.media.transcoding.transcode() as the worker calls it (with the upload's probe result, 720p
  H.264/AAC, fast start, poster, duration and wall-time caps), and
- raw(): the plainest PyAV loop with the same encoder settings (libx264 preset/crf/high
  profile, bicubic scale to the same size, AAC 128k stereo, fast start, automatic threads, and
  x264 choosing every frame's type itself, as the ffmpeg command line and our transcode do),
and prints our time over the raw time (target <= 1.1), as wall time and as CPU time (all threads
of this process, time.process_time): on a machine shared with other work the wall times swing
with their load, the CPU times much less. The two runs alternate (ours, raw, ours, raw with
--repeat 2); the best of each is compared. Both outputs' sizes are printed: with the same settings
they are within a few percent of each other (a large gap means the two did not do the same work).

Until December 2026 raw() passed each decoded frame's picture type (I/P from the phone's encoder)
on to libx264, which then forces that type on every frame: no B-frames and no scene-cut or B-frame
decisions, a cheaper encode that gives a 14% bigger file at the same CRF. Against it ours cost
1.09-1.15 times the CPU; against the same settings 0.90-1.00 (figures in docs/media.md).

    .venv/bin/python bench/transcode.py [--seconds 180] [--work /tmp/bench-transcode] [--repeat 1]
"""
import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import av  # noqa: E402

from courseware.media.probing import probe  # noqa: E402
from courseware.media.transcoding import make_clip, target_size, transcode  # noqa: E402


def raw(source: Path, target: Path, preset: str, crf: int = 23) -> None:
    """FFmpeg through PyAV with nothing of ours around it."""
    with av.open(str(source)) as inp, av.open(str(target), "w", format="mp4",
                                              options={"movflags": "+faststart"}) as out:
        vin = inp.streams.video[0]
        vin.thread_type = "AUTO"
        ain = inp.streams.audio[0] if inp.streams.audio else None
        width, height = target_size(vin.codec_context.width, vin.codec_context.height)
        vout = out.add_stream("libx264", rate=vin.average_rate or 30)
        vout.width, vout.height, vout.pix_fmt = width, height, "yuv420p"
        vout.time_base = vin.time_base
        vout.codec_context.time_base = vin.time_base
        vout.codec_context.options = {"preset": preset, "crf": str(crf), "profile": "high"}
        vout.thread_type = "AUTO"
        aout = None
        if ain is not None:
            aout = out.add_stream("aac", rate=48000)
            aout.layout = "stereo"
            aout.bit_rate = 128_000
        for packet in inp.demux(*([vin] + ([ain] if ain else []))):
            for frame in packet.decode():
                if packet.stream.type == "video":
                    image = frame.reformat(width, height, "yuv420p", interpolation="BICUBIC")
                    image.pts, image.time_base = frame.pts, vin.time_base
                    # reformat() keeps the decoder's picture type, and libx264 would force it.
                    image.pict_type = av.video.frame.PictureType.NONE
                    out.mux(vout.encode(image))
                else:
                    frame.pts = None
                    out.mux(aout.encode(frame))
        out.mux(vout.encode(None))
        if aout is not None:
            out.mux(aout.encode(None))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=180)
    parser.add_argument("--work", default="/tmp/bench-transcode")
    parser.add_argument("--preset", default=os.environ.get("MEDIA_X264_PRESET", "veryfast"))
    parser.add_argument("--only", choices=["h264", "hevc"], help="time one of the two clips")
    parser.add_argument("--repeat", type=int, default=1, help="alternating runs of each; the best counts")
    args = parser.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    print(f"CPU cores: {os.cpu_count()}, x264 preset: {args.preset}, load average: {os.getloadavg()[0]:.1f}")
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
        ours, theirs, ours_cpu, theirs_cpu = [], [], [], []
        for _ in range(args.repeat):
            started, cpu = time.perf_counter(), time.process_time()
            transcode(source, work / "out.mp4", work / "out.jpg", preset=args.preset,
                      max_seconds=info.duration + 5, wall_seconds=8 * info.duration, info=info)
            ours.append(time.perf_counter() - started)
            ours_cpu.append(time.process_time() - cpu)
            started, cpu = time.perf_counter(), time.process_time()
            raw(source, work / "raw.mp4", args.preset)
            theirs.append(time.perf_counter() - started)
            theirs_cpu.append(time.process_time() - cpu)
        out = probe(work / "out.mp4")
        best, base = min(ours), min(theirs)
        print(f"{label}: {info.duration:.0f} s {info.width}x{info.height} {info.video_codec} -> "
              f"{out.width}x{out.height} {out.video_codec}/{out.audio_codec} "
              f"{(work / 'out.mp4').stat().st_size / 1e6:.1f} MB (raw {(work / 'raw.mp4').stat().st_size / 1e6:.1f} MB): "
              f"ours {best:.1f} s "
              f"({info.duration / best:.2f}x real time), raw PyAV {base:.1f} s, ours/raw {best / base:.2f}; "
              f"CPU ours {min(ours_cpu):.0f} s, raw {min(theirs_cpu):.0f} s, ours/raw {min(ours_cpu) / min(theirs_cpu):.2f} "
              f"(load average now {os.getloadavg()[0]:.1f})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
