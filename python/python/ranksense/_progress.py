"""Progress displays: a run reports (phase, done, total) ten times a second to a callable."""

import sys
import time
from typing import Callable, Optional, Union

Progress = Callable[[str, int, int], None]


def _in_notebook() -> bool:
    """Whether the code runs in a Jupyter kernel (where a progress bar is shown by default)."""
    return "ipykernel" in sys.modules


class _Bar:
    """tqdm.auto's bar when tqdm is installed (a widget in notebooks), else one line on stderr."""

    def __init__(self) -> None:
        self._phase: Optional[str] = None
        self._bar = None
        self._last = 0.0
        try:
            from tqdm.auto import tqdm  # type: ignore

            self._tqdm = tqdm
        except ImportError:
            self._tqdm = None

    def __call__(self, phase: str, done: int, total: int) -> None:
        if self._tqdm is not None:
            if phase != self._phase or self._bar is None:
                if self._bar is not None:
                    self._bar.close()
                self._bar = self._tqdm(total=total or None, desc=phase, leave=False)
                self._phase = phase
            if total and self._bar.total != total:
                self._bar.total = total
            self._bar.n = done
            self._bar.refresh()
            return
        now = time.monotonic()
        if now - self._last < 0.5 and done < total:
            return
        self._last = now
        text = f"{done:,}/{total:,} {phase}" if total else f"{phase}…"
        print(f"\r{text}", end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
        elif self._tqdm is None and self._last:
            print(file=sys.stderr)


def resolve(progress: Union[None, bool, Progress]) -> Optional[Progress]:
    """The callable for a ``progress=`` argument: ``None`` shows a bar in notebooks only,
    ``True`` always, ``False`` never; a callable receives ``(phase, done, total)``."""
    if progress is None:
        progress = _in_notebook()
    if progress is True:
        return _Bar()
    if progress is False:
        return None
    return progress


def finish(display: Optional[Progress]) -> None:
    """Closes a display made by :func:`resolve`."""
    if isinstance(display, _Bar):
        display.close()
