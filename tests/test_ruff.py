"""`ruff check .` stays clean under the rule set stated in pyproject.toml ([tool.ruff.lint])."""
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _ruff(*args, cwd=ROOT):
    try:
        import ruff  # noqa: F401 - only to say clearly what is missing
    except ImportError:  # the suite runs from requirements-dev.txt, which brings ruff
        raise AssertionError("ruff is not installed: `python3 run.py install --dev` (requirements-dev.txt)")
    return subprocess.run([sys.executable, "-m", "ruff", *args], cwd=cwd, capture_output=True, text=True)


def test_the_code_passes_ruff():
    result = _ruff("check", "--no-cache", "--output-format", "concise", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_stated_rule_set_is_the_one_ruff_applies(tmp_path):
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["ruff"]["lint"]
    assert config["select"] == ["E4", "E7", "E9", "F", "W", "B"]
    # A file with one unused import and one mutable default: both rules fire with the repo's settings.
    bad = tmp_path / "bad.py"
    bad.write_text("import os\n\n\ndef f(x=[]):\n    return x\n", encoding="utf-8")
    result = _ruff("check", "--no-cache", "--output-format", "concise", "--config", str(ROOT / "pyproject.toml"),
                   str(bad))
    assert result.returncode == 1
    assert "F401" in result.stdout and "B006" in result.stdout, result.stdout
