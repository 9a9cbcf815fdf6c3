"""Entitlement calculators for NHS reorganisations: pure functions over dated rule data.

Nothing here touches the database, so the case screens, the `estimate` command and the tests all
run the same arithmetic. Start with `estimate_entitlements`; the date helpers in `dates` are the
one place the project counts years, ages and months.
"""

from employment.rules.dates import (
    add_months,
    age_on,
    complete_statutory_weeks,
    complete_years,
    four_weeks_beginning_with,
)
from employment.rules.mars import MarsResult, mars
from employment.rules.notice import (
    NoticeResult,
    contractual_notice_months,
    contractual_notice_weeks,
    notice,
    notice_due_weeks,
    statutory_notice_weeks,
)
from employment.rules.pension import EarlyRetirementResult, early_retirement, minimum_pension_age
from employment.rules.redundancy import (
    AfcRedundancyResult,
    Entitlements,
    RedundancyPayable,
    StatutoryRedundancyResult,
    StatutoryYear,
    VoluntaryRedundancyResult,
    afc_redundancy,
    estimate_entitlements,
    redundancy_payable,
    statutory_redundancy,
    voluntary_redundancy,
)
from employment.rules.relevant_date import RelevantDate, statutory_relevant_date
from employment.rules.rule_sets import NoRuleSetInForce, RuleSetUsed
from employment.rules.service import ServicePeriod, ServiceSegment, ServiceSummary, service_summary

__all__ = [
    "AfcRedundancyResult",
    "EarlyRetirementResult",
    "Entitlements",
    "MarsResult",
    "NoRuleSetInForce",
    "NoticeResult",
    "RedundancyPayable",
    "RelevantDate",
    "RuleSetUsed",
    "ServicePeriod",
    "ServiceSegment",
    "ServiceSummary",
    "StatutoryRedundancyResult",
    "StatutoryYear",
    "VoluntaryRedundancyResult",
    "add_months",
    "afc_redundancy",
    "age_on",
    "complete_statutory_weeks",
    "complete_years",
    "contractual_notice_months",
    "contractual_notice_weeks",
    "early_retirement",
    "estimate_entitlements",
    "four_weeks_beginning_with",
    "mars",
    "minimum_pension_age",
    "notice",
    "notice_due_weeks",
    "redundancy_payable",
    "service_summary",
    "statutory_notice_weeks",
    "statutory_redundancy",
    "statutory_relevant_date",
    "voluntary_redundancy",
]
