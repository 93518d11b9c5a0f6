"""The README's import walkthrough runs as written: every block marked ``<!-- walkthrough -->`` in "Getting your
data in", command by command, from the repository root on an empty TENDERO_HOME, through the installed ``tendero``."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support import SHARED_DATA

ROOT = Path(__file__).resolve().parents[2]
MARKER = "<!-- walkthrough -->"


def walkthrough_blocks() -> list[str]:
    """The marked bash blocks of the README's "Getting your data in" section, continuation lines joined."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Getting your data in", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(re.escape(MARKER) + r"\s*```bash\n(.*?)```", section, flags=re.S)
    return [block.replace("\\\n", " ") for block in blocks]


def commands(block: str) -> list[tuple[str, str]]:
    """(command, its comment) for each command line of a block."""
    lines = [line.partition("  #") for line in block.splitlines() if line.strip().startswith("tendero ")]
    return [(command.strip(), comment) for command, _, comment in lines]


def promised(comment: str) -> list[str]:
    """The report figures a command's comment promises ("215 rows read, 1 rejected") as the report prints them."""
    return [f"{label} {number}" for number, label in
            re.findall(r"(\d[\d,]*) (rows read|rejected|inserted|unchanged)", comment)]  # fmt: skip


BLOCKS = walkthrough_blocks()


def test_the_walkthrough_creates_each_tenant_before_importing_into_it():
    assert len(BLOCKS) >= 3
    for block in BLOCKS:
        created: set[str] = set()
        for command, _ in commands(block):
            words = command.split()
            if words[1:3] == ["tenant", "create"]:
                created.add(words[3])
            if "--tenant" in words:
                assert words[words.index("--tenant") + 1] in created, command


@pytest.mark.parametrize(
    "block",
    [pytest.param(b, marks=[pytest.mark.slow] if "../shared/data" in b else []) for b in BLOCKS],
    ids=[f"block{i}" for i in range(len(BLOCKS))],
)
def test_the_readme_import_walkthrough_runs_as_written(block, tmp_path):
    if "../shared/data" in block and not SHARED_DATA.is_dir():
        pytest.skip(f"the walkthrough reads ../shared/data, not found at {SHARED_DATA}")
    tendero = shutil.which("tendero", path=str(Path(sys.executable).parent))
    assert tendero, "the tendero command is installed beside this Python (pip install -e .)"
    env = {**os.environ, "TENDERO_HOME": str(tmp_path / "home"), "TENDERO_DATABASE_URL": "",
           "TENDERO_ARTIFACTS": "", "LANG": "C.UTF-8",
           "PATH": f"{Path(tendero).parent}{os.pathsep}{os.environ.get('PATH', '')}"}  # fmt: skip
    env.pop("LC_ALL", None)
    for command, comment in commands(block):
        done = subprocess.run(command, shell=True, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        shown = done.stdout + done.stderr
        assert done.returncode == 0, f"{command}\n{shown}"
        assert "Traceback" not in shown and "error:" not in shown, f"{command}\n{shown}"
        for figure in promised(comment):
            assert figure in shown, f"{command}: the README says {figure!r}\n{shown}"
