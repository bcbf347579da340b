"""The site a policy snapshot was taken on, which is not always the site it is filed under.

Princeton-Leuven headers name the site a policy was collected for and link the Wayback
Machine snapshot. Some snapshots were taken on another site: youtube.com's on google.com,
parked domains' on their registrar's, ``bizdesign.com``'s on bizsecure.com.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

_WAYBACK = re.compile(r"^https?://(?:web\.)?archive\.org/web/[^/]+/(.+)$", re.IGNORECASE)


def snapshot_host(source_url: str | None) -> str | None:
    """The host of the archived page: the original URL inside a Wayback Machine link,
    ``www.`` dropped, lowercase. ``None`` when there is no usable URL."""
    if not source_url:
        return None
    url = source_url.strip()
    if m := _WAYBACK.match(url):
        url = unquote(m.group(1))
    if not re.match(r"^[a-z][a-z0-9+.-]*://", url, re.IGNORECASE):
        url = "http://" + url
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host:
        return None
    host = host.lower().rstrip(".")
    return _drop_www(host) or None


def _drop_www(host: str) -> str:
    """``www.google.com`` -> ``google.com``; ``www.la`` (the .la registry) stays."""
    rest = host.removeprefix("www.")
    return rest if "." in rest else host


def same_site(host: str, domain: str) -> bool:
    """True for the domain itself and its subdomains (``support.bettymills.com``)."""
    domain = _drop_www(domain.lower())
    return host == domain or host.endswith("." + domain)


def other_snapshot_site(domain: str, source_url: str | None) -> str | None:
    """The snapshot's site when it is not ``domain`` nor one of its subdomains, else None."""
    host = snapshot_host(source_url)
    if host is None or same_site(host, domain):
        return None
    return host


def snapshot_note(site: str) -> str:
    """How every view words it: ``snapshot from bizsecure.com``."""
    return f"snapshot from {site}"
