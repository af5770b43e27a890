"""Hostile media cannot hurt the site: untrusted files are probed in a child process.

The web process never opens an uploaded file with FFmpeg. `probe_isolated()` runs
`python courseware/media/guard.py PATH LIMITS` with an address-space and CPU limit
(POSIX; on Windows only the wall-clock timeout applies) and reads one JSON line back.
A child that runs out of memory or time, or crashes, is a refusal with a plain reason;
the library's own error text goes to the log, never to the trainee.
"""
from __future__ import annotations

import json
import logging
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .probing import Limits

PROJECT_ROOT = Path(__file__).resolve().parents[2]
log = logging.getLogger(__name__)


def limits_from_config(config) -> Limits:
    from .probing import Limits

    return Limits(max_seconds=config["MAX_VIDEO_SECONDS"], max_pixels=config["MAX_VIDEO_PIXELS"],
                  max_side=config["MAX_VIDEO_SIDE"], max_fps=config["MAX_VIDEO_FPS"],
                  max_streams=config["MAX_VIDEO_STREAMS"], margin=config["MEDIA_DURATION_MARGIN"])


def probe_isolated(path, limits, memory_mb: int = 1024, seconds: float = 60):
    """probe() in a child process; returns a ProbeResult or raises NotAVideo."""
    from flask_babel import gettext as _

    from .probing import NotAVideo, ProbeResult

    # Run as a script, not `-m courseware...`: the child then imports probing.py alone (its folder is
    # sys.path[0]), not the whole app package; that cut the child's start from ~1 s of CPU to ~0.3 s.
    command = [sys.executable, str(Path(__file__).resolve()), str(path),
               json.dumps({**asdict(limits), "memory_mb": memory_mb, "seconds": seconds})]
    try:
        done = subprocess.run(command, capture_output=True, timeout=seconds + 5,  # nosec B603
                              cwd=str(PROJECT_ROOT), stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        log.warning("probe of %s ran past %s s", path, seconds)
        raise NotAVideo(_("Pemeriksaan video melewati batas waktu; berkas ini terlalu berat untuk diperiksa."))
    lines = done.stdout.decode("utf-8", "replace").strip().splitlines()
    try:
        answer = json.loads(lines[-1]) if lines else None
    except ValueError:
        answer = None
    if done.returncode != 0 or not isinstance(answer, dict):
        log.warning("probe child for %s ended with %s: %s", path, done.returncode,
                    done.stderr.decode("utf-8", "replace")[-2000:])
        raise NotAVideo(_("Berkas ini terlalu berat atau rusak sehingga tidak dapat diperiksa sebagai video."))
    if not answer.get("ok"):
        raise NotAVideo(answer.get("reason") or _("Berkas tidak dapat dibaca sebagai video."))
    return ProbeResult(**answer["info"])


def _child(path: str, options: str) -> int:  # pragma: no cover - runs in the child process
    settings = json.loads(options)
    memory_mb, seconds = settings.pop("memory_mb"), settings.pop("seconds")
    try:
        import resource

        limit = int(memory_mb) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        cpu = int(seconds) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    except (ImportError, ValueError, OSError):
        pass  # Windows: the parent's timeout still applies
    from probing import Limits, NotAVideo, probe  # the sibling module, as a top-level one

    try:
        info = probe(path, limits=Limits(**settings))
    except NotAVideo as exc:
        print(json.dumps({"ok": False, "reason": str(exc)}))
        return 0
    except MemoryError:
        return 3
    except Exception:  # noqa: BLE001 - FFmpeg's own words stay in the log
        import traceback

        traceback.print_exc()
        print(json.dumps({"ok": False, "reason": "Berkas tidak dapat dibaca sebagai video (format tidak dikenal "
                                                  "atau rusak)."}))
        return 0
    print(json.dumps({"ok": True, "info": info.as_dict()}))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(_child(sys.argv[1], sys.argv[2]))
