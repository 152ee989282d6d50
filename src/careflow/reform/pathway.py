"""Price a child's journey through services from unit costs (the CSJ's 'cost escalator').

A journey file lists events by age::

    name: Josh
    ages: [8, 17]
    events:
      - {service: assessment, age: 8}
      - {service: looked_after, age: 14, years: 4}
      - {service: residential, age: 15, weeks: 13}

Each service in ``journeys/services.yaml`` has a unit cost (a dated parameter with a reference), is priced
``per`` item, year or week, and may have a different cost for its first use (the first assessment costs £457,
later ones £524, 000_dab62616b6dfd7b9.txt:542). An event lasting several years is charged once in each year of
age. Costs are not inflated (the CSJ calls its figure "a conservative estimate", 000_dab62616b6dfd7b9.txt:532).

>>> cost = price_journey("josh")
>>> cost.cumulative[-1]
848986
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from careflow.reform.errors import ParameterError, UnknownNameError, suggest
from careflow.reform.levers import parameters_dir
from careflow.reform.params import Parameter, parse_parameter, read_yaml

__all__ = ["JourneyCost", "Service", "load_services", "price_journey"]

SERVICE_KEYS = {"per", "cost", "first_cost"}
EVENT_KEYS = {"service", "age", "years", "weeks", "items"}
JOURNEY_KEYS = {"name", "description", "reference", "ages", "events"}
PRICE_DATE = dt.date(2021, 4, 1)  # the CSJ report's date: each unit cost's latest value on it


@dataclass(frozen=True)
class Service:
    name: str
    per: str
    cost: Parameter
    first_cost: Parameter | None = None


def load_services(path: Path | None = None) -> dict[str, Service]:
    """The priced services (default: ``journeys/services.yaml``)."""
    path = path or parameters_dir() / "journeys" / "services.yaml"
    raw = read_yaml(path)
    problems: list[str] = []
    out: dict[str, Service] = {}
    for name, spec in (raw or {}).items():
        where = f"{path}:{name}"
        if not isinstance(spec, Mapping):
            problems.append(f"{where}: expected per, cost (and optionally first_cost)")
            continue
        for key in spec:
            if key not in SERVICE_KEYS:
                problems.append(f"{where}: unknown key {key!r}.{suggest(str(key), SERVICE_KEYS)}")
        per = spec.get("per")
        if per not in {"item", "year", "week"}:
            problems.append(f"{where}.per: {per!r} must be item, year or week")
        cost = parse_parameter(f"{name}.cost", spec.get("cost"), f"{where}.cost", problems)
        first = (parse_parameter(f"{name}.first_cost", spec["first_cost"], f"{where}.first_cost", problems)
                 if "first_cost" in spec else None)
        if cost is not None:
            out[str(name)] = Service(str(name), str(per), cost, first)
    if problems:
        raise ParameterError(f"{len(problems)} problem(s) in {path.name}", problems)
    return out


@dataclass(frozen=True)
class JourneyCost:
    """A journey's cost by service and age (whole pounds), and the cumulative spend by age."""

    name: str
    ages: list[int]
    by_service: dict[str, list[int]]
    annual: list[int]
    cumulative: list[int]
    references: dict[str, tuple[str, ...]]

    def table(self) -> list[list[Any]]:
        """Rows as in the CSJ's Table 1: age, cumulative spend, then each service (blank where nothing)."""
        header: list[Any] = ["Age", *self.ages]
        rows: list[list[Any]] = [header, ["Cumulative spend", *self.cumulative]]
        for service, amounts in self.by_service.items():
            rows.append([service, *[a if a else "" for a in amounts]])
        return rows


def _journey_raw(journey: str | Path | Mapping[str, Any]) -> tuple[Mapping[str, Any], str]:
    if isinstance(journey, Mapping):
        return journey, "<journey>"
    path = Path(journey)
    if not path.exists():
        shipped = {p.stem: p for p in (parameters_dir() / "journeys").glob("*.yaml") if p.stem != "services"}
        if str(journey) not in shipped:
            raise UnknownNameError(f"journey {journey!r} is neither a file nor a shipped journey "
                                   f"({', '.join(sorted(shipped))}).{suggest(str(journey), shipped)}")
        path = shipped[str(journey)]
    raw = read_yaml(path)
    if not isinstance(raw, Mapping):
        raise ParameterError(f"{path}: a journey is a mapping with name, ages and events")
    return raw, str(path)


def price_journey(journey: str | Path | Mapping[str, Any], services: Mapping[str, Service] | None = None,
                  price_date: dt.date = PRICE_DATE) -> JourneyCost:
    """Price a journey (a shipped name such as ``'josh'``, a file, or a mapping) year of age by year of age."""
    raw, where = _journey_raw(journey)
    services = load_services() if services is None else services
    problems: list[str] = []
    for key in raw:
        if key not in JOURNEY_KEYS:
            problems.append(f"{where}: unknown key {key!r}.{suggest(str(key), JOURNEY_KEYS)}")
    ages_raw = raw.get("ages")
    if not (isinstance(ages_raw, list) and len(ages_raw) == 2 and all(isinstance(a, int) for a in ages_raw)
            and 0 <= ages_raw[0] <= ages_raw[1] <= 25):
        raise ParameterError(f"{where}.ages: expected [first age, last age] between 0 and 25, e.g. [8, 17]")
    ages = list(range(ages_raw[0], ages_raw[1] + 1))
    amounts: dict[str, list[float]] = {}
    used: dict[str, int] = {}
    events = raw.get("events") or []
    for i, ev in enumerate(events):
        ctx = f"{where}.events[{i}]"
        if not isinstance(ev, Mapping):
            problems.append(f"{ctx}: expected a mapping with service and age")
            continue
        for key in ev:
            if key not in EVENT_KEYS:
                problems.append(f"{ctx}: unknown key {key!r}.{suggest(str(key), EVENT_KEYS)}")
        name = ev.get("service")
        if name not in services:
            problems.append(f"{ctx}.service: unknown service {name!r}.{suggest(str(name), services)}")
            continue
        svc = services[str(name)]
        age = ev.get("age")
        if not isinstance(age, int) or age not in ages:
            problems.append(f"{ctx}.age: {age!r} is outside the journey's ages {ages[0]}-{ages[-1]}")
            continue
        years = ev.get("years", 1)
        weeks = ev.get("weeks")
        items = ev.get("items", 1)
        for label, v in (("years", years), ("weeks", weeks), ("items", items)):
            if v is not None and (isinstance(v, bool) or not isinstance(v, int | float) or v < 0):
                problems.append(f"{ctx}.{label}: {v!r} must be a number >= 0")
        if weeks is not None and svc.per != "week":
            problems.append(f"{ctx}: 'weeks' given but {name} is priced per {svc.per}")
        if svc.per == "week" and weeks is None:
            problems.append(f"{ctx}: {name} is priced per week; give 'weeks'")
        if problems:
            continue
        row = amounts.setdefault(str(name), [0.0] * len(ages))
        span = 1 if svc.per in {"item", "week"} else int(years)
        for k in range(span):
            j = ages.index(age) + k
            if j >= len(ages):
                problems.append(f"{ctx}: {years} year(s) from age {age} runs past the last age {ages[-1]}")
                break
            count = used.get(str(name), 0)
            unit = svc.first_cost if (svc.first_cost is not None and count == 0) else svc.cost
            quantity = float(weeks if svc.per == "week" else items)  # type: ignore[arg-type]
            row[j] += unit.at(price_date) * quantity
            used[str(name)] = count + int(quantity if svc.per == "item" else 1)
    if problems:
        raise ParameterError(f"{len(problems)} problem(s) in journey {raw.get('name', where)}", problems)
    by_service = {k: [round(v) for v in vals] for k, vals in amounts.items()}
    annual = [sum(vals[j] for vals in by_service.values()) for j in range(len(ages))]
    cumulative, total = [], 0
    for a in annual:
        total += a
        cumulative.append(total)
    refs: dict[str, tuple[str, ...]] = {}
    for svc_name in by_service:
        first = services[svc_name].first_cost
        refs[svc_name] = services[svc_name].cost.reference + (first.reference if first is not None else ())
    return JourneyCost(str(raw.get("name", where)), ages, by_service, annual, cumulative, refs)
