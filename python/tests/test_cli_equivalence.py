"""Every function returns the command line's numbers on IECI and ASEM for the same seed: the
same summary.json and the same CSV tables, byte for byte."""

from pathlib import Path

import pandas as pd
import pandas.testing as pdt

import ranksense
from ranksense._results import read_table

from conftest import cli, cli_csv, cli_json


def test_score_equals_the_command(data_set, index_of):
    index = index_of(data_set)
    frame = index.score()
    expected = read_table(cli_csv("score", "--data", data_set))
    pdt.assert_frame_equal(frame, expected)
    # Ranks run 1..n, best first; every unit is there once.
    assert list(frame["rank"]) == sorted(frame["rank"])
    assert sorted(frame["uCode"]) == sorted(index.unit_codes)


def test_score_level_and_what_if_equal_the_command(index_of):
    index = index_of("asem")
    frame = index.score(level=2, normalisation="minmax(1,100)", aggregation="geometric")
    expected = read_table(
        cli_csv(
            "score", "--data", "asem", "--level", "2", "--normalisation", "minmax(1,100)",
            "--aggregation", "geometric",
        )
    )
    # The command prints every aggregate; level 2 keeps the pillars.
    pdt.assert_frame_equal(frame, expected[frame.columns])
    assert len(frame.columns) == 4 + 2 * 8  # 8 pillars


def test_uncertainty_equals_the_command(data_set, index_of):
    index = index_of(data_set)
    result = ranksense.uncertainty(index, samples=4000, seed=3)
    args = ("uncertainty", "--data", data_set, "--samples", "4000", "--seed", "3")
    assert result.summary == cli_json(*args)
    assert result.csv("rank_stats") == cli_csv(*args)
    pdt.assert_frame_equal(result.rank_stats, read_table(cli_csv(*args)))
    assert result.verdict == result.summary["uncertainty"]["verdict_sentence"]
    assert {"rank_stats", "rank_histogram", "pairwise"} <= set(result.table_names)
    # A histogram row's probabilities add to one per unit.
    histogram = result.histogram
    assert not histogram.empty


def test_uncertainty_report_folder_equals_the_command(tmp_path, index_of):
    index = index_of("ieci2022")
    result = ranksense.uncertainty(index, samples=3000, seed=5, out=tmp_path / "py")
    cli("uncertainty", "--samples", "3000", "--seed", "5", "--out", str(tmp_path / "cli"))
    _same_folders(tmp_path / "py", tmp_path / "cli")
    assert sorted(p.name for p in result.written) == _files(tmp_path / "py")


def _files(folder: Path):
    """The report's files (not the command's hidden marker of folders it owns)."""
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def _same_folders(ours: Path, theirs: Path) -> None:
    names = _files(theirs)
    assert _files(ours) == names
    for name in names:
        if name.endswith((".csv", ".json", ".toml")):
            assert (ours / name).read_bytes() == (theirs / name).read_bytes(), name


def test_sensitivity_equals_the_command(data_set, index_of):
    index = index_of(data_set)
    result = ranksense.sensitivity(index, base_samples=128, bootstrap=50, seed=2)
    args = ("sensitivity", "--data", data_set, "--base-samples", "128", "--bootstrap", "50", "--seed", "2")
    assert result.summary == cli_json(*args)
    assert result.csv("sobol") == cli_csv(*args)
    assert result.verdict  # the driver sentence


def test_exact_analyses_equal_the_commands(data_set, index_of):
    index = index_of(data_set)
    data = ("--data", data_set)
    cases = [
        (ranksense.bounds(index), ("bounds", *data), "bounds"),
        (ranksense.bounds(index, spread=0.1, all_units=True),
         ("bounds", *data, "--spread", "0.1", "--all"), "bounds"),
        (ranksense.stability(index), ("stability", *data), "stability"),
        (ranksense.sweep(index, steps=11), ("sweep", *data, "--steps", "11"), "sweep"),
        (ranksense.drop(index, levels=[1]), ("drop", *data, "--level", "1"), "drop"),
        (ranksense.coherence(index, bootstrap=20, seed=4),
         ("coherence", *data, "--bootstrap", "20", "--seed", "4"), "coherence"),
    ]
    for result, args, table in cases:
        assert result.summary == cli_json(*args), args
        assert result.csv(table) == cli_csv(*args), args
        assert isinstance(result.table(table), pd.DataFrame)
        assert result.verdict is None or isinstance(result.verdict, str)


def test_robust_equals_the_command(tmp_path, data_set, index_of):
    index = index_of(data_set)
    result = ranksense.robust(
        index, samples=2000, seed=7, base_samples=64, bootstrap=20, out=tmp_path / "py"
    )
    cli(
        "robust", "--data", data_set, "--samples", "2000", "--seed", "7", "--base-samples", "64",
        "--bootstrap", "20", "--out", str(tmp_path / "cli"),
    )
    _same_folders(tmp_path / "py", tmp_path / "cli")
    assert result.verdict and result.verdict in (tmp_path / "cli" / "report.md").read_text()
    assert result.rank_stats.shape[0] == len(index.unit_codes)
