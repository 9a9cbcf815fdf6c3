"""The trade unions recognised in NHS partnership working (the NHS Staff Council's staff side).

One list, used for a union representative's own union (`User.union`) and for the union a member
names when they ask for representation on their case, so "the rep's own union" is an exact match,
never a comparison of free text.
"""

from django.db import models


class Union(models.TextChoices):
    BAOT = "BAOT", "British Association of Occupational Therapists (RCOT)"
    BDA = "BDA", "British Dietetic Association"
    BMA = "BMA", "British Medical Association"
    CSP = "CSP", "Chartered Society of Physiotherapy"
    FTMS = "FTMS", "Federation of Clinical Scientists"
    GMB = "GMB", "GMB"
    HCSA = "HCSA", "Hospital Consultants and Specialists Association"
    MIP = "MIP", "Managers in Partnership"
    PROSPECT = "PROSPECT", "Prospect"
    RCM = "RCM", "Royal College of Midwives"
    RCN = "RCN", "Royal College of Nursing"
    SCP = "SCP", "Royal College of Podiatry"
    SOR = "SOR", "Society of Radiographers"
    UCATT = "UCATT", "Unite (UCATT section)"
    UNISON = "UNISON", "UNISON"
    UNITE = "UNITE", "Unite the Union"
