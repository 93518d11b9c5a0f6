"""Simulated experiments on real outcomes: how often the statistics are wrong, measured, not assumed.

Each simulation splits real units at random into two arms (as the assignment would), optionally injects a
known effect into one arm, and runs the same ``statistics`` functions the service runs. Sums per arm come
from one matrix product per batch of simulations, so thousands of splits of 300,000 units take seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special
from threadpoolctl import threadpool_limits

from tendero.experiments import statistics as st


@dataclass(frozen=True)
class Outcome:
    """One real outcome per unit (spend, converted, rounds played) and an optional pre-period covariate."""

    name: str
    values: np.ndarray
    binary: bool
    covariate: np.ndarray | None = None


@dataclass
class Figures:
    """What the simulations measured for one outcome, ours (``tendero``) and the naive analysis beside it."""

    simulations: int = 0
    aa_false_positives: int = 0
    aa_false_positives_sequential: int = 0
    naive_aa_false_positives: int = 0
    covered: int = 0
    covered_absolute: int = 0
    covered_sequential: int = 0
    naive_covered: int = 0
    cuped_aa_false_positives: int = 0
    cuped_covered: int = 0
    cuped_plain_variance: float = 0.0
    cuped_adjusted_variance: float = 0.0
    cuped_simulations: int = 0
    sequential_false_positives: int = 0
    naive_peeking_false_positives: int = 0
    srm_detected: int = 0
    srm_false_alarms: int = 0

    def rates(self) -> tuple[dict[str, float], dict[str, float]]:
        n = max(self.simulations, 1)
        ours = {
            "aa_false_positive_rate": self.aa_false_positives / n,
            "aa_false_positive_rate_sequential": self.aa_false_positives_sequential / n,
            "ci_coverage_95": self.covered / n,
            "ci_coverage_95_absolute": self.covered_absolute / n,
            "ci_coverage_95_sequential": self.covered_sequential / n,
            "sequential_false_positive_rate": self.sequential_false_positives / n,
            "srm_detection_rate": self.srm_detected / n,
            "srm_false_alarm_rate": self.srm_false_alarms / n,
            "simulations": float(self.simulations),
        }
        if self.cuped_simulations:
            ours["cuped_variance_reduction"] = 1.0 - self.cuped_adjusted_variance / self.cuped_plain_variance
            ours["cuped_aa_false_positive_rate"] = self.cuped_aa_false_positives / self.cuped_simulations
            ours["cuped_ci_coverage_95"] = self.cuped_covered / self.cuped_simulations
        naive = {
            "aa_false_positive_rate": self.naive_aa_false_positives / n,
            "ci_coverage_95": self.naive_covered / n,
            "cuped_variance_reduction": 0.0,
            "sequential_false_positive_rate": self.naive_peeking_false_positives / n,
            "srm_detection_rate": 0.0,  # a t-test alone never looks at the split
            "simulations": float(self.simulations),
        }
        return ours, naive


def _arms(n_b: np.ndarray, s_b: np.ndarray, q_b: np.ndarray, n: int, s: float, q: float) -> list[tuple[st.Arm, st.Arm]]:
    out = []
    for nb, sb, qb in zip(n_b, s_b, q_b, strict=True):
        out.append((st.mean_arm_from_sums(int(n - nb), s - sb, q - qb), st.mean_arm_from_sums(int(nb), sb, qb)))
    return out


def _binary_arm(n: int, total: float) -> st.Arm:
    return st.proportion_arm(total, n)


def _student(a: st.Arm, b: st.Arm, alpha: float) -> tuple[float, float, float]:
    """The naive analysis: Student's equal-variance t-test (p-value and interval of the absolute difference)."""
    df = a.n + b.n - 2
    pooled = ((a.n - 1) * a.variance + (b.n - 1) * b.variance) / df
    se = np.sqrt(pooled * (1 / a.n + 1 / b.n))
    diff = b.mean - a.mean
    p = float(2 * special.stdtr(df, -abs(diff) / se)) if se > 0 else 1.0
    half = float(special.stdtrit(df, 1 - alpha / 2) * se)
    return p, diff - half, diff + half


def simulate(outcome: Outcome, simulations: int = 2000, lift: float = 0.05, looks: int = 20, srm_loss: float = 0.05,
             alpha: float = 0.05, seed: int = 0, batch: int = 25,
             tuning: float = st.DEFAULT_TUNING) -> Figures:  # fmt: skip
    """Run A/A splits (false positives, peeking at ``looks`` looks), A/B splits with a known relative
    ``lift`` (interval coverage), CUPED when there is a covariate, and splits whose treatment lost
    ``srm_loss`` of its units (SRM detection)."""
    with threadpool_limits(1):  # one-row products: BLAS threads only fight over the cores
        return _simulate(outcome, simulations, lift, looks, srm_loss, alpha, seed, batch, tuning)


def _simulate(outcome: Outcome, simulations: int, lift: float, looks: int, srm_loss: float, alpha: float, seed: int,
              batch: int, tuning: float) -> Figures:  # fmt: skip
    rng = np.random.default_rng(seed)
    y = np.asarray(outcome.values, dtype=np.float64)
    n = len(y)
    x = None if outcome.covariate is None else np.asarray(outcome.covariate, dtype=np.float64)
    figures = Figures()
    distribution = "normal" if outcome.binary else "t"
    mean_y = float(y.mean())
    done = 0
    while done < simulations:
        b = min(batch, simulations - done)
        treated = rng.random((b, n)) < 0.5
        weights = treated.astype(np.float64)
        _aa(figures, weights, y, x, alpha, distribution, outcome.binary, tuning)
        _coverage(figures, rng, weights, treated, y, x, lift, mean_y, alpha, distribution, outcome.binary, tuning)
        _peeking(figures, rng, treated, y, looks, alpha, distribution, outcome.binary, tuning)
        _srm(figures, rng, treated, srm_loss)
        figures.simulations += b
        done += b
    return figures


def _compare_all(weights: np.ndarray, y: np.ndarray, alpha: float, distribution: str, binary: bool,
                 tuning: float) -> list[st.Comparison | None]:  # fmt: skip
    n_b = weights.sum(axis=1)
    s_b = weights @ y
    if binary:
        total = float(y.sum())
        pairs = zip(n_b, s_b, strict=True)
        arms = [(_binary_arm(int(len(y) - nb), total - sb), _binary_arm(int(nb), sb)) for nb, sb in pairs]
    else:
        q_b = weights @ (y * y)
        arms = _arms(n_b, s_b, q_b, len(y), float(y.sum()), float((y * y).sum()))
    return [st.compare(a, b, alpha=alpha, distribution=distribution, tuning=tuning) for a, b in arms]  # type: ignore[arg-type]


def _aa(figures: Figures, weights: np.ndarray, y: np.ndarray, x: np.ndarray | None, alpha: float, distribution: str,
        binary: bool, tuning: float) -> None:  # fmt: skip
    n_b = weights.sum(axis=1)
    s_b, q_b = weights @ y, weights @ (y * y)
    n, s, q = len(y), float(y.sum()), float((y * y).sum())
    for row, result in enumerate(_compare_all(weights, y, alpha, distribution, binary, tuning)):
        if result is None:
            continue
        figures.aa_false_positives += result.absolute.p_value < alpha
        figures.aa_false_positives_sequential += result.absolute_sequential.p_value < alpha
        a = st.mean_arm_from_sums(int(n - n_b[row]), s - s_b[row], q - q_b[row])
        b = st.mean_arm_from_sums(int(n_b[row]), s_b[row], q_b[row])
        figures.naive_aa_false_positives += _student(a, b, alpha)[0] < alpha
    if x is not None:
        for result, plain in _cuped(weights, y, x, alpha, tuning):
            figures.cuped_simulations += 1
            figures.cuped_aa_false_positives += result.absolute.p_value < alpha
            figures.cuped_adjusted_variance += result.absolute.standard_error**2
            figures.cuped_plain_variance += plain.absolute.standard_error**2


def _cuped(weights: np.ndarray, y: np.ndarray, x: np.ndarray, alpha: float,
           tuning: float) -> list[tuple[st.Comparison, st.Comparison]]:  # fmt: skip
    n = len(y)
    total = st.moments(y, x)
    theta = st.theta_of(total)
    n_b, sy, syy = weights.sum(axis=1), weights @ y, weights @ (y * y)
    sx, sxx, sxy = weights @ x, weights @ (x * x), weights @ (x * y)
    out = []
    for i in range(len(weights)):
        b = st.Moments(int(n_b[i]), sy[i], syy[i], sx[i], sxx[i], sxy[i])
        a = st.Moments(n - b.n, total.y - b.y, total.yy - b.yy, total.x - b.x, total.xx - b.xx, total.xy - b.xy)
        arm_a, arm_b, _ = st.cuped_arms_from_sums(a, b, theta)
        adjusted = st.compare(arm_a, arm_b, alpha=alpha, tuning=tuning)
        plain = st.compare(st.mean_arm_from_sums(a.n, a.y, a.yy), st.mean_arm_from_sums(b.n, b.y, b.yy), alpha=alpha,
                           tuning=tuning)  # fmt: skip
        if adjusted is not None and plain is not None:
            out.append((adjusted, plain))
    return out


def _coverage(figures: Figures, rng: np.random.Generator, weights: np.ndarray, treated: np.ndarray, y: np.ndarray,
              x: np.ndarray | None, lift: float, mean_y: float, alpha: float, distribution: str, binary: bool,
              tuning: float) -> None:  # fmt: skip
    """Treatment outcomes raised by ``lift`` (binary: non-converters flipped so the rate rises by ``lift``)."""
    n = len(y)
    for row in range(len(weights)):
        if binary:
            p = mean_y
            flip = (rng.random(n) < p * lift / (1 - p)) & treated[row] & (y == 0)
            effect_y = np.where(flip, 1.0, y)
        else:
            effect_y = np.where(treated[row], y * (1 + lift), y)
        result = _compare_all(weights[row : row + 1], effect_y, alpha, distribution, binary, tuning)[0]
        if result is None:
            continue
        figures.covered += result.relative.lower <= lift <= result.relative.upper
        figures.covered_absolute += result.absolute.lower <= lift * mean_y <= result.absolute.upper
        figures.covered_sequential += result.relative_sequential.lower <= lift <= result.relative_sequential.upper
        arm_b = effect_y[treated[row]]
        arm_a = effect_y[~treated[row]]
        a, b = st.mean_arm(arm_a), st.mean_arm(arm_b)
        _, low, high = _student(a, b, alpha)
        figures.naive_covered += low <= lift * mean_y <= high
        if x is not None and not binary:
            adjusted = _cuped(weights[row : row + 1], effect_y, x, alpha, tuning)
            if adjusted:
                figures.cuped_covered += adjusted[0][0].relative.lower <= lift <= adjusted[0][0].relative.upper


def _peeking(figures: Figures, rng: np.random.Generator, treated: np.ndarray, y: np.ndarray, looks: int,
             alpha: float, distribution: str, binary: bool, tuning: float) -> None:  # fmt: skip
    """A/A with units arriving in random order and a look after each 1/looks of them: a false positive is any
    look that declares a difference (our always-valid p-value; the naive t-test's plain one)."""
    n = len(y)
    yy = y * y
    for row in range(len(treated)):
        bins = (rng.random(n) * looks).astype(np.int64)
        index = bins * 2 + treated[row].astype(np.int64)
        counts = np.cumsum(np.bincount(index, minlength=2 * looks).reshape(looks, 2), axis=0)
        sums = np.cumsum(np.bincount(index, weights=y, minlength=2 * looks).reshape(looks, 2), axis=0)
        squares = np.cumsum(np.bincount(index, weights=yy, minlength=2 * looks).reshape(looks, 2), axis=0)
        ours = naive = False
        for look in range(looks):
            (na, nb), (sa, sb), (qa, qb) = counts[look], sums[look], squares[look]
            if binary:
                a, b = st.proportion_arm(sa, int(na)), st.proportion_arm(sb, int(nb))
            else:
                a, b = st.mean_arm_from_sums(int(na), sa, qa), st.mean_arm_from_sums(int(nb), sb, qb)
            result = st.compare(a, b, alpha=alpha, distribution=distribution, tuning=tuning)  # type: ignore[arg-type]
            if result is not None and result.absolute_sequential.p_value < alpha:
                ours = True
            plain_a = st.mean_arm_from_sums(int(na), sa, qa)
            plain_b = st.mean_arm_from_sums(int(nb), sb, qb)
            if plain_a.n > 1 and plain_b.n > 1 and _student(plain_a, plain_b, alpha)[0] < alpha:
                naive = True
        figures.sequential_false_positives += ours
        figures.naive_peeking_false_positives += naive


def _srm(figures: Figures, rng: np.random.Generator, treated: np.ndarray, loss: float) -> None:
    """A 50/50 split whose treatment lost ``loss`` of its units (a redirect, a logging bug): detected when the
    SRM p-value is under the threshold; the same check on the intact split counts false alarms."""
    for row in range(len(treated)):
        n_b = int(treated[row].sum())
        n_a = len(treated[row]) - n_b
        kept = n_b - int(rng.binomial(n_b, loss))
        figures.srm_detected += st.srm_p_value([n_a, kept], [1, 1]) < st.SRM_THRESHOLD
        figures.srm_false_alarms += st.srm_p_value([n_a, n_b], [1, 1]) < st.SRM_THRESHOLD
