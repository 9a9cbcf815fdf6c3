"""Enrolling a second factor as a stage of signing in, and the admin's sign-in pointing here.

The enrolment uses allauth's own pieces (its TOTP form and secret, `TOTP.activate`,
`RecoveryCodes.activate`); what is ours is only that it happens before the user is signed in,
for the user the login stage carries, so a privileged account never has a session without a
second factor.
"""

from __future__ import annotations

import base64
from urllib.parse import urlencode

from allauth.account.internal.decorators import login_stage_required
from allauth.account.internal.stagekit import stash_login
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.base.internal.flows import post_authentication
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.forms import ActivateTOTPForm
from allauth.mfa.totp.internal.auth import TOTP, clear_totp_secret
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from tracker.signin.stages import EnrolSecondFactorStage


@login_stage_required(stage=EnrolSecondFactorStage.key, redirect_urlname="account_login")
def enrol_totp(request: HttpRequest) -> HttpResponse:
    stage = request._login_stage  # set by login_stage_required
    user = stage.login.user
    if stage.state.get("enrolled"):
        # Set up in this sign-in and the codes shown: any further step here finishes it.
        return stage.exit()
    if request.method == "POST" and request.POST.get("action") == "continue":
        return redirect("signin_enrol_totp")

    form = ActivateTOTPForm(user=user, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            totp = TOTP.activate(user, form.secret).instance
            codes = RecoveryCodes.activate(user)
            clear_totp_secret(request)
        # Entering a code from the new device proves possession: it is this sign-in's second
        # factor, recorded as allauth records one.
        post_authentication(request, totp)
        stage.state["enrolled"] = True
        stash_login(request, stage.login)
        return TemplateResponse(
            request,
            "signin/recovery_codes.html",
            {"codes": codes.get_unused_codes(), "user": user},
        )

    adapter = get_mfa_adapter()
    totp_url = adapter.build_totp_url(user, form.secret)
    svg = adapter.build_totp_svg(totp_url)
    return TemplateResponse(
        request,
        "signin/enrol_totp.html",
        {
            "form": form,
            "secret": form.secret,
            "qr_data_uri": "data:image/svg+xml;base64,"
            + base64.b64encode(svg.encode("utf-8")).decode("ascii"),
            "signin_user": user,
        },
        status=400 if request.method == "POST" else 200,
    )


@never_cache
@login_not_required
def admin_login(request: HttpRequest) -> HttpResponse:
    """Wagtail's own login form would sign in without the second factor: /admin/login/ sends
    people to the one sign-in, keeping where they were going."""
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/admin/"
    return redirect(f"{reverse('account_login')}?{urlencode({'next': target or '/admin/'})}")
