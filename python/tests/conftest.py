"""Shared fixtures: the command line to compare with, the repository's data, the indices."""

import json
import os
import subprocess
from pathlib import Path
from typing import List

import pytest

import ranksense

REPO = Path(__file__).resolve().parents[2]


def _binary() -> Path:
    """The ranksense command built from this repository (RANKSENSE_BIN overrides)."""
    given = os.environ.get("RANKSENSE_BIN")
    path = Path(given) if given else REPO / "target" / "release" / "ranksense"
    if not path.exists():
        pytest.fail(f"{path} not found: build the command first (cargo build --release)")
    return path


def cli(*args: str) -> str:
    """The command's standard output, which must succeed."""
    done = subprocess.run(
        [str(_binary()), *args], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"ranksense {' '.join(args)}: {done.stderr}"
    return done.stdout


def cli_json(*args: str) -> dict:
    return json.loads(cli(*args, "--format", "json"))


def cli_csv(*args: str) -> str:
    return cli(*args, "--format", "csv")


DATA_SETS: List[str] = ["ieci2022", "asem"]


@pytest.fixture(scope="session", params=DATA_SETS)
def data_set(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def index_of():
    cache = {}

    def get(name: str) -> ranksense.Index:
        if name not in cache:
            cache[name] = ranksense.embedded(name)
        return cache[name]

    return get
