"""Who django-axes counts a failure against: the account as typed (case-folded, so `HR` and `hr`
are one count) and, through `network.client_ip`, the real client address."""

from __future__ import annotations

from django.http import HttpRequest


def username(request: HttpRequest, credentials: dict | None) -> str | None:
    # allauth authenticates with {"username": ...}; its form posts the field as "login".
    value = (credentials or {}).get("username") or request.POST.get("login")
    return value.strip().casefold() if value else None
