"""Configuration files read once per process: the state space, the flows parameters and the unit costs.

One ``careflow forecast`` fits the model twice (the forecast and the back-test's fit at its cut-off) and prices
two projections: without a cache it parsed the state space three times and the unit costs and their inflation
twice, ~10 ms of CPU of YAML. The cache is keyed by the file's resolved path, size and modification time, so an
edited file is read again; what it returns must be immutable (frozen dataclasses of tuples).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TypeVar

__all__ = ["cached_by_file"]

T = TypeVar("T")


def cached_by_file(load: Callable[[Path], T]) -> Callable[[Path], T]:
    """Memoise ``load(path)`` per process while the file is unchanged (same size and modification time).

    Example:
        >>> reads = []
        >>> @cached_by_file
        ... def size(path: Path) -> int:
        ...     reads.append(path)
        ...     return len(path.read_bytes())
        >>> size(Path(__file__)) == size(Path(__file__)) and len(reads) == 1
        True
    """
    memo: dict[tuple[str, int, int], T] = {}

    @wraps(load)
    def cached(path: Path) -> T:
        try:
            stat = Path(path).stat()
        except OSError:
            return load(path)  # let the loader say what is wrong with the path
        key = (str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns)
        if key not in memo:
            memo[key] = load(path)
        return memo[key]

    return cached
