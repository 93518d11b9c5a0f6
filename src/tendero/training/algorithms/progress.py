"""How trainers report: when to send an update, and the held-out figures each update carries."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np

# report(step, total, message=..., **metrics): the trainer's view of progress; may raise Cancelled.
Report = Callable[..., None]


def held_out_metrics(task: str, out: np.ndarray, y: np.ndarray | None) -> dict[str, float]:
    """Loss (as ``val_loss``) and accuracy (classification) or RMSE (regression) of outputs on rows
    the trainer does not fit: the validation split, or early stopping's rows."""
    if y is None or len(y) == 0:
        return {}
    if task == "classification":
        p = np.clip(out[np.arange(len(y)), y], 1e-15, 1.0)
        return {"val_loss": float(-np.log(p).mean()), "accuracy": float((out.argmax(axis=1) == y).mean())}
    mse = float(np.mean((out - y) ** 2))
    return {"val_loss": mse, "rmse": math.sqrt(mse)}


def chunk_ends(total: int, parts: int = 10) -> list[int]:
    """Cumulative sizes splitting ``total`` into about ``parts`` steps."""
    parts = max(1, min(parts, total))
    return sorted({round(total * (i + 1) / parts) for i in range(parts)})


def report_every(total: int, updates: int = 100) -> int:
    """Iterations between updates for about ``updates`` of them over ``total`` iterations."""
    return max(1, total // updates)


class Due:
    """Report every ``every`` iterations, the last one, and at least once a second (for cancellation)."""

    def __init__(self, every: int, total: int) -> None:
        self.every, self.total = every, total
        self.last = time.monotonic()

    def __call__(self, iteration: int) -> bool:
        now = time.monotonic()
        if iteration % self.every == 0 or iteration == self.total or now - self.last >= 1.0:
            self.last = now
            return True
        return False
