"""The cms demo data: the guarantee pages staff read, linked to the demo programmes."""

from __future__ import annotations

from cms.models import GuaranteeIndexPage, GuaranteePage, HomePage


def seed_pages(programmes) -> None:
    """The promises staff were made in 2021-22, as published pages linked to the programme.
    Demo pages are published directly; real ones go through partnership approval."""
    home = HomePage.objects.first()
    if home is None or GuaranteeIndexPage.objects.exists():
        return
    index = home.add_child(
        instance=GuaranteeIndexPage(
            title="Guarantees and frameworks",
            slug="guarantees",
            intro="The commitments made to staff affected by the changes, and who they cover.",
        )
    )
    pages = [
        (
            "Employment commitment",
            GuaranteePage.Kind.GUARANTEE,
            GuaranteePage.Covers.BELOW_BOARD,
            "Staff below board level transfer to the ICB on their existing terms and "
            "conditions, with continuity of service, and are offered continued employment.",
            "NHS England, employment commitment (June 2021); HR framework for developing "
            "ICBs (August 2021)",
        ),
        (
            "Board-level roles",
            GuaranteePage.Kind.FRAMEWORK,
            GuaranteePage.Covers.BOARD,
            "Board-level roles are not covered by the employment commitment: they are "
            "designated or displaced roles, otherwise redundancy on contractual terms.",
            "HR framework for developing ICBs (August 2021)",
        ),
        (
            "Your questions about the transfer",
            GuaranteePage.Kind.FAQ,
            GuaranteePage.Covers.EVERYONE,
            "What moving to the ICB means for your pay, pension, service and union representation.",
            "",
        ),
    ]
    for title, kind, covers, summary, source in pages:
        page = index.add_child(
            instance=GuaranteePage(
                title=title,
                slug=title.lower().replace(" ", "-").replace(",", ""),
                kind=kind,
                covers=covers,
                summary=summary,
                source=source,
            )
        )
        page.programmes.set(programmes)
        page.save_revision().publish()
