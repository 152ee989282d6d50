"""A tiny local authority, built by hand, with every indicator's answer for the year ending 31 March 2024
worked out on paper (see EXPECTED: numerator, denominator)."""

from __future__ import annotations

from datetime import date

import polars as pl

from careflow.tables import CareData

YEAR = 2024
POPULATION = {2024: 10_000.0}

D = date


def tiny() -> CareData:
    referrals = pl.DataFrame(
        {
            "child_id": ["A", "A", "B", "C", "C", "D"],
            "referral_id": [1, 2, 1, 1, 2, 1],
            # A2 comes 11 months after A1: a re-referral. C2 is over 12 months after C1: not. D1 is next year.
            "referral_date": [
                D(2022, 6, 1),
                D(2023, 5, 1),
                D(2023, 7, 1),
                D(2021, 1, 1),
                D(2023, 10, 1),
                D(2024, 4, 2),
            ],
            # C2 closes on 31 March: not open at 31 March. B1 is open.
            "closure_date": [D(2022, 9, 1), D(2023, 8, 1), None, D(2021, 3, 1), D(2024, 3, 31), None],
        }
    )
    plans = pl.DataFrame(
        {
            "child_id": ["A", "A", "B", "E", "F"],
            "referral_id": [1, 2, 1, 1, 1],
            "plan_id": [1, 1, 1, 1, 1],
            "start_date": [D(2021, 1, 1), D(2023, 6, 1), D(2021, 12, 1), D(2023, 9, 1), D(2023, 11, 1)],
            "end_date": [D(2021, 6, 1), None, None, D(2024, 2, 1), None],
            # E had a plan before the data began
            "number_of_previous_plans": [0, 1, 0, 1, 0],
        }
    )
    s47 = pl.DataFrame(
        {
            "child_id": ["A", "B", "C", "F"],
            "referral_id": [2, 1, 2, 1],
            "enquiry_id": [1, 1, 1, 1],
            "start_date": [D(2023, 5, 1), D(2023, 8, 1), D(2024, 3, 20), D(2023, 2, 1)],
            "initial_conference_date": [D(2023, 5, 20), None, None, None],
        }
    )
    e = []  # (child, start, RNE, LS, placement, end, REC)
    e += [
        ("G", D(2020, 1, 1), "S", "C2", "U4", D(2023, 6, 1), "X1"),
        ("G", D(2023, 6, 1), "P", "C2", "U5", D(2023, 9, 1), "X1"),
        ("G", D(2023, 9, 1), "P", "C2", "U6", None, None),
    ]  # three placements this year; in care since 2020
    e += [("H", D(2019, 5, 1), "S", "C2", "U1", None, None)]  # kinship foster care, same placement since 2019
    e += [
        ("I", D(2023, 4, 10), "S", "V2", "U3", D(2023, 12, 1), "E4A"),  # returns home ...
        ("I", D(2024, 2, 1), "S", "V2", "K2", None, None),
    ]  # ... and is back within 12 months
    e += [("J", D(2022, 5, 1), "S", "C2", "U4", D(2023, 7, 1), "E45")]  # special guardianship order
    e += [("K", D(2023, 5, 1), "S", "V3", "U4", None, None)]  # short breaks only: never counted
    e += [
        ("L", D(2022, 10, 1), "S", "C1", "U4", D(2022, 12, 1), "X1"),
        ("L", D(2022, 12, 1), "L", "C2", "U4", D(2023, 11, 1), "E41"),
    ]  # child arrangements order
    e += [
        ("M", D(2021, 6, 1), "S", "V2", "U6", D(2022, 10, 15), "E4B"),  # home in 2022-23 ...
        ("M", D(2023, 4, 20), "S", "V2", "U6", None, None),
    ]  # ... back within 12 months
    e += [("N", D(2022, 1, 1), "S", "V2", "U4", D(2022, 7, 1), "E4A")]  # home in 2022-23, stays home
    e += [("O", D(2023, 8, 1), "S", "C1", "U4", None, None)]  # first time in care
    e += [("P", D(2023, 1, 1), "S", "V2", "U4", D(2023, 5, 1), "E4B")]  # home in 2023-24
    episodes = pl.DataFrame(
        e,
        schema=[
            "child_id",
            "start_date",
            "reason_new_episode",
            "legal_status",
            "placement_type",
            "end_date",
            "reason_episode_ceased",
        ],
        orient="row",
    )
    children = pl.DataFrame(
        {
            "child_id": ["G", "H", "I", "M", "O"],
            "date_of_birth": [D(2012, 1, 1), D(2010, 6, 1), D(2015, 1, 1), D(2009, 3, 3), D(2023, 1, 1)],
        }
    )
    reviews = pl.DataFrame(
        {
            "child_id": ["G", "H", "O", "M", "G"],
            "review_date": [D(2023, 6, 1), D(2023, 7, 1), D(2023, 9, 1), D(2024, 1, 1), D(2022, 12, 1)],
            "participation": ["PN1", "PN7", "PN0", "PN5", "PN1"],
        }
    )
    leavers = pl.DataFrame(
        {
            "child_id": ["Q", "R", "S", "T", "V", "U"],
            # ages on 31 March 2024: 19, 19, 21, 17, 18, 23
            "date_of_birth": [
                D(2005, 1, 15),
                D(2004, 6, 1),
                D(2003, 2, 1),
                D(2006, 8, 1),
                D(2006, 1, 10),
                D(2001, 1, 1),
            ],
            "in_touch": ["YES", "YES", "NO", "YES", "REFU", "YES"],
            "activity": ["F2", "G5", "0", "F5", "0", "F1"],
            "accommodation": ["D1", "U1", "0", "Z1", "0", "U1"],
            "collection_year": [2024] * 6,
        }
    )
    proceedings = pl.DataFrame(
        {
            "child_id": ["G", "H", "I", "M", "O"],
            "proceedings_id": ["p1", "p2", "p3", "p4", "p5"],
            "issue_date": [D(2023, 1, 2), D(2023, 3, 1), D(2023, 10, 1), D(2023, 11, 1), D(2023, 4, 3)],
            # 150 days; 275 days; next year; not concluded; exactly 182 days (26 weeks) counts as within
            "final_hearing_date": [D(2023, 6, 1), D(2023, 12, 1), D(2024, 4, 10), None, D(2023, 10, 2)],
        }
    )
    pre = pl.DataFrame(
        {
            "child_id": ["G", "H", "I", "M"],
            "referral_id": [1, 1, 1, 1],
            "pre_proceedings_id": [1, 1, 1, 1],
            "start_date": [D(2023, 5, 1), D(2023, 6, 1), D(2023, 9, 1), D(2024, 3, 1)],
            "is_family_group_meeting_facilitated": [True, False, False, None],
        }
    )
    meetings = pl.DataFrame(
        {
            "child_id": ["H", "I"],
            "meeting_id": ["m1", "m2"],
            # H's meeting is 3 months before pre-proceedings; I's is years before (does not count)
            "meeting_date": [D(2023, 3, 1), D(2021, 1, 1)],
        }
    )
    return CareData(
        {
            "referrals": referrals,
            "child_protection_plans": plans,
            "section47_enquiries": s47,
            "looked_after_episodes": episodes,
            "children": children,
            "looked_after_reviews": reviews,
            "care_leavers": leavers,
            "proceedings": proceedings,
            "pre_proceedings": pre,
            "family_group_decision_meetings": meetings,
        }
    )


# indicator: (numerator, denominator) for the year ending 31 March 2024, counted by hand
EXPECTED: dict[str, tuple[float, float]] = {
    "cin_rate_per_10k": (1, 10_000),  # B
    "referrals_rate_per_10k": (3, 10_000),  # A2, B1, C2
    "rereferrals_within_12_months": (1, 3),  # A2
    "cpp_rate_per_10k": (3, 10_000),  # A, B, F open on 31 March
    "cpp_second_or_subsequent": (2, 3),  # A (second in the data), E (NumberOfPreviousCPP); F first
    "cpp_lasting_2_years_plus": (1, 3),  # B, since December 2021
    "s47_not_leading_to_conference": (2, 3),  # B, C (March 2024); A had a conference; F is last year
    "cla_starts_rate_per_10k": (3, 10_000),  # I, M, O (K is short breaks)
    "cla_starts_returning_within_12_months": (2, 3),  # I (home Dec 2023, back Feb 2024), M
    "cla_rate_per_10k": (5, 10_000),  # G, H, I, M, O
    "cla_kinship_foster_care": (1, 5),  # H
    "ceased_returned_home": (2, 4),  # I, P of I, J, L, P
    "reentry_within_12_months": (1, 2),  # of M and N (home in 2022-23), M came back
    "ceased_special_guardianship": (1, 4),  # J
    "ceased_child_arrangements_order": (1, 4),  # L
    "family_group_decision_making_before_plo": (2, 4),  # G (facilitated), H (meeting in March 2023)
    "proceedings_within_26_weeks": (2, 3),  # p1, p5 of p1, p2, p5
    "cla_three_or_more_placements": (1, 5),  # G
    "cla_long_term_placement_stability": (1, 2),  # H of G, H
    "cla_review_participation": (2, 3),  # G PN1, M PN5 of G, H, M (O under 4)
    "care_leavers_19_21_in_touch": (2, 3),  # Q, R of Q, R, S
    "care_leavers_19_21_in_education_employment_training": (1, 3),  # Q
    "care_leavers_19_21_suitable_accommodation": (2, 3),  # Q D1, R U1
    "care_leavers_17_18_in_touch": (1, 2),  # T of T, V
    "care_leavers_17_18_in_education_employment_training": (1, 2),  # T F5
    "care_leavers_17_18_suitable_accommodation": (1, 2),  # T Z1
}
NOT_COMPUTABLE = {
    "social_worker_caseload",
    "social_worker_agency_rate",
    "social_worker_vacancy_rate",
    "social_worker_turnover_rate",
}
