"""The exception ranksense raises for bad input."""

from typing import Any, Dict, List, Optional


class InputError(ValueError):
    """The input (files, data frames, a scenario, an option) has a problem the caller can fix.

    ``str(error)`` is the library's message, the same words the command line prints after
    ``error:``. ``diagnostics`` lists every located problem as a dict with ``file``, ``line``,
    ``column``, ``problem`` and ``fix``; ``file``, ``line``, ``column``, ``problem`` and ``fix``
    are the first one's (``None`` when the problem is not in a file).
    """

    def __init__(self, message: str, diagnostics: Optional[List[Dict[str, Any]]] = None):
        super().__init__(message)
        self.message = message
        self.diagnostics: List[Dict[str, Any]] = list(diagnostics or [])
        first = self.diagnostics[0] if self.diagnostics else {}
        self.file: Optional[str] = first.get("file")
        self.line: Optional[int] = first.get("line")
        self.column: Optional[str] = first.get("column")
        self.problem: Optional[str] = first.get("problem")
        self.fix: Optional[str] = first.get("fix")
