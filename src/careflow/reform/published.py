"""Figures the Independent Review published, for comparison only.

These are the Review's outputs: the report prints them beside the model's predicted figures with the gap, and
:mod:`careflow.reform.calibrate` fits three numbers to the 17,000 / 10,000 / 3,000 split
(:data:`REVIEW_DIVERTED_2032_33`). The model never reads them when it runs.
"""

from __future__ import annotations

__all__ = [
    "REVIEW_CLA_2032",
    "REVIEW_DIVERTED_2032_33",
    "REVIEW_FAMILY_HELP_SAVINGS_5_YEARS",
    "REVIEW_SPEND_2032_GBP_BN",
    "REVIEW_TABLE",
    "REVIEW_TABLE_GROUPS",
    "REVIEW_TABLE_REFERENCE",
    "REVIEW_TOTALS",
]

REVIEW_TABLE_REFERENCE = "001_8bebe4ae25a58006.txt:4024-4056"

# 'Impact on public finance (£millions)', year 1 = 2023-24; positive = saving (001_8bebe4ae25a58006.txt:4026-4054).
# Keys are careflow lever names; the value is (the row's line in the report, ten yearly figures).
REVIEW_TABLE: dict[str, tuple[int, tuple[int, ...]]] = {
    "family_help": (4027, (0, -514, -930, -472, -6, 359, 507, 520, 534, 549)),
    "regional_care_cooperatives": (4029, (0, -50, -50, 31, 79, 115, 135, 139, 143, 148)),
    "fostering_recruitment": (4030, (-9, 8, 25, 51, 70, 71, 73, 74, 76, 78)),
    "extended_family_support": (4031, (0, -82, -33, 33, 34, 35, 36, 37, 39, 40)),
    "sgo_kinship_allowance": (4033, (0, -157, -75, 32, 92, 123, 132, 141, 150, 159)),
    "family_network_plans": (4034, (0, -36, 11, 138, 148, 159, 170, 181, 192, 203)),
    "legal_aid_kinship": (4035, (0, 4, 35, 66, 69, 72, 75, 78, 81, 85)),
    "kinship_leave": (4036, (0, -6, -6, -6, -6, -6, -6, -6, -6, -6)),
    "kinship_preparation_workshops": (4037, (-5, -6, -6, -6, -6, -6, -6, -6, -6, -5)),
    "family_finding": (4039, (0, -58, -54, 2, -1, -6, -6, -6, -6, -5)),
    "staying_put": (4041, (0, 0, -7, -16, -17, -17, -17, -18, -18, -18)),
    "staying_close": (4042, (0, 0, -14, -6, 13, 22, 25, 27, 30, 33)),
    "supported_lodgings": (4043, (0, -9, -16, -16, -17, -17, -18, -18, -19, -19)),
    "setting_up_home_allowance": (4044, (-4, -4, -5, -5, -6, -7, -8, -8, -9, -10)),
    "apprentice_bursary": (4045, (-1, -1, -1, -1, -1, -1, -1, -1, -1, -1)),
    "free_prescriptions": (4046, (0, -2, -2, -3, -3, -3, -3, -3, -3, -3)),
    "early_career_framework": (4048, (-23, -37, -22, 40, 94, 142, 146, 151, 155, 160)),
    "national_pay_scales": (4049, (0, 0, -79, -79, -79, -31, -15, 1, 1, 1)),
    "regional_staff_banks": (4050, (0, -14, -14, -4, -1, 4, 9, 10, 10, 11)),
    "residential_leadership": (4051, (-4, -6, -6, -5, -4, 4, 4, 4, 4, 4)),
    "child_advocacy": (4052, (0, -7, 1, 1, 1, 2, 2, 2, 3, 3)),
    "parental_representation": (4053, (0, -10, -9, -8, -7, -7, -7, -6, -5, -3)),
}

# Group rows (001_8bebe4ae25a58006.txt:4027-4053).
REVIEW_TABLE_GROUPS: dict[str, tuple[int, tuple[int, ...]]] = {
    "Family Help": (4027, (0, -514, -930, -472, -6, 359, 507, 520, 534, 549)),
    "Care": (4028, (-9, -124, -58, 115, 183, 221, 244, 250, 258, 266)),
    "Alternatives to care": (4032, (-5, -201, -41, 224, 297, 342, 365, 388, 411, 436)),
    "Care Leaver Missions": (4038, (-5, -74, -99, -45, -32, -29, -28, -27, -26, -23)),
    "Workforce": (4047, (-27, -57, -121, -48, 10, 119, 144, 166, 170, 176)),
    "Child Advocacy": (4052, (0, -7, 1, 1, 1, 2, 2, 2, 3, 3)),
    "Parental Representation": (4053, (0, -10, -9, -8, -7, -7, -7, -6, -5, -3)),
}

# 'Total Impact on Public Finance' (001_8bebe4ae25a58006.txt:4054).
REVIEW_TOTALS: tuple[int, ...] = (-46, -987, -1257, -233, 446, 1007, 1227, 1293, 1345, 1404)

# Fewer children looked after in 2032-33 than the counterfactual, by group (001_8bebe4ae25a58006.txt:3945).
REVIEW_DIVERTED_2032_33: dict[str, int] = {
    "family_help": 17000,
    "kinship_and_family_networks": 10000,
    "workforce_and_family_finding": 3000,
}

# Family Help: 'savings of £517 million in care costs over the next five years' (001_8bebe4ae25a58006.txt:1144).
REVIEW_FAMILY_HELP_SAVINGS_5_YEARS = 517

# Counterfactual endpoints: 'approaching 100,000 children in care' and 'over £15 billion per year' by
# 'this time next decade' (001_8bebe4ae25a58006.txt:392).
REVIEW_CLA_2032 = 100_000
REVIEW_SPEND_2032_GBP_BN = 15.0
