"""Settings of the dashboard load benchmark: the portal's production settings, with bench.urls,
which adds a baseline view to the portal's URLs. Everything else comes from the environment, as
in production (bench/dashboard_load.py sets DEBUG=false, BEHIND_PROXY=true, DATABASE_URL, REDIS_URL)."""

from amnesty_portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
