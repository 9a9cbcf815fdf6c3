"""Reads in the employment app that several screens share.

- `access`: who sees which case, consultation and offer, and the log of named-case views;
- `cases`: one case's clocks and status timeline;
- `register`: the redeployment register and its matching, in SQL;
- `summaries`: aggregated figures with small-number suppression.
"""

from employment.selectors.access import (
    can_change_cases,
    can_see_all_cases,
    case_employers_visible_to,
    case_for_viewer,
    cases_changeable_by,
    cases_visible_to,
    consultations_changeable_by,
    consultations_visible_to,
    is_logged_viewer,
    log_case_views,
    offers_changeable_by,
    offers_visible_to,
    register_visible_to,
    sees_priority_flag,
    viewer_role,
)
from employment.selectors.cases import Clock, StatusChange, case_clocks, case_status_timeline
from employment.selectors.register import (
    matching_bands,
    post_matches_case,
    priority_cases_waiting,
    redeployment_matches,
    register_cases,
    set_match_counts,
    vacant_posts,
    with_match_counts,
)
from employment.selectors.summaries import (
    FEWER_THAN_5,
    AtRiskFigure,
    at_risk_summary_for_rep,
    shown_count,
    suppress_group,
    threshold_band,
)

__all__ = [
    "FEWER_THAN_5",
    "AtRiskFigure",
    "Clock",
    "StatusChange",
    "at_risk_summary_for_rep",
    "can_change_cases",
    "can_see_all_cases",
    "case_clocks",
    "case_employers_visible_to",
    "case_for_viewer",
    "case_status_timeline",
    "cases_changeable_by",
    "cases_visible_to",
    "consultations_changeable_by",
    "consultations_visible_to",
    "is_logged_viewer",
    "log_case_views",
    "matching_bands",
    "offers_changeable_by",
    "offers_visible_to",
    "post_matches_case",
    "priority_cases_waiting",
    "redeployment_matches",
    "register_cases",
    "register_visible_to",
    "sees_priority_flag",
    "set_match_counts",
    "shown_count",
    "suppress_group",
    "threshold_band",
    "vacant_posts",
    "viewer_role",
    "with_match_counts",
]
