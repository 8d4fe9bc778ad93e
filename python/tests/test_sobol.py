"""ranksense.sobol is a drop-in for SALib's Sobol workflow on numpy arrays, with the numbers of
`ranksense sobol sample` and `sobol analyze --layout salib`."""

import math

import numpy as np
import pandas as pd

from ranksense import sobol
from ranksense._results import read_table

from conftest import cli

PROBLEM = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-math.pi, math.pi]] * 3}


def ishigami(X: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    """Ishigami & Homma (1990)."""
    return np.sin(X[:, 0]) + a * np.sin(X[:, 1]) ** 2 + b * X[:, 2] ** 4 * np.sin(X[:, 0])


def test_sample_is_the_command_design_in_salib_order(tmp_path):
    factors = tmp_path / "factors.toml"
    factors.write_text(
        "".join(
            f'[[factor]]\nname = "{n}"\nkind = "uniform"\nlow = {-math.pi!r}\nhigh = {math.pi!r}\n\n'
            for n in PROBLEM["names"]
        )
    )
    X = sobol.sample(PROBLEM, 32, calc_second_order=False, seed=4)
    assert X.shape == (32 * 5, 3)
    blocks = read_table(cli("sobol", "sample", "--factors", str(factors), "--n", "32", "--seed", "4"))
    values = blocks[PROBLEM["names"]].to_numpy()
    n = 32
    A, B = values[:n], values[n : 2 * n]
    AB = [values[(2 + i) * n : (3 + i) * n] for i in range(3)]
    np.testing.assert_array_equal(X[0::5], A)
    np.testing.assert_array_equal(X[4::5], B)
    for i in range(3):
        np.testing.assert_array_equal(X[1 + i :: 5], AB[i])
    # SALib's shape with second-order rows: N (2k + 2).
    assert sobol.sample(PROBLEM, 32).shape == (32 * 8, 3)


def test_analyze_equals_the_command_and_finds_ishigami_indices(tmp_path):
    X = sobol.sample(PROBLEM, 4096, seed=2)
    Y = ishigami(X)
    Si = sobol.analyze(PROBLEM, Y, num_resamples=100, conf_level=0.9, seed=5)
    np.savetxt(tmp_path / "X.txt", X, fmt="%.17g")
    np.savetxt(tmp_path / "Y.txt", Y, fmt="%.17g")
    expected = cli(
        "sobol", "analyze", "--design", str(tmp_path / "X.txt"), "--layout", "salib",
        "--outputs", str(tmp_path / "Y.txt"), "--bootstrap", "100", "--confidence", "0.9",
        "--seed", "5", "--format", "csv",
    )
    assert Si["csv"] == expected
    # Analytic values for a = 7, b = 0.1 (Ishigami & Homma 1990; Saltelli et al. 2008).
    np.testing.assert_allclose(Si["S1"], [0.3139, 0.4424, 0.0], atol=0.03)
    np.testing.assert_allclose(Si["ST"], [0.5576, 0.4424, 0.2437], atol=0.03)
    assert np.all(Si["S1_lo"] <= Si["S1"]) and np.all(Si["S1"] <= Si["S1_hi"])
    np.testing.assert_allclose(Si["S1_conf"], (Si["S1_hi"] - Si["S1_lo"]) / 2)
    total, first = Si.to_df()
    assert list(total.columns) == ["ST", "ST_conf"] and list(first.index) == PROBLEM["names"]
    assert isinstance(Si.table, pd.DataFrame)
