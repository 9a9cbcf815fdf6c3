"""Template filters for figures: `{% load tracker_format %}` then `{{ post.wte|wte }}`."""

from django import template

from tracker.formatting import format_wte

register = template.Library()


@register.filter
def wte(value):
    """A WTE as people write it ("69.4", "1"); blank for nothing recorded."""
    if value is None or value == "":
        return ""
    return format_wte(value)
