"""A plugin model kind for tests of cancel and crash recovery: it trains slowly, one step at a time.

Loaded through ``TENDERO_EXTRA_KINDS`` exactly as a business's own plugin kind would be.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import time
from pathlib import Path
from typing import ClassVar

from pydantic import Field

from tendero.kinds import Frames, KindParams, Progress


class SlowParams(KindParams):
    steps: int = Field(20, ge=1, le=10_000)
    seconds_per_step: float = Field(0.5, ge=0.0, le=10.0)
    crash_once_marker: str | None = Field(
        None,
        description="a path: the first fit that finds it absent "
        "creates it and kills its own process, as an out-of-memory kill would",
    )
    crash_in_native_code: bool = Field(
        False, description="the crash of crash_once_marker is a segmentation fault in C, not a SIGKILL"
    )


class FittedSlow:
    def __init__(self, steps: int) -> None:
        self.steps = steps
        self.metrics = {"steps": float(steps)}

    def save(self, folder: Path) -> None:
        (folder / "slow.json").write_text(json.dumps({"steps": self.steps}))

    @classmethod
    def load(cls, folder: Path) -> FittedSlow:
        return cls(json.loads((folder / "slow.json").read_text())["steps"])

    def probe(self) -> int:
        return self.steps


class SlowKind:
    name: ClassVar[str] = "slow"
    Params: ClassVar[type[KindParams]] = SlowParams
    needs: ClassVar[tuple[str, ...]] = ()
    fitted_type: ClassVar[type[FittedSlow]] = FittedSlow

    def algorithm(self, params: KindParams) -> str:
        return "sleep"

    def fit(self, frames: Frames, params: KindParams, progress: Progress) -> FittedSlow:
        assert isinstance(params, SlowParams)
        if params.crash_once_marker and not Path(params.crash_once_marker).exists():
            Path(params.crash_once_marker).write_text("crashed once")
            if params.crash_in_native_code:
                ctypes.string_at(0)  # reads address 0: SIGSEGV, as a library's bug would
            os.kill(os.getpid(), signal.SIGKILL)
        for step in range(1, params.steps + 1):
            time.sleep(params.seconds_per_step)
            progress.update(step, params.steps, loss=1.0 / step)
        return FittedSlow(params.steps)
