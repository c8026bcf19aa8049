"""The restart seeds: a scrambled Halton sequence written with numpy (no scipy.stats import)."""

import numpy as np
import pytest
from scipy.stats import qmc

from cevnsjax.inference._starts import _halton, _primes


def test_primes():
    assert _primes(10) == [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]


@pytest.mark.parametrize("k", [1, 3, 6])
def test_each_dimension_is_stratified(k):
    # digit permutations keep the van der Corput property: the first b^k points of the base-b
    # coordinate fill each of the b^k intervals [i / b^k, (i + 1) / b^k) exactly once
    for j, base in enumerate(_primes(4)):
        n = base**k
        cells = np.floor(_halton(4, n)[:, j] * n).astype(int)
        assert np.array_equal(np.sort(cells), np.arange(n)), base


def test_spread_like_scipys_scrambled_halton():
    for d, n in [(3, 4), (5, 64), (20, 256), (30, 1000)]:
        unit = _halton(d, n)
        assert unit.shape == (n, d) and unit.min() >= 0 and unit.max() < 1 and not unit.flags.writeable
        ours = qmc.discrepancy(unit)
        assert ours < 1.15 * qmc.discrepancy(qmc.Halton(d, scramble=True, seed=0).random(n))
        if n >= 64:  # and better than random points (4 points are a matter of luck)
            assert ours < qmc.discrepancy(np.random.default_rng(1).random((n, d)))
    assert np.array_equal(_halton(5, 64)[:10], _halton(5, 10))  # a prefix of the same sequence
