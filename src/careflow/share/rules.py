"""Sharing rules as dated data: what may be shown from which agency, for which purpose, on which lawful basis.

The rules live in YAML under ``careflow/share/data/sharing_rules/`` (or a folder of the partnership's own, named by
``CAREFLOW_SHARING_RULES``) and are read by one strict loader in the style of :mod:`careflow.params`: unknown keys,
unknown names (a purpose, item, agency, lawful basis, situation or role that is not declared), dates that are not
dates and references that do not cite a source (a seed ``file:line`` must exist) are all reported together, each
naming the file and key. Dated numbers (the age at which sharing ends, the partnership's multi-agency threshold)
are :class:`careflow.params.Parameter` objects, read by ``careflow.params`` itself.

* ``purposes.yaml`` - why a user looks (``safeguarding``, ``family_help``) and which roles may declare it;
* ``lawful_bases.yaml`` - e.g. DPA 2018 Sch. 8 para 4, safeguarding (``001_8bebe4ae25a58006.txt:1582``, ``:1594``);
* ``items.yaml`` - the data items of the MAST view (minimum data set, contact counts, who to contact ...);
* ``agencies.yaml`` and ``situations.yaml`` (situations derived from the child's stage in the record);
* ``ends_at_age.yaml`` - sharing ends when a child turns 18 (``001…:1630``);
* ``rules.yaml`` - each rule: a purpose, items, agencies, lawful bases, situations, valid from/until;
* ``agreements/<partnership>.yaml`` - the partnership's register of information-sharing agreements and its
  multi-agency threshold (``001…:1592-1596``).

:meth:`SharingRules.decide` says whether an item from an agency may be shown, and under which rule and agreement,
or why not.

Example:
    >>> rules = load_rules()
    >>> d = rules.decide("contact_details", "health", purpose="family_help", situations=frozenset(), age=9,
    ...                  on=dt.date(2025, 6, 1))
    >>> d.allowed, d.reason
    (False, "no rule allows 'What each contact was' from Health for the purpose 'Arranging Family Help'")
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from careflow.params import Parameter, ParameterError, check_reference, parse_parameter, read_yaml, suggest

__all__ = ["RULES_DIR", "Agreement", "Decision", "LawfulBasis", "Partnership", "Purpose", "Rule", "SharingRules",
           "SharingRulesError", "load_rules"]

RULES_DIR = Path(__file__).parent / "data" / "sharing_rules"


class SharingRulesError(ParameterError):
    """The sharing rules are malformed; ``problems`` names every problem found (file and key)."""


@dataclass(frozen=True)
class Purpose:
    """A purpose a user may declare, and the roles that may declare it."""

    id: str
    label: str
    description: str
    roles: frozenset[str]
    reference: tuple[str, ...]


def _in_force(on: dt.date, start: dt.date, end: dt.date | None) -> bool:
    """Whether ``on`` is in the period from ``start`` up to, not including, ``end`` (none: open-ended).

    >>> _in_force(dt.date(2026, 3, 31), dt.date(2025, 4, 1), dt.date(2026, 4, 1))
    True
    >>> _in_force(dt.date(2026, 4, 1), dt.date(2025, 4, 1), dt.date(2026, 4, 1))
    False
    """
    return start <= on and (end is None or on < end)


@dataclass(frozen=True)
class LawfulBasis:
    """A lawful basis for sharing, with its statute."""

    id: str
    label: str
    statute: str
    reference: tuple[str, ...]


@dataclass(frozen=True)
class Named:
    """A declared name (an item, agency or situation) with its label; situations also list record stages."""

    id: str
    label: str
    description: str = ""
    stages: frozenset[str] = frozenset()
    reference: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    """Items that may be shared from some agencies for one purpose, on lawful bases, in situations, while valid."""

    id: str
    purpose: str
    items: frozenset[str]
    agencies: frozenset[str] | None  # None: every agency
    lawful_basis: tuple[str, ...]
    situations: frozenset[str]  # empty: any situation
    ends_at_age: Parameter
    valid_from: dt.date
    valid_to: dt.date | None
    reference: tuple[str, ...]
    note: str | None = None

    def in_force(self, on: dt.date) -> bool:
        """Whether the rule holds on ``on``."""
        return _in_force(on, self.valid_from, self.valid_to)


@dataclass(frozen=True)
class Agreement:
    """An information-sharing agreement in a partnership's register."""

    id: str
    title: str
    parties: frozenset[str]
    purposes: frozenset[str]
    signed: dt.date
    in_force_from: dt.date
    ends: dt.date | None
    review_by: dt.date | None
    reference: tuple[str, ...]

    def in_force(self, on: dt.date) -> bool:
        """Whether the agreement holds on ``on``."""
        return _in_force(on, self.in_force_from, self.ends)


@dataclass(frozen=True)
class Partnership:
    """A local safeguarding partnership: its agreements, what it confirmed to SCRIB, its multi-agency threshold."""

    id: str
    name: str
    description: str
    local_authority: str | None
    confirmed_to_scrib: dt.date | None
    practice_audited: dt.date | None
    agreements: tuple[Agreement, ...]
    min_agencies: Parameter
    window_months: Parameter
    reference: tuple[str, ...]

    def agreement_for(self, agency: str, purpose: str, on: dt.date) -> Agreement | None:
        """The first agreement in force on ``on`` covering ``agency`` and ``purpose``."""
        return next((a for a in self.agreements
                     if a.in_force(on) and agency in a.parties and purpose in a.purposes), None)


@dataclass(frozen=True)
class Decision:
    """Whether an item may be shown; the rule, its lawful bases and the agreement when it may, or why not."""

    item: str
    agency: str
    allowed: bool
    reason: str
    rule: Rule | None = None
    agreement: Agreement | None = None
    bases: tuple[LawfulBasis, ...] = ()

    @property
    def basis_text(self) -> str:
        """The lawful bases as one line (statutes)."""
        return "; ".join(b.statute for b in self.bases)


@dataclass(frozen=True)
class SharingRules:
    """Every declared name, the rules and the partnerships' registers (see :func:`load_rules`)."""

    purposes: Mapping[str, Purpose]
    bases: Mapping[str, LawfulBasis]
    items: Mapping[str, Named]
    agencies: Mapping[str, Named]
    situations: Mapping[str, Named]
    rules: tuple[Rule, ...]
    partnerships: Mapping[str, Partnership]
    source: str = ""
    _by_item: dict[str, tuple[Rule, ...]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for item in self.items:
            self._by_item[item] = tuple(r for r in self.rules if item in r.items)

    def partnership(self, name: str | None = None) -> Partnership:
        """The partnership ``name`` (or the only one held)."""
        if name is None:
            if len(self.partnerships) != 1:
                raise SharingRulesError(f"{len(self.partnerships)} partnerships in {self.source}: name one "
                                        f"({', '.join(self.partnerships)}) with CAREFLOW_PARTNERSHIP")
            return next(iter(self.partnerships.values()))
        try:
            return self.partnerships[name]
        except KeyError:
            raise SharingRulesError(f"no partnership {name!r} in {self.source}.{suggest(name, self.partnerships)}"
                                    ) from None

    def purposes_for(self, role: str | None) -> list[Purpose]:
        """The purposes ``role`` may declare."""
        return [p for p in self.purposes.values() if role in p.roles]

    def situations_of(self, stage: str) -> frozenset[str]:
        """The situations a child at ``stage`` is in."""
        return frozenset(s.id for s in self.situations.values() if stage in s.stages)

    def decide(self, item: str, agency: str, *, purpose: str, situations: frozenset[str], age: int | None,
               on: dt.date, partnership: Partnership | None = None) -> Decision:
        """May ``item`` from ``agency`` be shown for ``purpose`` on ``on``, about a child of ``age`` in
        ``situations``? The first rule in force that allows it (and, with a ``partnership``, an agreement in force
        covering the agency and purpose) decides; otherwise the reason nothing did."""
        if item not in self.items:
            raise SharingRulesError(f"no data item {item!r}.{suggest(item, self.items)}")
        if purpose not in self.purposes:
            raise SharingRulesError(f"no purpose {purpose!r}.{suggest(purpose, self.purposes)}")
        item_label = self.items[item].label
        agency_label = self.agencies[agency].label if agency in self.agencies else agency
        purpose_label = self.purposes[purpose].label
        why = f"no rule allows {item_label!r} from {agency_label} for the purpose {purpose_label!r}"
        for rule in self._by_item.get(item, ()):
            if rule.purpose != purpose or (rule.agencies is not None and agency not in rule.agencies):
                continue
            if not rule.in_force(on):
                why = f"rule {rule.id} is not in force on {on.isoformat()}"
                continue
            if rule.situations and not rule.situations & situations:
                wanted = " or ".join(self.situations[s].label for s in sorted(rule.situations))
                why = f"rule {rule.id} shares {item_label!r} from {agency_label} only when {wanted}"
                continue
            limit = rule.ends_at_age.value_at(on)
            if age is not None and age >= limit:
                why = f"rule {rule.id}: sharing ends when a child turns {limit:g}"
                continue
            agreement = None
            if partnership is not None:
                agreement = partnership.agreement_for(agency, purpose, on)
                if agreement is None:
                    why = (f"no information-sharing agreement of {partnership.name} in force on {on.isoformat()} "
                           f"covers {agency_label} for {purpose_label!r}")
                    continue
            bases = tuple(self.bases[b] for b in rule.lawful_basis)
            return Decision(item, agency, True, f"rule {rule.id}", rule, agreement, bases)
        return Decision(item, agency, False, why)


# --- the loader ---------------------------------------------------------------------------------------------------

_PURPOSE_KEYS = frozenset({"label", "description", "roles", "reference"})
_BASIS_KEYS = frozenset({"label", "statute", "reference"})
_NAMED_KEYS = frozenset({"label", "description", "reference"})
_SITUATION_KEYS = frozenset({"label", "stages", "reference"})
_RULE_KEYS = frozenset({"id", "purpose", "items", "agencies", "lawful_basis", "situations", "ends_at_age",
                        "valid_from", "valid_to", "reference", "note"})
_PARTNERSHIP_KEYS = frozenset({"name", "description", "local_authority", "confirmed_to_scrib", "practice_audited",
                               "reference", "multi_agency_threshold", "agreements"})
_THRESHOLD_KEYS = frozenset({"min_agencies", "window_months"})
_AGREEMENT_KEYS = frozenset({"id", "title", "parties", "purposes", "signed", "in_force_from", "ends", "review_by",
                             "reference"})


class _Reader:
    """Collects every problem while reading one folder of rules."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[str] = []

    def file(self, name: str) -> Any:
        path = self.root / name
        if not path.exists():
            self.problems.append(f"{name}: missing from {self.root}")
            return None
        try:
            return read_yaml(path)
        except ParameterError as exc:
            self.problems.extend(exc.problems)
            return None
        except ValueError as exc:  # YAML read a date that does not exist (2023-13-01)
            self.problems.append(f"{name}: a date that does not exist ({exc}); write YYYY-MM-DD")
            return None

    def mapping(self, raw: Any, where: str, keys: frozenset[str], required: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(raw, Mapping):
            self.problems.append(f"{where}: expected a mapping with {', '.join(required)}")
            return {}
        for key in raw:
            if key not in keys:
                self.problems.append(f"{where}: unknown key {key!r}.{suggest(str(key), keys)}")
        for key in required:
            if raw.get(key) in (None, "", []):
                self.problems.append(f"{where}.{key}: missing")
        return dict(raw)

    def text(self, value: Any, where: str) -> str:
        if value is None:
            return ""
        if not isinstance(value, str):
            self.problems.append(f"{where}: expected text, not {type(value).__name__}")
            return ""
        return " ".join(value.split())

    def date(self, value: Any, where: str, *, optional: bool = False) -> dt.date | None:
        if value is None:
            if not optional:
                self.problems.append(f"{where}: missing (a date, YYYY-MM-DD)")
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.problems.append(f"{where}: {value!r} is not a date (expected YYYY-MM-DD, e.g. 2024-04-01)")
            return None

    def names(self, value: Any, where: str, known: Mapping[str, Any] | frozenset[str], what: str) -> frozenset[str]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value:
            self.problems.append(f"{where}: expected a list of {what} names")
            return frozenset()
        out = set()
        for name in value:
            if str(name) not in known:
                self.problems.append(f"{where}: {name!r} is not a declared {what}.{suggest(str(name), known)}")
            else:
                out.add(str(name))
        return frozenset(out)

    def reference(self, raw: Mapping[str, Any], where: str) -> tuple[str, ...]:
        return check_reference(raw.get("reference"), where, self.problems, citation_required=True)

    def parameter(self, raw: Any, where: str, name: str) -> Parameter | None:
        return parse_parameter(name, raw, where, self.problems, citation_required=True)


def _named(reader: _Reader, name: str, keys: frozenset[str]) -> dict[str, Named]:
    out: dict[str, Named] = {}
    raw = reader.file(name)
    if raw is None:
        return out
    if not isinstance(raw, Mapping):
        reader.problems.append(f"{name}: expected a mapping of names")
        return out
    for key, node in raw.items():
        where = f"{name}:{key}"
        spec = reader.mapping(node, where, keys, ("label", "reference"))
        stages: frozenset[str] = frozenset()
        if "stages" in keys:
            from careflow.record.pathway import Stage

            stages = reader.names(spec.get("stages"), f"{where}.stages", frozenset(s.value for s in Stage), "stage")
        out[str(key)] = Named(str(key), reader.text(spec.get("label"), f"{where}.label"),
                              reader.text(spec.get("description"), f"{where}.description"), stages,
                              reader.reference(spec, where))
    return out


def _purposes(reader: _Reader) -> dict[str, Purpose]:
    from careflow.record.pathway import Role

    roles = frozenset(r.value for r in Role)
    out: dict[str, Purpose] = {}
    raw = reader.file("purposes.yaml") or {}
    for key, node in (raw.items() if isinstance(raw, Mapping) else []):
        where = f"purposes.yaml:{key}"
        spec = reader.mapping(node, where, _PURPOSE_KEYS, ("label", "roles", "reference"))
        out[str(key)] = Purpose(str(key), reader.text(spec.get("label"), f"{where}.label"),
                                reader.text(spec.get("description"), f"{where}.description"),
                                reader.names(spec.get("roles"), f"{where}.roles", roles, "role"),
                                reader.reference(spec, where))
    return out


def _bases(reader: _Reader) -> dict[str, LawfulBasis]:
    out: dict[str, LawfulBasis] = {}
    raw = reader.file("lawful_bases.yaml") or {}
    for key, node in (raw.items() if isinstance(raw, Mapping) else []):
        where = f"lawful_bases.yaml:{key}"
        spec = reader.mapping(node, where, _BASIS_KEYS, ("label", "statute", "reference"))
        out[str(key)] = LawfulBasis(str(key), reader.text(spec.get("label"), f"{where}.label"),
                                    reader.text(spec.get("statute"), f"{where}.statute"),
                                    reader.reference(spec, where))
    return out


def _rules(reader: _Reader, default_age: Parameter | None, known: dict[str, Any]) -> tuple[Rule, ...]:
    raw = reader.file("rules.yaml")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        reader.problems.append("rules.yaml: expected a list of rules")
        return ()
    out: list[Rule] = []
    seen: set[str] = set()
    for index, node in enumerate(raw):
        where = f"rules.yaml[{index}]"
        if isinstance(node, Mapping) and isinstance(node.get("id"), str) and node["id"].strip():
            where = f"rules.yaml:{node['id'].strip()}"
        spec = reader.mapping(node, where, _RULE_KEYS, ("id", "purpose", "items", "lawful_basis", "valid_from",
                                                         "reference"))
        rule_id = reader.text(spec.get("id"), f"{where}.id")
        if rule_id:
            if rule_id in seen:
                reader.problems.append(f"{where}: the id is used by another rule")
            seen.add(rule_id)
        purpose = str(spec.get("purpose") or "")
        if purpose and purpose not in known["purposes"]:
            reader.problems.append(f"{where}.purpose: {purpose!r} is not a declared purpose."
                                   f"{suggest(purpose, known['purposes'])}")
        items = reader.names(spec.get("items"), f"{where}.items", known["items"], "data item")
        agencies = (reader.names(spec["agencies"], f"{where}.agencies", known["agencies"], "agency")
                    if spec.get("agencies") is not None else None)
        bases = reader.names(spec.get("lawful_basis"), f"{where}.lawful_basis", known["bases"], "lawful basis")
        situations = (reader.names(spec["situations"], f"{where}.situations", known["situations"], "situation")
                      if spec.get("situations") is not None else frozenset())
        age = (reader.parameter(spec["ends_at_age"], f"{where}.ends_at_age", f"{rule_id}.ends_at_age")
               if spec.get("ends_at_age") is not None else default_age)
        valid_from = reader.date(spec.get("valid_from"), f"{where}.valid_from")
        valid_to = reader.date(spec.get("valid_to"), f"{where}.valid_to", optional=True)
        if valid_from and valid_to and valid_to <= valid_from:
            reader.problems.append(f"{where}.valid_to: {valid_to} is not after valid_from {valid_from}")
        reference = reader.reference(spec, where)
        if age is None or valid_from is None:
            continue
        ordered = [b for b in (spec.get("lawful_basis") or []) if b in bases] if isinstance(
            spec.get("lawful_basis"), list) else sorted(bases)
        out.append(Rule(rule_id, purpose, items, agencies, tuple(ordered), situations, age, valid_from, valid_to,
                        reference, reader.text(spec.get("note"), f"{where}.note") or None))
    return tuple(out)


def _partnerships(reader: _Reader, known: dict[str, Any]) -> dict[str, Partnership]:
    out: dict[str, Partnership] = {}
    folder = reader.root / "agreements"
    files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    if not files:
        reader.problems.append(f"agreements/: no partnership's register in {folder}")
    for path in files:
        name = f"agreements/{path.name}"
        raw = reader.file(name)
        if raw is None:
            continue
        spec = reader.mapping(raw, name, _PARTNERSHIP_KEYS, ("name", "reference", "multi_agency_threshold",
                                                             "agreements"))
        threshold = reader.mapping(spec.get("multi_agency_threshold") or {}, f"{name}:multi_agency_threshold",
                                   _THRESHOLD_KEYS, ("min_agencies", "window_months"))
        min_agencies = reader.parameter(threshold.get("min_agencies"), f"{name}:multi_agency_threshold.min_agencies",
                                        f"{path.stem}.min_agencies")
        window = reader.parameter(threshold.get("window_months"), f"{name}:multi_agency_threshold.window_months",
                                  f"{path.stem}.window_months")
        for param, unit in ((min_agencies, "count"), (window, "months")):
            if param is not None and param.unit and param.unit != unit:
                reader.problems.append(f"{param.source}.unit: expected {unit!r}, not {param.unit!r}")
        agreements: list[Agreement] = []
        raw_agreements = spec.get("agreements")
        if raw_agreements is not None and not isinstance(raw_agreements, list):
            reader.problems.append(f"{name}:agreements: expected a list of agreements")
            raw_agreements = []
        ids: set[str] = set()
        for index, node in enumerate(raw_agreements or []):
            where = f"{name}:agreements[{index}]"
            a = reader.mapping(node, where, _AGREEMENT_KEYS, ("id", "title", "parties", "purposes", "signed",
                                                              "in_force_from", "reference"))
            agreement_id = reader.text(a.get("id"), f"{where}.id")
            if agreement_id in ids:
                reader.problems.append(f"{where}.id: {agreement_id!r} is used twice")
            ids.add(agreement_id)
            signed = reader.date(a.get("signed"), f"{where}.signed")
            start = reader.date(a.get("in_force_from"), f"{where}.in_force_from")
            ends = reader.date(a.get("ends"), f"{where}.ends", optional=True)
            if start and ends and ends <= start:
                reader.problems.append(f"{where}.ends: {ends} is not after in_force_from {start}")
            agreement = Agreement(
                agreement_id, reader.text(a.get("title"), f"{where}.title"),
                reader.names(a.get("parties"), f"{where}.parties", known["agencies"], "agency"),
                reader.names(a.get("purposes"), f"{where}.purposes", known["purposes"], "purpose"),
                signed or dt.date.min, start or dt.date.max, ends,
                reader.date(a.get("review_by"), f"{where}.review_by", optional=True), reader.reference(a, where))
            agreements.append(agreement)
        reference = reader.reference(spec, name)
        if min_agencies is None or window is None:
            continue
        out[path.stem] = Partnership(
            path.stem, reader.text(spec.get("name"), f"{name}:name"),
            reader.text(spec.get("description"), f"{name}:description"),
            None if spec.get("local_authority") is None else str(spec["local_authority"]),
            reader.date(spec.get("confirmed_to_scrib"), f"{name}:confirmed_to_scrib", optional=True),
            reader.date(spec.get("practice_audited"), f"{name}:practice_audited", optional=True),
            tuple(agreements), min_agencies, window, reference)
    return out


def load_rules(root: Path | str | None = None) -> SharingRules:
    """The sharing rules in ``root`` (default: ``CAREFLOW_SHARING_RULES``, else the rules careflow ships).

    Raises:
        SharingRulesError: listing every problem found, each naming the file and key.
    """
    if root is None:
        root = os.environ.get("CAREFLOW_SHARING_RULES") or RULES_DIR
    return _load(Path(root).resolve())


@lru_cache(maxsize=8)
def _load(root: Path) -> SharingRules:
    reader = _Reader(root)
    if not root.is_dir():
        raise SharingRulesError(f"sharing rules folder {root} does not exist")
    purposes = _purposes(reader)
    bases = _bases(reader)
    items = _named(reader, "items.yaml", _NAMED_KEYS)
    agencies = _named(reader, "agencies.yaml", _NAMED_KEYS)
    situations = _named(reader, "situations.yaml", _SITUATION_KEYS)
    age_raw = reader.file("ends_at_age.yaml")
    default_age = reader.parameter(age_raw, "ends_at_age.yaml", "ends_at_age") if age_raw is not None else None
    if default_age is not None and default_age.unit != "years":
        reader.problems.append(f"ends_at_age.yaml.unit: expected 'years', not {default_age.unit!r}")
    known = {"purposes": purposes, "bases": bases, "items": items, "agencies": agencies, "situations": situations}
    rules = _rules(reader, default_age, known)
    partnerships = _partnerships(reader, known)
    if reader.problems:
        raise SharingRulesError(f"{len(reader.problems)} problem(s) in the sharing rules under {root}",
                                reader.problems)
    return SharingRules(purposes, bases, items, agencies, situations, rules, partnerships, str(root))
