"""StreamField blocks for the public pages: the NHS.UK frontend components staff recognise."""

from wagtail import blocks
from wagtailnhsukfrontend.blocks import (
    ActionLinkBlock,
    CareCardBlock,
    DetailsBlock,
    InsetTextBlock,
    WarningCalloutBlock,
)


class BodyBlock(blocks.StreamBlock):
    rich_text = blocks.RichTextBlock(features=["h2", "h3", "bold", "italic", "link", "ol", "ul"])
    inset_text = InsetTextBlock()
    warning_callout = WarningCalloutBlock()
    details = DetailsBlock()
    action_link = ActionLinkBlock()
    care_card = CareCardBlock()
