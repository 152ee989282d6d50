"""Errors raised by :mod:`careflow.reform`: each says what is wrong, where, and how to fix it."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from careflow.errors import CareflowError
from careflow.params import ParameterError as _ParameterError

__all__ = [
    "LeverOverlapError",
    "ParameterError",
    "ReformError",
    "UnknownAreaError",
    "UnknownNameError",
    "suggest",
]


class ReformError(CareflowError, ValueError):
    """Base class of the reform model's errors."""


class ParameterError(ReformError, _ParameterError):
    """A parameter file or a reform package is malformed (missing unit, bad date, negative cost, ...).

    ``problems`` holds every problem found, not just the first. (A :class:`careflow.params.ParameterError`
    raised by the reform model.)
    """


class UnknownNameError(ReformError, KeyError):
    """A lever, parameter or package name the model does not know (the message suggests the nearest)."""

    def __str__(self) -> str:  # KeyError quotes its argument; a message reads better plain.
        return str(self.args[0]) if self.args else ""


class UnknownAreaError(UnknownNameError):
    """An area (England, a region or a local authority) that is not in the published data."""


class LeverOverlapError(ReformError):
    """Two levers in one package act on the same flow: the model would count the same children twice."""


def suggest(name: str, known: Iterable[str], n: int = 3) -> str:
    """A ' Did you mean ...?' hint naming the nearest known names, or '' when nothing is close.

    >>> suggest("family_hlep", ["family_help", "fostering_recruitment"])
    " Did you mean 'family_help'?"
    """
    known = list(known)
    lowered = {k.lower(): k for k in known}
    close = difflib.get_close_matches(name.lower(), list(lowered), n=n, cutoff=0.6)
    if not close:
        close = [k for k in lowered if name.lower() in k][:n]
    if not close:
        return ""
    names = " or ".join(repr(lowered[c]) for c in close)
    return f" Did you mean {names}?"
