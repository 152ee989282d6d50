"""Reform packages: which levers are on, and any changes to their parameters, as YAML.

A package file::

    name: Half-strength Family Help, a year late
    base: review_2022              # start from the Review's package ('empty' for none)
    levers:
      family_help:
        delay_years: 1             # every dated value moves a year later
        scale:
          entries_avoided: 0.5     # multiply a parameter
        values:
          investment: {2024-04-01: 300, 2025-04-01: 700, 2027-04-01: 0}
      regional_care_cooperatives: false      # switch a lever off
    add: [my_lever.yaml]           # extra lever files, relative to this file
    parameters:                    # system parameters (unit costs, volumes, ...)
      unit_costs.looked_after: {2016-04-01: 50000}

Unknown lever or parameter names (with the nearest suggested), dates outside the model's years, negative costs,
shares or hazards above 1, and two levers acting on the same flow are reported together, never ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from careflow.reform.errors import LeverOverlapError, ParameterError, UnknownNameError, suggest
from careflow.reform.levers import Lever, load_lever, load_levers, load_system_parameters, parameters_dir
from careflow.reform.params import Parameter, read_yaml

__all__ = ["Package", "load_package", "review_package"]

PACKAGE_KEYS = {"name", "description", "reference", "base", "levers", "add", "parameters"}
LEVER_OVERRIDE_KEYS = {"enabled", "delay_years", "scale", "values"}
REVIEW = "review_2022"


@dataclass(frozen=True)
class Package:
    """A frozen set of levers (enabled ones only) and system parameters, ready to run."""

    name: str
    description: str
    levers: Mapping[str, Lever]
    system: Mapping[str, Parameter]
    source: str = ""
    changes: tuple[str, ...] = ()

    @property
    def enabled(self) -> list[str]:
        return [n for n, lv in self.levers.items() if lv.enabled]

    def check_overlaps(self) -> None:
        """Raise :class:`LeverOverlapError` if two enabled levers act on the same flow."""
        seen: dict[str, str] = {}
        clashes = []
        for n in self.enabled:
            for flow in self.levers[n].flows:
                if flow in seen:
                    clashes.append(f"levers {seen[flow]!r} and {n!r} both act on flow {flow!r}")
                else:
                    seen[flow] = n
        if clashes:
            raise LeverOverlapError(
                "the package counts the same children twice: " + "; ".join(clashes)
                + ". The model, like the Review, adds levers' effects with no overlap "
                "(001_8bebe4ae25a58006.txt:3945): switch one lever off or give it a different flow."
            )


def _shipped_packages() -> dict[str, Path]:
    return {p.stem: p for p in sorted((parameters_dir() / "packages").glob("*.yaml"))}


def review_package() -> Package:
    """The Review's package for England: every costed lever on (001_8bebe4ae25a58006.txt:4018-4056)."""
    return load_package(None)


def _as_package_path(package: str | Path | None) -> Path:
    if package is None:
        return _shipped_packages()[REVIEW]
    path = Path(package)
    if path.suffix in {".yaml", ".yml"} or path.exists():
        if not path.exists():
            raise ParameterError(f"package file {path} does not exist")
        return path
    shipped = _shipped_packages()
    if str(package) in shipped:
        return shipped[str(package)]
    raise UnknownNameError(f"package {package!r} is neither a file nor a shipped package "
                           f"({', '.join(shipped)}).{suggest(str(package), shipped)}")


def load_package(package: str | Path | None = None) -> Package:
    """Load a package by file path or shipped name (``None``: the Review's package)."""
    path = _as_package_path(package)
    raw = read_yaml(path)
    where = str(path)
    if not isinstance(raw, Mapping):
        raise ParameterError(f"{where}: a package is a mapping (name, base, levers, add, parameters)")
    problems: list[str] = []
    for key in raw:
        if key not in PACKAGE_KEYS:
            problems.append(f"{where}: unknown key {key!r}.{suggest(str(key), PACKAGE_KEYS)}")
    system = dict(load_system_parameters())
    catalogue = load_levers()
    changes: list[str] = []

    base = raw.get("base", REVIEW)
    if base == "empty":
        levers = {n: replace(lv, enabled=False) for n, lv in catalogue.items()}
    elif base in _shipped_packages() and _shipped_packages()[base].resolve() != path.resolve():
        base_pkg = load_package(_shipped_packages()[base])
        levers = dict(base_pkg.levers)
        system.update(base_pkg.system)
    else:
        problems.append(f"{where}.base: {base!r} is not a shipped package or 'empty'."
                        f"{suggest(str(base), [*_shipped_packages(), 'empty'])}")
        levers = dict(catalogue)

    for rel in raw.get("add") or []:
        lever_path = (path.parent / str(rel)).resolve()
        try:
            lv = load_lever(lever_path, system)
        except ParameterError as exc:
            problems.extend(exc.problems)
            continue
        if lv.name in levers:
            problems.append(f"{where}.add: lever {lv.name!r} ({lever_path.name}) has the same name as a shipped "
                            "lever; rename the file")
            continue
        levers[lv.name] = lv
        changes.append(f"added lever {lv.name} from {lever_path.name}")

    for lname, spec in (raw.get("levers") or {}).items():
        ctx = f"{where}.levers.{lname}"
        if lname not in levers:
            problems.append(f"{ctx}: unknown lever {lname!r}.{suggest(str(lname), levers)}")
            continue
        lv = levers[lname]
        if isinstance(spec, bool):
            levers[lname] = replace(lv, enabled=spec)
            if not spec:
                changes.append(f"{lname}: off")
            continue
        if not isinstance(spec, Mapping):
            problems.append(f"{ctx}: expected true, false or a mapping of {sorted(LEVER_OVERRIDE_KEYS)}")
            continue
        for key in spec:
            if key not in LEVER_OVERRIDE_KEYS:
                problems.append(f"{ctx}: unknown key {key!r}.{suggest(str(key), LEVER_OVERRIDE_KEYS)}")
        params = dict(lv.parameters)
        for pname, factor in (spec.get("scale") or {}).items():
            if pname not in params:
                problems.append(f"{ctx}.scale: lever {lname!r} has no parameter {pname!r}."
                                f"{suggest(str(pname), params)}")
            elif isinstance(factor, bool) or not isinstance(factor, int | float) or factor < 0:
                problems.append(f"{ctx}.scale.{pname}: {factor!r} must be a number >= 0")
            else:
                p = params[pname].scaled(float(factor))
                if p.unit in {"fraction", "hazard_per_year"} and max(v for _, v in p.values) * p.scale > 1:
                    problems.append(f"{ctx}.scale.{pname}: scaling by {factor} takes a {p.unit} above 1")
                params[pname] = p
                changes.append(f"{lname}.{pname} x {factor}")
        for pname, values in (spec.get("values") or {}).items():
            if pname not in params:
                problems.append(f"{ctx}.values: lever {lname!r} has no parameter {pname!r}."
                                f"{suggest(str(pname), params)}")
                continue
            try:
                params[pname] = params[pname].with_values(values, f"{ctx}.values.{pname}")
                changes.append(f"{lname}.{pname} values replaced")
            except ParameterError as exc:
                problems.extend(exc.problems)
        delay = spec.get("delay_years", 0)
        if isinstance(delay, bool) or not isinstance(delay, int) or not -5 <= delay <= 9:
            problems.append(f"{ctx}.delay_years: {delay!r} must be a whole number of years between -5 and 9")
        elif delay:
            params = {n: p.shifted(delay) for n, p in params.items()}
            changes.append(f"{lname}: {delay:+d} year(s)")
        enabled = spec.get("enabled", True)
        if not isinstance(enabled, bool):
            problems.append(f"{ctx}.enabled: expected true or false")
            enabled = True
        levers[lname] = replace(lv, parameters=params, enabled=enabled)

    for pname, values in (raw.get("parameters") or {}).items():
        ctx = f"{where}.parameters.{pname}"
        if pname not in system:
            problems.append(f"{ctx}: unknown system parameter {pname!r}.{suggest(str(pname), system)}")
            continue
        try:
            system[pname] = system[pname].with_values(values, ctx)
            changes.append(f"{pname} values replaced")
        except ParameterError as exc:
            problems.extend(exc.problems)

    if problems:
        raise ParameterError(f"{len(problems)} problem(s) in package {path.name}", problems)
    pkg = Package(name=str(raw.get("name", path.stem)), description=str(raw.get("description", "")),
                  levers=levers, system=system, source=where, changes=tuple(changes))
    if not pkg.enabled:
        raise ParameterError(f"{where}: the package switches every lever off; nothing to model")
    pkg.check_overlaps()
    return pkg


def package_from_dict(raw: Mapping[str, Any], where: str = "<package>") -> Package:
    """Build a package from a mapping (as if read from a file in the current folder)."""
    import tempfile

    import yaml

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "package.yaml"
        path.write_text(yaml.safe_dump(dict(raw), sort_keys=False), encoding="utf-8")
        try:
            return load_package(path)
        except ParameterError as exc:
            raise ParameterError(str(exc).replace(str(path), where), [
                p.replace(str(path), where) for p in exc.problems]) from None
