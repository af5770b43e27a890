"""`bandit -r courseware` stays clean at medium severity and above (each exception is justified inline)."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_bandit_finds_nothing_at_medium_or_above():
    if shutil.which("bandit", path=str(Path(sys.executable).parent)) is None:
        pytest.skip("bandit is not installed (it comes with requirements-dev.txt)")
    result = subprocess.run([str(Path(sys.executable).parent / "bandit"), "-q", "-r", "courseware", "-ll", "-f", "txt"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
