"""Type hints of the native module (Rust, PyO3): the library facade with text in and out.

Use the package's functions (ranksense.load, ranksense.uncertainty, …), not these directly.
"""

from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

__version__: str

_Progress = Optional[Callable[[str, int, int], None]]
_Raw = Dict[str, Any]  # summary (str), tables (list of (name, csv)), sentence, written

class Index:
    @property
    def name(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def input_hash(self) -> str: ...
    @property
    def focus(self) -> Optional[str]: ...
    @property
    def is_reconstruction(self) -> bool: ...
    @property
    def unit_codes(self) -> List[str]: ...
    @property
    def unit_names(self) -> List[str]: ...
    @property
    def warnings(self) -> List[Dict[str, Any]]: ...

class Scenario:
    @staticmethod
    def from_file(path: str) -> Scenario: ...
    @staticmethod
    def from_toml(text: str, label: str) -> Scenario: ...
    @staticmethod
    def shipped(name: str) -> Scenario: ...
    @staticmethod
    def shipped_names() -> List[str]: ...
    @staticmethod
    def default_for(index: Index) -> Scenario: ...
    def validate(self, index: Index) -> None: ...
    @property
    def text(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def is_derived(self) -> bool: ...

def load(folder: str) -> Index: ...
def embedded(name: str) -> Index: ...
def embedded_names() -> List[str]: ...
def from_strings(meta: str, data: str, index_toml: Optional[str], source: str) -> Index: ...
def from_files(meta: Any, data: Any, index_toml: Optional[Any] = None) -> Index: ...
def toml_from_json(json: str, what: str) -> str: ...
def score(
    index: Index,
    normalisation: Optional[str] = None,
    aggregation: Optional[str] = None,
    indicators: bool = False,
    weights: Sequence[Tuple[str, float]] = ...,
) -> _Raw: ...
def uncertainty(
    index: Index,
    scenario: Scenario,
    samples: Optional[int] = None,
    max_samples: Optional[int] = None,
    seed: Optional[int] = None,
    threads: int = 0,
    focus: Optional[str] = None,
    top_k: Optional[int] = None,
    out: Optional[str] = None,
    progress: _Progress = None,
) -> _Raw: ...
def sensitivity(
    index: Index,
    scenario: Scenario,
    base_samples: int = 2048,
    seed: Optional[int] = None,
    threads: int = 0,
    focus: Optional[str] = None,
    top_k: Optional[int] = None,
    points: str = "sobol",
    bootstrap: int = 1000,
    dummy: bool = False,
    out: Optional[str] = None,
    progress: _Progress = None,
) -> _Raw: ...
def robust(
    index: Index,
    scenario: Scenario,
    samples: Optional[int] = None,
    max_samples: Optional[int] = None,
    seed: Optional[int] = None,
    threads: int = 0,
    focus: Optional[str] = None,
    top_k: Optional[int] = None,
    base_samples: Optional[int] = None,
    bootstrap: Optional[int] = None,
    out: Optional[str] = None,
    progress: _Progress = None,
) -> _Raw: ...
def bounds(
    index: Index,
    spread: Optional[float] = None,
    scenario: Optional[Scenario] = None,
    region: Optional[str] = None,
    weights: Union[None, str, List[int]] = None,
    normalisation: Optional[str] = None,
    aggregation: Optional[str] = None,
    focus: Optional[str] = None,
    all_units: bool = False,
    out: Optional[str] = None,
    progress: _Progress = None,
) -> _Raw: ...
def stability(
    index: Index,
    weights: Union[None, str, List[int]] = None,
    normalisation: Optional[str] = None,
    aggregation: Optional[str] = None,
    focus: Optional[str] = None,
    top_k: Optional[int] = None,
    out: Optional[str] = None,
) -> _Raw: ...
def sweep(
    index: Index,
    weight: Optional[str] = None,
    start: float = 0.0,
    stop: float = 1.0,
    steps: int = 51,
    simplex: Optional[str] = None,
    resolution: int = 60,
    normalisation: Optional[str] = None,
    aggregation: Optional[str] = None,
    focus: Optional[str] = None,
    out: Optional[str] = None,
) -> _Raw: ...
def drop(
    index: Index,
    levels: Optional[List[int]] = None,
    normalisation: Optional[str] = None,
    aggregation: Optional[str] = None,
    focus: Optional[str] = None,
    out: Optional[str] = None,
) -> _Raw: ...
def coherence(
    index: Index, bootstrap: int = 200, seed: int = 1, out: Optional[str] = None
) -> _Raw: ...
def sobol_sample(
    bounds: Sequence[Tuple[float, float]],
    n: int,
    seed: int = 1,
    points: str = "sobol",
    second_order: bool = True,
) -> Tuple[bytes, int, int]: ...
def sobol_analyze(
    names: Sequence[str],
    outputs: bytes,
    second_order: bool = True,
    bootstrap: int = 1000,
    confidence: float = 0.9,
    seed: int = 0,
    estimator: str = "centred",
) -> Dict[str, Any]: ...
