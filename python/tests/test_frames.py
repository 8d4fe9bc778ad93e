"""An index built from pandas DataFrames shaped as COINr's iMeta and iData equals the one
loaded from the files."""

import pandas as pd
import pandas.testing as pdt

import ranksense

from conftest import REPO

ASEM = REPO / "data" / "asem"

# data/asem/index.toml's [method] table.
ASEM_METHOD = {
    "denominate": True,
    "imputation": "group_mean(EurAsia_group)",
    "screen": 0.9,
    "treatment": {"winmax": 5, "skew_limit": 2.0, "kurtosis_limit": 3.5},
    "normalisation": "minmax(0,100)",
    "aggregation": "arithmetic",
}


def _frames():
    return pd.read_csv(ASEM / "meta.csv"), pd.read_csv(ASEM / "data.csv")


def test_from_frames_on_the_asem_frames_equals_loading_the_folder():
    meta, data = _frames()
    framed = ranksense.Index.from_frames(meta, data, method=ASEM_METHOD, focus="CHE")
    loaded = ranksense.load(ASEM)
    assert framed.unit_codes == loaded.unit_codes
    assert framed.focus == loaded.focus == "CHE"
    pdt.assert_frame_equal(framed.score(), loaded.score())
    pdt.assert_frame_equal(framed.score(level=1), loaded.score(level=1))
    ours = ranksense.uncertainty(framed, ranksense.Scenario.shipped("asem"), samples=2000, seed=1)
    theirs = ranksense.uncertainty(loaded, ranksense.Scenario.shipped("asem"), samples=2000, seed=1)
    assert ours.csv("rank_stats") == theirs.csv("rank_stats")
    assert ours.summary["nominal_method"] == theirs.summary["nominal_method"]


def test_from_frames_with_the_whole_index_toml_equals_the_folder():
    meta, data = _frames()
    framed = ranksense.Index.from_frames(
        meta, data, index_toml=(ASEM / "index.toml").read_text()
    )
    loaded = ranksense.load(ASEM)
    assert framed.name == loaded.name
    pdt.assert_frame_equal(framed.score(), loaded.score())
    assert framed.source == "pandas"


def test_an_index_built_in_memory_runs_with_its_derived_scenario():
    meta = pd.DataFrame(
        {
            "Level": [1, 1, 1, 2],
            "iCode": ["a", "b", "c", "Index"],
            "iName": ["A", "B", "C", "Index"],
            "Direction": [1, 1, -1, None],
            "Weight": [1, 1, 2, 1],
            "Parent": ["Index", "Index", "Index", None],
            "Type": ["Indicator", "Indicator", "Indicator", "Aggregate"],
        }
    )
    data = pd.DataFrame(
        {
            "uCode": [f"U{i}" for i in range(8)],
            "uName": [f"Unit {i}" for i in range(8)],
            "a": [1.0, 2.5, 3.0, 4.0, 5.5, 6.0, 7.0, 8.25],
            "b": [8.0, 1.0, 6.0, 3.0, 4.0, 2.0, 7.0, 5.0],
            "c": [0.5, 0.25, 0.75, 1.0, 0.1, 0.9, 0.3, 0.6],
        }
    )
    index = ranksense.Index.from_frames(meta, data, focus="U3")
    scored = index.score()
    assert sorted(scored["rank"]) == list(range(1, 9))
    scenario = index.default_scenario()
    assert scenario.is_derived
    result = index.uncertainty(samples=1000, seed=1)
    assert result.summary["uncertainty"]["focus"] == "U3"
