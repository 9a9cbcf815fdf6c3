"""The demo stays usable: seed_demo gives every privileged demo user an authenticator, and
`demo_totp USERNAME` prints the code that signs them in (only where demo data is allowed)."""

import base64
import hashlib
import hmac
import io
import struct
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError

from tests import factories
from tracker import roles

pytestmark = pytest.mark.django_db

SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"


def rfc6238(secret_b32: str) -> str:
    key = base64.b32decode(secret_b32)
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def demo_totp(username: str) -> str:
    out = io.StringIO()
    call_command("demo_totp", username, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


def test_seed_demo_gives_privileged_users_an_authenticator_and_the_code_signs_them_in(client):
    call_command("seed_demo", stdout=io.StringIO())
    with_totp = set(
        Authenticator.objects.filter(type="totp").values_list("user__username", flat=True)
    )
    assert with_totp == {"hr", "hr2", "rep", "approver", "editor", "auditor", "admin"}
    assert Authenticator.objects.filter(type="recovery_codes").count() == 7
    secrets = dict(Authenticator.objects.filter(type="totp").values_list("user__username", "data"))

    call_command("seed_demo", stdout=io.StringIO())  # idempotent: same devices
    assert (
        dict(Authenticator.objects.filter(type="totp").values_list("user__username", "data"))
        == secrets
    )

    response = client.post("/login/", {"login": "rep", "password": "transition-demo"})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    response = client.post("/accounts/2fa/authenticate/", {"code": demo_totp("rep")})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200

    client.post("/logout/")
    response = client.post("/login/", {"login": "staff", "password": "transition-demo"})
    assert response["Location"] == "/my/"


def test_demo_totp_prints_the_code_an_authenticator_app_would_show():
    user = factories.UserFactory(username="hrdemo")
    user.groups.add(Group.objects.get(name=roles.HR_MANAGER))
    TOTP.activate(user, SECRET)
    before = rfc6238(SECRET)
    printed = demo_totp("hrdemo")
    assert printed in {before, rfc6238(SECRET)}  # a 30-second step may tick over between
    assert len(printed) == 6 and printed.isdigit()


def test_demo_totp_refuses_outside_demo_settings(settings):
    user = factories.UserFactory(username="hrprod")
    TOTP.activate(user, SECRET)
    settings.TRANSITION_ALLOW_DEMO_DATA = False
    with pytest.raises(CommandError, match="TRANSITION_ALLOW_DEMO_DATA"):
        demo_totp("hrprod")


def test_demo_totp_says_when_there_is_no_such_user_or_no_device():
    with pytest.raises(CommandError, match="No user called"):
        demo_totp("nobody")
    factories.UserFactory(username="nodevice")
    with pytest.raises(CommandError, match="no authenticator"):
        demo_totp("nodevice")
