"""careflow.flows._gamma (the bands' gamma quantiles without scipy) agrees with scipy.special.gammaincinv."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from scipy.special import gammainc, gammaincinv

from careflow.flows._gamma import gamma_quantile, regularized_gamma_p
from careflow.flows.projection import QUANTILES, gamma_bands

#: Shapes from nearly 0 to 10 million, and the neighbours of the switch to quadrature.
SHAPES = np.concatenate([np.geomspace(1e-3, 1e7, 600), [0.5, 1.0, 2.0, 19.999, 20.0, 20.001, 100.0]])


@pytest.mark.parametrize("q", [*QUANTILES.values(), 0.001, 0.999])
def test_quantiles_agree_with_scipy(q: float) -> None:
    ref = gammaincinv(SHAPES, q)
    got = gamma_quantile(SHAPES, q)
    assert np.all(np.abs(got - ref) <= 1e-9 * np.maximum(ref, 1e-300) + 1e-300)


def test_several_quantiles_in_one_call_broadcast() -> None:
    levels = np.array(list(QUANTILES.values()))[:, None]
    got = gamma_quantile(SHAPES[None, :], levels)
    assert got.shape == (len(QUANTILES), len(SHAPES))
    np.testing.assert_allclose(got, gammaincinv(SHAPES[None, :], levels), rtol=1e-9, atol=1e-300)


def test_regularized_gamma_p_agrees_with_scipy() -> None:
    """To 2e-8 in P (at shapes of a million, where a quantile's relative error is then about 1e-11)."""
    for factor in (0.5, 0.9, 1.0, 1.1, 2.0):
        x = SHAPES * factor
        np.testing.assert_allclose(regularized_gamma_p(SHAPES, x), gammainc(SHAPES, x), rtol=1e-9, atol=2e-8)


def test_bad_quantile_is_refused() -> None:
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        gamma_quantile(np.array([2.0]), 1.0)


def test_bands_are_scipy_gamma_bands() -> None:
    """gamma_bands (used for every forecast band) equals the gamma quantiles scipy gives, to 1e-9."""
    rng = np.random.default_rng(5)
    mean = np.concatenate([rng.uniform(0.0, 5.0, 200), rng.lognormal(5, 2, 200), [0.0, 3.0]])
    var = np.concatenate([mean[:400] * rng.uniform(0.2, 3.0, 400), [0.0, 0.0]])
    bands = gamma_bands(mean, var)
    ok = (mean > 0) & (var > 1e-12)
    shape = np.where(ok, mean**2 / np.where(ok, var, 1.0), 1.0)
    for name, q in QUANTILES.items():
        ref = np.where(ok, gammaincinv(shape, q) * np.where(ok, var / np.where(ok, mean, 1.0), 1.0), mean)
        np.testing.assert_allclose(bands[name], ref, rtol=1e-9, atol=1e-12)


def test_bands_do_not_import_scipy() -> None:
    code = ("import sys\nimport numpy as np\nfrom careflow.flows.projection import gamma_bands\n"
            "gamma_bands(np.array([100.0]), np.array([100.0]))\n"
            "assert not any(m == 'scipy' or m.startswith('scipy.') for m in sys.modules), 'scipy was imported'")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_quadrature_rule_is_numpys_leggauss() -> None:
    """The Gauss-Legendre rule written out in careflow.flows._gamma (to spare importing numpy.polynomial) is
    numpy's, to the bit."""
    from careflow.flows._gamma import _LEGENDRE_NODES, _LEGENDRE_WEIGHTS

    nodes, weights = np.polynomial.legendre.leggauss(32)
    assert np.array_equal(np.array(_LEGENDRE_NODES), nodes)
    assert np.array_equal(np.array(_LEGENDRE_WEIGHTS), weights)
