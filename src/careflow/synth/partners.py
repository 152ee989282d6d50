"""What partner agencies hold about the synthetic families: police, health, schools, housing, adult social care.

:func:`make_people` makes fictional families (children and the adults of their household), each person with a
valid NHS number and, for school-age children, a UPN. :func:`make_partner_data` writes the files each agency would
send, each in its own layout (its column names, date formats, sex codes), with the errors real feeds carry:
missing or wrong NHS numbers, typos, nicknames, swapped day and month, previous addresses, twins, changed family
names, people who are not in the families at all, and a few rows of outright bad input (dates that are not
dates, NHS numbers that fail their check digit, an unknown column, a file in Windows-1252). Which record is which
person is written aside to ``truth.csv``, so linkage can be scored. Rates are in ``partner_parameters.yaml`` (stated
assumptions, or cited). Each family draws an involvement multiplying its members' contact rates (a gamma of mean
1), so most families have few partner contacts in a year and a minority many, as contacts cluster in practice.
Schools share a term's persistent-absence extract (pupils who missed 10% or more), not every pupil's attendance.

Example:
    >>> import datetime as dt, tempfile
    >>> people = make_people(50, seed=1)
    >>> out = make_partner_data(people, seed=1, out_dir=Path(tempfile.mkdtemp()),
    ...                         start=dt.date(2025, 4, 1), end=dt.date(2026, 3, 31))  # doctest: +SKIP
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from careflow.synth._names import FAMILY, GIVEN_FEMALE, GIVEN_MALE
from careflow.synth._params import Parameters, load_parameters

__all__ = ["AGENCIES", "PARAMETERS_FILE", "make_partner_data", "make_people", "nhs_check_digit"]

PARAMETERS_FILE = Path(__file__).with_name("partner_parameters.yaml")
POSTCODES_FILE = Path(__file__).with_name("data") / "postcodes.csv"
AGENCIES = ("police", "health", "school", "housing", "adult_social_care")
#: The date ages are counted at in :func:`make_people` (children are 0-17 on it).
REFERENCE_DATE = dt.date(2026, 3, 31)
PEOPLE_COLUMNS = ("person_id", "family_id", "role", "first_name", "last_name", "dob", "sex", "postcode",
                  "nhs_number", "upn")

#: Short forms people are known by (and spelling variants agencies write).
NICKNAMES: dict[str, tuple[str, ...]] = {
    "Oliver": ("Ollie", "Olly"), "Thomas": ("Tom", "Tommy"), "Jacob": ("Jake",), "Alfie": ("Alf",),
    "Daniel": ("Dan", "Danny"), "James": ("Jim", "Jamie"), "David": ("Dave",), "Michael": ("Mike", "Mick"),
    "Andrew": ("Andy",), "Stephen": ("Steve", "Steven"), "Robert": ("Rob", "Bob"), "Peter": ("Pete",),
    "Nathan": ("Nate",), "Muhammad": ("Mohammed", "Mohammad"), "Yusuf": ("Yousuf",), "Freddie": ("Fred",),
    "Henry": ("Harry",), "Charlie": ("Charles",), "Theo": ("Theodore",), "Kevin": ("Kev",), "Terry": ("Tel",),
    "Olivia": ("Liv", "Livvy"), "Amelia": ("Millie", "Amy"), "Sophia": ("Sophie",), "Jessica": ("Jess",),
    "Rebecca": ("Becky", "Becca"), "Natalie": ("Nat",), "Danielle": ("Dani",), "Margaret": ("Maggie", "Peggy"),
    "Patricia": ("Pat", "Trish"), "Susan": ("Sue",), "Nicola": ("Nicky",), "Michelle": ("Shell",),
    "Kayleigh": ("Kayley",), "Gemma": ("Gem",), "Elizabeth": ("Liz",), "Hannah": ("Hanna",),
    "Jade": ("Jayde",), "Chloe": ("Chloé",), "Zara": ("Zarah",), "Aisha": ("Ayesha",), "Layla": ("Leila",),
}
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # letters used in the inward part of a postcode


def nhs_check_digit(first_nine: str) -> int | None:
    """The modulus-11 check digit of nine digits, or None when they can have none (the remainder gives 10)."""
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def _upn_check_letter(upn: str) -> str:
    letters = "ABCDEFGHJKLMNPQRTUVWXYZ"  # the DfE's 23 check letters (as careflow.record.identifiers)
    total = sum((int(c) if c.isdigit() else letters.index(c)) * w for w, c in zip(range(2, 14), upn[1:13],
                                                                                    strict=True))
    return letters[total % 23]


def _draw_upn(rng: np.random.Generator, dob: dt.date) -> str:
    """A UPN as the DfE builds it: check letter, LA number (318), school number, year of entry, serial."""
    body = f"318{int(rng.integers(1000, 9999)):04d}{(dob.year + 4) % 100:02d}{int(rng.integers(1000)):03d}"
    return _upn_check_letter("A" + body) + body


def _outward_codes() -> list[str]:
    codes = []
    for line in POSTCODES_FILE.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or line.startswith("postcode,"):
            continue
        postcode, area = line.split(",")
        if area == "inside":
            codes.append(postcode.split()[0])
    return sorted(set(codes))


class _Postcodes:
    """Plausible postcodes: the synthetic LA's real outward codes (ONS Postcode Directory, see postcodes.csv)
    with made-up inward parts, about a dozen households to each."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.outward = _outward_codes()

    def draw(self) -> str:
        r = self.rng
        return (f"{self.outward[int(r.integers(len(self.outward)))]} {int(r.integers(1, 10))}"
                f"{_INWARD_LETTERS[int(r.integers(20))]}{_INWARD_LETTERS[int(r.integers(20))]}")


def make_people(n_children: int, *, seed: int) -> pl.DataFrame:
    """Fictional families: one row per person, ``n_children`` children aged 0-17 and their household's adults.

    Columns: ``person_id, family_id, role ("child"|"adult"), first_name, last_name, dob, sex ("M"|"F"), postcode,
    nhs_number`` (10 digits, valid, unique) and ``upn`` (children aged 4 and over; null otherwise). About 3% of
    families with two or more children have twins (same date of birth, family name and address).
    """
    if n_children < 1:
        raise ValueError(f"n_children must be at least 1 (got {n_children})")
    rng = np.random.default_rng(seed)
    params = load_parameters(PARAMETERS_FILE)
    twins_share = params.value("errors.twins")
    postcodes = _Postcodes(rng)
    used_nhs: set[str] = set()
    rows: list[dict[str, Any]] = []
    serial = 0

    def nhs_number() -> str:
        while True:
            first = str(int(rng.integers(400_000_000, 999_999_999)))
            check = nhs_check_digit(first)
            if check is not None and first + str(check) not in used_nhs:
                used_nhs.add(first + str(check))
                return first + str(check)

    def given(sex: str) -> str:
        names = GIVEN_MALE if sex == "M" else GIVEN_FEMALE
        return names[int(rng.integers(len(names)))]

    children = 0
    family = 0
    while children < n_children:
        family += 1
        family_id = f"F{family:07d}"
        postcode = postcodes.draw()
        surname = FAMILY[int(rng.integers(len(FAMILY)))]
        n_kids = min(1 + int(rng.poisson(0.9)), 6, n_children - children)
        eldest_age = int(rng.integers(0, 18))
        mother_age_at_first = int(rng.integers(17, 38))
        mother_dob = REFERENCE_DATE - dt.timedelta(days=int(365.25 * (eldest_age + mother_age_at_first))
                                                   + int(rng.integers(0, 365)))
        adults = [("F", mother_dob, surname)]
        if rng.random() < 0.55:  # a second adult in the household
            partner_surname = surname if rng.random() < 0.6 else FAMILY[int(rng.integers(len(FAMILY)))]
            partner_dob = mother_dob - dt.timedelta(days=int(rng.integers(-5 * 365, 8 * 365)))
            adults.append(("M" if rng.random() < 0.93 else "F", partner_dob, partner_surname))
        for sex, dob, last in adults:
            serial += 1
            first = given(sex)
            rows.append({"person_id": f"P{serial:08d}", "family_id": family_id, "role": "adult",
                         "first_name": first, "last_name": last, "dob": dob, "sex": sex, "postcode": postcode,
                         "nhs_number": nhs_number(), "upn": None})
        has_twins = n_kids >= 2 and rng.random() < twins_share
        ages_days = sorted((int(rng.integers(0, 365 * (eldest_age + 1))) for _ in range(n_kids)), reverse=True)
        ages_days[0] = 365 * eldest_age + int(rng.integers(0, 365))
        if has_twins:
            ages_days[1] = ages_days[0]
        names_in_family: set[str] = set()
        for age_days in ages_days:
            serial += 1
            children += 1
            sex = "M" if rng.random() < 0.512 else "F"
            first = given(sex)
            while first in names_in_family:
                first = given(sex)
            names_in_family.add(first)
            dob = REFERENCE_DATE - dt.timedelta(days=age_days)
            age = age_days // 365
            upn = None
            if age >= 4:
                upn = _draw_upn(rng, dob)
            child_surname = surname if rng.random() < 0.85 or len(adults) == 1 else adults[1][2]
            rows.append({"person_id": f"P{serial:08d}", "family_id": family_id, "role": "child",
                         "first_name": first, "last_name": child_surname, "dob": dob, "sex": sex,
                         "postcode": postcode, "nhs_number": nhs_number(), "upn": upn})
    return pl.DataFrame(rows, schema={"person_id": pl.String, "family_id": pl.String, "role": pl.String,
                                      "first_name": pl.String, "last_name": pl.String, "dob": pl.Date,
                                      "sex": pl.String, "postcode": pl.String, "nhs_number": pl.String,
                                      "upn": pl.String})


# ---------------------------------------------------------------------------------------------------------------
# Partner files
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class _Person:
    """A person as agencies see them (one of the families, or an outsider)."""

    person_id: str
    role: str
    first_name: str
    last_name: str
    dob: dt.date
    sex: str
    postcode: str
    nhs_number: str
    upn: str | None
    previous_postcode: str | None = None
    other_last_name: str | None = None
    involvement: float = 1.0  # the family's multiplier of the agencies' contact rates (partner_parameters.yaml)
    relatives_nhs: list[str] = field(default_factory=list)

    def age_on(self, when: dt.date) -> int:
        return when.year - self.dob.year - ((when.month, when.day) < (self.dob.month, self.dob.day))


@dataclass
class _Identity:
    """The identifying fields of one record as the agency typed them (after the errors)."""

    first_name: str
    last_name: str
    dob: dt.date | None
    sex: str | None
    postcode: str
    nhs_number: str
    upn: str


class _Errors:
    """Draws the errors of one record's identifying fields."""

    def __init__(self, rng: np.random.Generator, params: Parameters) -> None:
        self.rng = rng
        self.p = {name.split(".", 1)[1]: params.value(name) for name in params if name.startswith("errors.")}

    def chance(self, name: str, agency: str | None = None) -> bool:
        rate = self.p[name]
        if isinstance(rate, dict):
            rate = rate[agency]
        return bool(self.rng.random() < rate)

    def typo(self, word: str) -> str:
        if len(word) < 3:
            return word
        r = self.rng
        i = int(r.integers(1, len(word) - 1))
        kind = int(r.integers(4))
        if kind == 0:  # dropped letter
            return word[:i] + word[i + 1:]
        if kind == 1:  # doubled letter
            return word[:i] + word[i] + word[i:]
        if kind == 2:  # swapped neighbours
            return word[:i - 1] + word[i] + word[i - 1] + word[i + 1:]
        letter = "aeioulnrst"[int(r.integers(10))]
        return word[:i] + letter + word[i + 1:]

    def identity(self, person: _Person, agency: str) -> _Identity:
        r = self.rng
        first = person.first_name
        if first in NICKNAMES and self.chance("nickname"):
            options = NICKNAMES[first]
            first = options[int(r.integers(len(options)))]
        elif self.chance("first_name_typo"):
            first = self.typo(first)
        last = person.last_name
        if person.other_last_name and r.random() < 0.5:
            last = person.other_last_name
        if self.chance("last_name_typo"):
            last = self.typo(last)
        dob: dt.date | None = person.dob
        if self.chance("dob_missing"):
            dob = None
        elif self.chance("dob_day_month_swapped") and person.dob.day <= 12 and person.dob.day != person.dob.month:
            dob = person.dob.replace(month=person.dob.day, day=person.dob.month)
        elif self.chance("dob_mistyped"):
            dob = (person.dob + dt.timedelta(days=1 if r.random() < 0.5 else -1) if r.random() < 0.6
                   else _replace_year(person.dob, person.dob.year + (1 if r.random() < 0.5 else -1)))
        sex: str | None = None if self.chance("sex_missing") else person.sex
        postcode = person.postcode
        if person.previous_postcode and self.chance("old_postcode"):
            postcode = person.previous_postcode
        if self.chance("postcode_missing_or_mistyped"):
            postcode = "" if r.random() < 0.5 else _mistype_postcode(postcode, r)
        nhs = person.nhs_number
        if self.chance("nhs_number_missing", agency):
            nhs = ""
        elif person.relatives_nhs and self.chance("nhs_number_of_relative"):
            nhs = person.relatives_nhs[int(r.integers(len(person.relatives_nhs)))]
        elif self.chance("nhs_number_mistyped"):
            i = int(r.integers(10))
            nhs = nhs[:i] + str((int(nhs[i]) + int(r.integers(1, 10))) % 10) + nhs[i + 1:]
        return _Identity(first, last, dob, sex, postcode, nhs, person.upn or "")


def _replace_year(day: dt.date, year: int) -> dt.date:
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February
        return day.replace(year=year, day=28)


def _mistype_postcode(postcode: str, rng: np.random.Generator) -> str:
    if not postcode:
        return postcode
    i = len(postcode) - 1 - int(rng.integers(2))
    return postcode[:i] + _INWARD_LETTERS[int(rng.integers(20))] + postcode[i + 1:]


def _people_for_agencies(people: pl.DataFrame, rng: np.random.Generator, params: Parameters,
                         postcodes: _Postcodes) -> list[_Person]:
    missing = [c for c in PEOPLE_COLUMNS if c not in people.columns]
    if missing:
        raise ValueError(f"people lacks column(s) {', '.join(missing)} (expected {', '.join(PEOPLE_COLUMNS)})")
    moved_share = params.value("errors.family_moved")
    changed_share = params.value("errors.name_change")
    shape = float(params.value("involvement.gamma_shape"))
    previous: dict[str, str | None] = {}
    involvement: dict[str, float] = {}
    by_family: dict[str, list[str]] = {}
    out: list[_Person] = []
    for row in people.iter_rows(named=True):
        family = str(row["family_id"])
        if family not in previous:
            previous[family] = postcodes.draw() if rng.random() < moved_share else None
            involvement[family] = float(rng.gamma(shape, 1 / shape))
        other = FAMILY[int(rng.integers(len(FAMILY)))] if rng.random() < changed_share else None
        by_family.setdefault(family, []).append(str(row["nhs_number"]))
        out.append(_Person(str(row["person_id"]), str(row["role"]), str(row["first_name"] or ""),
                           str(row["last_name"] or ""), row["dob"], str(row["sex"]), str(row["postcode"] or ""),
                           str(row["nhs_number"] or ""), row["upn"], previous[family], other, involvement[family]))
    for person, row in zip(out, people.iter_rows(named=True), strict=True):
        person.relatives_nhs = [n for n in by_family[str(row["family_id"])] if n != person.nhs_number]
    return out


def _outsider(rng: np.random.Generator, postcodes: _Postcodes, ages: tuple[int, int], when: dt.date,
              serial: int) -> _Person:
    """Someone who is not in the families (a record the linkage must leave unlinked), of an age the file holds."""
    sex = "M" if rng.random() < 0.5 else "F"
    names = GIVEN_MALE if sex == "M" else GIVEN_FEMALE
    lo, hi = ages[0], min(ages[1], 70)
    age_days = int(rng.integers(lo * 365 + 1, (hi + 1) * 365 - 1))
    role = "child" if age_days < 18 * 365 else "adult"
    while True:
        first = str(int(rng.integers(400_000_000, 999_999_999)))
        check = nhs_check_digit(first)
        if check is not None:
            break
    return _Person(f"X{serial}", role, names[int(rng.integers(len(names)))], FAMILY[int(rng.integers(len(FAMILY)))],
                   when - dt.timedelta(days=age_days), sex, postcodes.draw(), first + str(check), None)


# Each agency's layout: how it writes dates and sex, and which columns it has.
def _dmy(d: dt.date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


def _iso(d: dt.date | None) -> str:
    return d.isoformat() if d else ""


def _dmonyyyy(d: dt.date | None) -> str:
    return d.strftime("%d-%b-%Y") if d else ""


def _compact(d: dt.date | None) -> str:
    return d.strftime("%Y%m%d") if d else ""


def _spaced_nhs(n: str) -> str:
    return f"{n[:3]} {n[3:6]} {n[6:]}" if len(n) == 10 else n


_WORD_SEX = {"M": "Male", "F": "Female", None: "Unknown"}
_CODE_SEX = {"M": "1", "F": "2", None: "0"}

_POLICE_OFFICERS = (("PC Sarah Lane", "01632 960101"), ("PC Tom Reid", "01632 960102"),
                    ("DC Priya Nair", "01632 960103"), ("PS Mark Hale", "01632 960104"))
_HEALTH_VISITORS = (("Joanne Pike (HV)", "01632 960201"), ("Amira Saleh (HV)", "01632 960202"),
                    ("Claire Doyle (HV)", "01632 960203"))
_ED_CLINICIANS = (("Dr R. Osei", "01632 960301"), ("Dr L. Grant", "01632 960302"), ("Nurse K. Byrne", "01632 960303"))
_PRACTICES = (("H81001", "Riverside Medical Centre", "01632 960401"), ("H81002", "Kew Road Surgery", "01632 960402"),
              ("H81003", "Hampton Health Centre", "01632 960403"))
_SCHOOLS = (("St Mary's CE Primary", "Mrs A. Fenton", "01632 960501"),
            ("Thames Academy", "Mr D. Okoro", "01632 960502"), ("Richmond Park School", "Ms H. Lowe", "01632 960503"))
_HOUSING_OFFICERS = (("Gary Pratt", "01632 960601"), ("Nadia Rahman", "01632 960602"))
_ASC_WORKERS = (("Linda Marsh", "01632 960701"), ("Omar Haddad", "01632 960702"))


@dataclass
class _Event:
    when: dt.date
    person: _Person
    identity: _Identity
    pick: int  # a random integer choosing names of staff, event types ...


def _pick(options: tuple[Any, ...], n: int) -> Any:
    return options[n % len(options)]


def _police_incident(e: _Event, ref: str) -> list[str]:
    i = e.identity
    officer, phone = _pick(_POLICE_OFFICERS, e.pick)
    kind = _pick(("Domestic incident", "Concern for welfare", "Anti-social behaviour", "Assault",
                  "Criminal damage", "Theft"), e.pick // 7)
    role = _pick(("Victim", "Witness", "Suspect", "Child present"), e.pick // 3)
    return [ref, e.when.strftime("%d/%m/%Y") + f" {e.pick % 24:02d}:{e.pick % 60:02d}",
            f"{i.last_name.upper()}, {i.first_name}", _dmy(i.dob), _WORD_SEX[i.sex], i.postcode, i.nhs_number,
            kind, role, officer, phone]


def _dan(e: _Event, ref: str) -> list[str]:
    i = e.identity
    officer, phone = _pick(_POLICE_OFFICERS, e.pick)
    return [ref, _iso(e.when), i.last_name, i.first_name, _dmy(i.dob), i.sex or "", i.postcode,
            _pick(("Standard", "Medium", "High"), e.pick // 5), officer, phone]


def _missing(e: _Event, ref: str) -> list[str]:
    i = e.identity
    officer, phone = _pick(_POLICE_OFFICERS, e.pick + 1)
    found = e.when + dt.timedelta(days=e.pick % 3)
    return [ref, e.when.strftime("%d/%m/%Y") + f" {e.pick % 24:02d}:00", _dmy(found), i.last_name, i.first_name,
            _dmy(i.dob), i.sex or "", i.postcode, officer, phone]


def _ae(e: _Event, ref: str) -> list[str]:
    i = e.identity
    clinician, phone = _pick(_ED_CLINICIANS, e.pick)
    complaint = _pick(("Head injury", "Fall", "Abdominal pain", "Burn", "Breathing difficulty", "Fracture",
                       "Ingestion", "Self-harm", "Fever"), e.pick // 2)
    return [ref, f"{e.when.isoformat()}T{e.pick % 24:02d}:{(e.pick * 7) % 60:02d}", _spaced_nhs(i.nhs_number),
            i.first_name, i.last_name, _iso(i.dob), _CODE_SEX[i.sex], i.postcode, complaint,
            _pick(("Home", "Admitted", "GP follow-up", "Left before seen"), e.pick // 9), clinician, phone]


def _hv(e: _Event, ref: str) -> list[str]:
    i = e.identity
    visitor, phone = _pick(_HEALTH_VISITORS, e.pick)
    kind = _pick(("New birth visit", "6-8 week review", "1 year review", "2-2.5 year review", "Targeted visit"),
                 e.pick // 4)
    return [ref, _dmy(e.when), i.nhs_number, i.first_name, i.last_name, _dmy(i.dob), i.sex or "", i.postcode,
            kind, visitor, phone]


def _gp(e: _Event, ref: str) -> list[str]:
    i = e.identity
    code, practice, phone = _pick(_PRACTICES, e.pick)
    return [ref, _iso(e.when), i.nhs_number, i.first_name.upper(), i.last_name.upper(), _compact(i.dob),
            i.sex or "", i.postcode, code, practice, phone]


def _attendance(e: _Event, ref: str) -> list[str]:
    i = e.identity
    school, dsl, phone = _pick(_SCHOOLS, e.pick)
    term = {9: "Autumn", 1: "Spring", 4: "Summer"}[e.when.month]
    possible = 140 if term == "Autumn" else 120
    missed = possible // 10 + 1 + e.pick % 30  # the extract holds pupils who missed 10% or more (persistent absence)
    return [i.upn, i.last_name, i.first_name, _dmy(i.dob), i.sex or "", i.postcode, f"{term} {e.when.year}",
            _dmy(e.when), str(possible), str(missed), f"{100 * (possible - missed) / possible:.1f}", school, dsl, phone,
            ref]


def _exclusion(e: _Event, ref: str) -> list[str]:
    i = e.identity
    school, dsl, phone = _pick(_SCHOOLS, e.pick)
    category = "Permanent exclusion" if e.pick % 40 == 0 else "Suspension"
    reason = _pick(("Persistent disruptive behaviour", "Physical assault against a pupil", "Verbal abuse",
                    "Damage", "Drug and alcohol related"), e.pick // 3)
    return [ref, i.upn, i.last_name, i.first_name, _iso(i.dob), i.sex or "", i.postcode, _dmy(e.when), category,
            reason, str(1 + e.pick % 5), school, dsl, phone]


def _housing(e: _Event, ref: str) -> list[str]:
    i = e.identity
    officer, phone = _pick(_HOUSING_OFFICERS, e.pick)
    event = _pick(("Rent arrears notice", "Homelessness application", "Temporary accommodation placement",
                   "Anti-social behaviour complaint", "Disrepair report"), e.pick // 2)
    return [ref, _dmonyyyy(e.when), f"{i.first_name} {i.last_name}", _dmonyyyy(i.dob), _WORD_SEX[i.sex], i.postcode,
            i.nhs_number, event, str(2 + e.pick % 5), officer, phone]


def _asc(e: _Event, ref: str) -> list[str]:
    i = e.identity
    worker, phone = _pick(_ASC_WORKERS, e.pick)
    reason = _pick(("Mental health", "Substance misuse", "Learning disability", "Carer's assessment",
                    "Physical disability"), e.pick // 2)
    return [ref, i.nhs_number, i.first_name, i.last_name, _dmy(i.dob), _WORD_SEX[i.sex], i.postcode, _dmy(e.when),
            reason, _pick(("Assessment", "Review", "Services started", "No further action"), e.pick // 5), worker,
            phone]


@dataclass(frozen=True)
class _Layout:
    agency: str
    file: str
    prefix: str
    rate_name: str
    columns: tuple[str, ...]
    write: Callable[[_Event, str], list[str]]
    ages: tuple[int, int] = (0, 120)
    encoding: str = "utf-8"
    per_term: bool = False  # a chance each school term (the rate is a share), not a rate a year
    scaled: bool = True  # the rate is multiplied by the family's involvement (universal services are not)


LAYOUTS: tuple[_Layout, ...] = (
    _Layout("police", "police/incidents.csv", "INC", "police_incident",
            ("IncidentRef", "Occurred", "Name", "DOB", "Gender", "Postcode", "NHSNumber", "IncidentType", "Role",
             "OfficerName", "OfficerPhone"), _police_incident),
    _Layout("police", "police/domestic_abuse_notifications.csv", "DAN", "domestic_abuse_notification",
            ("DANRef", "NotificationDate", "ChildSurname", "ChildForename", "ChildDOB", "ChildGender",
             "HomePostcode", "DASHRiskLevel", "OIC", "OICPhone"), _dan, (0, 17)),
    _Layout("police", "police/missing_reports.csv", "MIS", "missing_report",
            ("MissingRef", "ReportedMissing", "FoundDate", "Surname", "Forename", "DateOfBirth", "Sex",
             "LastSeenPostcode", "Officer", "Phone"), _missing, (10, 17)),
    _Layout("health", "health/ae_attendances.csv", "AE", "ae_attendance",
            ("attendance_id", "arrival_datetime", "nhs_number", "patient_forename", "patient_surname",
             "date_of_birth", "gender_code", "postcode", "chief_complaint", "discharge_destination", "clinician",
             "ed_phone"), _ae),
    _Layout("health", "health/health_visitor_contacts.csv", "HV", "health_visitor_contact",
            ("ContactID", "ContactDate", "NHS No", "Child Forename", "Child Surname", "Child DOB", "Sex", "Postcode",
             "Contact Type", "Health Visitor", "HV Phone"), _hv, (0, 4), scaled=False),
    _Layout("health", "health/gp_registrations.csv", "GP", "gp_registration",
            ("REGISTRATION_ID", "REGISTERED_ON", "NHS_NUMBER", "FORENAME", "SURNAME", "DOB", "SEX", "POSTCODE",
             "PRACTICE_CODE", "PRACTICE_NAME", "PRACTICE_PHONE"), _gp, scaled=False),
    _Layout("school", "school/attendance.csv", "ATT", "persistent_absence",
            ("UPN", "Legal Surname", "Forename", "DOB", "Gender", "Postcode", "Term", "Term Start",
             "Sessions Possible", "Sessions Missed", "Attendance %", "School", "DSL Name", "School Phone", "Row ID"),
            _attendance, (5, 16), per_term=True),
    _Layout("school", "school/exclusions.csv", "EXC", "exclusion",
            ("Exclusion ID", "UPN", "Surname", "Forename", "Date of Birth", "Sex", "Postcode", "Start Date",
             "Category", "Reason", "Days", "School", "DSL", "Phone"), _exclusion, (8, 16), encoding="cp1252"),
    _Layout("housing", "housing/tenancy_events.csv", "HSG", "housing_event",
            ("case_ref", "event_date", "lead_applicant_name", "lead_dob", "lead_sex", "property_postcode",
             "nhs_no", "event", "household_size", "housing_officer", "officer_phone"), _housing, (18, 120)),
    _Layout("adult_social_care", "adult_social_care/assessments.csv", "ASC", "adult_social_care",
            ("ReferenceNo", "NHSNumber", "FirstName", "LastName", "BirthDate", "Gender", "PostCode",
             "ReferralDate", "Reason", "Outcome", "Worker", "WorkerPhone"), _asc, (18, 120)),
)


def _term_starts(start: dt.date, end: dt.date) -> list[dt.date]:
    days = []
    for year in range(start.year, end.year + 1):
        for month, day in ((1, 6), (4, 20), (9, 3)):
            d = dt.date(year, month, day)
            if start <= d <= end:
                days.append(d)
    return sorted(days)


def _events(layout: _Layout, person: _Person, rng: np.random.Generator, params: Parameters, start: dt.date,
            end: dt.date, errors: _Errors) -> Iterator[_Event]:
    span = (end - start).days + 1
    rate = params.value(f"events.{layout.rate_name}")[person.role] * (person.involvement if layout.scaled else 1.0)
    if layout.per_term:  # school attendance: in a term's persistent-absence extract or not
        days = [d for d in _term_starts(start, end) if layout.ages[0] <= person.age_on(d) <= layout.ages[1]
                and rng.random() < rate]
    else:
        rate *= span / 365.25
        if rate <= 0:
            return
        n = int(rng.poisson(rate))
        days = [start + dt.timedelta(days=int(rng.integers(span))) for _ in range(n)]
        days = [d for d in days if layout.ages[0] <= person.age_on(d) <= layout.ages[1] and d >= person.dob]
    if layout.agency == "school" and not person.upn:
        return
    for d in days:
        yield _Event(d, person, errors.identity(person, layout.agency), int(rng.integers(1_000_000)))


# A few rows of outright bad input, as real feeds have: (file, column, bad value, what is wrong).
_BAD_VALUES: tuple[tuple[str, str, str], ...] = (
    ("police/incidents.csv", "DOB", "31/02/2013"),
    ("police/incidents.csv", "Occurred", "not known"),
    ("health/ae_attendances.csv", "date_of_birth", "2014-13-01"),
    ("health/ae_attendances.csv", "nhs_number", "123 456 789X"),
    ("health/gp_registrations.csv", "NHS_NUMBER", "9434765918"),
    ("school/attendance.csv", "DOB", "00/00/0000"),
    ("housing/tenancy_events.csv", "event_date", "32-Jan-2025"),
    ("adult_social_care/assessments.csv", "BirthDate", "1985"),
)
#: A column the mapping does not know, added to one file (reported, ignored).
UNKNOWN_COLUMN = ("housing/tenancy_events.csv", "Notes (internal)")


def make_partner_data(people: pl.DataFrame, *, seed: int, out_dir: Path, start: dt.date, end: dt.date,
                      progress: Callable[[float], None] | None = None) -> Path:
    """Write what the partner agencies hold about ``people`` between ``start`` and ``end`` into ``out_dir``.

    ``out_dir/<agency>/*.csv`` for police, health, school, housing and adult social care, each in its own layout,
    and ``out_dir/truth.csv`` (``agency, source_record_id, person_id``; ``person_id`` empty for someone outside
    ``people``). Returns ``out_dir``. ``people`` has the columns of :func:`make_people`.
    """
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    rng = np.random.default_rng(seed)
    params = load_parameters(PARAMETERS_FILE)
    postcodes = _Postcodes(rng)
    errors = _Errors(rng, params)
    persons = _people_for_agencies(people, rng, params, postcodes)
    outsider_share = params.value("events.outsiders")
    out_dir = Path(out_dir)
    truth: list[tuple[str, str, str]] = []
    serial = 0
    for k, layout in enumerate(LAYOUTS):
        columns = list(layout.columns)
        unknown = UNKNOWN_COLUMN[1] if layout.file == UNKNOWN_COLUMN[0] else None
        if unknown:
            columns.append(unknown)
        rows: list[list[str]] = []
        events = [e for p in persons for e in _events(layout, p, rng, params, start, end, errors)]
        n_outsiders = round(len(events) * outsider_share / (1 - outsider_share))
        for _ in range(n_outsiders):
            serial += 1
            terms = _term_starts(start, end)
            if layout.per_term and terms:
                day = terms[int(rng.integers(len(terms)))]
            else:
                day = start + dt.timedelta(days=int(rng.integers((end - start).days + 1)))
            outsider = _outsider(rng, postcodes, layout.ages, day, serial)
            if layout.agency == "school":
                outsider.upn = _draw_upn(rng, outsider.dob)
            identity = errors.identity(outsider, layout.agency)
            events.append(_Event(day, outsider, identity, int(rng.integers(1_000_000))))
        order = rng.permutation(len(events))
        for j, idx in enumerate(order):
            event = events[int(idx)]
            ref = f"{layout.prefix}{seed % 100:02d}{j + 1:07d}"
            row = layout.write(event, ref)
            if unknown:
                row.append(_pick(("", "called tenant", "left card", "", "no answer"), event.pick))
            rows.append(row)
            person_id = "" if event.person.person_id.startswith("X") else event.person.person_id
            truth.append((layout.agency, ref, person_id))
        # a few rows of bad input, spread through the file
        for b, (file, column, value) in enumerate(_BAD_VALUES):
            if file == layout.file and rows:
                rows[(b * 7919 + seed) % len(rows)][columns.index(column)] = value
        if layout.encoding == "cp1252":
            rows = [[v.replace("'", "\u2019") for v in row] for row in rows]  # O'Brien typed in Word: O’Brien
        path = out_dir / layout.file
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding=layout.encoding, newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(columns)
            writer.writerows(rows)
        if progress:
            progress((k + 1) / len(LAYOUTS))
    with (out_dir / "truth.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["agency", "source_record_id", "person_id"])
        writer.writerows(truth)
    return out_dir
