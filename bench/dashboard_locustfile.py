"""The locust side of bench/dashboard_load.py: one page, requested at a fixed rate by a fixed set of
users, logged in with a session cookie made in the database. Run by the driver, as its own process:

    locust -f bench/dashboard_locustfile.py --headless --users U --spawn-rate R --run-time T --csv PREFIX \
        --host http://127.0.0.1:PORT --reset-stats

Environment: BENCH_PATH (the page), BENCH_COOKIE (``sessionid=...``), BENCH_USERS and
BENCH_RATE_PER_USER (requests a second per user; constant_throughput keeps it), BENCH_NAME (the
name in locust's statistics) and BENCH_SAMPLES (a file for every request's start time, response
time in milliseconds, size and outcome, so the driver can take exact percentiles: locust's own
round response times to two significant digits).

The users are spawned at once and each waits its turn before its first request (user i of n waits
i/n of a period), so the requests arrive evenly, one every 1/rate seconds. Left to locust, users
spawn in batches of --spawn-rate a second, and a batch that starts together stays together: with
constant_throughput its requests then arrive in bursts, and the queueing behind each burst, not
the pages, sets the percentiles.
"""

import itertools
import json
import os
import time

import gevent
from locust import FastHttpUser, constant_throughput, events, task

PATH = os.environ["BENCH_PATH"]
NAME = os.environ.get("BENCH_NAME", PATH)
USERS = int(os.environ["BENCH_USERS"])
RATE_PER_USER = float(os.environ["BENCH_RATE_PER_USER"])
HEADERS = {
    "Cookie": os.environ["BENCH_COOKIE"],
    # As behind the production proxy, which terminates TLS (BEHIND_PROXY=true in the server's settings).
    "X-Forwarded-Proto": "https",
    "Accept-Language": "nb",
}
samples = []
spawned = []
turns = itertools.count()


@events.spawning_complete.add_listener
def _spawned(user_count, **kwargs):
    spawned.append(time.time())


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception=None, start_time=None, **kwargs):
    samples.append([start_time or time.time(), response_time, response_length, exception is None])


@events.quitting.add_listener
def _save(environment, **kwargs):
    with open(os.environ["BENCH_SAMPLES"], "w", encoding="utf-8") as handle:
        json.dump({"spawned_at": spawned[0] if spawned else None, "samples": samples}, handle)


class Visitor(FastHttpUser):
    wait_time = constant_throughput(RATE_PER_USER)

    def on_start(self):
        gevent.sleep(next(turns) % USERS / USERS / RATE_PER_USER)
        # constant_throughput counts from the user's creation; start its clock after the wait, or
        # every user's second request would come at the same moment again.
        assert hasattr(self, "_cp_last_run"), "locust's constant_pacing changed: see the docstring"
        self._cp_last_run = time.perf_counter()

    @task
    def page(self):
        with self.client.get(PATH, headers=HEADERS, name=NAME, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code} {response.headers.get('Location', '')}")
