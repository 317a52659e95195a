"""Settings for the test suite: production's defaults (DEBUG off), with a throwaway secret.

Tests that need development behaviour (the demo accounts) switch DEBUG on themselves.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-that-is-long-enough-for-the-checks-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from amnesty_portal.settings import *  # noqa: E402, F403

if not REDIS_URL:  # noqa: F405
    # The development default is a file cache under var/, shared by every process on the machine:
    # two test runs at once would clear each other's rate-limit counters. Keep each run's own.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Tasks run in the test process when they are sent (the outbox is delivered at commit). Tests
# that prove the real path start Celery workers of their own, with the portal's settings.
CELERY_TASK_ALWAYS_EAGER = True
