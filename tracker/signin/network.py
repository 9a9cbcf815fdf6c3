"""The client's real address, read the same way for the lockout and for allauth's rate limits.

Behind a reverse proxy every request comes from the proxy, and `X-Forwarded-For` is whatever the
client put there plus what each proxy appended. Only the entries our own proxies appended can be
trusted: with `TRANSITION_TRUSTED_PROXY_COUNT = n` the client is the n-th entry from the right.
With no trusted proxies (the default) the header is ignored and `REMOTE_ADDR` is the client.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _clean(value: str) -> str | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    trusted = int(getattr(settings, "TRANSITION_TRUSTED_PROXY_COUNT", 0))
    remote = request.META.get("REMOTE_ADDR", "")
    if trusted > 0:
        hops = [hop for hop in request.headers.get("X-Forwarded-For", "").split(",") if hop]
        if len(hops) >= trusted:
            return _clean(hops[-trusted]) or _clean(remote)
        # Fewer hops than proxies: the request did not come through them all; the address we
        # can see is the only one not chosen by the client.
    return _clean(remote)
