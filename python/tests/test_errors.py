"""Bad input raises ranksense.InputError (a ValueError) with the library's located message:
the file, the line, the column or field, the problem and the fix."""

import shutil

import pandas as pd
import pytest

import ranksense
from ranksense import InputError

from conftest import REPO, cli

ASEM = REPO / "data" / "asem"


def test_a_bad_cell_in_a_folder_names_file_line_and_column(tmp_path):
    folder = tmp_path / "asem"
    shutil.copytree(ASEM, folder)
    lines = (folder / "data.csv").read_text().splitlines()
    cells = lines[3].split(",")
    cells[7] = "12,5".replace(",", ";")  # a decimal comma, quoted away as one cell
    lines[3] = ",".join(cells)
    (folder / "data.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as caught:
        ranksense.load(folder)
    error = caught.value
    assert isinstance(error, ValueError)
    assert error.file.endswith("data.csv")
    assert error.line == 4
    assert error.column == "Area"
    assert error.fix
    # The same message as the command line prints after "error:".
    done = __import__("subprocess").run(
        [str(REPO / "target" / "release" / "ranksense"), "score", "--data", str(folder)],
        capture_output=True, text=True,
    )
    assert done.returncode == 2
    assert str(error) in done.stderr


def test_a_bad_frame_row_is_located_in_data_csv():
    meta = pd.read_csv(ASEM / "meta.csv")
    data = pd.read_csv(ASEM / "data.csv")
    data = data.astype({"Area": object})
    data.loc[5, "Area"] = "lots"
    with pytest.raises(InputError) as caught:
        ranksense.Index.from_frames(meta, data)
    error = caught.value
    assert (error.file, error.line, error.column) == ("data.csv", 7, "Area")
    assert "lots" in error.problem


def test_scenario_typos_are_located_with_the_fix():
    with pytest.raises(InputError) as caught:
        ranksense.Scenario.from_toml("samples = 100\nsede = 4\n", label="my.toml")
    error = caught.value
    assert (error.file, error.line) == ("my.toml", 2)
    assert "seed" in error.fix
    with pytest.raises(InputError):
        ranksense.Scenario.from_dict({"samples": "many"})


def test_unknown_names_and_options_are_input_errors():
    with pytest.raises(InputError) as caught:
        ranksense.embedded("iecci2022")
    assert "ieci2022" in caught.value.fix
    index = ranksense.embedded("asem")
    with pytest.raises(InputError) as caught:
        index.score(normalisation="minmx(0,100)")
    assert "minmax" in str(caught.value)
    assert "--" not in str(caught.value)
    with pytest.raises(InputError) as caught:
        index.score(weights={"Conectivity": 2.0})
    assert caught.value.column == "Conectivity"
    with pytest.raises(InputError):
        index.score(level=9)
    with pytest.raises(InputError):
        ranksense.uncertainty(index, focus="Atlantis", samples=100)
    with pytest.raises(InputError):
        ranksense.sensitivity(index, points="halton")


def test_sobol_problems_are_input_errors():
    from ranksense import sobol

    with pytest.raises(InputError) as caught:
        sobol.sample({"num_vars": 1, "names": ["x"], "bounds": [[2.0, 1.0]]}, 8)
    assert caught.value.column == "bounds[0]"
    problem = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0, 1], [0, 1]]}
    with pytest.raises(InputError) as caught:
        sobol.analyze(problem, [1.0] * 13)
    assert caught.value.file == "Y"
    with pytest.raises(InputError):
        sobol.analyze(problem, [float("nan")] * 24)
