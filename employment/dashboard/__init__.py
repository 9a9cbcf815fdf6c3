"""The admin home for HR managers and union representatives: the day's work, in figures.

Two Wagtail home panels (registered in `employment.wagtail_hooks`):

* `CaseworkPanel` (HR managers, auditors, superusers): cases by status, the clocks due in the
  next 14 days and those overdue, and the collective consultations with their minimum-period and
  HR1 dates. HR managers also see the next clocks by name (their own cases); auditors see figures
  only, so a dashboard view is never an unlogged view of a named case.
* `AtRiskPanel` (union representatives): per organisation covered, open cases by status, band and
  directorate with totals, and the trend since the programme began (a chart with a table beside
  it), every count suppressed below 5 (`employment.rules.disclosure`), plus the consultation
  figures and an aggregated download. Never a name.

Each figure is one aggregated query over the user's scope, so the panels cost the same at demo
scale and at 100,000 posts.
"""

from employment.dashboard.at_risk import AtRiskPanel, at_risk_picture, at_risk_rows
from employment.dashboard.casework import CLOCK_RULES, CaseworkPanel, casework

__all__ = [
    "CLOCK_RULES",
    "AtRiskPanel",
    "CaseworkPanel",
    "at_risk_picture",
    "at_risk_rows",
    "casework",
]
