"""Wagtail's chooser widgets without their inline script.

`BaseChooser.render` (in Python, not a template) ends each chooser with
`<script>new Chooser(id, options)</script>` (`PageChooser`, `ImageChooser`, `DocumentChooser`,
`SnippetChooser` alike), and the admin's Content-Security-Policy allows no inline script, so no
chooser opened: not the tracker's post and person choosers, nor Wagtail's page chooser on the
move, copy and redirect forms. `install()` makes every chooser that starts that standard way
carry the call in an inert `<template data-csp-construct ... data-csp-target ...>` instead,
which signin/admin-csp.js makes, as it does for the date pickers and inline panels whose
templates we copy. Wagtail's workflow task chooser (administrators, adding a step to an
approval workflow) starts with a function of its own, `createTaskChooser(id)`; it is carried as
a `<template data-csp-call ...>`, as the date pickers are. A chooser that starts any other way
is left as Wagtail writes it (none of Wagtail's or ours does). Decided in docs/decisions.md,
"National scale, ninth pass" and "tenth pass".
"""

from __future__ import annotations

import json

from django.utils.html import format_html
from django.utils.safestring import SafeString
from wagtail.admin.widgets.chooser import BaseChooser
from wagtail.admin.widgets.workflows import AdminTaskChooser

_wagtail_render = BaseChooser.render
# Choosers whose start is a call of one global function with the widget's id, and that function.
_STARTED_BY_FUNCTION = {AdminTaskChooser: "createTaskChooser"}


def render_carried(self: BaseChooser, name, value, attrs=None, renderer=None) -> SafeString:
    """`BaseChooser.render`, its start carried for admin-csp.js rather than run inline."""
    function = _STARTED_BY_FUNCTION.get(type(self))
    if function is None and type(self).render_js_init is not BaseChooser.render_js_init:
        return _wagtail_render(self, name, value, attrs, renderer)
    if not attrs or "id" not in attrs:
        raise TypeError("A chooser cannot be rendered without an 'id' attribute.")
    id_ = attrs["id"]
    value_data = self.get_value_data(value)
    widget_html = self.render_html(name, value_data, attrs)
    if function is not None:
        return format_html(
            '{}<template data-csp-call="{}" data-csp-target="{}"></template>',
            widget_html,
            function,
            id_,
        )
    return format_html(
        '{}<template data-csp-construct="{}" data-csp-target="{}" data-csp-options="{}">'
        "</template>",
        widget_html,
        self.js_constructor,
        id_,
        json.dumps(self.get_js_init_options(id_, name, value_data)),
    )


def install() -> None:
    """Called once, from `SigninConfig.ready`."""
    BaseChooser.render = render_carried
