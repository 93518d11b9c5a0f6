"""The ranker's training reports its boosting in steps (it is most of a fit): the job's bar moves through it and the
ETA holds, instead of sitting at the stage's start and jumping to its end."""

from __future__ import annotations

import numpy as np

from tendero.catalogue.jobs import render_job_text
from tendero.kinds import Frames, RecordingProgress
from tendero.recommend.fit import RANKER_STEPS
from tendero.recommend.hybrid import HybridParams
from tendero.recommend.kind import FIT_STAGE_SECONDS, RecommenderKind, RecommenderParams


def test_the_ranker_stage_moves_the_bar_in_small_steps_to_its_end(shop):
    hybrid = HybridParams(split="random", als_trials=2, candidates=20, ranker_rounds=200, ranker_patience=15,
                          ranker_min_users=10)  # fmt: skip
    progress = RecordingProgress()
    fitted = RecommenderKind().fit(Frames.of(**shop), RecommenderParams(hybrid=hybrid), progress)
    assert fitted.info["tuning"]["ranker_users"] >= 10  # the ranker was trained, not skipped
    messages = [event.message for event in progress.events]
    start = messages.index("training ranker")
    end = next(i for i, message in enumerate(messages) if message.startswith("ranker:"))
    inside = messages[start + 1 : end]
    assert len(inside) == RANKER_STEPS and all(m.startswith("ranker round ") for m in inside), inside
    rounds = [int(m.split()[2]) for m in inside]
    assert rounds == sorted(rounds) and rounds[-1] <= 200 * hybrid.ranker_bag  # every member counted, one after another
    fractions = np.array([e.step / e.total for e in progress.events[start : end + 1]])
    assert (np.diff(fractions) >= 0).all()
    ranker_share = FIT_STAGE_SECONDS["ranker"] / sum(FIT_STAGE_SECONDS.values())
    assert fractions[-2] - fractions[0] > 0.9 * ranker_share  # the bar crossed the stage while it ran
    assert np.diff(fractions).max() < 0.1 * ranker_share  # ... in small steps, none a jump


def test_a_ranker_round_line_reads_in_spanish():
    assert render_job_text("ranker round 35 of about 95", "es") == "ordenador, ronda 35 de unas 95"
