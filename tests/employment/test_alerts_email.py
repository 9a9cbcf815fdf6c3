"""Alert e-mails people can act on, delivered through real transports on loopback: a local SMTP
server (aiosmtpd) and a stub of the GOV.UK Notify API (a local HTTP server); and the transport
chosen from the environment."""

import datetime as dt
import email
import email.policy
import json
import socket
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.exceptions import ImproperlyConfigured

from config.settings.email import email_settings
from employment import alerts
from employment.models import AlertRecipient, Case
from tests.employment.conftest import case_in, user_in
from tests.factories.tracker import OrganisationFactory, PostFactory, StaffMemberFactory
from tracker import roles

S = Case.Status
ON = dt.date(2026, 5, 1)


@pytest.fixture
def halton(db):
    return OrganisationFactory(code="01F", name="NHS Halton CCG")


@pytest.fixture
def raised(halton):
    """A notice alert about Priya Quartermaine for Hana (HR, named) and a rep (anonymised)."""
    user_in(roles.HR_MANAGER, organisations=[halton], username="hana", first_name="Hana")
    user_in(roles.UNION_REP, organisations=[halton], username="rep", first_name="")
    case = case_in(
        S.NOTICE_ISSUED,
        employer=halton,
        post=PostFactory(organisation=halton, band="6", title="Contracts Manager"),
        staff_member=StaffMemberFactory(
            first_name="Priya", last_name="Quartermaine", employee_number="E7654321"
        ),
        notice_starts_on=dt.date(2026, 5, 1),
        notice_ends_on=dt.date(2026, 7, 31),
        exit_on=dt.date(2026, 7, 31),
    )
    alerts.raise_case_status_alert(case=case, status=S.NOTICE_ISSUED, on=ON)
    return case


def _by_user(outbox):
    return {m.to[0].split("@")[0]: m for m in outbox}


# --- the message -------------------------------------------------------------------------------


def test_named_email_has_greeting_what_next_by_when_link_and_sign_off(raised, settings):
    settings.TRANSITION_SITE_URL = "https://tracker.example.nhs.uk"
    settings.DEFAULT_FROM_EMAIL = "Transition Tracker <alerts@tracker.example.nhs.uk>"
    assert alerts.deliver_pending() == 2
    message = _by_user(mail.outbox)["hana"]
    assert message.subject == "A case in NHS Halton CCG needs your attention"
    assert message.from_email == "Transition Tracker <alerts@tracker.example.nhs.uk>"
    text = message.body
    assert text.startswith("Dear Hana,\n")
    assert (
        "Priya Quartermaine (E7654321), Contracts Manager, NHS Halton CCG (01F) has been given "
        "notice of compulsory redundancy with effect from 1 May 2026."
    ) in text
    # The notice ends on 31 July: the case's next date is the deadline.
    assert "What to do next (by 31 July 2026):\nKeep looking for suitable alternative" in text
    link = f"https://tracker.example.nhs.uk/admin/employment/cases/inspect/{raised.pk}/"
    assert f"Open the record: {link}\n" in text
    assert "Thank you,\nTransition Tracker" in text
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    assert "<p>Dear Hana,</p>" in html
    assert 'href="https://tracker.example.nhs.uk/admin/' in html
    assert "What to do next (by 31 July 2026)" in html


def test_anonymised_email_names_nobody_and_links_to_the_figures(raised):
    alerts.deliver_pending()
    message = _by_user(mail.outbox)["rep"]
    assert message.subject == "A case in NHS Halton CCG needs your attention"
    whole = message.subject + message.body + message.alternatives[0][0]
    for secret in ("Priya", "Quartermaine", "E7654321", "Contracts Manager", f"/{raised.pk}/"):
        assert secret not in whole
    assert message.body.startswith("Dear colleague,\n")  # the rep has no first name on file
    assert "Open the record: http://testserver/admin/employment/at-risk/\n" in message.body


def test_no_subject_ever_names_a_person(raised):
    alerts.deliver_pending()
    for message in mail.outbox:
        assert "Priya" not in message.subject and "E7654321" not in message.subject


def test_the_link_follows_the_configured_address_not_a_port_in_code(raised, settings):
    settings.TRANSITION_SITE_URL = None
    settings.WAGTAILADMIN_BASE_URL = "http://127.0.0.1:8103"
    alerts.deliver_pending()
    assert "http://127.0.0.1:8103/admin/" in _by_user(mail.outbox)["hana"].body


# --- SMTP: a real server on loopback -----------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            (envelope.mail_from, list(envelope.rcpt_tos),
             email.message_from_bytes(envelope.content, policy=email.policy.default))
        )
        return "250 OK"


@pytest.fixture
def smtp_server(settings):
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "alerts@tracker.example.nhs.uk"
    yield inbox
    controller.stop()


def test_a_delivered_alert_reaches_a_real_smtp_server_once(raised, smtp_server):
    assert alerts.deliver_pending() == 2
    assert alerts.deliver_pending() == 0
    received = {rcpt[0]: message for _from, rcpt, message in smtp_server.messages}
    assert sorted(received) == ["hana@example.nhs.uk", "rep@example.nhs.uk"]
    message = received["hana@example.nhs.uk"]
    assert message["Subject"] == "A case in NHS Halton CCG needs your attention"
    assert message["From"] == "alerts@tracker.example.nhs.uk"
    assert message["X-Transition-Tracker-Alert"].startswith("alert-recipient-")
    plain = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert plain.startswith("Dear Hana,")
    assert "<p>Dear Hana,</p>" in html
    assert AlertRecipient.objects.filter(emailed_at__isnull=True).count() == 0


def test_smtp_down_then_up_sends_each_once(raised, smtp_server, settings):
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = _free_port()  # nothing listens there
    assert alerts.deliver_pending() == 0
    assert AlertRecipient.objects.filter(emailed_at__isnull=True, email_claim=None).count() == 2
    settings.EMAIL_PORT = port
    assert alerts.deliver_pending() == 2
    assert alerts.deliver_pending() == 0
    assert len(smtp_server.messages) == 2


# --- GOV.UK Notify: a stub of its API on loopback ----------------------------------------------

SERVICE_ID = str(uuid.UUID(int=1))
SECRET = str(uuid.UUID(int=2))
TEMPLATE_ID = str(uuid.UUID(int=3))


class _NotifyStub(BaseHTTPRequestHandler):
    received: list
    fail_next: list

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        token = self.headers["Authorization"].removeprefix("Bearer ")
        claims = jwt.decode(token, SECRET, algorithms=["HS256"])
        if self.fail_next:
            self.fail_next.pop()
            self.send_response(500)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"errors": [{"error": "Exception", "message": "down"}]}')
            return
        self.received.append((self.path, claims, body))
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps({"id": str(uuid.uuid4())}).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def notify(settings):
    handler = type("Handler", (_NotifyStub,), {"received": [], "fail_next": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.EMAIL_BACKEND = "employment.alerts.notify.NotifyEmailBackend"
    settings.GOVUK_NOTIFY_API_KEY = f"test_key-{SERVICE_ID}-{SECRET}"
    settings.GOVUK_NOTIFY_BASE_URL = f"http://127.0.0.1:{server.server_address[1]}"
    settings.GOVUK_NOTIFY_TEMPLATE_IDS = {"alert": TEMPLATE_ID}
    yield handler
    server.shutdown()
    server.server_close()


def test_notify_receives_the_right_payload(raised, notify):
    assert alerts.deliver_pending() == 2
    assert alerts.deliver_pending() == 0
    payloads = {b["email_address"]: (path, claims, b) for path, claims, b in notify.received}
    assert sorted(payloads) == ["hana@example.nhs.uk", "rep@example.nhs.uk"]
    path, claims, body = payloads["hana@example.nhs.uk"]
    assert path == "/v2/notifications/email"
    assert claims["iss"] == SERVICE_ID  # signed with the key's secret, as Notify requires
    assert body["template_id"] == TEMPLATE_ID
    assert body["personalisation"]["subject"] == "A case in NHS Halton CCG needs your attention"
    assert body["personalisation"]["body"].startswith("Dear Hana,")
    row = AlertRecipient.objects.get(user__username="hana")
    assert body["reference"] == f"alert-recipient-{row.pk}"
    rep_text = json.dumps(payloads["rep@example.nhs.uk"][2])
    assert "Quartermaine" not in rep_text


def test_notify_failure_is_retried_and_never_sent_twice(raised, notify):
    notify.fail_next.append(True)
    assert alerts.deliver_pending() == 1
    assert len(notify.received) == 1
    assert alerts.deliver_pending() == 1
    assert alerts.deliver_pending() == 0
    assert sorted(b["email_address"] for _p, _c, b in notify.received) == [
        "hana@example.nhs.uk", "rep@example.nhs.uk",
    ]


def test_notify_without_a_template_is_refused_clearly(settings):
    from employment.alerts.notify import NotifyEmailBackend

    settings.GOVUK_NOTIFY_API_KEY = f"test_key-{SERVICE_ID}-{SECRET}"
    settings.GOVUK_NOTIFY_TEMPLATE_IDS = {"alert": None}
    with pytest.raises(ImproperlyConfigured, match="GOVUK_NOTIFY_ALERT_TEMPLATE_ID"):
        NotifyEmailBackend()


# --- the transport, chosen by the environment --------------------------------------------------


def _env(values):
    def env(name, default=None):
        value = values.get(name)
        return value if value not in (None, "") else default

    return env


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}),
        (
            {"GOVUK_NOTIFY_API_KEY": "k", "EMAIL_URL": "smtp://mail:25",
             "GOVUK_NOTIFY_ALERT_TEMPLATE_ID": "t"},
            {"EMAIL_BACKEND": "employment.alerts.notify.NotifyEmailBackend",
             "GOVUK_NOTIFY_TEMPLATE_IDS": {"alert": "t"}},
        ),
        (
            {"EMAIL_URL": "smtp://user:p%40ss@smtp.example.org:587/?tls=True"},
            {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
             "EMAIL_HOST": "smtp.example.org", "EMAIL_PORT": 587, "EMAIL_HOST_USER": "user",
             "EMAIL_HOST_PASSWORD": "p@ss", "EMAIL_USE_TLS": True, "EMAIL_USE_SSL": False},
        ),
        (
            {"EMAIL_HOST": "relay.nhs.net", "EMAIL_PORT": "25", "EMAIL_USE_TLS": "false"},
            {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
             "EMAIL_HOST": "relay.nhs.net", "EMAIL_PORT": 25, "EMAIL_USE_TLS": False},
        ),
        (
            {"DEFAULT_FROM_EMAIL": "Tracker <t@nhs.net>", "TRANSITION_SITE_URL": "https://t"},
            {"DEFAULT_FROM_EMAIL": "Tracker <t@nhs.net>", "SERVER_EMAIL": "Tracker <t@nhs.net>",
             "TRANSITION_SITE_URL": "https://t"},
        ),
    ],
    ids=["nothing-console", "notify-wins", "email-url", "email-host", "sender-and-site"],
)
def test_transport_from_the_environment(environ, expected):
    chosen = email_settings(_env(environ))
    assert {key: chosen[key] for key in expected} == expected


def test_an_email_url_of_unknown_scheme_is_refused():
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        email_settings(_env({"EMAIL_URL": "smtp+tls://mail.example.org"}))
