"""Public pages in the NHS.UK design, edited in Wagtail.

`GuaranteePage` holds a promise made to staff (an employment commitment, a framework, an FAQ),
linked to the change programmes it applies to, so `/my/` can show each person the ones that
apply to them.
"""

from django.db import models
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.blocks import BodyBlock
from cms.cache import PublicPageMixin


class HomePage(PublicPageMixin, Page):
    """The staff-facing site's front page: what is happening and where to read the promises."""

    intro = models.TextField(blank=True)
    body = StreamField(BodyBlock(), blank=True)

    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["guarantee_indexes"] = GuaranteeIndexPage.objects.child_of(self).live()
        return context


class GuaranteeIndexPage(PublicPageMixin, Page):
    """Lists the guarantees, frameworks and FAQs published for staff."""

    intro = models.TextField(blank=True)

    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.GuaranteePage"]

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["guarantees"] = (
            GuaranteePage.objects.child_of(self).live().public().order_by("title")
        )
        return context


class GuaranteePage(PublicPageMixin, Page):
    """One promise to staff: what it says, who it covers, which programmes it applies to, and
    when it is next reviewed."""

    class Kind(models.TextChoices):
        GUARANTEE = "guarantee", "Employment guarantee"
        FRAMEWORK = "framework", "National employment framework"
        FAQ = "faq", "Questions and answers"

    class Covers(models.TextChoices):
        EVERYONE = "everyone", "Everyone affected"
        BELOW_BOARD = "below_board", "Staff below board level"
        BOARD = "board", "Board-level staff"

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.GUARANTEE)
    summary = models.TextField(help_text="One or two sentences staff see in lists.")
    covers = models.CharField(max_length=20, choices=Covers.choices, default=Covers.EVERYONE)
    programmes = ParentalManyToManyField(
        "tracker.Programme",
        blank=True,
        related_name="guarantee_pages",
        help_text="The change programmes this applies to.",
    )
    source = models.CharField(
        max_length=300, blank=True, help_text="Where the promise comes from (document, date)."
    )
    review_on = models.DateField(null=True, blank=True, help_text="When it is next reviewed.")
    body = StreamField(BodyBlock(), blank=True)

    parent_page_types = ["cms.GuaranteeIndexPage"]
    subpage_types: list[str] = []

    content_panels = [
        *Page.content_panels,
        FieldPanel("kind"),
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldPanel("covers"),
                FieldPanel("programmes"),
                FieldPanel("source"),
                FieldPanel("review_on"),
            ],
            heading="Who and what it applies to",
        ),
        FieldPanel("body"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("kind"),
    ]

    def applies_to_board_level(self, is_board_level: bool) -> bool:
        if self.covers == self.Covers.EVERYONE:
            return True
        return (self.covers == self.Covers.BOARD) == is_board_level
