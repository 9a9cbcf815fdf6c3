"""The production static files storage: WhiteNoise's compressed, hashed files, without
rewriting source-map comments.

wagtail-nhsuk-frontend's stylesheet ends with a `sourceMappingURL` comment naming a `.css.map`
file the package does not ship, and Django's manifest storage refuses to finish `collectstatic`
over a reference it cannot resolve. Source maps are a development aid; the `url()` and `@import`
references, which pages need, are still rewritten to their hashed names.
"""

from django.contrib.staticfiles.storage import HashedFilesMixin
from whitenoise.storage import CompressedManifestStaticFilesStorage

_CSS_PATTERNS = tuple(
    pattern
    for pattern in dict(HashedFilesMixin.patterns)["*.css"]
    if "sourceMappingURL" not in (pattern if isinstance(pattern, str) else pattern[0])
)


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    patterns = (("*.css", _CSS_PATTERNS),)
