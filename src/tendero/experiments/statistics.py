"""The statistics of comparing a treatment arm with the control arm.

Every metric is reduced to one ``Arm`` per variant: units, mean, and the per-unit variance of that mean
(sample variance for means, p(1-p) for proportions, the delta-method variance for ratios, the
regression-adjusted variance under CUPED). ``compare`` then gives the absolute and relative effect with a
fixed-horizon interval and p-value and an always-valid (sequential) interval and p-value.

The formulas are the ones SciPy, statsmodels and GrowthBook's ``gbstats`` use, written once over these
sufficient statistics so that results can be computed from database aggregates; the tests check them
against those libraries to 1e-9.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import special, stats

Distribution = Literal["t", "normal"]
SRM_THRESHOLD = 0.001  # GrowthBook's default: a split this unlikely under the weights is a broken experiment
DEFAULT_TUNING = 5000.0  # GrowthBook's default sequential tuning parameter (the sample size the bound is tightest at)


@dataclass(frozen=True)
class Arm:
    """Sufficient statistics of one variant for one metric.

    ``variance`` is per unit: the variance of the arm's mean is ``variance / n``. ``unadjusted_mean`` is
    the plain mean when ``mean`` was regression-adjusted (CUPED); relative effects divide by it.
    """

    n: int
    mean: float
    variance: float
    unadjusted_mean: float


@dataclass(frozen=True)
class Interval:
    estimate: float
    lower: float
    upper: float
    p_value: float
    standard_error: float


@dataclass(frozen=True)
class Comparison:
    """Treatment against control: fixed-horizon and always-valid intervals, absolute and relative."""

    absolute: Interval
    relative: Interval
    absolute_sequential: Interval
    relative_sequential: Interval
    degrees_of_freedom: float


# --- arms ---------------------------------------------------------------------------------------------


def mean_arm(values: np.ndarray) -> Arm:
    """A numeric metric per unit (revenue, items): sample mean and sample variance (ddof 1)."""
    array = np.asarray(values, dtype=np.float64)
    n = len(array)
    mean = float(array.mean()) if n else 0.0
    variance = float(array.var(ddof=1)) if n > 1 else 0.0
    return Arm(n, mean, variance, mean)


def mean_arm_from_sums(n: int, total: float, total_squares: float) -> Arm:
    """``mean_arm`` from a database's count, sum and sum of squares."""
    mean = total / n if n else 0.0
    variance = (total_squares - total * total / n) / (n - 1) if n > 1 else 0.0
    return Arm(n, mean, max(variance, 0.0), mean)


def proportion_arm(successes: float, n: int) -> Arm:
    """A yes/no metric per unit (converted, retained): the share and its Bernoulli variance p(1-p)."""
    p = successes / n if n else 0.0
    return Arm(n, p, p * (1.0 - p), p)


def ratio_arm(numerators: np.ndarray, denominators: np.ndarray) -> Arm:
    """A ratio of two per-unit sums (revenue per order, clicks per impression) by the delta method.

    The unit of randomisation is the unit, not the order or impression, so the variance of the ratio
    is that of a ratio of two correlated means (Deng et al. 2018), not a binomial on the events.
    """
    y = np.asarray(numerators, dtype=np.float64)
    x = np.asarray(denominators, dtype=np.float64)
    n = len(y)
    return ratio_arm_from_sums(n, float(y.sum()), float((y * y).sum()), float(x.sum()), float((x * x).sum()),
                               float((x * y).sum()))  # fmt: skip


def ratio_arm_from_sums(n: int, y: float, yy: float, x: float, xx: float, xy: float) -> Arm:
    """``ratio_arm`` from sums of the numerator, the denominator, their squares and their product."""
    if n == 0 or x == 0:
        return Arm(n, 0.0, 0.0, 0.0)
    mean_y, mean_x = y / n, x / n
    ratio = y / x
    if n <= 1:
        return Arm(n, ratio, 0.0, ratio)
    var_y = (yy - y * y / n) / (n - 1)
    var_x = (xx - x * x / n) / (n - 1)
    cov = (xy - y * x / n) / (n - 1)
    variance = var_y / mean_x**2 - 2 * cov * mean_y / mean_x**3 + mean_y**2 * var_x / mean_x**4
    return Arm(n, ratio, max(variance, 0.0), ratio)


def cuped_arms(y_a: np.ndarray, x_a: np.ndarray, y_b: np.ndarray, x_b: np.ndarray) -> tuple[Arm, Arm, float]:
    """CUPED (Deng et al. 2013): outcomes adjusted by a pre-period covariate with one pooled slope theta.

    theta = cov(y, x) / var(x) over both arms pooled; each arm's mean becomes mean(y) - theta * mean(x)
    and its variance var(y) + theta^2 var(x) - 2 theta cov(y, x). With no covariate variance it is the
    plain comparison (theta 0).
    """
    ya, xa, yb, xb = (np.asarray(v, dtype=np.float64) for v in (y_a, x_a, y_b, x_b))
    y, x = np.concatenate([ya, yb]), np.concatenate([xa, xb])
    return cuped_arms_from_sums(_moments(ya, xa), _moments(yb, xb), theta_of(_moments(y, x)) if len(y) > 1 else 0.0)


@dataclass(frozen=True)
class Moments:
    """Count and raw sums of an outcome y and a covariate x: enough for CUPED from a database."""

    n: int
    y: float
    yy: float
    x: float
    xx: float
    xy: float

    def __add__(self, other: Moments) -> Moments:
        return Moments(self.n + other.n, self.y + other.y, self.yy + other.yy, self.x + other.x,
                       self.xx + other.xx, self.xy + other.xy)  # fmt: skip


def _moments(y: np.ndarray, x: np.ndarray) -> Moments:
    return Moments(len(y), float(y.sum()), float((y * y).sum()), float(x.sum()), float((x * x).sum()),
                   float((x * y).sum()))  # fmt: skip


def moments(y: np.ndarray, x: np.ndarray) -> Moments:
    """The sums CUPED needs, from per-unit outcome and covariate arrays."""
    return _moments(np.asarray(y, dtype=np.float64), np.asarray(x, dtype=np.float64))


def theta_of(m: Moments) -> float:
    """The pooled regression slope of the outcome on the covariate (0 without covariate variance)."""
    if m.n <= 1:
        return 0.0
    var_x = (m.xx - m.x * m.x / m.n) / (m.n - 1)
    var_y = (m.yy - m.y * m.y / m.n) / (m.n - 1)
    if var_x <= 0 or var_y <= 0:
        return 0.0
    return ((m.xy - m.y * m.x / m.n) / (m.n - 1)) / var_x


def cuped_arms_from_sums(a: Moments, b: Moments, theta: float) -> tuple[Arm, Arm, float]:
    """Both arms adjusted with the pooled ``theta`` (see ``cuped_arms``)."""
    return _adjusted(a, theta), _adjusted(b, theta), theta


def _adjusted(m: Moments, theta: float) -> Arm:
    if m.n == 0:
        return Arm(0, 0.0, 0.0, 0.0)
    mean_y, mean_x = m.y / m.n, m.x / m.n
    if m.n <= 1:
        return Arm(m.n, mean_y - theta * mean_x, 0.0, mean_y)
    var_y = (m.yy - m.y * m.y / m.n) / (m.n - 1)
    var_x = (m.xx - m.x * m.x / m.n) / (m.n - 1)
    cov = (m.xy - m.y * m.x / m.n) / (m.n - 1)
    variance = var_y + theta**2 * var_x - 2 * theta * cov
    return Arm(m.n, mean_y - theta * mean_x, max(variance, 0.0), mean_y)


# --- the comparison -----------------------------------------------------------------------------------


def welch_degrees_of_freedom(a: Arm, b: Arm) -> float:
    """Welch–Satterthwaite degrees of freedom of the difference of two means."""
    va, vb = a.variance / a.n, b.variance / b.n
    denominator = va**2 / (a.n - 1) + vb**2 / (b.n - 1)
    return (va + vb) ** 2 / denominator if denominator > 0 else math.inf


def absolute_variance(a: Arm, b: Arm) -> float:
    return a.variance / a.n + b.variance / b.n


def relative_variance(a: Arm, b: Arm) -> float:
    """Delta-method variance of (mean_b - mean_a) / mean_a (GrowthBook's, with unadjusted means)."""
    ma, mb = a.unadjusted_mean, b.unadjusted_mean
    return b.variance / (ma**2 * b.n) + a.variance * mb**2 / (ma**4 * a.n)


def fixed_interval(estimate: float, variance: float, alpha: float, distribution: Distribution,
                   df: float) -> Interval:  # fmt: skip
    """Two-sided interval and p-value for an estimate with a known standard error."""
    se = math.sqrt(variance) if variance > 0 else 0.0
    if se == 0:
        return Interval(estimate, estimate, estimate, 1.0 if estimate == 0 else 0.0, 0.0)
    # scipy.special's t and normal functions are what scipy.stats.t / norm call, without their overhead
    if distribution == "t" and math.isfinite(df):
        critical = float(special.stdtrit(df, 1 - alpha / 2))
        p_value = float(2 * special.stdtr(df, -abs(estimate) / se))
    else:
        critical = float(special.ndtri(1 - alpha / 2))
        p_value = float(2 * special.ndtr(-abs(estimate) / se))
    return Interval(estimate, estimate - critical * se, estimate + critical * se, min(p_value, 1.0), se)


def sequential_rho(alpha: float, tuning: float = DEFAULT_TUNING) -> float:
    """The mixture's spread, chosen so the bound is tightest near ``tuning`` units (Howard et al. eq. 161)."""
    return math.sqrt((-2 * math.log(alpha) + math.log(-2 * math.log(alpha) + 1)) / tuning)


def sequential_interval(estimate: float, variance: float, n: int, alpha: float,
                        tuning: float = DEFAULT_TUNING) -> Interval:  # fmt: skip
    """Always-valid interval and p-value: the asymptotic confidence sequence of Howard et al. (2021) /
    Waudby-Smith et al. (2023, eq. 9), GrowthBook's sequential engine.

    It holds at every look at once, so the experiment may be read daily and stopped at any time without
    inflating false positives. ``variance`` is the variance of the estimate; ``n`` the units in both arms.
    """
    se = math.sqrt(variance) if variance > 0 else 0.0
    if se == 0 or n <= 0:
        return Interval(estimate, estimate, estimate, 1.0 if estimate == 0 else 0.0, se)
    rho = sequential_rho(alpha, tuning)
    s2 = variance * n
    growth = n * rho**2 + 1
    width = math.sqrt(s2) * math.sqrt(2 * growth * math.log(math.sqrt(growth) / alpha) / (n * rho) ** 2)
    st2 = estimate**2 * n / variance
    log_evalue = rho**2 * st2 / (2 * growth) - 0.5 * math.log(growth)
    p_value = 1.0 if log_evalue <= 0 else math.exp(-log_evalue)
    return Interval(estimate, estimate - width, estimate + width, min(p_value, 1.0), se)


def compare(control: Arm, treatment: Arm, *, alpha: float = 0.05, distribution: Distribution = "t",
            tuning: float = DEFAULT_TUNING) -> Comparison | None:  # fmt: skip
    """Treatment against control; None when there is nothing to compare yet (an arm under 2 units,
    a control mean of 0, or no variance at all)."""
    a, b = control, treatment
    if a.n < 2 or b.n < 2 or a.unadjusted_mean == 0 or (a.variance <= 0 and b.variance <= 0):
        return None
    df = welch_degrees_of_freedom(a, b)
    n = a.n + b.n
    difference = b.mean - a.mean
    relative = difference / a.unadjusted_mean
    abs_var, rel_var = absolute_variance(a, b), relative_variance(a, b)
    return Comparison(
        absolute=fixed_interval(difference, abs_var, alpha, distribution, df),
        relative=fixed_interval(relative, rel_var, alpha, distribution, df),
        absolute_sequential=sequential_interval(difference, abs_var, n, alpha, tuning),
        relative_sequential=sequential_interval(relative, rel_var, n, alpha, tuning),
        degrees_of_freedom=df,
    )


# --- the split ----------------------------------------------------------------------------------------


def srm_p_value(counts: list[int] | np.ndarray, weights: list[float] | np.ndarray) -> float:
    """Sample-ratio mismatch: Pearson's chi-square p-value of the units per variant against the weights.

    Variants of weight 0 are left out (no unit should be there). A p-value under ``SRM_THRESHOLD`` means
    the assignment or the logging is broken and the effects cannot be trusted.
    """
    observed = np.asarray(counts, dtype=np.float64)
    share = np.asarray(weights, dtype=np.float64)
    keep = share > 0
    observed, share = observed[keep], share[keep]
    total = observed.sum()
    if total <= 0 or len(observed) < 2:
        return 1.0
    expected = share / share.sum() * total
    return float(stats.chisquare(observed, expected).pvalue)
