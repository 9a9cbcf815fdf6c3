"""Signing in through the real forms: the second factor for everyone who can see named cases or
change data, enrolment as part of signing in, recovery codes, staff straight in, and lockout.

Codes are worked out here from the secret by RFC 6238 (checked against the RFC's own test
vector), not by the code under test.
"""

import base64
import hashlib
import hmac
import re
import struct
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from axes.models import AccessAttempt
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command

from tests import factories
from tracker import roles

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # base32; any fixed secret will do
PRIVILEGED = [
    roles.HR_MANAGER,
    roles.UNION_REP,
    roles.AUDITOR,
    roles.PARTNERSHIP_APPROVER,
    roles.CMS_EDITOR,
]


def rfc6238(secret_b32: str, at: float | None = None, digits: int = 6) -> str:
    key = base64.b32decode(secret_b32, casefold=True)
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}d}"


def test_the_test_totp_matches_rfc_6238():
    # RFC 6238 appendix B: secret "12345678901234567890", T = 59 s, 8 digits: 94287082.
    rfc_secret = base64.b32encode(b"12345678901234567890").decode()
    assert rfc6238(rfc_secret, at=59, digits=8) == "94287082"
    assert rfc6238(rfc_secret, at=1111111109, digits=8) == "07081804"


@pytest.fixture(autouse=True)
def _fresh_cache():
    # allauth remembers used TOTP codes in the cache (no replay); tests must not share them.
    cache.clear()
    yield
    cache.clear()


def user_with(role=None, *, superuser=False, username=None):
    user = factories.UserFactory(
        username=username or f"u-{(role or 'admin').split()[0].lower()}",
        is_superuser=superuser,
        is_staff=role not in (None, roles.STAFF) or superuser,
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def with_totp(user):
    TOTP.activate(user, SECRET)
    return RecoveryCodes.activate(user)


def sign_in(client, username, password=PASSWORD, next_url=None):
    url = "/login/" + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"login": username, "password": password})


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- privileged users without a second factor are taken to enrol one -------------------------


@pytest.mark.parametrize("role", PRIVILEGED)
def test_privileged_user_without_second_factor_is_taken_to_set_one_up(client, role):
    user_with(role, username="priv")
    response = sign_in(client, "priv")
    assert response.status_code == 302
    assert response["Location"] == "/login/second-factor/set-up/"
    assert not signed_in(client)
    # The admin is out of reach until the set-up is finished.
    admin = client.get("/admin/")
    assert admin.status_code == 302 and admin["Location"].startswith("/login/")


def test_superuser_without_second_factor_is_taken_to_set_one_up(client):
    user_with(None, superuser=True, username="root")
    response = sign_in(client, "root", next_url="/admin/")
    assert response["Location"] == "/login/second-factor/set-up/"
    assert not signed_in(client)


def test_enrolment_wrong_code_is_refused_right_code_shows_recovery_codes_then_signs_in(client):
    user = user_with(roles.HR_MANAGER, username="newhr")
    sign_in(client, "newhr", next_url="/admin/")
    page = client.get("/login/second-factor/set-up/")
    assert page.status_code == 200
    secret = page.context["secret"]
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    assert secret in page.content.decode()

    wrong = f"{(int(rfc6238(secret)) + 1) % 1_000_000:06d}"
    refused = client.post("/login/second-factor/set-up/", {"code": wrong})
    assert refused.status_code == 400
    assert "Incorrect code" in refused.content.decode()
    assert not Authenticator.objects.filter(user=user).exists()
    assert not signed_in(client)

    shown = client.post("/login/second-factor/set-up/", {"code": rfc6238(secret)})
    assert shown.status_code == 200
    codes = re.findall(r"<code>(\w+)</code>", shown.content.decode())
    assert len(codes) == 10
    assert set(Authenticator.objects.filter(user=user).values_list("type", flat=True)) == {
        "totp",
        "recovery_codes",
    }
    assert not signed_in(client)  # not until they say they have kept the codes

    done = client.post("/login/second-factor/set-up/", {"action": "continue"})
    assert done.status_code == 302 and done["Location"] == "/admin/"
    assert signed_in(client)
    assert client.get("/admin/").status_code == 200


def test_returning_to_the_set_up_page_after_enrolling_finishes_without_a_second_device(client):
    user = user_with(roles.AUDITOR, username="aud2")
    sign_in(client, "aud2")
    secret = client.get("/login/second-factor/set-up/").context["secret"]
    client.post("/login/second-factor/set-up/", {"code": rfc6238(secret)})
    response = client.get("/login/second-factor/set-up/")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert Authenticator.objects.filter(user=user, type="totp").count() == 1
    assert signed_in(client)


def test_enrolment_page_cannot_be_reached_without_a_password_first(client):
    response = client.get("/login/second-factor/set-up/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    response = client.post("/login/second-factor/set-up/", {"action": "continue"})
    assert response.status_code == 302 and not signed_in(client)


def test_continue_before_enrolling_does_not_sign_in(client):
    user_with(roles.UNION_REP, username="rep1")
    sign_in(client, "rep1")
    client.get("/login/second-factor/set-up/")
    response = client.post("/login/second-factor/set-up/", {"action": "continue"})
    assert response.status_code == 302
    assert response["Location"] == "/login/second-factor/set-up/"
    assert not signed_in(client)


# --- privileged users with a second factor are asked for a code -------------------------------


def test_with_second_factor_asks_for_code_refuses_a_wrong_one_and_takes_the_right_one(client):
    user = user_with(roles.AUDITOR, username="aud")
    with_totp(user)
    response = sign_in(client, "aud", next_url="/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert not signed_in(client)
    assert client.get("/admin/").status_code == 302

    wrong = f"{(int(rfc6238(SECRET)) + 1) % 1_000_000:06d}"
    refused = client.post("/accounts/2fa/authenticate/", {"code": wrong})
    assert refused.status_code == 200
    assert "Incorrect code" in refused.content.decode()
    assert not signed_in(client)

    accepted = client.post("/accounts/2fa/authenticate/", {"code": rfc6238(SECRET)})
    assert accepted.status_code == 302 and accepted["Location"] == "/admin/"
    assert signed_in(client)
    assert client.get("/admin/").status_code == 200


def test_without_next_a_privileged_user_lands_in_the_admin(client):
    with_totp(user_with(roles.HR_MANAGER, username="hrx"))
    sign_in(client, "hrx")
    response = client.post("/accounts/2fa/authenticate/", {"code": rfc6238(SECRET)})
    assert response["Location"] == "/admin/"


def test_a_recovery_code_signs_in_once_only(client):
    user = user_with(roles.CMS_EDITOR, username="ed")
    code = with_totp(user).get_unused_codes()[0]

    sign_in(client, "ed")
    response = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert response.status_code == 302 and signed_in(client)
    client.post("/logout/")
    assert not signed_in(client)

    sign_in(client, "ed")
    again = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert again.status_code == 200
    assert "Incorrect code" in again.content.decode()
    assert not signed_in(client)


def test_the_same_totp_code_cannot_be_replayed(client):
    with_totp(user_with(roles.HR_MANAGER, username="hry"))
    code = rfc6238(SECRET)
    sign_in(client, "hry")
    client.post("/accounts/2fa/authenticate/", {"code": code})
    client.post("/logout/")
    sign_in(client, "hry")
    again = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert again.status_code == 200 and not signed_in(client)


def test_wagtail_login_form_is_not_a_way_round(client):
    with_totp(user_with(roles.HR_MANAGER, username="hrz"))
    response = client.post("/admin/login/", {"username": "hrz", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")
    assert not signed_in(client)
    assert client.get("/admin/login/?next=/admin/pages/")["Location"] == (
        "/login/?next=%2Fadmin%2Fpages%2F"
    )
    assert client.get("/admin/login/?next=https://evil.example/")["Location"] == (
        "/login/?next=%2Fadmin%2F"
    )


def test_admin_sends_anonymous_visitors_to_the_one_sign_in(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/admin/"


def test_privileged_user_cannot_remove_their_authenticator_app_but_staff_can():
    from allauth.mfa.adapter import get_adapter

    hr, staff = user_with(roles.HR_MANAGER, username="hrw"), user_with(roles.STAFF, username="sw")
    with_totp(hr)
    with_totp(staff)
    adapter = get_adapter()
    assert not adapter.can_delete_authenticator(Authenticator.objects.get(user=hr, type="totp"))
    assert adapter.can_delete_authenticator(Authenticator.objects.get(user=staff, type="totp"))


def test_the_admin_account_page_links_to_the_second_factor_settings(client):
    client.force_login(user_with(roles.HR_MANAGER, username="hrv"))
    response = client.get("/admin/account/")
    assert response.status_code == 200
    assert 'href="/accounts/2fa/"' in response.content.decode()
    assert client.get("/accounts/2fa/").status_code == 200


# --- staff ------------------------------------------------------------------------------------


def test_staff_without_second_factor_go_straight_to_their_record(client):
    user_with(roles.STAFF, username="jo")
    response = sign_in(client, "jo")
    assert response.status_code == 302 and response["Location"] == "/my/"
    assert signed_in(client)
    assert client.get("/my/").status_code == 200


def test_staff_who_enrolled_are_asked_for_their_code(client):
    with_totp(user_with(roles.STAFF, username="jo2"))
    response = sign_in(client, "jo2")
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert not signed_in(client)


def test_a_wrong_password_is_refused_with_a_message(client):
    user_with(roles.STAFF, username="jo3")
    response = sign_in(client, "jo3", password="nope")
    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert not signed_in(client)


def test_nobody_can_sign_up(client):
    response = client.post(
        "/accounts/signup/",
        {"username": "intruder", "password1": "Zq!8xw-long-pass", "password2": "Zq!8xw-long-pass"},
    )
    assert not factories.UserFactory._meta.model.objects.filter(username="intruder").exists()
    assert response.status_code == 200


# --- lockout ----------------------------------------------------------------------------------


def test_twenty_wrong_passwords_then_the_right_one_is_refused(client):
    user_with(roles.STAFF, username="target")
    for _ in range(20):
        sign_in(client, "target", password="wrong-guess")
    response = sign_in(client, "target")
    assert response.status_code == 429
    assert "This account is locked" in response.content.decode()
    assert not signed_in(client)
    assert client.get("/my/").status_code == 302


def test_lockout_starts_at_the_fifth_failure(client):
    user_with(roles.STAFF, username="five")
    for _ in range(4):
        assert sign_in(client, "five", password="wrong").status_code == 200
    assert sign_in(client, "five", password="wrong").status_code == 429
    assert sign_in(client, "five").status_code == 429


def test_the_lock_is_on_the_account_from_that_address_not_the_address(client):
    user_with(roles.STAFF, username="locked")
    user_with(roles.STAFF, username="colleague")
    for _ in range(5):
        sign_in(client, "locked", password="wrong")
    # A colleague behind the same address (an NHS site's one egress) still signs in.
    response = sign_in(client, "colleague")
    assert response.status_code == 302 and signed_in(client)


def test_a_forged_forwarded_for_header_does_not_escape_the_lock(client):
    user_with(roles.STAFF, username="forger")
    for n in range(5):
        client.post(
            "/login/",
            {"login": "forger", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}",
        )
    response = client.post(
        "/login/", {"login": "forger", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="10.9.9.9"
    )
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


def test_behind_a_trusted_proxy_the_lock_is_keyed_on_the_real_client(client, settings):
    settings.TRANSITION_TRUSTED_PROXY_COUNT = 1
    user_with(roles.STAFF, username="proxied")
    for _ in range(5):
        client.post(
            "/login/",
            {"login": "proxied", "password": "wrong"},
            HTTP_X_FORWARDED_FOR="spoofed, 203.0.113.7",
        )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}
    # Same account from another real client is not locked.
    other = client.post(
        "/login/", {"login": "proxied", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="198.51.100.2"
    )
    assert other.status_code == 302


def test_username_case_does_not_reset_the_count(client):
    user_with(roles.STAFF, username="casey")
    for name in ("casey", "CASEY", "Casey", "cAsEy", "CASEy"):
        sign_in(client, name, password="wrong")
    assert sign_in(client, "casey").status_code == 429


def test_an_administrator_unlocks_the_account(client):
    user_with(roles.STAFF, username="unlockme")
    for _ in range(6):
        sign_in(client, "unlockme", password="wrong")
    assert sign_in(client, "unlockme").status_code == 429
    call_command("axes_reset_username", "unlockme")
    response = sign_in(client, "unlockme")
    assert response.status_code == 302 and signed_in(client)


def test_a_successful_sign_in_clears_earlier_failures(client):
    user_with(roles.STAFF, username="typo")
    for _ in range(4):
        sign_in(client, "typo", password="wrong")
    sign_in(client, "typo")
    client.post("/logout/")
    for _ in range(4):
        sign_in(client, "typo", password="wrong")
    assert sign_in(client, "typo").status_code == 302


# --- unlocking from the admin -----------------------------------------------------------------


def _lock(client, username):
    for _ in range(5):
        sign_in(client, username, password="wrong-guess")


def test_a_superuser_sees_locks_and_unlocks_with_a_reason(client, caplog):
    user_with(roles.STAFF, username="lockedout")
    _lock(client, "lockedout")
    # What axes keeps of the attempt never includes the password typed.
    assert "wrong-guess" not in "".join(AccessAttempt.objects.values_list("post_data", flat=True))

    admin = user_with(None, superuser=True, username="root2")
    client.force_login(admin)
    page = client.get("/admin/sign-in-locks/")
    assert page.status_code == 200
    assert "lockedout" in page.content.decode() and "Locked" in page.content.decode()

    refused = client.post("/admin/sign-in-locks/", {"username": "lockedout", "reason": " "})
    assert refused.status_code == 302
    assert AccessAttempt.objects.filter(username="lockedout").exists()

    with caplog.at_level("INFO", logger="tracker.signin"):
        client.post(
            "/admin/sign-in-locks/",
            {"username": "lockedout", "reason": "Identity checked by phone"},
        )
    assert not AccessAttempt.objects.filter(username="lockedout").exists()
    assert "root2" in caplog.text and "Identity checked by phone" in caplog.text

    client.post("/logout/")
    assert sign_in(client, "lockedout").status_code == 302


def test_the_locks_screen_is_flat_in_queries(client, django_assert_max_num_queries):
    from django.utils import timezone

    AccessAttempt.objects.bulk_create(
        AccessAttempt(
            username=f"user{n}",
            ip_address=f"10.0.0.{n}",
            user_agent="test",
            get_data="",
            post_data="",
            http_accept="*/*",
            path_info="/login/",
            failures_since_start=n % 7,
            attempt_time=timezone.now(),
        )
        for n in range(60)
    )
    client.force_login(user_with(None, superuser=True, username="root3"))
    client.get("/admin/sign-in-locks/")
    with django_assert_max_num_queries(12):
        response = client.get("/admin/sign-in-locks/")
    assert response.content.decode().count('name="username" value="user') == 60


@pytest.mark.parametrize("role", PRIVILEGED)
def test_only_superusers_may_see_or_clear_locks(client, role):
    user_with(roles.STAFF, username="stillocked")
    _lock(client, "stillocked")
    client.force_login(user_with(role, username="notroot"))
    # Wagtail answers a refused admin view by sending the user back to the dashboard.
    response = client.get("/admin/sign-in-locks/")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    response = client.post("/admin/sign-in-locks/", {"username": "stillocked", "reason": "x"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert AccessAttempt.objects.filter(username="stillocked").exists()
