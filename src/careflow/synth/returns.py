"""Statutory returns of a synthetic local authority (written in full below)."""
from __future__ import annotations

__all__ = ["write_returns"]


def write_returns(la, out_dir):  # type: ignore[no-untyped-def]
    raise NotImplementedError
