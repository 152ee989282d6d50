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

from careflow.reform.errors import ParameterError
from careflow.reform.params import Parameter, parse_parameter

__all__ = ["WORKFORCE_PARAMETERS", "workforce_system_parameters"]

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
