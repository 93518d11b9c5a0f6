"""Buy-till-you-die models fitted by maximum likelihood, vectorised over customers with SciPy.

Pareto/NBD (Schmittlein, Morrison & Colombo 1987), BG/NBD (Fader, Hardie & Lee 2005), modified
BG/NBD (Batislam, Denizel & Filiztekin 2007) and Gamma-Gamma spend (Fader, Hardie & Lee 2005,
"RFM and CLV"). Written here because ``lifetimes`` is archived and breaks on current pandas, and
pymc-marketing pulls in PyMC for what is a four-parameter maximum-likelihood fit; the likelihoods
and conditional expectations follow the published notes term by term.

Inputs are the per-customer summary of ``transactions.summarise``: ``frequency`` x (repeat
purchases), ``recency`` t_x and ``T`` in the same time unit (weeks by default). Parameters are
optimised in log space with L-BFGS-B from several starts; the best likelihood wins.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

import numpy as np
from scipy import optimize, special

from tendero.catalogue.refusals import Refusal

Array = np.ndarray


def _as_arrays(frequency: Array, recency: Array, T: Array) -> tuple[Array, Array, Array]:
    x = np.asarray(frequency, dtype=float)
    t_x = np.asarray(recency, dtype=float)
    big_t = np.asarray(T, dtype=float)
    if np.any(x < 0) or np.any(t_x < 0) or np.any(big_t < t_x - 1e-9):
        raise ValueError("need frequency >= 0 and 0 <= recency <= T for every customer")
    return x, t_x, big_t


def _fit(
    negative_ll: Callable[[Array], float], starts: list[Array], names: tuple[str, ...]
) -> tuple[dict[str, float], float]:
    """L-BFGS-B in log space from the first start; the other starts only if that one gives nothing
    finite. Degenerate histories (a dozen customers, no spread) have flat directions where the
    optimiser would wander: the iteration cap keeps their fit short, and their predictions stay sane.
    """
    best = None
    for start in starts:
        result = optimize.minimize(
            negative_ll,
            np.log(start),
            method="L-BFGS-B",
            bounds=[(-10.0, 10.0)] * len(start),
            options={"ftol": 1e-12, "gtol": 1e-8, "maxiter": 300},
        )
        if np.isfinite(result.fun) and result.fun < 1e9 and (best is None or result.fun < best.fun):
            best = result
        if best is not None:
            break
    if best is None:
        raise RuntimeError("maximum likelihood did not converge from any start")
    values = np.exp(best.x)
    return dict(zip(names, (float(v) for v in values), strict=True)), float(-best.fun)


def _compress(x: Array, t_x: Array, big_t: Array, w: Array) -> tuple[Array, Array, Array, Array]:
    """Identical (x, t_x, T) histories share one likelihood term, weighted by their count."""
    keys = np.round(np.column_stack([x, t_x, big_t]), 9)
    unique, inverse = np.unique(keys, axis=0, return_inverse=True)
    weights = np.bincount(inverse.ravel(), weights=w, minlength=len(unique))
    return unique[:, 0], unique[:, 1], unique[:, 2], weights


class _CountModel:
    """Shared surface of the transaction-count models."""

    name: ClassVar[str]
    param_names: ClassVar[tuple[str, ...]]
    params: dict[str, float]
    log_likelihood: float

    def __init__(self, params: dict[str, float] | None = None, log_likelihood: float = float("nan")):
        self.params = dict(params or {})
        self.log_likelihood = log_likelihood

    def _values(self) -> tuple[float, ...]:
        if not self.params:
            raise RuntimeError(f"{self.name} is not fitted")
        return tuple(self.params[n] for n in self.param_names)

    @classmethod
    def individual_ll(cls, values: Array, x: Array, t_x: Array, big_t: Array, cache: dict | None = None) -> Array:
        raise NotImplementedError

    @classmethod
    def _cache(cls, x: Array, t_x: Array, big_t: Array) -> dict:
        """Anything the likelihood can precompute once per fit (see ParetoNBD)."""
        return {}

    @classmethod
    def _starts(cls) -> list[Array]:
        raise NotImplementedError

    def fit(
        self,
        frequency: Array,
        recency: Array,
        T: Array,
        weights: Array | None = None,
        start: dict[str, float] | None = None,
    ) -> _CountModel:
        """Maximum likelihood; ``start`` (e.g. the parameters of an earlier fit) saves iterations."""
        x, t_x, big_t = _as_arrays(frequency, recency, T)
        w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
        x, t_x, big_t, w = _compress(x, t_x, big_t, w)
        total = w.sum()
        cache = self._cache(x, t_x, big_t)

        def negative_ll(log_values: Array) -> float:
            ll = self.individual_ll(np.exp(log_values), x, t_x, big_t, cache)
            value = -float(np.dot(w, ll)) / total
            return value if np.isfinite(value) else 1e10

        starts = self._starts()
        if start:
            starts = [np.array([start[n] for n in self.param_names]), *starts]
        self.params, mean_ll = _fit(negative_ll, starts, self.param_names)
        self.log_likelihood = mean_ll * total
        return self

    def expected_purchases(self, t: float, frequency: Array, recency: Array, T: Array) -> Array:
        raise NotImplementedError

    def p_alive(self, frequency: Array, recency: Array, T: Array) -> Array:
        raise NotImplementedError

    def expected_purchases_curve(self, times: Array, frequency: Array, recency: Array, T: Array) -> Array:
        """Expected purchases in (0, t] for each t of ``times``: shape (customers, len(times))."""
        return np.column_stack([self.expected_purchases(float(t), frequency, recency, T) for t in times])

    def p_no_purchase(self, t: float, frequency: Array, recency: Array, T: Array) -> Array:
        """Probability of no purchase in the next ``t`` units."""
        raise NotImplementedError

    def expected_purchases_new(self, t: float) -> float:
        """Expected purchases in (0, t] of a customer just acquired (unconditional)."""
        raise NotImplementedError

    def rate_if_alive(self, frequency: Array, T: Array) -> Array:
        """Posterior mean purchase rate per unit of a customer still active: (r + x) / (alpha + T);
        every model here has the same gamma purchase-rate part."""
        r, alpha = self.params["r"], self.params["alpha"]
        return (r + np.asarray(frequency, dtype=float)) / (alpha + np.asarray(T, dtype=float))

    def log_parameter_covariance(self, frequency: Array, recency: Array, T: Array, step: float = 1e-3) -> Array:
        """Laplace approximation to the covariance of the log parameters fitted on these customers:
        the inverse Hessian (central differences) of the total negative log-likelihood. Infinite
        when the fitted point is not a clean maximum (a flat or wrong-signed direction)."""
        x, t_x, big_t = _as_arrays(frequency, recency, T)
        x, t_x, big_t, w = _compress(x, t_x, big_t, np.ones_like(x))
        cache = self._cache(x, t_x, big_t)
        theta = np.log(np.array(self._values()))
        n = len(theta)

        def total_nll(log_values: Array) -> float:
            return -float(np.dot(w, self.individual_ll(np.exp(log_values), x, t_x, big_t, cache)))

        shift = np.eye(n) * step
        hessian = np.empty((n, n))
        for i in range(n):
            for j in range(i, n):
                hessian[i, j] = hessian[j, i] = (
                    total_nll(theta + shift[i] + shift[j])
                    - total_nll(theta + shift[i] - shift[j])
                    - total_nll(theta - shift[i] + shift[j])
                    + total_nll(theta - shift[i] - shift[j])
                ) / (4 * step * step)
        if not np.all(np.isfinite(hessian)) or np.linalg.eigvalsh(hessian).min() <= 0:
            return np.full((n, n), np.inf)
        return np.linalg.inv(hessian)

    def total_log_sd(self, t: float, frequency: Array, recency: Array, T: Array, step: float = 1e-4) -> float:
        """Standard deviation of log(expected purchases in (0, t], summed over these customers) that
        comes from the parameters' uncertainty, by the delta method on the Laplace covariance."""
        x, t_x, big_t = _as_arrays(frequency, recency, T)
        covariance = self.log_parameter_covariance(x, t_x, big_t)
        if not np.all(np.isfinite(covariance)):
            return float("inf")
        x, t_x, big_t, w = _compress(x, t_x, big_t, np.ones_like(x))
        theta = np.log(np.array(self._values()))
        gradient = np.empty(len(theta))
        for i, shift in enumerate(np.eye(len(theta)) * step):
            totals = [
                float(
                    np.dot(
                        w,
                        type(self)(dict(zip(self.param_names, np.exp(v), strict=True))).expected_purchases(
                            t, x, t_x, big_t
                        ),
                    )
                )
                for v in (theta + shift, theta - shift)
            ]
            gradient[i] = (np.log(totals[0]) - np.log(totals[1])) / (2 * step)
        variance = float(gradient @ covariance @ gradient)
        return float(np.sqrt(variance)) if np.isfinite(variance) and variance >= 0 else float("inf")


class BetaGeoNBD(_CountModel):
    """BG/NBD: Poisson purchases with gamma-distributed rates; after each purchase the customer
    drops out with a beta-distributed probability. A one-time buyer can never have dropped out."""

    name = "bgnbd"
    param_names = ("r", "alpha", "a", "b")

    @classmethod
    def _starts(cls) -> list[Array]:
        return [np.array([1.0, 1.0, 1.0, 1.0]), np.array([0.5, 5.0, 0.8, 2.5]), np.array([0.2, 10.0, 0.3, 5.0])]

    @classmethod
    def individual_ll(cls, values: Array, x: Array, t_x: Array, big_t: Array, cache: dict | None = None) -> Array:
        r, alpha, a, b = values
        a1 = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
        a2 = special.betaln(a, b + x) - special.betaln(a, b)
        a3 = -(r + x) * np.log(alpha + big_t)
        with np.errstate(divide="ignore", invalid="ignore"):
            a4 = np.log(a) - np.log(b + x - 1) - (r + x) * np.log(alpha + t_x)
        a4 = np.where(x > 0, a4, -np.inf)
        return a1 + a2 + np.logaddexp(a3, a4)

    def _odds_dead(self, x: Array, t_x: Array, big_t: Array) -> Array:
        r, alpha, a, b = self._values()
        with np.errstate(divide="ignore", invalid="ignore"):
            log_odds = np.log(a) - np.log(b + x - 1) + (r + x) * (np.log(alpha + big_t) - np.log(alpha + t_x))
        return np.where(x > 0, np.exp(log_odds), 0.0)

    def p_alive(self, frequency: Array, recency: Array, T: Array) -> Array:
        x, t_x, big_t = _as_arrays(frequency, recency, T)
        return 1.0 / (1.0 + self._odds_dead(x, t_x, big_t))

    def expected_purchases(self, t: float, frequency: Array, recency: Array, T: Array) -> Array:
        x, t_x, big_t = _as_arrays(frequency, recency, T)
        r, alpha, a, b = self._values()
        z = t / (alpha + big_t + t)
        hyp = special.hyp2f1(r + x, b + x, a + b + x - 1, z)
        ratio = np.exp((r + x) * (np.log(alpha + big_t) - np.log(alpha + big_t + t)))
        numerator = (a + b + x - 1) / (a - 1) * (1.0 - ratio * hyp)
        return numerator / (1.0 + self._odds_dead(x, t_x, big_t))

    def p_no_purchase(self, t: float, frequency: Array, recency: Array, T: Array) -> Array:
        x, t_x, big_t = _as_arrays(frequency, recency, T)
        r, alpha, _, _ = self._values()
        alive = self.p_alive(x, t_x, big_t)
        quiet_if_alive = np.exp((r + x) * (np.log(alpha + big_t) - np.log(alpha + big_t + t)))
        return 1.0 - alive + alive * quiet_if_alive

    def expected_purchases_new(self, t: float) -> float:
        r, alpha, a, b = self._values()
        z = t / (alpha + t)
        return float((a + b - 1) / (a - 1) * (1.0 - (alpha / (alpha + t)) ** r * special.hyp2f1(r, b, a + b - 1, z)))


class ModifiedBetaGeoNBD(_CountModel):
    """MBG/NBD: like BG/NBD, but a customer may also drop out right after the first purchase, so a
    one-time buyer who has been quiet for long is rightly rated as probably gone."""

    name = "mbgnbd"
    param_names = ("r", "alpha", "a", "b")

    @classmethod
    def _starts(cls) -> list[Array]:
        return [np.array([1.0, 1.0, 1.0, 1.0]), np.array([0.5, 5.0, 0.8, 2.5]), np.array([0.2, 10.0, 0.3, 5.0])]

    @classmethod
    def individual_ll(cls, values: Array, x: Array, t_x: Array, big_t: Array, cache: dict | None = None) -> Array:
        r, alpha, a, b = values
        a1 = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
        a2 = special.betaln(a, b + x + 1) - special.betaln(a, b)
        a3 = -(r + x) * np.log(alpha + big_t)
        a4 = np.log(a) - np.log(b + x) - (r + x) * np.log(alpha + t_x)
        return a1 + a2 + np.logaddexp(a3, a4)

    def _odds_dead(self, x: Array, t_x: Array, big_t: Array) -> Array:
        r, alpha, a, b = self._values()
        return np.exp(np.log(a) - np.log(b + x) + (r + x) * (np.log(alpha + big_t) - np.log(alpha + t_x)))

    def p_alive(self, frequency: Array, recency: Array, T: Array) -> Array:
        x, t_x, big_t = _as_arrays(frequency, recency, T)
        return 1.0 / (1.0 + self._odds_dead(x, t_x, big_t))

    def expected_purchases(self, t: float, frequency: Array, recency: Array, T: Array) -> Array:
        x, t_x, big_t = _as_arrays(frequency, recency, T)
        r, alpha, a, b = self._values()
        z = t / (alpha + big_t + t)
        hyp = special.hyp2f1(r + x, b + x + 1, a + b + x, z)
        ratio = np.exp((r + x) * (np.log(alpha + big_t) - np.log(alpha + big_t + t)))
        numerator = (a + b + x) / (a - 1) * (1.0 - ratio * hyp)
        return numerator / (1.0 + self._odds_dead(x, t_x, big_t))

    def p_no_purchase(self, t: float, frequency: Array, recency: Array, T: Array) -> Array:
        x, t_x, big_t = _as_arrays(frequency, recency, T)
        r, alpha, _, _ = self._values()
        alive = self.p_alive(x, t_x, big_t)
        quiet_if_alive = np.exp((r + x) * (np.log(alpha + big_t) - np.log(alpha + big_t + t)))
        return 1.0 - alive + alive * quiet_if_alive

    def expected_purchases_new(self, t: float) -> float:
        r, alpha, a, b = self._values()
        z = t / (alpha + t)
        return float((a + b) / (a - 1) * (1.0 - (alpha / (alpha + t)) ** r * special.hyp2f1(r, b + 1, a + b, z)))


class ParetoNBD(_CountModel):
    """Pareto/NBD: Poisson purchases with gamma rates, exponential lifetimes with gamma rates."""

    name = "pareto_nbd"
    param_names = ("r", "alpha", "s", "beta")

    @classmethod
    def _starts(cls) -> list[Array]:
        return [np.array([1.0, 1.0, 1.0, 1.0]), np.array([0.5, 10.0, 0.5, 10.0]), np.array([0.3, 5.0, 1.0, 20.0])]

    @classmethod
    def _cache(cls, x: Array, t_x: Array, big_t: Array) -> dict:
        """The hypergeometric terms depend on (x, t) pairs only, and histories share far fewer pairs
        than rows (CDNOW master: 1,726 (x, t_x) and 979 (x, T) pairs for 8,685 rows): compute each once."""
        cache = {}
        for name, t in (("tx", t_x), ("T", big_t)):
            unique, inverse = np.unique(np.column_stack([x, t]), axis=0, return_inverse=True)
            cache[name] = (unique[:, 0], unique[:, 1], inverse.ravel())
        return cache

    @staticmethod
    def _log_a0(values: Array, x: Array, t_x: Array, big_t: Array, cache: dict | None = None) -> Array:
        """log of A0 in Fader & Hardie's note on the Pareto/NBD likelihood (always positive)."""
        r, alpha, s, beta = values
        top, shift = (alpha, alpha - beta) if alpha >= beta else (beta, beta - alpha)

        def term(xs: Array, t: Array) -> Array:
            rsx, second = r + s + xs, (s + 1 if alpha >= beta else r + xs)
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.log(special.hyp2f1(rsx, second, rsx + 1, shift / (top + t))) - rsx * np.log(top + t)

        if cache:
            (x1, t1, i1), (x2, t2, i2) = cache["tx"], cache["T"]
            at_tx, at_t = term(x1, t1)[i1], term(x2, t2)[i2]
        else:
            at_tx, at_t = term(x, t_x), term(x, big_t)
        with np.errstate(divide="ignore", invalid="ignore"):
            return at_tx + np.log(-np.expm1(at_t - at_tx))

    @classmethod
    def individual_ll(cls, values: Array, x: Array, t_x: Array, big_t: Array, cache: dict | None = None) -> Array:
        r, alpha, s, beta = values
        head = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha) + s * np.log(beta)
        first = -(r + x) * np.log(alpha + big_t) - s * np.log(beta + big_t)
        log_a0 = cls._log_a0(values, x, t_x, big_t, cache)
        second = np.log(s) - np.log(r + s + x) + log_a0
        second = np.where(t_x < big_t, second, -np.inf)  # bought at the very end: A0 = 0
        with np.errstate(invalid="ignore"):
            return head + np.logaddexp(first, second)

    def p_alive(self, frequency: Array, recency: Array, T: Array) -> Array:
        x, t_x, big_t = _as_arrays(frequency, recency, T)
        values = np.array(self._values())
        r, alpha, s, beta = values
        log_a0 = self._log_a0(values, x, t_x, big_t)
        log_odds = np.log(s) - np.log(r + s + x) + (r + x) * np.log(alpha + big_t) + s * np.log(beta + big_t) + log_a0
        odds = np.where(t_x < big_t, np.exp(log_odds), 0.0)
        return 1.0 / (1.0 + odds)

    def expected_purchases(self, t: float, frequency: Array, recency: Array, T: Array) -> Array:
        x, t_x, big_t = _as_arrays(frequency, recency, T)
        r, alpha, s, beta = self._values()
        if abs(s - 1.0) < 1e-6:
            lifetime_factor = np.log((beta + big_t + t) / (beta + big_t))
        else:
            lifetime_factor = (1.0 - ((beta + big_t) / (beta + big_t + t)) ** (s - 1)) / (s - 1)
        rate = (r + x) / (alpha + big_t)
        return rate * (beta + big_t) * lifetime_factor * self.p_alive(x, t_x, big_t)

    def expected_purchases_curve(self, times: Array, frequency: Array, recency: Array, T: Array) -> Array:
        """As the base method, with P(alive) (two hypergeometric calls) computed once, not per t."""
        x, t_x, big_t = _as_arrays(frequency, recency, T)
        r, alpha, s, beta = self._values()
        times = np.asarray(times, dtype=float)[None, :]
        b_t = (beta + big_t)[:, None]
        if abs(s - 1.0) < 1e-6:
            lifetime_factor = np.log((b_t + times) / b_t)
        else:
            lifetime_factor = (1.0 - (b_t / (b_t + times)) ** (s - 1)) / (s - 1)
        scale = (r + x) / (alpha + big_t) * (beta + big_t) * self.p_alive(x, t_x, big_t)
        return scale[:, None] * lifetime_factor

    def p_no_purchase(self, t: float, frequency: Array, recency: Array, T: Array) -> Array:
        """P(no purchase in the next t) = P(dead) + P(alive) * E[quiet | alive].

        Given alive, the rates are independent gammas, lambda ~ (r+x, alpha+T), mu ~ (s, beta+T), and
        P(quiet | lambda, mu) = 1 - integral_0^t lambda e^{-(lambda+mu) u} du, so
        E[quiet | alive] = 1 - (r+x)/(alpha+T) * integral_0^t ((alpha+T)/(alpha+T+u))^(r+x+1)
        ((beta+T)/(beta+T+u))^s du: one smooth integral, done by 32-node Gauss-Legendre quadrature.
        """
        x, t_x, big_t = _as_arrays(frequency, recency, T)
        r, alpha, s, beta = self._values()
        alive = self.p_alive(x, t_x, big_t)
        nodes, weights = np.polynomial.legendre.leggauss(32)
        u = (nodes + 1.0) * (t / 2.0)
        a_t = (alpha + big_t)[:, None]
        b_t = (beta + big_t)[:, None]
        integrand = np.exp((r + x + 1)[:, None] * np.log(a_t / (a_t + u)) + s * np.log(b_t / (b_t + u)))
        integral = integrand @ weights * (t / 2.0)
        quiet = 1.0 - (r + x) / (alpha + big_t) * integral
        return 1.0 - alive + alive * np.clip(quiet, 0.0, 1.0)

    def expected_purchases_new(self, t: float) -> float:
        r, alpha, s, beta = self._values()
        if abs(s - 1.0) < 1e-6:
            return float(r * beta / alpha * np.log(1 + t / beta))
        return float(r * beta / (alpha * (s - 1)) * (1.0 - (beta / (beta + t)) ** (s - 1)))


class ScaledCountModel(_CountModel):
    """A fitted count model whose expected purchases (and so CLV) are multiplied by ``factor``.

    The factor is the ratio of actual to predicted purchases in a backtest (``model.py``): on
    CDNOW every BTYD model under-predicts repeat buying, mostly of one-time buyers who come back,
    and a level correction learned on past data fixes the total without touching the ranking.
    Probabilities (P(alive), P(no purchase)) stay the model's own.
    """

    def __init__(self, model: _CountModel, factor: float):
        if not np.isfinite(factor) or factor <= 0:
            raise ValueError(f"the purchase factor must be a positive number, not {factor}")
        super().__init__(model.params, model.log_likelihood)
        self.model = model
        self.factor = float(factor)
        self.name = model.name  # type: ignore[misc]
        self.param_names = model.param_names  # type: ignore[misc]

    def fit(self, *args: object, **kwargs: object) -> _CountModel:
        raise TypeError("a scaled model is built from a fitted one; fit the underlying model instead")

    def expected_purchases(self, t: float, frequency: Array, recency: Array, T: Array) -> Array:
        return self.factor * self.model.expected_purchases(t, frequency, recency, T)

    def expected_purchases_curve(self, times: Array, frequency: Array, recency: Array, T: Array) -> Array:
        return self.factor * self.model.expected_purchases_curve(times, frequency, recency, T)

    def expected_purchases_new(self, t: float) -> float:
        return self.factor * self.model.expected_purchases_new(t)

    def rate_if_alive(self, frequency: Array, T: Array) -> Array:
        return self.factor * self.model.rate_if_alive(frequency, T)

    def p_alive(self, frequency: Array, recency: Array, T: Array) -> Array:
        return self.model.p_alive(frequency, recency, T)

    def p_no_purchase(self, t: float, frequency: Array, recency: Array, T: Array) -> Array:
        return self.model.p_no_purchase(t, frequency, recency, T)

    def log_parameter_covariance(self, frequency: Array, recency: Array, T: Array, step: float = 1e-3) -> Array:
        return self.model.log_parameter_covariance(frequency, recency, T, step)

    def total_log_sd(self, t: float, frequency: Array, recency: Array, T: Array, step: float = 1e-4) -> float:
        return self.model.total_log_sd(t, frequency, recency, T, step)


COUNT_MODELS: dict[str, type[_CountModel]] = {
    model.name: model for model in (BetaGeoNBD, ModifiedBetaGeoNBD, ParetoNBD)
}


def count_model(name: str, params: dict[str, float]) -> _CountModel:
    """A fitted count model from its saved name and parameters."""
    if name not in COUNT_MODELS:
        raise KeyError(f"unknown BTYD model {name!r}; known: {sorted(COUNT_MODELS)}")
    return COUNT_MODELS[name](params)


class GammaGamma:
    """Gamma-Gamma spend model: each customer's mean order value, shrunk towards the population."""

    name = "gamma_gamma"
    param_names = ("p", "q", "v")

    def __init__(self, params: dict[str, float] | None = None, log_likelihood: float = float("nan")):
        self.params = dict(params or {})
        self.log_likelihood = log_likelihood

    @staticmethod
    def individual_ll(values: Array, x: Array, m: Array) -> Array:
        p, q, v = values
        px = p * x
        return (
            special.gammaln(px + q)
            - special.gammaln(px)
            - special.gammaln(q)
            + q * np.log(v)
            + (px - 1) * np.log(m)
            + px * np.log(x)
            - (px + q) * np.log(px / p * m + v)
        )

    def fit(self, frequency: Array, monetary_value: Array) -> GammaGamma:
        """Fit on customers with at least one repeat purchase of positive value; others are skipped."""
        x = np.asarray(frequency, dtype=float)
        m = np.asarray(monetary_value, dtype=float)
        keep = (x > 0) & (m > 0)
        if keep.sum() < 3:
            raise Refusal("customers.gamma_gamma", needed=3)
        x, m = x[keep], m[keep]

        def negative_ll(log_values: Array) -> float:
            value = -float(np.mean(self.individual_ll(np.exp(log_values), x, m)))
            return value if np.isfinite(value) else 1e10

        starts = [np.array([1.0, 1.0, 1.0]), np.array([5.0, 3.0, 15.0]), np.array([2.0, 4.0, float(np.mean(m))])]
        self.params, mean_ll = _fit(negative_ll, starts, self.param_names)
        self.log_likelihood = mean_ll * len(x)
        return self

    def expected_spend(self, frequency: Array, monetary_value: Array) -> Array:
        """E[mean order value | x, m_x]; the population mean for customers without repeat spend."""
        p, q, v = (self.params[n] for n in self.param_names)
        x = np.asarray(frequency, dtype=float)
        m = np.asarray(monetary_value, dtype=float)
        has = (x > 0) & (m > 0)
        x_used = np.where(has, x, 0.0)
        m_used = np.where(has, m, 0.0)
        population = p * v / (q - 1) if q > 1 else float("nan")
        conditional = p * (v + x_used * m_used) / (p * x_used + q - 1)
        return np.where(has, conditional, population)


def customer_lifetime_value(
    model: _CountModel,
    spend: Array,
    frequency: Array,
    recency: Array,
    T: Array,
    horizon_days: float,
    annual_discount_rate: float = 0.1,
    unit_days: float = 7.0,
    step_days: float = 30.0,
) -> Array:
    """Discounted expected revenue over ``horizon_days``: purchases expected in each month-long step
    times expected spend, discounted at ``annual_discount_rate`` to today."""
    steps = max(1, int(np.ceil(horizon_days / step_days)))
    edges = np.minimum(np.arange(1, steps + 1) * step_days, horizon_days)
    monthly_rate = (1.0 + annual_discount_rate) ** (step_days / 365.25) - 1.0
    cumulative = model.expected_purchases_curve(edges / unit_days, frequency, recency, T)
    per_step = np.diff(cumulative, axis=1, prepend=0.0)
    discount = (1.0 + monthly_rate) ** -np.arange(1, steps + 1)
    return per_step @ discount * np.asarray(spend, dtype=float)
