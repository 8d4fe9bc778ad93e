"""Sobol sensitivity analysis of any model, as a drop-in for SALib's Sobol workflow.

>>> from ranksense import sobol
>>> problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-3.14, 3.14]] * 3}
>>> X = sobol.sample(problem, 1024)          # SALib's row order and shape
>>> Y = my_model(X)                          # one output per row
>>> Si = sobol.analyze(problem, Y)           # Si["S1"], Si["ST"], Si["S1_conf"], ...

The design is ranksense's (Owen-scrambled Sobol points, the same as ``ranksense sobol sample``
for the same N and seed), laid out in SALib's interleaved order: per base row A, AB_1 … AB_k,
(BA_1 … BA_k when ``calc_second_order``,) B. The indices are ranksense's estimators (first
order by Saltelli 2010, total by Jansen 1999, bootstrap percentile intervals), the numbers of
``ranksense sobol analyze --layout salib``. Second-order indices are not estimated: the BA
rows are accepted and ignored, and the result has no ``S2``.
"""

from typing import Any, Dict, List, Mapping, Optional, Sequence

import numpy as np
import pandas as pd

from . import _native
from ._errors import InputError
from ._results import read_table


def _names_and_bounds(problem: Mapping[str, Any]) -> "tuple[List[str], List[tuple]]":
    if "bounds" not in problem:
        raise InputError(
            "problem: no `bounds`; fix: give one [low, high] pair per factor, as SALib's "
            "problem dict does",
            [{"file": "problem", "line": None, "column": "bounds", "problem": "missing",
              "fix": "give one [low, high] pair per factor"}],
        )
    for unsupported in ("groups", "dists"):
        if problem.get(unsupported):
            raise InputError(
                f"problem: `{unsupported}` is not supported; fix: give independent uniform "
                f"factors (names and bounds), or use SALib for {unsupported}"
            )
    bounds = [tuple(float(v) for v in pair) for pair in problem["bounds"]]
    if any(len(pair) != 2 for pair in bounds):
        raise InputError("problem: each entry of `bounds` needs [low, high]; fix: give two numbers per factor")
    names = list(problem.get("names") or [f"x{i + 1}" for i in range(len(bounds))])
    count = problem.get("num_vars", len(bounds))
    if count != len(bounds) or len(names) != len(bounds):
        raise InputError(
            f"problem: num_vars = {count}, {len(names)} names and {len(bounds)} bounds disagree; "
            "fix: give one name and one [low, high] per factor"
        )
    return names, bounds


def sample(
    problem: Mapping[str, Any],
    N: int,
    calc_second_order: bool = True,
    scramble: bool = True,
    skip_values: int = 0,
    seed: Optional[int] = None,
    *,
    points: str = "sobol",
) -> np.ndarray:
    """A Saltelli design of ``N`` base rows over the problem's uniform factors: an array of
    ``N (2k + 2)`` rows (``N (k + 2)`` without ``calc_second_order``) and ``k`` columns, as
    SALib's ``sobol.sample`` returns. ``seed`` defaults to 1 (the command's default): the same
    seed gives the same design. Use a power of two for ``N``. ``points="random"`` gives
    pseudo-random points instead of scrambled Sobol points."""
    _, bounds = _names_and_bounds(problem)
    if not scramble:
        raise InputError(
            "scramble=False is not supported: ranksense's Sobol points are always scrambled "
            "(an unscrambled sequence biases the estimators); fix: leave scramble=True"
        )
    if skip_values:
        raise InputError(
            "skip_values is not supported: the scrambled sequence needs no burn-in; fix: leave "
            "skip_values=0 and change seed for another design"
        )
    data, rows, columns = _native.sobol_sample(
        bounds, int(N), 1 if seed is None else int(seed), points, bool(calc_second_order)
    )
    return np.frombuffer(data, dtype="<f8").reshape(rows, columns).copy()


class SobolIndices(dict):
    """SALib-style results: ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (numpy arrays in factor
    order), plus ``S1_lo``, ``S1_hi``, ``ST_lo``, ``ST_hi`` (the percentile interval) and
    ``names``. ``*_conf`` is the interval's half-width (SALib's is z·σ of the bootstrap; they
    agree for a symmetric bootstrap distribution). ``csv`` is the command's sobol.csv."""

    def to_df(self) -> List[pd.DataFrame]:
        """``[total, first]`` DataFrames indexed by factor name, as SALib's ``to_df()`` gives
        for a first-order analysis."""
        names = self["names"]
        total = pd.DataFrame({"ST": self["ST"], "ST_conf": self["ST_conf"]}, index=names)
        first = pd.DataFrame({"S1": self["S1"], "S1_conf": self["S1_conf"]}, index=names)
        return [total, first]

    @property
    def table(self) -> pd.DataFrame:
        """sobol.csv as a DataFrame (target, factor, Si, Si_lo, Si_hi, STi, STi_lo, STi_hi)."""
        return read_table(self["csv"])


def analyze(
    problem: Mapping[str, Any],
    Y: Sequence[float],
    calc_second_order: bool = True,
    num_resamples: int = 100,
    conf_level: float = 0.95,
    print_to_console: bool = False,
    parallel: bool = False,
    n_processors: Optional[int] = None,
    keep_resamples: bool = False,
    seed: Optional[int] = None,
    *,
    estimator: str = "centred",
) -> SobolIndices:
    """First-order and total Sobol indices of the outputs ``Y`` of a model run on every row of
    a design from :func:`sample` (or SALib's ``sobol.sample``), in the design's row order;
    ``calc_second_order`` must be the design's. ``num_resamples`` bootstrap resamples give
    ``conf_level`` percentile intervals (seed 0 unless given). ``estimator="coinr"`` gives
    COINr's uncentred estimator. ``parallel``, ``n_processors`` and ``keep_resamples`` are
    accepted for compatibility (ranksense always uses every core and the result does not
    depend on it)."""
    names, _ = _names_and_bounds(problem)
    outputs = np.ascontiguousarray(np.asarray(Y, dtype="<f8").ravel())
    raw: Dict[str, Any] = _native.sobol_analyze(
        names,
        outputs.tobytes(),
        bool(calc_second_order),
        int(num_resamples),
        float(conf_level),
        0 if seed is None else int(seed),
        estimator,
    )
    result = SobolIndices(
        {key: np.asarray(value) if isinstance(value, list) else value for key, value in raw.items()}
    )
    result["names"] = names
    if print_to_console:
        print(pd.concat(result.to_df(), axis=1))
    return result
