"""The public pages (home, guarantee pages, search) served to anonymous visitors from Django's
cache, and purged whenever any page is published, unpublished, moved or deleted.

Why not Django's own `cache_page` / cache middleware: those key on the `Vary` headers, so with
`Vary: Cookie` they would store one copy per signed-in session in the shared cache. Here only a
request with no session cookie may be answered from, or stored in, the cache; anything a
signed-in person sees is rendered for them and marked `private`. Only responses a view has
explicitly marked public (`mark_public`) are ever stored, so a new view is uncached until
someone decides otherwise.

Purging: every stored entry carries the site-wide version token it was rendered under; any
publish, unpublish, move or delete sets a new token, so every entry is stale at once (the home
page and indexes list other pages, and search covers them all). The token and the entry are
read in one `get_many` (one query on the database cache). Entries also expire after
`CMS_PUBLIC_CACHE_SECONDS` (default 300), which bounds staleness from changes that are not
page events (a programme renamed, the search index catching up in the background worker).

In production the cache must be shared by every worker and host (the settings use the database
cache), or a publish on one worker would not purge another.
"""

from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.core.cache import caches
from django.db.models.signals import post_delete
from django.http import HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from wagtail.models import Page
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

VERSION_KEY = "cms:public:version"
PUBLIC_FLAG = "_cms_public_cacheable"


def _cache():
    return caches[getattr(settings, "CMS_PUBLIC_CACHE_ALIAS", "default")]


def _timeout() -> int:
    return int(getattr(settings, "CMS_PUBLIC_CACHE_SECONDS", 300))


def mark_public(response):
    """Mark a response as the same for every anonymous visitor, so it may be cached."""
    setattr(response, PUBLIC_FLAG, True)
    return response


def public_cache_purge(**kwargs) -> None:
    """Make every cached public page stale (connected to Wagtail's page signals)."""
    _cache().set(VERSION_KEY, uuid.uuid4().hex, None)


def _personal_cookies() -> tuple[str, ...]:
    """Cookies whose presence means the page may be personal: a session (signed in, or a
    password entered for a private page) or pending messages."""
    return (settings.SESSION_COOKIE_NAME, getattr(settings, "MESSAGES_COOKIE_NAME", "messages"))


def _is_anonymous(request) -> bool:
    cookies = request.COOKIES
    return not any(name in cookies for name in _personal_cookies()) and (
        "HTTP_AUTHORIZATION" not in request.META
    )


def _key(request) -> str:
    raw = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    return "cms:public:page:" + hashlib.sha256(raw.encode()).hexdigest()


class PublicPageCacheMiddleware:
    """Answers anonymous GETs of public pages from the cache; stores what views marked public.

    Sits near the top of MIDDLEWARE (after security and static files), so a hit skips sessions,
    authentication, URL routing and Wagtail's page lookup altogether.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        cacheable_request = request.method == "GET" and _is_anonymous(request)
        key = version = None
        if cacheable_request:
            cache = _cache()
            key = _key(request)
            found = cache.get_many([VERSION_KEY, key])
            version = found.get(VERSION_KEY)
            if version is None:
                # Never store under "no version": a later purge could be evicted and let
                # such an entry match again.
                version = uuid.uuid4().hex
                if not cache.add(VERSION_KEY, version, None):
                    version = cache.get(VERSION_KEY)
            entry = found.get(key)
            if entry is not None and version is not None and entry[0] == version:
                return self._from_cache(entry)

        response = self.get_response(request)
        if not getattr(response, PUBLIC_FLAG, False):
            return response
        patch_vary_headers(response, ["Cookie"])
        if not cacheable_request:
            # Someone signed in (or with a session): never to be kept by any shared cache.
            patch_cache_control(response, private=True, no_cache=True)
            return response
        patch_cache_control(response, public=True, no_cache=True)
        if (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and version is not None
        ):
            # Every header the inner middleware and the view set (content type, Vary,
            # Cache-Control, X-Frame-Options...); the outer ones (security) run again on a hit.
            headers = dict(response.items())
            _cache().set(key, (version, response.content, headers), _timeout())
        response["X-Public-Cache"] = "miss"
        return response

    @staticmethod
    def _from_cache(entry) -> HttpResponse:
        _version, content, headers = entry
        response = HttpResponse(content)
        for name, value in headers.items():
            response[name] = value
        response["X-Public-Cache"] = "hit"
        return response


class PublicPageMixin:
    """For page models whose rendering is the same for every anonymous visitor: marks the
    response public unless the page has view restrictions (private or password pages)."""

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        if not self.get_view_restrictions().exists():
            mark_public(response)
        return response


def connect_signals() -> None:
    for signal in (page_published, page_unpublished, page_slug_changed, post_page_move):
        signal.connect(public_cache_purge, dispatch_uid=f"cms.cache.purge.{id(signal)}")
    post_delete.connect(public_cache_purge, sender=Page, dispatch_uid="cms.cache.purge.delete")
