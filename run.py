#!/usr/bin/env python3
"""Set up and run the courseware with nothing but Python 3.11+ and pip.

    python run.py            install into .venv, prepare the database and demo data, start the site
    python run.py --lan      the same, reachable from phones on the lab network (prints address + QR)
    python run.py install    only install (what `python run.py` does first)
    python run.py test       install the test tools too and run the whole test suite

Standard library only: this file runs before anything is installed, on Linux and Windows.
"""
import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def _requirements_digest(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def install(dev: bool = False) -> None:
    """Create .venv and install the requirements; skipped when nothing changed since last time."""
    if sys.version_info < (3, 11):
        sys.exit("Butuh Python 3.11 atau lebih baru.")
    if not PYTHON.exists():
        print("Membuat lingkungan virtual .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    req = ROOT / ("requirements-dev.txt" if dev else "requirements.txt")
    files = [ROOT / "requirements.txt"] + ([req] if dev else [])
    stamp = VENV / f".installed-{'dev' if dev else 'run'}"
    wanted = _requirements_digest(files)
    if not (stamp.exists() and stamp.read_text() == wanted):
        print(f"Memasang dependensi dari {req.name} ...", flush=True)
        subprocess.run([str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "-q", "-r", str(req)],
                       check=True, cwd=ROOT)
        stamp.write_text(wanted)
    compile_translations()


def compile_translations() -> None:
    """Compile the interface catalogs (English) with Babel; only a missing or outdated .mo is written."""
    subprocess.run([str(PYTHON), "-c", "from courseware.i18n import compile_catalogs; compile_catalogs()"],
                   check=True, cwd=ROOT)


def main(argv: list[str]) -> int:
    command = argv[0] if argv and not argv[0].startswith("-") else "serve"
    if command == "install":
        install(dev="--dev" in argv)
        print("Instalasi selesai.")
        return 0
    if command == "test":
        install(dev=True)
        return subprocess.call([str(PYTHON), "-m", "pytest", *argv[1:]], cwd=ROOT)
    if command == "serve":
        install()
        options = argv[1:] if argv and argv[0] == "serve" else argv
        return subprocess.call([str(PYTHON), "-m", "courseware.serve", *options], cwd=ROOT)
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
