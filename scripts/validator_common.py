"""What scripts/validate_903/validate.py and scripts/validate_cin/validate.py share: exit codes, the usage error,
the common command-line options, the collection years a validator's ruleset holds, and the order rules are listed
in.

Each validate.py runs in its own venv (the DfE validators pin different pandas), so this module imports nothing
beyond the standard library; each script puts ``scripts/`` on ``sys.path`` to import it.
"""

from __future__ import annotations

import argparse
import pkgutil
import re
from collections.abc import Iterable
from pathlib import Path

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad arguments or input the validator cannot read: exit status 2 with the message."""


def parser(prog: str, description: str, target: str, target_help: str, year_example: str,
           output_help: str) -> argparse.ArgumentParser:
    """The options both validators take: what to validate, ``--year``, ``--output``, ``--fail-on-crash``,
    ``--verbose`` (a script adds its own before parsing)."""
    p = argparse.ArgumentParser(prog=prog, description=description)
    p.add_argument(target, type=Path, help=target_help)
    p.add_argument("--year", type=int, required=True,
                   help=f"collection year, named by the 31 March it ends on ({year_example})")
    p.add_argument("--output", type=Path, help=output_help)
    p.add_argument("--fail-on-crash", action="store_true",
                   help="also exit 1 when a rule crashes on the data (by default crashes are only reported: "
                   "some upstream rules crash on every input)")
    p.add_argument("--verbose", "-v", action="store_true", help="show the validator's own output, log and warnings")
    return p


def supported_years(rule_packages: Iterable[str], prefix: str) -> list[int]:
    """The collection years (named by the 31 March they end on) whose rulesets a validator holds: its rules
    package has a subpackage ``<prefix>YYYY_YY`` for each (``lac2023_24`` -> 2024)."""
    years = []
    for mod in pkgutil.iter_modules(list(rule_packages)):
        m = re.fullmatch(rf"{re.escape(prefix)}(\d{{4}})_(\d{{2}})", mod.name)
        if m and mod.ispkg:
            years.append(int(m.group(1)) + 1)
    return sorted(years)


def rule_sort_key(code: str) -> tuple[int, int, str]:
    """Rules in numeric order (``101`` before ``1001``, ``8500Q`` after ``8500``), codes without a number last."""
    m = re.match(r"(\d+)(.*)", code)
    return (0, int(m.group(1)), m.group(2)) if m else (1, 0, code)
