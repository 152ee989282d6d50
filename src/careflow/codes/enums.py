"""Code lists as enums, generated from careflow/codes/data by `python -m careflow.codes.generate`.

Do not edit: change the YAML and regenerate. Each enum is the union of its list over every collection
year; use :func:`careflow.codes.is_valid` to ask whether a code is valid in a given year.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "AdopterLegalStatus",
    "AdopterSex",
    "AssessmentFactors",
    "CareLeaverAccommodation",
    "CareLeaverActivity",
    "CareLeaverInTouch",
    "CategoryOfAbuse",
    "CategoryOfNeed",
    "CinEthnicity",
    "CinSex",
    "CinYesNo",
    "Disability",
    "Ethnicity",
    "LegalStatus",
    "MissingType",
    "PlacementProvider",
    "PlacementType",
    "PreviousPermanence",
    "PrimaryNeed",
    "ReasonEpisodeCeased",
    "ReasonForClosure",
    "ReasonNewEpisode",
    "ReasonPlacedForAdoptionCeased",
    "ReasonPlacementChange",
    "ReferralSource",
    "ReviewParticipation",
    "SdqReason",
    "Sex",
    "SocialWorkerChangeReason",
    "UpnUnknown",
    "YesNo",
]


class AdopterLegalStatus(StrEnum):
    """ssda903 adopter_legal_status (LS_ADOPTR): Legal status of the adopter(s) (AD1 table)."""

    # Single adopter
    SINGLE = "L0"
    # Married couple (different sex)
    MARRIED_DIFFERENT_SEX = "L11"
    # Married couple (same sex)
    MARRIED_SAME_SEX = "L12"
    # Civil partnership couple
    CIVIL_PARTNERSHIP = "L2"
    # Unmarried couple (different sex)
    UNMARRIED_DIFFERENT_SEX = "L3"
    # Unmarried couple (same sex)
    UNMARRIED_SAME_SEX = "L4"


class AdopterSex(StrEnum):
    """ssda903 adopter_sex (SEX_ADOPTR): Sex of the adopter(s) (AD1 table)."""

    # Male adopter (single)
    MALE_SINGLE = "M1"
    # Female adopter (single)
    FEMALE_SINGLE = "F1"
    # Male couple
    MALE_COUPLE = "MM"
    # Female couple
    FEMALE_COUPLE = "FF"
    # Mixed-sex couple
    MIXED_SEX_COUPLE = "MF"


class CareLeaverAccommodation(StrEnum):
    """ssda903 care_leaver_accommodation (ACCOM): Type of accommodation of the care leaver around their
    birthday; the digit says whether it is suitable (1) or not (2).
    """

    # With parent(s) or relative(s) – suitable
    WITH_PARENTS_OR_RELATIVES_SUITABLE = "B1"
    # With parent(s) or relative(s) – not suitable
    WITH_PARENTS_OR_RELATIVES_NOT_SUITABLE = "B2"
    # Community home or other form of residential care such as an NHS establishment – suitable
    COMMUNITY_HOME_SUITABLE = "C1"
    # Community home or other form of residential care such as an NHS establishment – not suitable
    COMMUNITY_HOME_NOT_SUITABLE = "C2"
    # Semi-independent, transitional accommodation (such as a supported hostel or trainer flats) or
    # self-contained accommodation with specialist or floating support – suitable
    SEMI_INDEPENDENT_SUITABLE = "D1"
    # Semi-independent, transitional accommodation (such as a supported hostel or trainer flats) or
    # self-contained accommodation with specialist or floating support – not suitable
    SEMI_INDEPENDENT_NOT_SUITABLE = "D2"
    # Supported lodgings (accommodation, usually in a family home, where adults of the host family
    # provide formal advice and support) – suitable
    SUPPORTED_LODGINGS_SUITABLE = "E1"
    # Supported lodgings (accommodation, usually in a family home, where adults of the host family
    # provide formal advice and support) – not suitable
    SUPPORTED_LODGINGS_NOT_SUITABLE = "E2"
    # Gone abroad – suitable
    GONE_ABROAD_SUITABLE = "G1"
    # Gone abroad – not suitable
    GONE_ABROAD_NOT_SUITABLE = "G2"
    # Deported – suitable
    DEPORTED_SUITABLE = "H1"
    # Deported – not suitable
    DEPORTED_NOT_SUITABLE = "H2"
    # Ordinary lodgings, without formal support – suitable
    ORDINARY_LODGINGS_SUITABLE = "K1"
    # Ordinary lodgings, without formal support – not suitable
    ORDINARY_LODGINGS_NOT_SUITABLE = "K2"
    # Residence not known – suitable
    RESIDENCE_NOT_KNOWN_SUITABLE = "R1"
    # Residence not known – not suitable
    RESIDENCE_NOT_KNOWN_NOT_SUITABLE = "R2"
    # No fixed abode/homeless – suitable
    NO_FIXED_ABODE_SUITABLE = "S1"
    # No fixed abode/homeless – not suitable
    NO_FIXED_ABODE_NOT_SUITABLE = "S2"
    # Foyers and similar supported accommodation combining accommodation with education, training or
    # employment – suitable
    FOYER_SUITABLE = "T1"
    # Foyers and similar supported accommodation combining accommodation with education, training or
    # employment – not suitable
    FOYER_NOT_SUITABLE = "T2"
    # Independent living, for example independent tenancy of flat, house or bedsit, or accommodation
    # provided by a college or university – suitable
    INDEPENDENT_LIVING_SUITABLE = "U1"
    # Independent living, for example independent tenancy of flat, house or bedsit, or accommodation
    # provided by a college or university – not suitable
    INDEPENDENT_LIVING_NOT_SUITABLE = "U2"
    # Emergency accommodation (such as a night shelter, direct access or emergency hostel) – suitable
    EMERGENCY_ACCOMMODATION_SUITABLE = "V1"
    # Emergency accommodation (such as a night shelter, direct access or emergency hostel) – not
    # suitable
    EMERGENCY_ACCOMMODATION_NOT_SUITABLE = "V2"
    # Bed and breakfast – suitable
    BED_AND_BREAKFAST_SUITABLE = "W1"
    # Bed and breakfast – not suitable
    BED_AND_BREAKFAST_NOT_SUITABLE = "W2"
    # In custody – suitable
    IN_CUSTODY_SUITABLE = "X1"
    # In custody – not suitable
    IN_CUSTODY_NOT_SUITABLE = "X2"
    # Other accommodation – suitable
    OTHER_ACCOMMODATION_SUITABLE = "Y1"
    # Other accommodation – not suitable
    OTHER_ACCOMMODATION_NOT_SUITABLE = "Y2"
    # With former foster carer(s) (staying put) – suitable
    WITH_FORMER_FOSTER_CARERS_SUITABLE = "Z1"
    # With former foster carer(s) (staying put) – not suitable
    WITH_FORMER_FOSTER_CARERS_NOT_SUITABLE = "Z2"
    # Not in touch, or the young person has died or returned home for 6 months or more
    NOT_KNOWN = "0"


class CareLeaverActivity(StrEnum):
    """ssda903 care_leaver_activity (ACTIV): Main activity of the care leaver around their birthday
    (education, employment or training).
    """

    # Full time in higher education (studies beyond A level)
    HIGHER_EDUCATION_FULL_TIME = "F1"
    # Part time in higher education (studies beyond A level)
    HIGHER_EDUCATION_PART_TIME = "P1"
    # Full time in education other than higher education
    OTHER_EDUCATION_FULL_TIME = "F2"
    # Part time in education other than higher education
    OTHER_EDUCATION_PART_TIME = "P2"
    # Full time in an apprenticeship
    APPRENTICESHIP_FULL_TIME = "F4"
    # Part time in an apprenticeship
    APPRENTICESHIP_PART_TIME = "P4"
    # Full time in training or employment (not apprenticeship)
    TRAINING_OR_EMPLOYMENT_FULL_TIME = "F5"
    # Part time in training or employment (not apprenticeship)
    TRAINING_OR_EMPLOYMENT_PART_TIME = "P5"
    # Not in education, employment or training because of illness or disability
    NEET_ILLNESS_OR_DISABILITY = "G4"
    # Not in education, employment or training: other circumstances
    NEET_OTHER = "G5"
    # Not in education, employment or training due to pregnancy or parenting
    NEET_PREGNANCY_OR_PARENTING = "G6"
    # Not in touch, or the young person has died or returned home for 6 months or more
    NOT_KNOWN = "0"


class CareLeaverInTouch(StrEnum):
    """ssda903 care_leaver_in_touch (IN_TOUCH): Whether the local authority is in touch with the care
    leaver around their birthday.
    """

    # Yes – in touch
    YES = "YES"
    # No – not in touch
    NO = "NO"
    # Died after leaving care
    DIED = "DIED"
    # Young person refuses contact
    REFUSES_CONTACT = "REFU"
    # Young person no longer requires children's social care services
    NO_LONGER_REQUIRES_SERVICES = "NREQ"
    # Young person returned to live with parents or someone with parental responsibility for a
    # continuous period of 6 months or more
    RETURNED_HOME = "RHOM"


class CategoryOfNeed(StrEnum):
    """ssda903 category_of_need (CIN): Category of need: the main reason the child started to be looked
    after.
    """

    # Abuse or neglect
    ABUSE_OR_NEGLECT = "N1"
    # Child's disability
    CHILD_DISABILITY = "N2"
    # Parental illness or disability
    PARENTAL_ILLNESS_OR_DISABILITY = "N3"
    # Family in acute stress
    FAMILY_IN_ACUTE_STRESS = "N4"
    # Family dysfunction
    FAMILY_DYSFUNCTION = "N5"
    # Socially unacceptable behaviour
    SOCIALLY_UNACCEPTABLE_BEHAVIOUR = "N6"
    # Low income
    LOW_INCOME = "N7"
    # Absent parenting
    ABSENT_PARENTING = "N8"


class Ethnicity(StrEnum):
    """ssda903 ethnicity (ETHNIC): Ethnic origin of the child (the extended DfE ethnicity codes)."""

    # White British
    WHITE_BRITISH = "WBRI"
    # White Irish
    WHITE_IRISH = "WIRI"
    # Traveller of Irish heritage
    TRAVELLER_OF_IRISH_HERITAGE = "WIRT"
    # Any other White background
    ANY_OTHER_WHITE = "WOTH"
    # Gypsy/Roma
    GYPSY_ROMA = "WROM"
    # White and Black Caribbean
    WHITE_AND_BLACK_CARIBBEAN = "MWBC"
    # White and Black African
    WHITE_AND_BLACK_AFRICAN = "MWBA"
    # White and Asian
    WHITE_AND_ASIAN = "MWAS"
    # Any other mixed background
    ANY_OTHER_MIXED = "MOTH"
    # Indian
    INDIAN = "AIND"
    # Pakistani
    PAKISTANI = "APKN"
    # Bangladeshi
    BANGLADESHI = "ABAN"
    # Any other Asian background
    ANY_OTHER_ASIAN = "AOTH"
    # Caribbean
    CARIBBEAN = "BCRB"
    # African
    AFRICAN = "BAFR"
    # Any other Black background
    ANY_OTHER_BLACK = "BOTH"
    # Chinese
    CHINESE = "CHNE"
    # Any other ethnic group
    ANY_OTHER_ETHNIC_GROUP = "OOTH"
    # Refused
    REFUSED = "REFU"
    # Information not yet obtained
    NOT_OBTAINED = "NOBT"


class LegalStatus(StrEnum):
    """ssda903 legal_status (LS): Legal status of the child during the episode (the order or section under
    which the child is looked after).
    """

    # Interim care order
    INTERIM_CARE_ORDER = "C1"
    # Full care order
    FULL_CARE_ORDER = "C2"
    # Freeing order granted
    FREEING_ORDER = "D1"
    # Placement order granted
    PLACEMENT_ORDER = "E1"
    # Single period of accommodation under section 20 (Children Act 1989)
    SECTION_20_SINGLE_PERIOD = "V2"
    # Accommodated under an agreed series of short-term breaks, when individual episodes of care are
    # recorded
    SHORT_BREAKS_EPISODES_RECORDED = "V3"
    # Accommodated under an agreed series of short-term breaks, when agreements are recorded (not
    # individual episodes of care)
    SHORT_BREAKS_AGREEMENTS_RECORDED = "V4"
    # Under police protection and in local authority accommodation
    POLICE_PROTECTION = "L1"
    # Emergency protection order (EPO)
    EMERGENCY_PROTECTION_ORDER = "L2"
    # Under child assessment order and in local authority accommodation
    CHILD_ASSESSMENT_ORDER = "L3"
    # Remanded to local authority accommodation or to youth detention accommodation
    REMANDED = "J1"
    # Placed in local authority accommodation under the Police and Criminal Evidence Act 1984, including
    # secure accommodation
    POLICE_AND_CRIMINAL_EVIDENCE_ACT = "J2"
    # Sentenced to a youth rehabilitation order with residence or intensive fostering requirement
    YOUTH_REHABILITATION_ORDER = "J3"


class MissingType(StrEnum):
    """ssda903 missing_type (MISSING): Whether an episode of absence was missing from care or away from
    placement without authorisation.
    """

    # Missing from care: whereabouts not known
    MISSING = "M"
    # Away from placement without authorisation: whereabouts known
    AWAY_WITHOUT_AUTHORISATION = "A"


class PlacementProvider(StrEnum):
    """ssda903 placement_provider (PLACE_PROVIDER): Placement provider: who provides the placement."""

    # Parent(s) or other person(s) with parental responsibility
    PARENTS = "PR0"
    # Own provision (by the local authority), including a regional adoption agency where the child's
    # responsible local authority is the host authority
    OWN_LOCAL_AUTHORITY = "PR1"
    # Other local authority provision, including a regional adoption agency where another local
    # authority is the host authority
    OTHER_LOCAL_AUTHORITY = "PR2"
    # Other public provision (for example, a primary care trust)
    OTHER_PUBLIC = "PR3"
    # Private provision
    PRIVATE = "PR4"
    # Voluntary/third sector provision
    VOLUNTARY = "PR5"


class PlacementType(StrEnum):
    """ssda903 placement_type (PLACE): Placement type: where and with whom the child is placed during the
    episode (PL in the XML return, PLACE in the CSV tables).
    """

    # Placed for adoption with parental/guardian consent with current foster carer(s) (section 19,
    # Adoption and Children Act 2002) or with a freeing order where consent was given
    ADOPTION_CONSENT_CURRENT_FOSTER_CARER = "A3"
    # Placed for adoption with parental/guardian consent not with current foster carer(s) (section 19,
    # Adoption and Children Act 2002) or with a freeing order where consent was given
    ADOPTION_CONSENT_NOT_CURRENT_FOSTER_CARER = "A4"
    # Placed for adoption with placement order with current foster carer(s) (section 21, Adoption and
    # Children Act 2002) or with a freeing order where consent was dispensed with
    ADOPTION_PLACEMENT_ORDER_CURRENT_FOSTER_CARER = "A5"
    # Placed for adoption with placement order not with current foster carer(s) (section 21, Adoption
    # and Children Act 2002) or with a freeing order where consent was dispensed with
    ADOPTION_PLACEMENT_ORDER_NOT_CURRENT_FOSTER_CARER = "A6"
    # Semi-independent living accommodation not subject to children's homes regulations
    SEMI_INDEPENDENT_LIVING = "H5"
    # Secure children's home
    SECURE_CHILDRENS_HOME = "K1"
    # Children's home subject to Children's Homes Regulations
    CHILDRENS_HOME = "K2"
    # Placed with own parent(s) or other person(s) with parental responsibility
    WITH_PARENTS = "P1"
    # Independent living, for example in a flat, lodgings, bedsit, bed and breakfast (B&B) or with
    # friends, with or without formal support
    INDEPENDENT_LIVING = "P2"
    # Residential employment
    RESIDENTIAL_EMPLOYMENT = "P3"
    # Residential care home
    RESIDENTIAL_CARE_HOME = "R1"
    # NHS/health trust or other establishment providing medical or nursing care
    NHS_OR_HEALTH_TRUST = "R2"
    # Family centre or mother and baby unit
    FAMILY_CENTRE_OR_MOTHER_AND_BABY_UNIT = "R3"
    # Young offender institution (YOI)
    YOUNG_OFFENDER_INSTITUTION = "R5"
    # All residential schools, except where dual-registered as a school and children's home
    RESIDENTIAL_SCHOOL = "S1"
    # All types of temporary move
    TEMPORARY_MOVE = "T0"
    # Temporary periods in hospital
    TEMPORARY_HOSPITAL = "T1"
    # Temporary absences of the child on holiday
    TEMPORARY_HOLIDAY = "T2"
    # Temporary accommodation whilst normal foster carer(s) is/are on holiday
    TEMPORARY_CARER_HOLIDAY = "T3"
    # Temporary accommodation of seven days or less, for any reason, not covered by codes T1 to T3
    TEMPORARY_SEVEN_DAYS_OR_LESS = "T4"
    # Foster placement with relative(s) or friend(s) – long-term fostering
    FOSTER_RELATIVE_FRIEND_LONG_TERM = "U1"
    # Foster placement with relative(s) or friend(s) who is/are also an approved adopter(s) – fostering
    # for adoption/concurrent planning
    FOSTER_RELATIVE_FRIEND_FOSTERING_FOR_ADOPTION = "U2"
    # Foster placement with relative(s) or friend(s) – not long-term or fostering for
    # adoption/concurrent planning
    FOSTER_RELATIVE_FRIEND_OTHER = "U3"
    # Foster placement with other foster carer(s) – long-term fostering
    FOSTER_OTHER_CARER_LONG_TERM = "U4"
    # Foster placement with other foster carer(s) who is/are also an approved adopter(s) – fostering for
    # adoption/concurrent planning
    FOSTER_OTHER_CARER_FOSTERING_FOR_ADOPTION = "U5"
    # Foster placement with other foster carer(s) – not long-term or fostering for adoption/concurrent
    # planning
    FOSTER_OTHER_CARER_OTHER = "U6"
    # Other placements (must be listed on a schedule sent to DfE with the annual submission)
    OTHER_PLACEMENT = "Z1"
    # Registered supported accommodation (Ofsted-registered, Supported Accommodation (England)
    # Regulations 2023)
    REGISTERED_SUPPORTED_ACCOMMODATION = "K3"
    # Other placement, sub-code Z11 (replaces part of Z1 from 2025-26)
    OTHER_PLACEMENT_Z11 = "Z11"
    # Other placement, sub-code Z12 (replaces part of Z1 from 2025-26)
    OTHER_PLACEMENT_Z12 = "Z12"
    # Other placement, sub-code Z13 (replaces part of Z1 from 2025-26)
    OTHER_PLACEMENT_Z13 = "Z13"
    # Other placement, sub-code Z14 (replaces part of Z1 from 2025-26)
    OTHER_PLACEMENT_Z14 = "Z14"


class PreviousPermanence(StrEnum):
    """ssda903 previous_permanence (PREV_PERM): Whether the child had a permanence order (adoption,
    special guardianship, child arrangements) before this period of care.
    """

    # Adoption
    ADOPTION = "P1"
    # Special guardianship order (SGO)
    SPECIAL_GUARDIANSHIP_ORDER = "P2"
    # Residence order (RO) or child arrangements order (CAO) which sets out with whom the child is to
    # live
    CHILD_ARRANGEMENTS_ORDER = "P3"
    # Unknown
    UNKNOWN = "P4"
    # Child has not previously had a permanence option
    NONE = "Z1"


class ReasonEpisodeCeased(StrEnum):
    """ssda903 reason_episode_ceased (REC): Reason episode ceased: why the episode ended (X1 when a new
    episode follows the same day, the E codes when the child left care).
    """

    # Episode ceases, and new episode begins on same day, for any reason
    EPISODE_ENDS_CARE_CONTINUES = "X1"
    # Adopted – application for an adoption order unopposed
    ADOPTED_UNOPPOSED = "E11"
    # Adopted – consent dispensed with by the court
    ADOPTED_CONSENT_DISPENSED = "E12"
    # Left care to live with parent(s), relative(s), or other person(s) with no parental responsibility
    LEFT_CARE_TO_LIVE_WITH_OTHERS_NO_PR = "E13"
    # Accommodation on remand ended
    REMAND_ENDED = "E14"
    # Age assessment determined child is aged 18 or over and E5, E6 and E7 do not apply
    AGE_ASSESSED_18_OR_OVER = "E15"
    # Child moved abroad
    MOVED_ABROAD = "E16"
    # Aged 18 (or over) and remained with current carers (including under staying put arrangements)
    AGED_18_STAYED_WITH_CARERS = "E17"
    # Died
    DIED = "E2"
    # Care taken over by another local authority in the UK
    CARE_TAKEN_OVER_BY_ANOTHER_LA = "E3"
    # Residence order or child arrangements order (which sets out with whom the child is to live)
    # granted
    CHILD_ARRANGEMENTS_ORDER = "E41"
    # Special guardianship order made to former foster carer(s), who was/are a relative(s) or friend(s)
    SGO_FORMER_FOSTER_CARER_RELATIVE_FRIEND = "E45"
    # Special guardianship order made to former foster carer(s), other than relative(s) or friend(s)
    SGO_FORMER_FOSTER_CARER_OTHER = "E46"
    # Special guardianship order made to carer(s), other than former foster carer(s), who was/are a
    # relative(s) or friend(s)
    SGO_OTHER_CARER_RELATIVE_FRIEND = "E47"
    # Special guardianship order made to carer(s), other than former foster carer(s), other than
    # relative(s) or friend(s)
    SGO_OTHER_CARER_OTHER = "E48"
    # Returned home to live with parent(s), relative(s), or other person(s) with parental responsibility
    # as part of the care planning process
    RETURNED_HOME_PLANNED = "E4A"
    # Returned home to live with parent(s), relative(s), or other person(s) with parental responsibility
    # which was not part of the current care planning process
    RETURNED_HOME_NOT_PLANNED = "E4B"
    # Moved into independent living arrangement and no longer looked after: supportive accommodation
    # providing formalised advice/support arrangements
    INDEPENDENT_LIVING_WITH_SUPPORT = "E5"
    # Moved into independent living arrangement and no longer looked after: accommodation providing no
    # formalised advice/support arrangements
    INDEPENDENT_LIVING_WITHOUT_SUPPORT = "E6"
    # Transferred to residential care funded by adult social care services
    ADULT_SOCIAL_CARE = "E7"
    # Period of being looked after ceased for any other reason (where none of the other reasons apply)
    OTHER_REASON = "E8"
    # Sentenced to custody
    SENTENCED_TO_CUSTODY = "E9"


class ReasonNewEpisode(StrEnum):
    """ssda903 reason_new_episode (RNE): Reason for new episode: why a new episode of care started (a
    child starting to be looked after, or a change of legal status, placement or carer).
    """

    # Started to be looked after
    STARTED_TO_BE_LOOKED_AFTER = "S"
    # Change of legal status only
    CHANGE_OF_LEGAL_STATUS_ONLY = "L"
    # Change of placement and carer(s) only
    CHANGE_OF_PLACEMENT_AND_CARER = "P"
    # Change of placement (but same carer(s)) only
    CHANGE_OF_PLACEMENT_SAME_CARER = "T"
    # Change of legal status and placement and carer(s) at the same time
    CHANGE_OF_LEGAL_STATUS_PLACEMENT_AND_CARER = "B"
    # Change of legal status and change of placement (but same carer(s)) at the same time
    CHANGE_OF_LEGAL_STATUS_AND_PLACEMENT_SAME_CARER = "U"


class ReasonPlacedForAdoptionCeased(StrEnum):
    """ssda903 reason_placed_for_adoption_ceased (REASON_PLACED_CEASED): Reason the child should no longer
    be placed for adoption (placed-for-adoption table).
    """

    # The child's needs changed subsequent to the decision
    PLAN_CHANGED_TO_REMAIN_IN_CARE = "RD1"
    # The court did not make a placement order
    COURT_REFUSED_ORDER = "RD2"
    # Prospective adopters could not be found
    PROSPECTIVE_ADOPTERS_NOT_FOUND = "RD3"
    # Any other reason
    OTHER = "RD4"


class ReasonPlacementChange(StrEnum):
    """ssda903 reason_placement_change (REASON_PLACE_CHANGE): Reason for placement change: why the child's
    placement changed.
    """

    # Change to/implementation of care plan
    CARE_PLAN = "CARPL"
    # Resignation/closure of provision
    PROVISION_CLOSED = "CLOSE"
    # Allegation (s47)
    ALLEGATION = "ALLEG"
    # Standards of care concern
    STANDARDS_OF_CARE = "STAND"
    # Approval removed
    APPROVAL_REMOVED = "APPRR"
    # Carer(s) requests placement end due to child's behaviour
    CARER_REQUEST_CHILD_BEHAVIOUR = "CREQB"
    # Carer(s) requests placement end other than due to child's behaviour
    CARER_REQUEST_OTHER = "CREQO"
    # Child requests placement end
    CHILD_REQUEST = "CHILD"
    # Responsible/area authority requests placement end
    LOCAL_AUTHORITY_REQUEST = "LAREQ"
    # Change in the status of placement only
    STATUS_CHANGE_ONLY = "PLACE"
    # Custody arrangement
    CUSTODY_ARRANGEMENT = "CUSTOD"
    # Other
    OTHER = "OTHER"


class ReviewParticipation(StrEnum):
    """ssda903 review_participation (REVIEW_CODE): Method of participation of the child in a looked-after
    review.
    """

    # Child aged under 4 at the time of the review
    UNDER_4 = "PN0"
    # Child physically attends and speaks for him or herself
    ATTENDS_AND_SPEAKS = "PN1"
    # Child physically attends and an advocate speaks on his or her behalf
    ATTENDS_ADVOCATE_SPEAKS = "PN2"
    # Child attends and conveys his or her view symbolically (non-verbally)
    ATTENDS_CONVEYS_SYMBOLICALLY = "PN3"
    # Child physically attends but does not speak, convey a view symbolically or ask an advocate to
    # speak for him or her
    ATTENDS_WITHOUT_CONTRIBUTION = "PN4"
    # Child does not attend physically but briefs an advocate to speak for him or her
    ABSENT_ADVOCATE_BRIEFED = "PN5"
    # Child does not attend but conveys his or her feelings to the review by a facilitative medium
    ABSENT_VIEWS_BY_MEDIUM = "PN6"
    # Child does not attend nor are his or her views conveyed to the review
    ABSENT_NO_VIEWS = "PN7"


class SdqReason(StrEnum):
    """ssda903 sdq_reason (SDQ_REASON): Reason no strengths and difficulties questionnaire (SDQ) score was
    returned.
    """

    # No form returned as child was aged under 4 or over 16 at date of latest assessment
    AGE_OUT_OF_RANGE = "SDQ1"
    # Carer(s) refused to complete and return questionnaire
    CARER_REFUSED = "SDQ2"
    # Not possible to complete the questionnaire due to severity of the child's disability
    CHILD_DISABILITY = "SDQ3"
    # Other
    OTHER = "SDQ4"
    # Child or young person refuses to allow an SDQ to be completed
    CHILD_REFUSED = "SDQ5"


class Sex(StrEnum):
    """ssda903 sex (SEX): Sex of the child (header and UASC tables)."""

    # Male
    MALE_1 = "1"
    # Female
    FEMALE_2 = "2"
    # Male
    MALE = "M"
    # Female
    FEMALE = "F"
    # Unknown or not recorded
    UNKNOWN = "U"


class SocialWorkerChangeReason(StrEnum):
    """ssda903 social_worker_change_reason (SW_REASON): Reason for a change of the child's allocated
    social worker (social worker episodes table, new in 2023-24).
    """

    # Management decision (for example, change of team or caseload balancing)
    MANAGEMENT_DECISION = "MANAGE"
    # Fixed-term or agency contract ended
    FIXED_TERM_CONTRACT_ENDED = "FCONTA"
    # Social worker left the role
    LEFT_ROLE = "LEFTRL"
    # Organisational restructure
    ORGANISATIONAL_RESTRUCTURE = "ORGRST"
    # Transfer between teams or processes as the case progressed
    TRANSFER_BETWEEN_PROCESSES = "TSPROC"
    # Social worker absence (for example, sickness or parental leave)
    ABSENCE = "ABSENC"
    # Child requested a change
    CHILD_REQUESTED_CHANGE = "CHCHAN"
    # Parent or carer requested a change
    PARENT_CARER_REQUESTED_CHANGE = "PCCHAN"
    # Social worker died
    SOCIAL_WORKER_DIED = "SWDIED"
    # Other
    OTHER = "OTHERS"


class YesNo(StrEnum):
    """ssda903 yes_no (MOTHER, FOSTER_CARE, CONVICTED, HEALTH_CHECK, IMMUNISATIONS, TEETH_CHECK,
    HEALTH_ASSESSMENT, SUBSTANCE_MISUSE, INTERVENTION_RECEIVED, INTERVENTION_OFFERED): The 0/1 flags of
    the return (header MOTHER, AD1 FOSTER_CARE and the OC2 health and offending checks).
    """

    # No
    NO = "0"
    # Yes
    YES = "1"


class AssessmentFactors(StrEnum):
    """cin assessment_factors (AssessmentFactors): Factors identified at the end of an assessment (one or
    more per assessment).
    """

    # Alcohol misuse: concerns about alcohol misuse by the child
    ALCOHOL_MISUSE_CHILD = "1A"
    # Alcohol misuse: concerns about alcohol misuse by the parent(s)/carer(s)
    ALCOHOL_MISUSE_PARENT = "1B"
    # Alcohol misuse: concerns about alcohol misuse by another person living in the household
    ALCOHOL_MISUSE_OTHER = "1C"
    # Drug misuse: concerns about drug misuse by the child
    DRUG_MISUSE_CHILD = "2A"
    # Drug misuse: concerns about drug misuse by the parent(s)/carer(s)
    DRUG_MISUSE_PARENT = "2B"
    # Drug misuse: concerns about drug misuse by another person living in the household
    DRUG_MISUSE_OTHER = "2C"
    # Domestic violence: concerns about the child being the subject of domestic violence
    DOMESTIC_VIOLENCE_CHILD = "3A"
    # Domestic violence: concerns about the child's parent(s)/carer(s) being the subject of domestic
    # violence
    DOMESTIC_VIOLENCE_PARENT = "3B"
    # Domestic violence: concerns about another person living in the household being the subject of
    # domestic violence
    DOMESTIC_VIOLENCE_OTHER = "3C"
    # Mental health: concerns about the mental health of the child
    MENTAL_HEALTH_CHILD = "4A"
    # Mental health: concerns about the mental health of the parent(s)/carer(s)
    MENTAL_HEALTH_PARENT = "4B"
    # Mental health: concerns about the mental health of another person in the family/household
    MENTAL_HEALTH_OTHER = "4C"
    # Learning disability: concerns about the child's learning disability
    LEARNING_DISABILITY_CHILD = "5A"
    # Learning disability: concerns about the parent(s)/carer(s) learning disability
    LEARNING_DISABILITY_PARENT = "5B"
    # Learning disability: concerns about another person in the family/household's learning disability
    LEARNING_DISABILITY_OTHER = "5C"
    # Physical disability or illness: concerns about a physical disability or illness of the child
    PHYSICAL_DISABILITY_CHILD = "6A"
    # Physical disability or illness: concerns about a physical disability or illness of the
    # parent(s)/carer(s)
    PHYSICAL_DISABILITY_PARENT = "6B"
    # Physical disability or illness: concerns about a physical disability or illness of another person
    # in the family/household
    PHYSICAL_DISABILITY_OTHER = "6C"
    # Young carer: concerns that services may be required or the child's health or development may be
    # impaired due to their caring responsibilities
    YOUNG_CARER = "7A"
    # Privately fostered: overseas children who intend to return
    PRIVATELY_FOSTERED_OVERSEAS_RETURN = "8B"
    # Privately fostered: overseas children who intend to stay
    PRIVATELY_FOSTERED_OVERSEAS_STAY = "8C"
    # Privately fostered: UK children in educational placements
    PRIVATELY_FOSTERED_UK_EDUCATION = "8D"
    # Privately fostered: UK children making alternative family arrangements
    PRIVATELY_FOSTERED_UK_FAMILY_ARRANGEMENT = "8E"
    # Privately fostered: other
    PRIVATELY_FOSTERED_OTHER = "8F"
    # Unaccompanied asylum-seeking child: concerns that services may be required or the child may be at
    # risk of harm
    UASC = "9A"
    # Missing: concerns that services may be required or the child may be at risk of harm due to
    # going/being missing
    MISSING = "10A"
    # Child sexual exploitation: concerns that services may be required or the child may be at risk of
    # harm
    CHILD_SEXUAL_EXPLOITATION = "11A"
    # Trafficking: concerns that services may be required or the child may be at risk of harm
    TRAFFICKING = "12A"
    # Gangs: concerns that services may be required or the child may be at risk of harm because of
    # involvement in/with gangs
    GANGS = "13A"
    # Socially unacceptable behaviour: concerns that services may be required or the child may be at
    # risk
    SOCIALLY_UNACCEPTABLE_BEHAVIOUR = "14A"
    # Self-harm: concerns that services may be required or the child may be at risk of harm due to
    # suspected/actual self-harming
    SELF_HARM = "15A"
    # Abuse or neglect – neglect
    NEGLECT = "16A"
    # Abuse or neglect – emotional abuse
    EMOTIONAL_ABUSE = "17A"
    # Abuse or neglect – physical abuse (child on child)
    PHYSICAL_ABUSE_CHILD_ON_CHILD = "18B"
    # Abuse or neglect – physical abuse (adult on child)
    PHYSICAL_ABUSE_ADULT_ON_CHILD = "18C"
    # Abuse or neglect – sexual abuse (child on child)
    SEXUAL_ABUSE_CHILD_ON_CHILD = "19B"
    # Abuse or neglect – sexual abuse (adult on child)
    SEXUAL_ABUSE_ADULT_ON_CHILD = "19C"
    # Other
    OTHER = "20"
    # No factors identified (only where there is no evidence of any factor and no further action is
    # being taken)
    NO_FACTORS_IDENTIFIED = "21"
    # Female genital mutilation (FGM): concerns that services may be required or the child may be at
    # risk
    FEMALE_GENITAL_MUTILATION = "22A"
    # Abuse linked to faith or belief: concerns that services may be required or the child may be at
    # risk
    ABUSE_LINKED_TO_FAITH_OR_BELIEF = "23A"
    # Child criminal exploitation: concerns that services may be required or the child may be at risk of
    # harm
    CHILD_CRIMINAL_EXPLOITATION = "24A"


class CategoryOfAbuse(StrEnum):
    """cin category_of_abuse (InitialCategoryOfAbuse, LatestCategoryOfAbuse): Category of abuse of a child
    protection plan, at its start and latest.
    """

    # Neglect
    NEGLECT = "NEG"
    # Physical abuse
    PHYSICAL_ABUSE = "PHY"
    # Sexual abuse
    SEXUAL_ABUSE = "SAB"
    # Emotional abuse
    EMOTIONAL_ABUSE = "EMO"
    # Multiple/not recommended
    MULTIPLE = "MUL"


class Disability(StrEnum):
    """cin disability (Disability): Disability of the child (one or more per child; NONE when the child
    has no disability).
    """

    # No disability
    NONE = "NONE"
    # Mobility
    MOBILITY = "MOB"
    # Hand function
    HAND_FUNCTION = "HAND"
    # Personal care
    PERSONAL_CARE = "PC"
    # Incontinence
    INCONTINENCE = "INC"
    # Communication
    COMMUNICATION = "COMM"
    # Learning
    LEARNING = "LD"
    # Hearing
    HEARING = "HEAR"
    # Vision
    VISION = "VIS"
    # Behaviour
    BEHAVIOUR = "BEH"
    # Consciousness
    CONSCIOUSNESS = "CON"
    # Autism
    AUTISM = "AUT"
    # Other
    OTHER = "DDA"


class CinEthnicity(StrEnum):
    """cin ethnicity (Ethnicity): Ethnic origin of the child (the extended DfE ethnicity codes)."""

    # White British
    WHITE_BRITISH = "WBRI"
    # White Irish
    WHITE_IRISH = "WIRI"
    # Traveller of Irish heritage
    TRAVELLER_OF_IRISH_HERITAGE = "WIRT"
    # Any other White background
    ANY_OTHER_WHITE = "WOTH"
    # Gypsy/Roma
    GYPSY_ROMA = "WROM"
    # White and Black Caribbean
    WHITE_AND_BLACK_CARIBBEAN = "MWBC"
    # White and Black African
    WHITE_AND_BLACK_AFRICAN = "MWBA"
    # White and Asian
    WHITE_AND_ASIAN = "MWAS"
    # Any other mixed background
    ANY_OTHER_MIXED = "MOTH"
    # Indian
    INDIAN = "AIND"
    # Pakistani
    PAKISTANI = "APKN"
    # Bangladeshi
    BANGLADESHI = "ABAN"
    # Any other Asian background
    ANY_OTHER_ASIAN = "AOTH"
    # Caribbean
    CARIBBEAN = "BCRB"
    # African
    AFRICAN = "BAFR"
    # Any other Black background
    ANY_OTHER_BLACK = "BOTH"
    # Chinese
    CHINESE = "CHNE"
    # Any other ethnic group
    ANY_OTHER_ETHNIC_GROUP = "OOTH"
    # Refused
    REFUSED = "REFU"
    # Information not yet obtained
    NOT_OBTAINED = "NOBT"


class PrimaryNeed(StrEnum):
    """cin primary_need (PrimaryNeedCode): Primary need at assessment: the main reason the child is in
    need.
    """

    # Abuse or neglect
    ABUSE_OR_NEGLECT = "N1"
    # Child's disability
    CHILD_DISABILITY = "N2"
    # Parental disability or illness
    PARENTAL_DISABILITY_OR_ILLNESS = "N3"
    # Family in acute stress
    FAMILY_IN_ACUTE_STRESS = "N4"
    # Family dysfunction
    FAMILY_DYSFUNCTION = "N5"
    # Socially unacceptable behaviour
    SOCIALLY_UNACCEPTABLE_BEHAVIOUR = "N6"
    # Low income
    LOW_INCOME = "N7"
    # Absent parenting
    ABSENT_PARENTING = "N8"
    # Cases other than children in need
    NOT_A_CHILD_IN_NEED = "N9"
    # Not stated
    NOT_STATED = "N0"


class ReasonForClosure(StrEnum):
    """cin reason_for_closure (ReasonForClosure): Reason the child in need episode closed."""

    # Adopted
    ADOPTED = "RC1"
    # Died
    DIED = "RC2"
    # Child arrangements order
    CHILD_ARRANGEMENTS_ORDER = "RC3"
    # Special guardianship order
    SPECIAL_GUARDIANSHIP_ORDER = "RC4"
    # Transferred to services of another local authority
    TRANSFERRED_TO_ANOTHER_LA = "RC5"
    # Transferred to adult social care services
    TRANSFERRED_TO_ADULT_SOCIAL_CARE = "RC6"
    # Services ceased for any other reason, including child no longer in need
    SERVICES_CEASED_OTHER = "RC7"
    # Case closed after assessment, no further action
    CLOSED_AFTER_ASSESSMENT_NFA = "RC8"
    # Case closed after assessment, referred to early help
    CLOSED_AFTER_ASSESSMENT_EARLY_HELP = "RC9"


class ReferralSource(StrEnum):
    """cin referral_source (ReferralSource): Source of the referral to children's social care."""

    # Individual – family member, relative or carer
    INDIVIDUAL_FAMILY_MEMBER = "1A"
    # Individual – acquaintance (including neighbours and child minders)
    INDIVIDUAL_ACQUAINTANCE = "1B"
    # Individual – self
    INDIVIDUAL_SELF = "1C"
    # Individual – other (including strangers)
    INDIVIDUAL_OTHER = "1D"
    # Schools
    SCHOOLS = "2A"
    # Education services
    EDUCATION_SERVICES = "2B"
    # Health services – general practitioner (GP)
    HEALTH_GP = "3A"
    # Health services – health visitor
    HEALTH_VISITOR = "3B"
    # Health services – school nurse
    HEALTH_SCHOOL_NURSE = "3C"
    # Health services – other primary health services
    HEALTH_OTHER_PRIMARY = "3D"
    # Health services – A&E (accident and emergency department)
    HEALTH_A_AND_E = "3E"
    # Health services – other (for example hospice)
    HEALTH_OTHER = "3F"
    # Housing – local authority housing or housing association
    HOUSING = "4"
    # LA services – social care, for example adults' social care services
    LA_SOCIAL_CARE = "5A"
    # LA services – other internal (department other than social care, for example youth offending,
    # excluding housing)
    LA_OTHER_INTERNAL = "5B"
    # LA services – external, for example from another local authority's adults' social care services
    LA_EXTERNAL = "5C"
    # LA services – early help
    LA_EARLY_HELP = "5D"
    # Police
    POLICE = "6"
    # Other legal agency – including courts, probation, immigration, CAFCASS or prison
    OTHER_LEGAL_AGENCY = "7"
    # Other – including children's centres, independent agency providers or voluntary organisations
    OTHER = "8"
    # Anonymous
    ANONYMOUS = "9"
    # Unknown
    UNKNOWN = "10"


class CinSex(StrEnum):
    """cin sex (Sex): Sex of the child (Sex replaced GenderCurrent from 2024-25; U for an unborn child)."""

    # Male
    MALE_1 = "1"
    # Female
    FEMALE_2 = "2"
    # Not recorded or unborn
    NOT_RECORDED_OR_UNBORN = "0"
    # Indeterminate
    INDETERMINATE = "9"
    # Male
    MALE = "M"
    # Female
    FEMALE = "F"
    # Unknown, including unborn children
    UNKNOWN = "U"


class UpnUnknown(StrEnum):
    """cin upn_unknown (UPNunknown): Reason a child has no unique pupil number (UPN)."""

    # Child is not of school age (aged under 6) and not yet attending school
    NOT_OF_SCHOOL_AGE = "UN1"
    # Child has never attended a state school in England
    NEVER_ATTENDED_STATE_SCHOOL_IN_ENGLAND = "UN2"
    # Child is educated outside England
    EDUCATED_OUTSIDE_ENGLAND = "UN3"
    # Child is new to the local authority and the UPN is not yet known
    UPN_NOT_YET_KNOWN = "UN4"
    # Sources collating UPNs show discrepancies for the child's name or date of birth, preventing
    # reliable matching
    UPN_DISCREPANCY = "UN5"
    # Child is unborn
    UNBORN = "UN6"
    # Referral with no further action
    REFERRAL_NO_FURTHER_ACTION = "UN7"


class CinYesNo(StrEnum):
    """cin yes_no (ReferralNFA, ICPCnotRequired, FGDMMeetingOffer, FGDMMeetingFac): The census's boolean
    flags, including from 2025-26 the family group decision-making flags of the pre-proceedings block:
    FGDMMeetingOffer (a family group decision-making meeting was offered) and FGDMMeetingFac (one was
    facilitated). The schema also accepts TRUE/FALSE in capitals.
    """

    # Yes
    YES = "1"
    # No
    NO = "0"
    # True (yes)
    TRUE = "true"
    # False (no)
    FALSE = "false"
