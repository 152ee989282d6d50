"""Small shared pieces of the generator: categorical mixes, random streams, age bands."""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from statistics import NormalDist

import numpy as np
import numpy.typing as npt

__all__ = [
    "AGE_BANDS",
    "Mix",
    "Stream",
    "age_band",
    "age_band_index",
    "collection_year_of",
]

#: Age bands used by the parameters (lower bound in years, name).
AGE_BANDS: tuple[tuple[int, str], ...] = (
    (0, "under_1"), (1, "1_to_4"), (5, "5_to_9"), (10, "10_to_15"), (16, "16_to_17"),
)
_BAND_EDGES = np.array([1, 5, 10, 16])
_INV_NORMAL = NormalDist().inv_cdf


def age_band_index(age_years: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Index into :data:`AGE_BANDS` of each age in (fractional) years."""
    return np.searchsorted(_BAND_EDGES, np.asarray(age_years, dtype=float), side="right").astype(np.int64)


def age_band(age_years: float) -> str:
    """The band name of one age in years.

    Example:
        >>> age_band(4.99), age_band(16.0)
        ('1_to_4', '16_to_17')
    """
    return AGE_BANDS[int(age_band_index([age_years])[0])][1]


def collection_year_of(days: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The collection year (ending 31 March) in which each day number falls."""
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    year = d.astype("datetime64[Y]").astype(np.int64) + 1970
    month = (d.astype("datetime64[M]") - d.astype("datetime64[Y]").astype("datetime64[M]")).astype(np.int64) + 1
    return year + (month >= 4).astype(np.int64)


class Mix:
    """A categorical distribution over codes, drawn by inverse CDF (vectorised or one at a time).

    Example:
        >>> Mix({"a": 1, "b": 3}).pick(0.5)
        'b'
    """

    def __init__(self, weights: Mapping[str, float]) -> None:
        if any(not isinstance(k, str) for k in weights):
            bad = [k for k in weights if not isinstance(k, str)]
            raise ValueError(f"mix categories must be text, not {bad!r} (quote YES/NO/numbers in YAML)")
        items = [(k, float(v)) for k, v in weights.items() if float(v) > 0]
        if not items:
            raise ValueError("a mix needs at least one positive weight")
        total = sum(v for _, v in items)
        self.codes: list[str] = [k for k, _ in items]
        self.shares: list[float] = [v / total for _, v in items]
        cum = np.cumsum(self.shares)
        cum[-1] = 1.0
        self._cum = cum
        self._cum_list = [float(c) for c in cum]
        self.codes_array = np.array(self.codes, dtype=object)

    def pick(self, u: float) -> str:
        """The code for one uniform draw ``u``."""
        return self.codes[min(bisect_right(self._cum_list, u), len(self.codes) - 1)]

    def index(self, u: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
        """Indices into :attr:`codes` for an array of uniforms."""
        return np.minimum(np.searchsorted(self._cum, u, side="right"), len(self.codes) - 1).astype(np.int64)

    def draw(self, rng: np.random.Generator, n: int) -> npt.NDArray[np.object_]:
        """``n`` codes."""
        return self.codes_array[self.index(rng.random(n))]

    def share(self, code: str) -> float:
        """The share of one code (0 if absent)."""
        return self.shares[self.codes.index(code)] if code in self.codes else 0.0


class Stream:
    """Uniform and normal draws from a numpy Generator, in blocks, for the per-child journeys.

    Drawing one number at a time from numpy is slow; the stream pre-draws blocks and hands them out in order,
    so runs stay deterministic for a seed.
    """

    BLOCK = 1 << 16

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._u: list[float] = []
        self._i = 0

    def u(self) -> float:
        """A uniform draw in [0, 1)."""
        if self._i >= len(self._u):
            self._u = self._rng.random(self.BLOCK).tolist()
            self._i = 0
        self._i += 1
        return self._u[self._i - 1]

    def normal(self) -> float:
        """A standard normal draw."""
        u = self.u()
        return _INV_NORMAL(min(max(u, 1e-12), 1 - 1e-12))

    def lognormal(self, median: float, sigma: float) -> float:
        """A lognormal draw with the given median and log-scale spread."""
        return median * math.exp(sigma * self.normal())

    def exponential(self, mean: float) -> float:
        """An exponential draw with the given mean."""
        return -mean * math.log(1.0 - self.u())

    def uniform_int(self, low: int, high: int) -> int:
        """An integer in [low, high]."""
        return low + int(self.u() * (high - low + 1))

    def poisson(self, mean: float) -> int:
        """A Poisson draw (Knuth's method: the means used here are small)."""
        limit, k, p = math.exp(-mean), 0, self.u()
        while p > limit:
            k += 1
            p *= self.u()
        return k

    def choice(self, items: Sequence[str]) -> str:
        """One item, uniformly."""
        return items[min(int(self.u() * len(items)), len(items) - 1)]
