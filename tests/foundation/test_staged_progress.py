"""Progress counted by each stage's cost: a long stage is a long stretch of the bar, so the runner's ETA is honest."""

from __future__ import annotations

from tendero.kinds import STAGE_SCALE, RecordingProgress, StagedProgress


def test_each_stage_owns_its_share_of_the_bar_and_steps_stay_inside_it():
    progress = RecordingProgress()
    staged = StagedProgress(progress, {"quick": 1.0, "slow": 8.0, "end": 1.0}, {"quick": 3, "slow": 1})
    staged.enter("quick", "starting")
    for _ in range(10):  # more messages than expected never run into the next stage
        staged.step("a quick message")
    assert progress.events[-1].step < 0.1 * STAGE_SCALE
    staged.enter("slow", "the long part")
    assert progress.events[-1].step == 0.1 * STAGE_SCALE
    staged.enter("end", "almost done")
    assert progress.events[-1].step == 0.9 * STAGE_SCALE
    staged.finish("done")
    steps = [event.step for event in progress.events]
    assert steps == sorted(steps) and steps[-1] == STAGE_SCALE == progress.events[-1].total
    assert all(event.step < STAGE_SCALE for event in progress.events[:-1])  # 100 % only once it is finished


def test_re_entering_the_current_stage_is_a_step_within_it():
    progress = RecordingProgress()
    staged = StagedProgress(progress, {"folds": 3.0, "rest": 1.0}, {"folds": 3})
    for fold in range(3):
        staged.enter("folds", f"fold {fold + 1}/3")
    fractions = [event.step / event.total for event in progress.events]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] < 0.75


def test_the_eta_bench_scores_progress_proportional_to_time_as_exact():
    from tendero.bench.eta import _errors

    times = [1.0, 2.0, 3.0]
    exact = _errors(times, [t / 4 for t in times], wall=4.0)
    assert exact["eta_mae_seconds"] == 0.0 and exact["eta_max_error_seconds"] == 0.0
    late = _errors(times, [0.1, 0.2, 0.3], wall=4.0)  # a bar that lags: the ETA overshoots
    assert late["eta_mae_seconds"] > 3 and late["eta_mae_share_of_fit"] == late["eta_mae_seconds"] / 4.0
