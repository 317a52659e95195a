"""A Redis cache that keeps the portal up while Redis is away.

The cache holds login rate-limit counters and other things the portal can do without for a while.
Django's RedisCache raises when Redis is unreachable, which would turn every page into an error
page; this one logs the outage and answers as a cache that has nothing: reads miss, writes are
dropped. Rate limits are not enforced until Redis is back (a warning is logged for each failure).
"""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)
OUTAGE = (RedisConnectionError, RedisTimeoutError, OSError)


def _tolerant(name, fallback):
    def method(self, *args, **kwargs):
        try:
            return getattr(super(TolerantRedisCache, self), name)(*args, **kwargs)
        except OUTAGE as exc:
            log.warning("Redis cache unavailable (%s: %s); %s answered as a miss.", type(exc).__name__, exc, name)
            return fallback(*args, **kwargs)

    method.__name__ = name
    return method


class TolerantRedisCache(RedisCache):
    get = _tolerant("get", lambda key, default=None, version=None: default)
    get_many = _tolerant("get_many", lambda keys, version=None: {})
    has_key = _tolerant("has_key", lambda key, version=None: False)
    # An empty cache accepts an add; callers that lock with add (allauth's rate limits) go on.
    add = _tolerant("add", lambda *args, **kwargs: True)
    set = _tolerant("set", lambda *args, **kwargs: None)
    set_many = _tolerant("set_many", lambda data, *args, **kwargs: list(data))
    touch = _tolerant("touch", lambda *args, **kwargs: False)
    delete = _tolerant("delete", lambda *args, **kwargs: False)
    delete_many = _tolerant("delete_many", lambda *args, **kwargs: None)
    incr = _tolerant("incr", lambda key, delta=1, version=None: delta)
    clear = _tolerant("clear", lambda: False)
