"""A short, bounded atheris run per target (skipped where atheris is not installed)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("atheris")

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("target", ["query", "html", "markdown", "text"])
def test_atheris_finds_no_crash(target, tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "tests/security/atheris_target.py"),
            target,
            "-atheris_runs=2000",
            "-max_len=2048",
            f"-artifact_prefix={tmp_path}/",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]
