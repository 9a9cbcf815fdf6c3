"""The demo site's guarantee pages, with real text, published the way real pages are.

Each page is written by the demo editor, submitted to Partnership approval and approved by the
demo approver, so the demo shows the proper path (a revision by the editor, an approval and a
publish by the approver in the page history). The text is our own summary of the public facts
in `shared/product.md` and `shared/domain-rules.md`, written for the member of staff reading it.

Idempotent: a page whose live content already matches is left alone; a page whose content
differs (for example one seeded empty by an earlier version) gets one new revision through the
same workflow.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from wagtail.models import TaskState

from cms.models import GuaranteeIndexPage, GuaranteePage, HomePage
from cms.publishing import sync_publishing

INDEX_SLUG = "guarantees"
INDEX_TITLE = "Guarantees and frameworks"
INDEX_INTRO = "The commitments made to staff affected by the changes, and who they cover."


def _rich(html: str) -> dict:
    return {"type": "rich_text", "value": " ".join(html.split())}


def _inset(html: str) -> dict:
    return {"type": "inset_text", "value": {"body": " ".join(html.split())}}


@dataclass(frozen=True)
class PageText:
    slug: str
    title: str
    kind: str
    covers: str
    summary: str
    source: str
    body: list[dict] = field(default_factory=list)  # StreamField data, as stored
    review_on: dt.date | None = None


K, C = GuaranteePage.Kind, GuaranteePage.Covers

PAGES = [
    PageText(
        slug="employment-commitment",
        title="Employment commitment",
        kind=K.GUARANTEE,
        covers=C.BELOW_BOARD,
        summary=(
            "Staff below board level move to the integrated care board on their existing terms "
            "and conditions, keep their continuous NHS service, and are offered continued "
            "employment."
        ),
        source=(
            "NHS England, employment commitment (June 2021); HR framework for developing "
            "integrated care boards (August 2021)"
        ),
        body=[
            _rich("""
                <h2>What the commitment promises</h2>
                <p>When the 106 clinical commissioning groups were replaced by 42 integrated care
                boards on 1 July 2022, NHS England made a commitment to the staff affected. This
                employment commitment is a guarantee that, if you were below board level, you
                would:</p>
                <ul>
                <li>transfer to the new organisation with your job, on your current terms and
                conditions (often called "lift and shift");</li>
                <li>keep your continuous NHS service, so your service dates do not start
                again;</li>
                <li>be offered continued employment if you want it.</li>
                </ul>
                <p>The aim was to keep change for staff to a minimum while the organisations
                changed around them.</p>
                <h2>How the transfer happened</h2>
                <p>Staff moved by transfer schemes made under the NHS Act 2006, run in line with
                the TUPE regulations and the Cabinet Office Statement of Practice on staff
                transfers. You did not need to apply for your job or sign a new contract.</p>
            """),
            _inset("""
                <p>Board-level roles were not covered by this commitment. See the page on
                board-level roles.</p>
            """),
        ],
    ),
    PageText(
        slug="board-level-roles",
        title="Board-level roles",
        kind=K.FRAMEWORK,
        covers=C.BOARD,
        summary=(
            "Board-level roles are not covered by the employment commitment: they are "
            "designated or displaced roles, otherwise redundancy on contractual terms."
        ),
        source="HR framework for developing integrated care boards (August 2021)",
        body=[
            _rich("""
                <h2>If you hold a board-level role</h2>
                <p>The employment commitment did not apply to board-level posts. For these roles
                the new organisation either designated a matching role in its own board, or the
                role was displaced. If no suitable role was found, redundancy followed on your
                contractual terms, including NHS redundancy pay for your reckonable service.</p>
                <p>You keep the same rights as everyone else to consultation, to be considered
                for suitable alternative employment, and to a trial period in a new role.</p>
            """),
        ],
    ),
    PageText(
        slug="continuity-of-service",
        title="Continuity of service",
        kind=K.GUARANTEE,
        covers=C.EVERYONE,
        summary=(
            "Your continuous NHS service belongs to you and carries on when your employer "
            "changes: a transfer never resets your service dates."
        ),
        source="NHS Terms and Conditions of Service (Agenda for Change), Section 16",
        body=[
            _rich("""
                <h2>Your service moves with you</h2>
                <p>Your continuous NHS service is a record of you, not of your employer. When
                your post transfers to a new NHS organisation, your service carries on from the
                date it started. It counts towards your annual leave, sick pay and any
                redundancy payment.</p>
                <h2>Gaps between NHS jobs</h2>
                <ul>
                <li>For NHS redundancy pay, a gap between NHS jobs of no more than one week
                keeps your service continuous.</li>
                <li>Earlier NHS service can still count if the break was 12 months or less.</li>
                <li>Service that was already paid for in an earlier NHS redundancy does not
                count again.</li>
                <li>If you drew your NHS pension and returned to work (retire and return or
                partial retirement), service before you drew it does not count.</li>
                </ul>
                <p>Statutory redundancy pay, set by law, uses a stricter test: any complete week
                without a contract breaks continuity.</p>
            """),
        ],
    ),
    PageText(
        slug="national-employment-frameworks",
        title="National employment frameworks",
        kind=K.FRAMEWORK,
        covers=C.EVERYONE,
        summary=(
            "The frameworks agreed nationally with the NHS trade unions set out how posts are "
            "matched, how people are redeployed and who has priority."
        ),
        source="HR framework for developing integrated care boards; NHS Employers guidance",
        body=[
            _rich("""
                <h2>How people are matched to posts</h2>
                <p>The national employment frameworks were negotiated with the NHS trade unions.
                They set out a fair and open process for everyone affected by a change:</p>
                <ul>
                <li><b>Slotting in</b>: where a new post closely matches your current one, you
                move into it.</li>
                <li><b>Ring-fenced competition</b>: where there are fewer posts than people,
                those affected compete for them first, before anyone else can apply.</li>
                <li><b>Redeployment</b>: if you are at risk, you join a redeployment register
                and get a priority interview for suitable vacancies.</li>
                </ul>
                <h2>Who has first call on suitable vacancies</h2>
                <p>Since 6 April 2024, if you are pregnant, or on or back from maternity,
                adoption or shared parental leave, you must be offered a suitable vacancy
                before others, for up to 18 months after the birth or placement.</p>
                <h2>Consultation</h2>
                <p>Where 20 or more redundancies are proposed at one place within 90 days, your
                employer must consult the unions for at least 30 days before the first
                dismissal, or 45 days where 100 or more are proposed.</p>
            """),
        ],
    ),
    PageText(
        slug="voluntary-redundancy-scheme",
        title="Voluntary redundancy scheme",
        kind=K.FRAMEWORK,
        covers=C.EVERYONE,
        summary=(
            "How the national voluntary redundancy scheme pays, who decides, and the clawback "
            "if you are re-employed in the public sector soon after leaving."
        ),
        source="National model voluntary redundancy scheme (2025); Agenda for Change Section 16",
        review_on=dt.date(2027, 3, 31),
        body=[
            _rich("""
                <h2>What the scheme pays</h2>
                <p>The national voluntary redundancy scheme pays the same as NHS redundancy pay
                under Agenda for Change Section 16:</p>
                <ul>
                <li>one month's pay for each complete year of reckonable service, up to 24
                months;</li>
                <li>a month's pay is the better for you of one twelfth of your salary and 4.35
                weeks' pay;</li>
                <li>the salary used is at least £23,000 and at most £80,000 (pro rata if you
                work part time).</li>
                </ul>
                <h2>How it works</h2>
                <p>You can ask to be considered. Your employer decides whether to accept, and
                you sign a settlement agreement before you leave. The NHS trade unions did not
                endorse the scheme.</p>
                <h2>Clawback: paying it back</h2>
                <p>If you are re-employed by an NHS employer, an arm's-length body or a
                government department within 6 months of leaving, you must repay the payment.
                For very senior managers and large packages the clawback period is 12
                months.</p>
            """),
        ],
    ),
    PageText(
        slug="mutually-agreed-resignation-scheme",
        title="Mutually agreed resignation scheme (MARS)",
        kind=K.FRAMEWORK,
        covers=C.EVERYONE,
        summary=(
            "MARS lets you resign with a payment where you and your employer agree. It is a "
            "resignation, not a redundancy."
        ),
        source="NHS Terms and Conditions of Service (Agenda for Change), Section 20",
        review_on=dt.date(2027, 3, 31),
        body=[
            _rich("""
                <h2>What MARS is</h2>
                <p>A mutually agreed resignation scheme (MARS) lets you leave with a payment
                when both you and your employer agree. It is a resignation, not a redundancy,
                so it is offered before anyone is made redundant.</p>
                <ul>
                <li>You need at least 12 months' service.</li>
                <li>The salary used for the payment is at most £80,000.</li>
                <li>Each employer's scheme sets the payment. A common pattern is half a month's
                pay for each year of service, at least 3 and at most 12 months' pay: ask your
                HR contact for your employer's figures.</li>
                <li>If you rejoin the NHS within 6 months of leaving, you must repay it.</li>
                </ul>
            """),
        ],
    ),
    PageText(
        slug="redeployment-trial",
        title="Trial period in a new role",
        kind=K.GUARANTEE,
        covers=C.EVERYONE,
        summary=(
            "If you are offered another role, you can try it for four weeks without losing "
            "your redundancy rights."
        ),
        source="Employment Rights Act 1996, section 138",
        body=[
            _rich("""
                <h2>Four weeks to try the role</h2>
                <p>If your post is at risk and you are offered a different role as suitable
                alternative employment, you have a trial period of four calendar weeks in it.
                The four weeks include the day you start: a trial that starts on 1 May ends on
                28 May.</p>
                <p>The trial can be longer only if it is agreed in writing before it starts, for
                retraining.</p>
                <h2>If the role does not suit you</h2>
                <p>If you or your employer decide during the trial that the role is not
                suitable, you keep your right to redundancy pay as if the trial had not
                happened. If you turn down an offer that is suitable without a good reason, you
                may lose your statutory redundancy pay, so talk to your HR contact or union
                first.</p>
            """),
        ],
    ),
    PageText(
        slug="union-representation",
        title="How to ask for union representation",
        kind=K.FAQ,
        covers=C.EVERYONE,
        summary=(
            "You can have a union representative with you at any stage. Here is how to ask, "
            "and what is recorded when you do."
        ),
        source="Trade Union and Labour Relations (Consolidation) Act 1992",
        body=[
            _rich("""
                <h2>Asking for a representative</h2>
                <p>You can ask for a union representative at any time: at a consultation
                meeting, when you are told your post is at risk, or before you decide about
                voluntary redundancy or MARS. Tell your HR contact or contact your union
                directly, and they will record your request on your case.</p>
                <h2>What is recorded</h2>
                <ul>
                <li>Your union membership is recorded only if you ask for representation, and
                only on your case.</li>
                <li>Your representative can see your case and its dates only after you ask.
                Otherwise unions see only totals, never names.</li>
                <li>Union membership is never used to select anyone: dismissing or selecting
                someone for redundancy because of union membership or activity is
                automatically unfair.</li>
                </ul>
            """),
        ],
    ),
    PageText(
        slug="your-questions-about-the-transfer",
        title="Your questions about the transfer",
        kind=K.FAQ,
        covers=C.EVERYONE,
        summary=(
            "What moving to the integrated care board means for your pay, pension, service and "
            "union representation."
        ),
        source="",
        body=[
            _rich("""
                <h2>Will my pay change?</h2>
                <p>No. Under the employment commitment staff below board level move on their
                current terms and conditions, including pay and band.</p>
                <h2>What happens to my pension?</h2>
                <p>You stay in the NHS Pension Scheme. Your membership carries on as before.</p>
                <h2>Does my service start again?</h2>
                <p>No. Your continuous NHS service carries on. See the page on continuity of
                service.</p>
                <h2>Where can I see what is happening to my post?</h2>
                <p>Sign in to see your own record. It shows changes to your post once they are
                agreed and announced, your key dates, and the guarantees that apply to you.</p>
            """),
        ],
    ),
]


def _body_data(page) -> list[tuple[str, object]]:
    return [(block["type"], block["value"]) for block in page.body.get_prep_value()]


def _matches(page: GuaranteePage, text: PageText, programme) -> bool:
    return (
        page.live
        and not page.has_unpublished_changes
        and page.title == text.title
        and page.kind == text.kind
        and page.covers == text.covers
        and page.summary == text.summary
        and page.source == text.source
        and page.review_on == text.review_on
        and _body_data(page) == [(b["type"], b["value"]) for b in text.body]
        and (programme is None or page.programmes.filter(pk=programme.pk).exists())
    )


def _publish_through_partnership_approval(page, *, editor, approver) -> None:
    """Submit the page's latest revision as the editor and approve it as the approver, exactly
    as the admin's "Submit to Partnership approval" and "Approve" buttons do."""
    workflow = page.get_workflow()
    if workflow is None:
        raise RuntimeError("No publishing workflow covers the demo pages; run migrate first.")
    if page.workflow_in_progress:
        page.current_workflow_state.cancel(user=editor)
    state = workflow.start(page, editor)
    task_state = state.current_task_state.specific
    task_state.task.specific.on_action(task_state, approver, "approve")
    task_state.refresh_from_db()
    if task_state.status != TaskState.STATUS_APPROVED:
        raise RuntimeError(f"Partnership approval of {page.title!r} did not complete.")


def _write(page, *, editor, approver) -> None:
    page.save_revision(user=editor, log_action=True)
    _publish_through_partnership_approval(page, editor=editor, approver=approver)


@transaction.atomic
def demo_pages_publish(*, programme, editor, approver) -> list[str]:
    """Create or bring up to date the demo guarantee pages; return the titles written (empty
    when everything already matched)."""
    sync_publishing()  # page permissions and the workflow, in case migrate ran before HomePage
    home = HomePage.objects.get()
    written = []
    index = GuaranteeIndexPage.objects.child_of(home).filter(slug=INDEX_SLUG).first()
    if index is None:
        index = home.add_child(
            instance=GuaranteeIndexPage(
                title=INDEX_TITLE, slug=INDEX_SLUG, intro=INDEX_INTRO, live=False, owner=editor
            )
        )
        _write(index, editor=editor, approver=approver)
        written.append(index.title)
    for text in PAGES:
        page = GuaranteePage.objects.child_of(index).filter(slug=text.slug).first()
        if page is not None:
            page = page.get_latest_revision_as_object()
            if _matches(page, text, programme):
                continue
        else:
            page = index.add_child(
                # The owner is the editor review-date reminders go to.
                instance=GuaranteePage(
                    title=text.title,
                    slug=text.slug,
                    summary=text.summary,
                    live=False,
                    owner=editor,
                )
            )
        page.title = text.title
        page.kind = text.kind
        page.covers = text.covers
        page.summary = text.summary
        page.source = text.source
        page.review_on = text.review_on
        page.body = [dict(b) for b in text.body]
        if programme is not None:
            page.programmes.set({*page.programmes.all(), programme})
        _write(page, editor=editor, approver=approver)
        written.append(text.title)
    return written
