"""ranksense from Python: audit a composite indicator's ranking with pandas at the edges.

>>> import ranksense
>>> index = ranksense.embedded("ieci2022")
>>> index.score().head()                     # the nominal ranking, a DataFrame
>>> result = ranksense.robust(index, seed=1, out="report")
>>> result.verdict, result.rank_stats        # the sentence and a table

Every function runs the Rust library's facade (the numbers and report folders of the
command line, bit for bit for the same seed, whatever the thread count) with the GIL
released; Ctrl-C stops a long run; bad input raises :class:`InputError`.
"""

import json
import os
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import pandas as pd

from . import _native, sobol
from ._errors import InputError
from ._progress import Progress, finish, resolve
from ._results import Result, read_table

__all__ = [
    "Index",
    "InputError",
    "Result",
    "Scenario",
    "bounds",
    "coherence",
    "drop",
    "embedded",
    "embedded_names",
    "load",
    "robust",
    "score",
    "sensitivity",
    "sobol",
    "stability",
    "sweep",
    "uncertainty",
]

__version__: str = _native.__version__

PathLike = Union[str, "os.PathLike[str]"]
ProgressArg = Union[None, bool, Progress]


def _toml_of(value: Mapping[str, Any], what: str) -> str:
    return _native.toml_from_json(json.dumps(value), what)


def _whole_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """iMeta's integer columns (Level, Direction) as integers: pandas reads a column with
    missing cells (Direction of the aggregates) as floats, which would be written as ``1.0``."""
    frame = frame.copy()
    for column in frame.columns:
        values = frame[column]
        if values.dtype.kind == "f":
            present = values.dropna()
            if len(present) and (present == present.round()).all():
                frame[column] = values.astype("Int64")
    return frame


class Index:
    """A validated composite indicator: units, indicator data, framework and nominal method.

    Build one with :func:`load`, :func:`embedded`, :meth:`Index.from_frames` or
    :meth:`Index.from_files`. Every analysis takes one.
    """

    def __init__(self, native: "_native.Index"):
        self._native = native

    @classmethod
    def from_frames(
        cls,
        meta: pd.DataFrame,
        data: pd.DataFrame,
        method: Optional[Mapping[str, Any]] = None,
        *,
        name: Optional[str] = None,
        focus: Optional[str] = None,
        index_toml: Union[None, str, Mapping[str, Any]] = None,
        source: str = "pandas",
    ) -> "Index":
        """An index from pandas DataFrames shaped as COINr's iMeta and iData.

        ``meta`` has COINr's iMeta columns (Level, iCode, iName, Direction, Weight, Parent,
        Type, …) and ``data`` its iData columns (uCode, uName, group columns, one column per
        indicator), e.g. ``pd.read_csv`` of files an R user wrote with ``write.csv``.
        ``method`` is the ``[method]`` table of an index.toml as a dict (e.g.
        ``{"normalisation": "minmax(0,100)", "aggregation": "arithmetic"}``); ``name`` and
        ``focus`` its top-level keys. ``index_toml`` gives the whole index.toml instead, as text
        or a dict. Messages name the frames ``meta.csv`` and ``data.csv`` with the line of the
        offending row (the header is line 1).
        """
        if index_toml is not None and (method or name or focus):
            raise InputError(
                "from_frames: give either index_toml or method/name/focus, not both; fix: put "
                "everything in index_toml, or leave it out"
            )
        if isinstance(index_toml, Mapping):
            toml_text: Optional[str] = _toml_of(index_toml, "index_toml")
        elif index_toml is not None:
            toml_text = str(index_toml)
        else:
            table: Dict[str, Any] = {}
            if name is not None:
                table["name"] = name
            if focus is not None:
                table["focus"] = focus
            if method:
                table["method"] = dict(method)
            toml_text = _toml_of(table, "method") if table else None
        for frame, what in ((meta, "meta"), (data, "data")):
            if not isinstance(frame, pd.DataFrame):
                raise InputError(
                    f"from_frames: {what} is a {type(frame).__name__}, not a DataFrame; fix: "
                    f"pass a pandas DataFrame shaped as COINr's i{what.capitalize()}"
                )
        # The frames as the CSV text R's write.csv gives; floats written as Python's shortest
        # round-trip repr, so the library reads back the very same numbers.
        meta_text = _whole_numbers(meta).to_csv(index=False)
        data_text = data.to_csv(index=False)
        return cls(_native.from_strings(meta_text, data_text, toml_text, source))

    @classmethod
    def from_files(
        cls, meta: PathLike, data: PathLike, index_toml: Optional[PathLike] = None
    ) -> "Index":
        """An index from files under any names (e.g. a COINr user's iMeta.csv, iData.csv)."""
        return cls(_native.from_files(meta, data, index_toml))

    @property
    def name(self) -> str:
        """The index's name (index.toml's ``name``, else its folder's)."""
        return self._native.name

    @property
    def source(self) -> str:
        """Where the data came from: a folder, two files, ``embedded:NAME`` or ``pandas``."""
        return self._native.source

    @property
    def input_hash(self) -> str:
        """SHA-256 of the input files, as recorded in every summary.json."""
        return self._native.input_hash

    @property
    def focus(self) -> Optional[str]:
        """The unit the analyses are about by default."""
        return self._native.focus

    @property
    def is_reconstruction(self) -> bool:
        """Whether the data are a reconstruction, not the publisher's own."""
        return self._native.is_reconstruction

    @property
    def unit_codes(self) -> List[str]:
        """The units' codes (uCode), in data order."""
        return self._native.unit_codes

    @property
    def unit_names(self) -> List[str]:
        """The units' names (uName), in data order."""
        return self._native.unit_names

    @property
    def warnings(self) -> List[Dict[str, Any]]:
        """Problems that did not stop loading, each a dict (file, line, column, problem, fix)."""
        return self._native.warnings

    def default_scenario(self) -> "Scenario":
        """The scenario the command line uses without ``--scenario`` (see
        :meth:`Scenario.default`)."""
        return Scenario.default(self)

    def score(
        self,
        level: Optional[int] = None,
        normalisation: Optional[str] = None,
        aggregation: Optional[str] = None,
        weights: Optional[Mapping[str, float]] = None,
    ) -> pd.DataFrame:
        """The ranking (:func:`score`)."""
        return score(self, level, normalisation, aggregation, weights)

    def __repr__(self) -> str:
        return f"<ranksense.Index {self.name!r}: {len(self.unit_codes)} units from {self.source}>"


class Scenario:
    """Which modelling choices are uncertain: a scenario file's contents (the README's scenario
    reference). Build one with :meth:`from_toml`, :meth:`from_dict`, :meth:`shipped` or
    :meth:`default`."""

    def __init__(self, native: "_native.Scenario"):
        self._native = native

    @classmethod
    def from_toml(cls, path_or_text: Union[PathLike, str], label: Optional[str] = None) -> "Scenario":
        """A scenario from a file (a path) or from TOML text. Text is anything with a newline or
        an ``=``; messages name it ``label`` (default ``scenario.toml``)."""
        if isinstance(path_or_text, str) and ("\n" in path_or_text or "=" in path_or_text):
            return cls(_native.Scenario.from_toml(path_or_text, label or "scenario.toml"))
        return cls(_native.Scenario.from_file(os.fspath(path_or_text)))

    @classmethod
    def from_dict(cls, scenario: Mapping[str, Any], label: str = "scenario.toml") -> "Scenario":
        """A scenario from a dict with the keys and tables of a scenario file (e.g.
        ``{"normalisation": {"choices": [...]}, "weights": [{"level": 2, "spread": 0.25}]}``).
        It is written as TOML text, which reports record and messages locate in."""
        return cls(_native.Scenario.from_toml(_toml_of(scenario, label), label))

    @classmethod
    def shipped(cls, name: str) -> "Scenario":
        """A scenario shipped with ranksense, by name (see :meth:`shipped_names`)."""
        return cls(_native.Scenario.shipped(name))

    @staticmethod
    def shipped_names() -> List[str]:
        """The names :meth:`shipped` accepts."""
        return _native.Scenario.shipped_names()

    @classmethod
    def default(cls, index: Index) -> "Scenario":
        """The command line's default for ``index``: the shipped scenario of a built-in data set,
        else the scenario derived from the index (which choices its data leave open)."""
        return cls(_native.Scenario.default_for(index._native))

    def validate(self, index: Index) -> None:
        """Checks the scenario against an index; raises :class:`InputError` located in its text."""
        self._native.validate(index._native)

    @property
    def text(self) -> str:
        """The TOML text."""
        return self._native.text

    @property
    def label(self) -> str:
        """The name it goes by in messages and reports."""
        return self._native.label

    @property
    def is_derived(self) -> bool:
        """Whether it was derived from the index."""
        return self._native.is_derived

    def __repr__(self) -> str:
        return f"<ranksense.Scenario {self.label!r}>"


ScenarioArg = Union[None, Scenario, str, "os.PathLike[str]", Mapping[str, Any]]


def load(folder: PathLike) -> Index:
    """Loads the index in a folder: meta.csv (COINr iMeta), data.csv (COINr iData) and, if
    present, index.toml (the nominal method)."""
    return Index(_native.load(os.fspath(folder)))


def embedded(name: str) -> Index:
    """A data set built into ranksense: ``ieci2022`` or ``asem`` (see :func:`embedded_names`)."""
    return Index(_native.embedded(name))


def embedded_names() -> List[str]:
    """The names :func:`embedded` accepts."""
    return _native.embedded_names()


def _scenario(index: Index, scenario: ScenarioArg) -> Scenario:
    if scenario is None:
        return Scenario.default(index)
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, Mapping):
        return Scenario.from_dict(scenario)
    if isinstance(scenario, str) and scenario in Scenario.shipped_names():
        return Scenario.shipped(scenario)
    return Scenario.from_toml(scenario)


def _out(out: Optional[PathLike]) -> Optional[str]:
    return None if out is None else os.fspath(out)


def _run(command: str, function: Any, progress: ProgressArg, *args: Any, **kwargs: Any) -> Result:
    display = resolve(progress)
    try:
        raw = function(*args, progress=display, **kwargs)
    finally:
        finish(display)
    return Result(command, raw)


def score(
    index: Index,
    level: Optional[int] = None,
    normalisation: Optional[str] = None,
    aggregation: Optional[str] = None,
    weights: Optional[Mapping[str, float]] = None,
) -> pd.DataFrame:
    """Every unit's index score and rank, best first, with each aggregate's score and rank
    (``ranksense score --format csv``).

    ``level`` keeps the score and rank columns of one level's nodes (1 = indicators, their
    normalised values; default: every aggregate). ``normalisation`` and ``aggregation`` are
    what-ifs (e.g. ``"minmax(1,100)"``, ``"geometric"``). ``weights`` maps node codes to raw
    weights (as in meta.csv's Weight column, renormalised within the parent).
    """
    raw = _native.score(
        index._native,
        normalisation,
        aggregation,
        level == 1,
        list((weights or {}).items()),
    )
    frame = read_table(raw["tables"][0][1])
    if level is None:
        return frame
    summary = json.loads(raw["summary"])
    levels = summary["data"]["levels"]  # the index is the top level
    if not isinstance(level, int) or level < 1 or level >= levels:
        raise InputError(
            f"level {level} is out of range; fix: use 1 (indicators) to {levels - 1} (the level "
            "below the index)"
        )
    codes = _codes_at(summary, level, frame)
    columns = ["uCode", "uName", "rank", "score"]
    for code in codes:
        columns += [code, f"{code}_rank"]
    return frame[columns]


def _codes_at(summary: Dict[str, Any], level: int, frame: pd.DataFrame) -> List[str]:
    """The codes of ``level``'s nodes among the ranking's columns."""
    aggregates = {
        node["code"]: node["level"] for node in summary["ranking"][0]["nodes"]
    } if summary.get("ranking") else {}
    columns = [c for c in frame.columns[4:] if not c.endswith("_rank")]
    if level == 1:
        return [c for c in columns if c not in aggregates]
    return [c for c in columns if aggregates.get(c) == level]


def uncertainty(
    index: Index,
    scenario: ScenarioArg = None,
    *,
    samples: Optional[int] = None,
    max_samples: Optional[int] = None,
    seed: Optional[int] = None,
    threads: int = 0,
    focus: Optional[str] = None,
    top_k: Optional[int] = None,
    out: Optional[PathLike] = None,
    progress: ProgressArg = None,
) -> Result:
    """Every unit's rank distribution when the scenario's choices are sampled (Monte Carlo):
    ``ranksense uncertainty``. Converged by default (batches growing from 10,000 samples, at
    most doubling, up to ``max_samples``), or exactly ``samples``. Tables: rank_stats, rank_histogram, rank_bands,
    pairwise, central_weights; ``verdict``: the focus unit's sentence. ``out`` writes the
    report folder. ``threads`` (0 = all cores) never changes the numbers."""
    return _run(
        "uncertainty", _native.uncertainty, progress, index._native,
        _scenario(index, scenario)._native, samples=samples, max_samples=max_samples,
        seed=seed, threads=threads, focus=focus, top_k=top_k, out=_out(out),
    )


def sensitivity(
    index: Index,
    scenario: ScenarioArg = None,
    *,
    base_samples: int = 2048,
    seed: Optional[int] = None,
    threads: int = 0,
    focus: Optional[str] = None,
    top_k: Optional[int] = None,
    points: str = "sobol",
    bootstrap: int = 1000,
    dummy: bool = False,
    out: Optional[PathLike] = None,
    progress: ProgressArg = None,
) -> Result:
    """Sobol first-order and total indices of each uncertain choice (``ranksense
    sensitivity``): table ``sobol``; ``verdict``: which factor moves the focus unit most."""
    return _run(
        "sensitivity", _native.sensitivity, progress, index._native,
        _scenario(index, scenario)._native, base_samples=base_samples, seed=seed,
        threads=threads, focus=focus, top_k=top_k, points=points, bootstrap=bootstrap,
        dummy=dummy, out=_out(out),
    )


def robust(
    index: Index,
    scenario: ScenarioArg = None,
    *,
    samples: Optional[int] = None,
    max_samples: Optional[int] = None,
    seed: Optional[int] = None,
    threads: int = 0,
    focus: Optional[str] = None,
    top_k: Optional[int] = None,
    base_samples: Optional[int] = None,
    bootstrap: Optional[int] = None,
    out: Optional[PathLike] = None,
    progress: ProgressArg = None,
) -> Result:
    """The whole audit of the focus unit's rank from one seed (``ranksense robust``):
    uncertainty, sensitivity, exact bounds, stability, coherence, with the combined
    ``verdict``; ``out`` writes the report folder (report.html, report.md, CSVs, charts)."""
    return _run(
        "robust", _native.robust, progress, index._native,
        _scenario(index, scenario)._native, samples=samples, max_samples=max_samples,
        seed=seed, threads=threads, focus=focus, top_k=top_k, base_samples=base_samples,
        bootstrap=bootstrap, out=_out(out),
    )


WeightsArg = Union[None, str, Sequence[int]]


def bounds(
    index: Index,
    *,
    spread: Optional[float] = None,
    scenario: ScenarioArg = None,
    region: Optional[PathLike] = None,
    weights: WeightsArg = None,
    normalisation: Optional[str] = None,
    aggregation: Optional[str] = None,
    focus: Optional[str] = None,
    all_units: bool = False,
    out: Optional[PathLike] = None,
    progress: ProgressArg = None,
) -> Result:
    """The exact best and worst rank over every weight vector in a range (``ranksense
    bounds``): ``spread`` (default ±25% of nominal), a scenario's weight ranges, or a
    ``code,lo,hi`` region file. ``weights``: levels (list, 1 = indicators) or
    ``"effective"``."""
    native_scenario = None if scenario is None else _scenario(index, scenario)._native
    return _run(
        "bounds", _native.bounds, progress, index._native, spread=spread,
        scenario=native_scenario, region=_out(region),
        weights=list(weights) if weights is not None and not isinstance(weights, str) else weights,
        normalisation=normalisation, aggregation=aggregation, focus=focus,
        all_units=all_units, out=_out(out),
    )


def _plain(function: Any, command: str, *args: Any, **kwargs: Any) -> Result:
    return Result(command, function(*args, **kwargs))


def stability(
    index: Index,
    *,
    weights: WeightsArg = None,
    normalisation: Optional[str] = None,
    aggregation: Optional[str] = None,
    focus: Optional[str] = None,
    top_k: Optional[int] = None,
    out: Optional[PathLike] = None,
) -> Result:
    """How far each weight can move before the focus unit's rank or the top-k order changes
    (``ranksense stability``)."""
    return _plain(
        _native.stability, "stability", index._native,
        weights=list(weights) if weights is not None and not isinstance(weights, str) else weights,
        normalisation=normalisation, aggregation=aggregation, focus=focus, top_k=top_k,
        out=_out(out),
    )


def sweep(
    index: Index,
    weight: Optional[str] = None,
    *,
    start: float = 0.0,
    stop: float = 1.0,
    steps: int = 51,
    simplex: Optional[str] = None,
    resolution: int = 60,
    normalisation: Optional[str] = None,
    aggregation: Optional[str] = None,
    focus: Optional[str] = None,
    out: Optional[PathLike] = None,
) -> Result:
    """Every unit's rank as one weight moves from ``start`` to ``stop`` (its siblings
    rescaled): ``ranksense sweep``; with ``simplex=PARENT``, the focus unit's rank over every
    weighting of the parent's three children (table ``simplex``)."""
    return _plain(
        _native.sweep, "sweep", index._native, weight=weight, start=start, stop=stop,
        steps=steps, simplex=simplex, resolution=resolution, normalisation=normalisation,
        aggregation=aggregation, focus=focus, out=_out(out),
    )


def drop(
    index: Index,
    levels: Optional[Sequence[int]] = None,
    *,
    normalisation: Optional[str] = None,
    aggregation: Optional[str] = None,
    focus: Optional[str] = None,
    out: Optional[PathLike] = None,
) -> Result:
    """Every unit's rank with each element of ``levels`` dropped in turn (weight zero, COINr's
    ``remove_elements``): ``ranksense drop``. Tables ``drop`` and ``drop_ranks``."""
    return _plain(
        _native.drop, "drop", index._native,
        levels=None if levels is None else list(levels), normalisation=normalisation,
        aggregation=aggregation, focus=focus, out=_out(out),
    )


def coherence(
    index: Index,
    *,
    bootstrap: int = 200,
    seed: int = 1,
    out: Optional[PathLike] = None,
) -> Result:
    """The statistical coherence audit of the nominal index (``ranksense coherence``): tables
    coherence, importance, pca; ``verdict``: the findings."""
    return _plain(
        _native.coherence, "coherence", index._native, bootstrap=bootstrap, seed=seed,
        out=_out(out),
    )


# The analyses as methods too: index.uncertainty(...) is ranksense.uncertainty(index, ...).
Index.uncertainty = uncertainty  # type: ignore[attr-defined]
Index.sensitivity = sensitivity  # type: ignore[attr-defined]
Index.robust = robust  # type: ignore[attr-defined]
Index.bounds = bounds  # type: ignore[attr-defined]
Index.stability = stability  # type: ignore[attr-defined]
Index.sweep = sweep  # type: ignore[attr-defined]
Index.drop = drop  # type: ignore[attr-defined]
Index.coherence = coherence  # type: ignore[attr-defined]
