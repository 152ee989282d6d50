"""The workforce model's baseline as system parameters of the reform model (``workforce.*``).

The reform's workforce levers (``early_career_framework``, ``national_pay_scales``, ``regional_staff_banks``) act
through :mod:`careflow.supply.workforce`: their savings are products of a lever's own effect (a fall in leavers,
in the share of temporary staff bought at the agency premium, or in the premium) and England's published agency
workforce, leavers and agency cover of vacancies from the latest census careflow holds, priced at the unit cost
``agency_premium`` (001_8bebe4ae25a58006.txt:3341). Nothing here is typed in: the values are read from the
workforce table when the system parameters load.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from careflow.reform.errors import ParameterError
from careflow.reform.params import Parameter, parse_parameter

__all__ = ["WORKFORCE_PARAMETERS", "area_multipliers", "lever_capacity", "workforce_system_parameters"]

# name -> (description, unit, how it is computed from the census row)
WORKFORCE_PARAMETERS = {
    "workforce.agency_fte": ("Agency social workers in England (FTE), census at 30 September", "people"),
    "workforce.leavers_fte": ("Social workers leaving local authority posts in England in the census year (FTE)",
                              "people_per_year"),
    "workforce.vacancy_agency_cover": ("Share of vacancies covered by agency workers in England (agency cover FTE / "
                                       "vacancies FTE)", "fraction"),
}


def workforce_system_parameters() -> dict[str, Parameter]:
    """``workforce.*`` parameters from the newest England row of the workforce table (careflow.supply.workforce).

    Raises:
        ParameterError: the table has no usable England row.
    """
    from careflow.supply.workforce import load_table

    rows = [r for r in load_table() if r.level == "national" and r.cells.get("agency_fte")]
    if not rows:
        raise ParameterError("careflow/supply/data/workforce/la_workforce.csv: no England row with agency FTE")
    row = max(rows, key=lambda r: r.year)
    try:
        cells = {k: float(row.cells[k]) for k in ("agency_fte", "leavers_fte", "agency_cover_fte", "vacancy_fte")}
    except ValueError as exc:
        raise ParameterError(f"la_workforce.csv, England {row.year}: {exc}") from exc
    values = {"workforce.agency_fte": cells["agency_fte"], "workforce.leavers_fte": cells["leavers_fte"],
              "workforce.vacancy_agency_cover": cells["agency_cover_fte"] / cells["vacancy_fte"]}
    problems: list[str] = []
    out: dict[str, Parameter] = {}
    for name, (description, unit) in WORKFORCE_PARAMETERS.items():
        raw = {"description": f"{description} ({row.year}).", "unit": unit,
               "reference": f"data:careflow/supply/data/workforce/la_workforce.csv (DfE Children's social work "
                            f"workforce, England, 30 September {row.year})",
               "values": {dt.date(row.year, 9, 30): values[name]}}
        p = parse_parameter(name, raw, f"careflow.supply.workforce ({name})", problems)
        if p is not None:
            out[name] = p
    if problems:
        raise ParameterError(f"{len(problems)} problem(s) in the workforce system parameters", problems)
    return out


def lever_capacity(picture: Any, first_year: int = 2023, n_years: int = 10) -> list[dict[str, float]]:
    """What the Review's workforce levers do to an area's workforce, year by year (financial years from 2023-24).

    From the lever files' effects at full spending (reach 1, the Review's package): social workers the Early Career
    Framework retains (leaver fall x the area's leavers), the agency cover they avoid (x the area's agency cover
    of vacancies), the premium saved by those and by staff banks and national pay scales on the area's agency FTE,
    the caseload per case holder with the retained staff holding cases in the area's proportion, and time with
    families (the team gains the retained less the agency cover they replace). ``picture`` is a
    :class:`careflow.supply.workforce.WorkforcePicture`.
    """
    from careflow.reform.levers import load_levers
    from careflow.supply.workforce import premium_gbp

    levers = load_levers()

    def series(lever: str, name: str) -> np.ndarray:
        return levers[lever].parameters[name].by_financial_year(first_year, n_years)

    leaver_fall = series("early_career_framework", "leaver_fall")
    bank = series("regional_staff_banks", "bank_share") * series("regional_staff_banks", "premium_cut")
    pay = series("national_pay_scales", "premium_fall")
    leavers, agency = picture.value("leavers_fte"), picture.value("agency_fte")
    cover = picture.value("agency_cover_fte") / picture.value("vacancy_fte") if picture.value("vacancy_fte") else 0.0
    rates, now = picture.rates(), picture.time_now
    premium = premium_gbp()
    out = []
    for j in range(n_years):
        retained = float(leaver_fall[j]) * leavers
        avoided = retained * cover
        saving = avoided * premium + (agency - avoided) * float(bank[j] + pay[j]) * premium
        holders = picture.value("case_holders_fte") + retained * rates["case_holding_share"]
        # a retained social worker fills a post that would otherwise be vacant or covered by an agency worker
        direct = (now.fte + retained - avoided) * now.case_holding_share * now.direct_time_share
        out.append({"year": first_year + j, "retained_fte": retained, "agency_fte_avoided": avoided,
                    "premium_saved_gbp": saving, "caseload_per_case_holder": picture.value("cases") / holders,
                    "direct_time_fte": direct})
    return out


def area_multipliers(area: Any, scale: float, n: int, notes: list[str] | None = None) -> dict[str, np.ndarray]:
    """Multipliers that put an area's own workforce into the workforce levers of an area run.

    The engine scales national money and volumes by the area's share of children looked after (``scale``); the
    workforce levers' savings should rest on the area's own agency FTE, leavers and agency cover of vacancies
    instead. Each ``workforce.*`` parameter is multiplied by (area / England) / ``scale`` (counts) or area /
    England (the cover share), so that the product times ``scale`` is the area's own. England: no multipliers.
    ``area`` is a :class:`careflow.reform.series.Area`; an area the workforce census cannot draw keeps the scaled
    national figures, and says so in ``notes``.
    """
    from careflow.supply.workforce import WorkforceError, picture_for

    if getattr(area, "level", "national") == "national" or scale <= 0:
        return {}
    try:
        local = picture_for(area.key if area.level == "la" else area.name)
        england = picture_for("England")
    except WorkforceError as exc:
        if notes is not None:
            notes.append(f"workforce levers: {exc}; England's workforce scaled by the share of children looked "
                         "after is used instead")
        return {}

    def cover(p: Any) -> float:
        vac = p.value("vacancy_fte")
        return float(p.value("agency_cover_fte") / vac) if vac else 0.0

    ratios = {
        "workforce.agency_fte": local.value("agency_fte") / england.value("agency_fte") / scale,
        "workforce.leavers_fte": local.value("leavers_fte") / england.value("leavers_fte") / scale,
        "workforce.vacancy_agency_cover": cover(local) / cover(england) if cover(england) else 1.0,
    }
    if notes is not None:
        notes.append(f"the workforce levers save on {local.name}'s own agency workers ({local.value('agency_fte'):,.1f}"
                     f" FTE), leavers and agency cover of vacancies (workforce census {local.year}), not a share of "
                     "England's")
    return {k: np.full(n, v if np.isfinite(v) else 0.0) for k, v in ratios.items()}
