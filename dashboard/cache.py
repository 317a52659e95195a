"""Rendered dashboards in the cache, dropped when what they show changes.

A key carries a generation number kept in the cache itself: any change to a group, report,
contact, join request or follow-up (dashboard.signals) or a refresh of the figures bumps it,
so every cached dashboard is missed at once. The cache also expires after
DASHBOARD_CACHE_SECONDS, since some items turn due with time alone. With Redis down, the
tolerant cache (amnesty_portal.cache) misses and the page is rendered from the database.
"""

from django.conf import settings
from django.core.cache import cache

_GENERATION = "dashboard:generation"


def enabled() -> bool:
    return settings.DASHBOARD_CACHE_SECONDS > 0


def key(*parts) -> str:
    generation = cache.get(_GENERATION) or 0
    return ":".join(["dashboard", str(generation), *map(str, parts)])


def get(key_: str):
    return cache.get(key_) if enabled() else None


def put(key_: str, value) -> None:
    if enabled():
        cache.set(key_, value, settings.DASHBOARD_CACHE_SECONDS)


def forget_all() -> None:
    if not enabled():
        return
    try:
        cache.incr(_GENERATION)
    except ValueError:  # not set yet (or evicted): start a new count
        cache.set(_GENERATION, 1, None)
