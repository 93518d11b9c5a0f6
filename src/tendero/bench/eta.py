"""``tendero bench eta``: how honest a training job's ETA is, on the demo store's recommender fit.

The fit runs once (in a throwaway home: the generated demo store, nothing else touched) with every progress report
recorded and timed. At each report the runner shows ETA = elapsed / fraction done × fraction left. METHOD ``tendero``
is the fraction the fit reports (each stage counted by its measured cost, ``FIT_STAGE_SECONDS``); ``equal_steps``
replays the same run with every message one equal step of the old plan (2 × (tuning steps + folds + 6) + 3), which is
what the job page showed before. Metrics: the mean and largest absolute ETA error in seconds, the mean as a share of
the fit's wall time, the largest jump of the bar (a share of the whole) and the longest time it stood still.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

import typer

from tendero.bench.report import bench_report, emit, log


def _errors(times: list[float], fractions: list[float], wall: float) -> dict[str, float]:
    from itertools import pairwise

    errors = [abs(at / f * (1 - f) - (wall - at)) for at, f in zip(times, fractions, strict=True) if at > 0.5 and f > 0]
    shown = [0.0, *fractions, 1.0]  # the bar from the start to the end of the job
    return {
        "eta_mae_seconds": sum(errors) / len(errors) if errors else float("nan"),
        "eta_max_error_seconds": max(errors) if errors else float("nan"),
        "eta_mae_share_of_fit": (sum(errors) / len(errors)) / wall if errors else float("nan"),
        "largest_jump_share": max(b - a for a, b in pairwise(shown)),
        "longest_still_seconds": _longest_still(times, fractions, wall),
    }


def _longest_still(times: list[float], fractions: list[float], wall: float) -> float:
    """The longest time the bar did not move (seconds between a report and the next one that moved it)."""
    longest, since, last = 0.0, 0.0, 0.0
    for at, fraction in [*zip(times, fractions, strict=True), (wall, 1.0)]:
        if fraction > last:
            longest, since, last = max(longest, at - since), at, fraction
    return longest


def command(
    seed: Annotated[int, typer.Option(help="the demo store's seed (tendero demo uses 7)")] = 7,
    json_output: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """The ETA's error over a real recommender fit on the demo store, staged against equal steps."""
    import os
    import tempfile

    with tempfile.TemporaryDirectory(prefix="tendero-bench-eta-") as home:
        os.environ.update({"TENDERO_HOME": home, "TENDERO_DATABASE_URL": "", "TENDERO_ARTIFACTS": ""})
        from tendero.config import get_settings
        from tendero.store.db import reset_engine

        get_settings.cache_clear()
        reset_engine()
        results, params = _measure(seed, time.perf_counter)
    emit(bench_report("eta", f"demo store (seed {seed}), recommender fit", params, results), json_output)


def _measure(seed: int, clock: Any) -> tuple[dict[str, dict[str, float]], dict[str, Any]]:
    from tendero.data.demo import generate_store
    from tendero.data.frames import tenant_frames
    from tendero.kinds import RecordingProgress, get_kind
    from tendero.recommend.kind import RecommenderParams
    from tendero.services import tenants
    from tendero.services.demo import load_store
    from tendero.store.migrate import upgrade_database

    upgrade_database()
    tenant_id = tenants.create_tenant("bench-eta")[0].id
    log("generating the demo store ...")
    load_store(tenant_id, generate_store(seed=seed))
    kind = get_kind("recommender")
    frames = tenant_frames(tenant_id, kind.needs, None)
    for name in kind.needs:
        frames[name]  # read now, not inside the timed fit
    params = RecommenderParams()
    progress = RecordingProgress()
    log("fitting the recommender ...")
    started = clock()
    wall_started = time.time()
    kind.fit(frames, params, progress)
    wall = clock() - started
    times = [event.at - wall_started for event in progress.events]
    staged = [event.step / event.total if event.total else 0.0 for event in progress.events]
    hybrid = params.hybrid
    old_total = 2 * (len(hybrid.ease_grid) + len(hybrid.half_life_grid) + 2 * hybrid.als_trials + 1
                     + hybrid.ranker_folds + 6) + 3  # fmt: skip
    counted, equal = 0, []  # the old plan's steps: the ranker's rounds were not among its messages
    for event in progress.events:
        counted += not event.message.startswith("ranker round ")
        equal.append(min(max(counted, 1), old_total) / old_total)
    log(f"fit: {wall:.1f} s, {len(times)} progress reports")
    results = {"tendero": _errors(times, staged, wall), "equal_steps": _errors(times, equal, wall)}
    for result in results.values():
        result["fit_seconds"] = wall
    return results, {"seed": seed, "reports": len(times)}
