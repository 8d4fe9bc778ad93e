"""Results of the analyses: summary.json as a dict, the CSV tables as DataFrames, the sentence."""

import io
import json
from pathlib import Path
from typing import Any, Dict, List, Optional

import pandas as pd


def read_table(text: str) -> pd.DataFrame:
    """A ranksense CSV as a DataFrame: empty cells are missing, and no text (such as the unit
    code ``NA``) is mistaken for a missing value."""
    return pd.read_csv(io.StringIO(text), keep_default_na=False, na_values=[""])


class Result:
    """What an analysis returns.

    - ``summary``: the summary.json envelope as a dict (the command's ``--format json``);
    - ``verdict``: the result in one sentence, as the report states it (``None`` if there is
      none, e.g. a run without a focus unit);
    - ``tables``: every CSV table of the report folder as a DataFrame, by name without
      ``.csv`` (``rank_stats``, ``rank_histogram``, ``pairwise``, ``sobol``, ``bounds``, …);
      each is also an attribute (``result.rank_stats``; ``result.histogram`` for
      ``rank_histogram``);
    - ``csv(name)``: a table's text exactly as the command writes it;
    - ``written``: the files written when ``out=`` was given.
    """

    def __init__(self, command: str, raw: Dict[str, Any]):
        self.command = command
        self.summary: Dict[str, Any] = json.loads(raw["summary"])
        self.verdict: Optional[str] = raw["sentence"] or None
        self._csv: Dict[str, str] = {name[: -len(".csv")]: text for name, text in raw["tables"]}
        self._frames: Dict[str, pd.DataFrame] = {}
        self.written: List[Path] = [Path(p) for p in raw["written"]]

    @property
    def table_names(self) -> List[str]:
        """The names of the tables, in the report folder's order."""
        return list(self._csv)

    @property
    def tables(self) -> Dict[str, pd.DataFrame]:
        """Every table as a DataFrame, by name."""
        return {name: self.table(name) for name in self._csv}

    def _name(self, name: str) -> str:
        name = name[: -len(".csv")] if name.endswith(".csv") else name
        for candidate in (name, f"rank_{name}"):
            if candidate in self._csv:
                return candidate
        raise KeyError(
            f"{self.command} has no table {name!r}; its tables: {', '.join(self._csv) or 'none'}"
        )

    def table(self, name: str) -> pd.DataFrame:
        """One table as a DataFrame (a copy: changing it changes nothing here)."""
        key = self._name(name)
        if key not in self._frames:
            self._frames[key] = read_table(self._csv[key])
        return self._frames[key].copy()

    def csv(self, name: str) -> str:
        """One table's CSV text, exactly as the command writes it."""
        return self._csv[self._name(name)]

    def __getattr__(self, name: str) -> pd.DataFrame:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self.table(name)
        except KeyError as missing:
            raise AttributeError(str(missing)) from None

    def __dir__(self) -> List[str]:
        aliases = [n[len("rank_") :] for n in self._csv if n.startswith("rank_")]
        return sorted(set(super().__dir__()) | set(self._csv) | set(aliases))

    def __repr__(self) -> str:
        verdict = f": {self.verdict}" if self.verdict else ""
        return f"<ranksense {self.command} result; tables {', '.join(self._csv)}{verdict}>"
