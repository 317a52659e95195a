"""The outbox proven under faults, on real PostgreSQL, Redis, Celery workers and an SMTP server.

- a worker killed with SIGKILL in the middle of a batch, again and again: nothing is lost, and at
  most the one message in flight at the kill is sent twice;
- Redis stopped while a person submits a change that writes mail: the change succeeds, and the
  mail goes out exactly once when Redis is back;
- deliveries running at the same time (two worker processes and two threads): each message once;
- an SMTP server that refuses some recipients and drops the connection once: the others are
  delivered, the refused recorded as failed with the server's answer, the dropped one retried.

The workers run the production settings module (`amnesty_portal.settings`) against the test
database, with their own Redis server (so it can be stopped) and an SMTP server in this process.
The figures are printed and written to bench/results/outbox_faults.json.
"""

import asyncio
import datetime
import email
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from amnesty_portal import mail
from amnesty_portal.models import OutboxMessage

ROOT = Path(__file__).resolve().parent.parent
CELERY = str(Path(sys.executable).with_name("celery"))
RESULTS = ROOT / "bench" / "results" / "outbox_faults.json"
DELIVER = "amnesty_portal.deliver_outbox_task"
CLAIM_TIMEOUT = 2  # seconds before another worker takes over a dead worker's claims

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
        reason="the outbox fault tests need PostgreSQL (row locks, real workers): run them with `make test`",
    ),
    pytest.mark.skipif(not shutil.which("redis-server"), reason="the outbox fault tests need redis-server"),
    pytest.mark.django_db(transaction=True),
]


# --- An SMTP server that records what it takes and can misbehave ------------------------------------

pytest.importorskip("aiosmtpd", reason="the outbox fault tests need aiosmtpd (requirements-dev.txt)")
from aiosmtpd.controller import Controller  # noqa: E402


@dataclass
class Received:
    key: str
    to: list
    client_gone: bool = False  # the server took it, but the client never got the 250


class SinkHandler:
    """`delay`: seconds the server works on a message before taking it (a client that goes away
    meanwhile loses nothing: the message is dropped, as aiosmtpd does). `reply_delay`: seconds
    between taking a message and answering 250 (a client that goes away meanwhile never learns the
    server has it: the worst case for duplicates). Recipients containing `refuse` get 550; the
    `drop_at`-th message (1-based) is answered by closing the connection."""

    def __init__(self, *, delay=0.0, reply_delay=0.0, refuse="refuse", drop_at=None):
        self.delay, self.reply_delay, self.refuse, self.drop_at = delay, reply_delay, refuse, drop_at
        self.data_count = 0
        self.connections = 0
        self.received: list[Received] = []
        self.dropped: list[str] = []
        self.refused: list[str] = []
        self.lock = threading.Lock()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        with self.lock:
            self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.refuse and self.refuse in address:
            with self.lock:
                self.refused.append(address)
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        key = email.message_from_bytes(envelope.original_content or envelope.content)["X-Amnesty-Portal-Key"]
        with self.lock:
            self.data_count += 1
            drop = self.data_count == self.drop_at
            if drop:
                self.dropped.append(key)
        if drop:
            server.transport.close()  # no answer: the client sees the connection go
            return "421 4.4.2 Connection dropped"
        if self.delay:
            await asyncio.sleep(self.delay)  # cancelled, message not taken, if the client goes
        item = Received(key, list(envelope.rcpt_tos))
        with self.lock:
            self.received.append(item)
        if self.reply_delay:
            try:
                await asyncio.sleep(self.reply_delay)
            except asyncio.CancelledError:
                item.client_gone = True
                raise
        if server.transport is None or server.transport.is_closing():
            item.client_gone = True
        return "250 2.0.0 Ok: queued"

    def taken(self) -> list[str]:
        with self.lock:
            return [item.key for item in self.received]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp():
    """Start a sink: `handler, port = smtp(delay=0.03)`."""
    controllers = []

    def start(**options):
        handler = SinkHandler(**options)
        port = free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port, ready_timeout=10)
        controller.start()
        controllers.append(controller)
        return handler, port

    yield start
    for controller in controllers:
        controller.stop()


# --- Redis, workers, the task producer ------------------------------------------------------------


class RedisServer:
    """A redis-server of the test's own, on a fixed port, that can be stopped and started again."""

    def __init__(self, directory: Path):
        self.port = free_port()
        self.directory = directory
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


def database_url() -> str:
    """The test database, for processes of their own."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def worker_env(var_dir: Path, redis_url: str, smtp_port: int, **extra) -> dict:
    scrubbed = {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {name: value for name, value in os.environ.items() if name not in scrubbed}
    env.update(
        DJANGO_SETTINGS_MODULE="amnesty_portal.settings",
        VAR_DIR=str(var_dir),
        DATABASE_URL=database_url(),
        REDIS_URL=redis_url,
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        EMAIL_USE_TLS="false",
        EMAIL_TIMEOUT="10",
        OUTBOX_CLAIM_TIMEOUT=str(CLAIM_TIMEOUT),
        LOG_LEVEL=os.environ.get("LOG_LEVEL", "WARNING"),
    )
    env.update(extra)
    return env


class Workers:
    """Celery workers of the portal, each consuming a queue of its own."""

    def __init__(self, var_dir: Path, env: dict, broker_url: str):
        from celery import Celery

        self.var_dir, self.env = var_dir, env
        self.processes: list[subprocess.Popen] = []
        self.producer = Celery("outbox-fault-tests", broker=broker_url)
        self.producer.conf.broker_connection_retry_on_startup = True

    def start(self, queue: str, *, wait_ready: bool = False) -> subprocess.Popen:
        path = self.var_dir / f"worker-{queue}-{len(self.processes)}.log"
        with open(path, "w") as log:
            process = subprocess.Popen(
                [CELERY, "-A", "amnesty_portal", "worker", "--pool=solo", "-Q", queue,
                 "-n", f"{queue}-{len(self.processes)}@%h", "--without-gossip", "--without-mingle",
                 "--without-heartbeat", "--loglevel=INFO"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        self.processes.append(process)
        if wait_ready:
            wait_until(
                lambda: process.poll() is None and " ready." in path.read_text(),
                60,
                lambda: f"the worker did not start:\n{path.read_text()[-3000:]}",
                interval=0.1,
            )
        return process

    def deliver(self, queue: str):
        """Ask the worker(s) on `queue` to run the outbox task, as a wake-up or beat would."""
        self.producer.send_task(DELIVER, queue=queue)

    def logs(self) -> str:
        return "\n".join(path.read_text()[-2000:] for path in sorted(self.var_dir.glob("worker-*.log")))

    def stop(self):
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.producer.close()


@pytest.fixture
def workers(tmp_path, redis_server):
    made = []

    def make(smtp_port: int, **extra) -> Workers:
        group = Workers(tmp_path, worker_env(tmp_path, redis_server.url, smtp_port, **extra), redis_server.url)
        made.append(group)
        return group

    yield make
    for group in made:
        group.stop()


# --- Helpers -------------------------------------------------------------------------------------


def write_rows(prefix: str, count: int, to=lambda i: f"person{i}@example.org") -> list[str]:
    rows = [
        OutboxMessage(key=f"{prefix}:{i}", kind="test", to=to(i), subject=f"Test {prefix} {i}", text=f"Message {i}.\n")
        for i in range(count)
    ]
    OutboxMessage.objects.bulk_create(rows)
    return [row.key for row in rows]


def wait_until(condition, timeout: float, message, interval: float = 0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    pytest.fail(message() if callable(message) else message)


def unsent(prefix: str) -> int:
    return OutboxMessage.objects.filter(key__startswith=f"{prefix}:").exclude(status=OutboxMessage.Status.SENT).count()


def record(name: str, figures: dict):
    """Print the figures and keep them in bench/results/outbox_faults.json under `name`."""
    print(f"\n[outbox faults] {name}: " + json.dumps(figures, sort_keys=True))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    try:
        results = json.loads(RESULTS.read_text())
    except (OSError, ValueError):
        results = {}
    results[name] = {**figures, "measured_at": timezone.now().isoformat(timespec="seconds")}
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")


# --- 1. A worker killed in the middle of a batch --------------------------------------------------

KILL_RUNS = 12
KILL_MESSAGES = 40


def test_a_worker_killed_mid_batch_loses_nothing(smtp, workers):
    """Each run: a worker takes a batch of 40 and is killed with SIGKILL at a random moment after a
    random number of them reached the server; another worker takes over the dead one's claims
    after the claim timeout. The server takes 30 ms a message: in half the runs before it takes
    it (a kill then mostly lands while the server still can drop it), in the other half between
    taking it and answering 250 (a kill then mostly lands after the server has the message but
    before the worker learnt it: that message is sent again). Nothing may be lost; only the one
    message in flight at a kill may be repeated."""
    sink, port = smtp()
    group = workers(port)
    rescuer = group.start("rescue")
    victim = group.start("victim", wait_ready=True)
    rng = random.Random(4)  # noqa: S311 -- reproducible kill points
    runs = []
    for run in range(KILL_RUNS):
        mode = "slow-before-taking" if run % 2 == 0 else "slow-reply-after-taking"
        sink.delay, sink.reply_delay = (0.03, 0.0) if mode == "slow-before-taking" else (0.0, 0.03)
        prefix = f"kill{run}"
        keys = write_rows(prefix, KILL_MESSAGES)
        kill_after = rng.randint(3, KILL_MESSAGES - 5)

        def received(prefix=prefix):
            return [key for key in sink.taken() if key.startswith(f"{prefix}:")]

        group.deliver("victim")
        wait_until(
            lambda: len(received()) >= kill_after,  # noqa: B023
            60,
            lambda: f"run {run}: the victim delivered nothing:\n{group.logs()}",  # noqa: B023
            interval=0.005,
        )
        # A random moment within the delivery of the next message, not always the same point.
        time.sleep(rng.uniform(0, 0.035))
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait(10)
        at_kill = len(received())
        claims = OutboxMessage.objects.filter(key__startswith=f"{prefix}:", status=OutboxMessage.Status.SENDING)
        claimed = claims.count()
        last_claim = max(claims.values_list("claimed_at", flat=True), default=timezone.now())
        # The next run's victim starts while this run waits for the claim timeout.
        victim = group.start("victim")
        stale_in = (last_claim + datetime.timedelta(seconds=CLAIM_TIMEOUT) - timezone.now()).total_seconds()
        time.sleep(max(0.0, stale_in) + 0.05)
        deadline = time.monotonic() + 60
        while unsent(prefix) and time.monotonic() < deadline:
            group.deliver("rescue")
            end = time.monotonic() + CLAIM_TIMEOUT + 1
            while unsent(prefix) and time.monotonic() < end:
                time.sleep(0.02)
        assert not unsent(prefix), f"run {run}: rows left unsent:\n{group.logs()}"
        got = Counter(received())
        runs.append(
            {
                "run": run,
                "mode": mode,
                "messages": len(keys),
                "received_before_kill": at_kill,
                "claimed_by_the_dead_worker": claimed,
                "lost": len(set(keys) - set(got)),
                "duplicates": sum(got.values()) - len(got),
            }
        )
    assert rescuer.poll() is None

    def total(field, mode=None):
        return sum(r[field] for r in runs if mode in (None, r["mode"]))

    figures = {
        "runs": len(runs),
        "messages": total("messages"),
        "lost": total("lost"),
        "duplicates": total("duplicates"),
        "duplicates_slow_before_taking": total("duplicates", "slow-before-taking"),
        "duplicates_slow_reply_after_taking": total("duplicates", "slow-reply-after-taking"),
        "max_duplicates_in_a_run": max(r["duplicates"] for r in runs),
        "claim_timeout_s": CLAIM_TIMEOUT,
        "per_run": runs,
    }
    record("worker_killed_mid_batch", figures)
    assert figures["lost"] == 0
    # Each row is marked sent right after the server's 250: only the message in flight can repeat.
    assert figures["max_duplicates_in_a_run"] <= 1


# --- 2. Redis stopped while a person submits a change that writes mail ----------------------------

ASK_TO_JOIN = """
import time
from django.test import Client
from django.urls import reverse
from activists.models import User
from groups.models import JoinRequest
client = Client()
client.force_login(User.objects.get(pk={asker}))
started = time.monotonic()
response = client.post(reverse("groups:join", args=[{group}]), {{"message": "Hei, jeg vil gjerne bli med!"}})
took = round(time.monotonic() - started, 2)
join_request = JoinRequest.objects.filter(group_id={group}, person_id={asker}).first()
print("RESULT", response.status_code, response.get("Location", ""), took, join_request.pk if join_request else 0)
"""

ANSWER_THE_REQUEST = """
import time
from activists.models import User
from groups import services
from groups.models import JoinRequest
started = time.monotonic()
join_request = services.answer_join_request(
    actor=User.objects.get(pk={contact}), join_request=JoinRequest.objects.get(pk={join_request}), accept=True
)
took = round(time.monotonic() - started, 2)
print("RESULT", JoinRequest.objects.get(pk={join_request}).status, took)
"""


WAKE = """
import time
from amnesty_portal import mail
started = time.monotonic()
mail.wake_delivery()
print("RESULT woke", round(time.monotonic() - started, 2))
"""


def _run_in_production_settings(code: str, env: dict) -> list[str]:
    """Run `code` in `manage.py shell` with the portal's settings; its RESULT line, split."""
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    lines = [line.split()[1:] for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, (result.stdout + result.stderr)[-4000:]
    return lines[-1]


def test_changes_made_while_redis_is_down_succeed_and_are_mailed_once_when_redis_is_back(
    smtp, workers, redis_server, world, tmp_path
):
    """Redis stops under a running worker. Meanwhile a person asks to join a group on its page
    (the broker is down; the cache is elsewhere), and the group's contact accepts the request (the
    service, with Redis as broker and cache both down). Both changes are saved and their emails
    written to the outbox; the wake-ups cannot reach a worker. When Redis is back, the periodic
    delivery run sends each email, once."""
    sink, port = smtp()
    group = workers(port)
    worker = group.start("celery", wait_ready=True)  # the default queue, where wake-ups go
    redis_server.stop()

    # The web page, production settings, with the broker down (cache and sessions in files).
    web_env = {name: value for name, value in group.env.items() if name != "REDIS_URL"}
    web_env.update(CELERY_BROKER_URL=redis_server.url, VAR_DIR=str(tmp_path / "web"))
    status, location, asked_in, join_request = _run_in_production_settings(
        ASK_TO_JOIN.format(asker=world.outsider.pk, group=world.group.pk), web_env
    )
    assert (status, location) == ("302", reverse("groups:directory"))
    assert int(join_request), "the join request was not saved"

    # The service, with Redis (broker and cache) down.
    answer_status, answered_in = _run_in_production_settings(
        ANSWER_THE_REQUEST.format(contact=world.contact.pk, join_request=join_request), group.env
    )
    assert answer_status == "accepted"

    rows = {row.kind: row for row in OutboxMessage.objects.filter(key__contains=f":{join_request}:").order_by("pk")}
    assert sorted((kind, row.to, row.status) for kind, row in rows.items()) == [
        ("join_answered", world.outsider.email, "pending"),
        ("join_requested", world.contact.email, "pending"),
    ]
    time.sleep(1)
    assert sink.taken() == [], "nothing can have been delivered while Redis was down"

    redis_server.start()  # same port, empty: the wake-ups sent during the outage are gone
    outage_ended = time.monotonic()
    # The next wake-up (a later change's commit, or beat's `deliver-outbox` every minute) reaches
    # the worker once it has reconnected.
    woke, woke_in = _run_in_production_settings(WAKE, group.env)
    assert woke == "woke"
    wait_until(
        lambda: (
            not OutboxMessage.objects.filter(pk__in=[row.pk for row in rows.values()])
            .exclude(status=OutboxMessage.Status.SENT)
            .exists()
        ),
        90,
        lambda: f"not delivered after Redis came back:\n{group.logs()}",
        interval=0.1,
    )
    delivered_after = time.monotonic() - outage_ended
    group.deliver("celery")  # a second run finds nothing to do
    time.sleep(1.5)
    received = Counter(sink.taken())
    record(
        "redis_down_during_a_change",
        {
            "changes": 2,
            "web_request_status_with_broker_down": int(status),
            "web_request_seconds_with_broker_down": float(asked_in),
            "service_seconds_with_redis_down": float(answered_in),
            "wake_up_seconds_with_redis_back": float(woke_in),
            "delivered_seconds_after_redis_back": round(delivered_after, 2),
            "copies_received": {row.kind: received[row.key] for row in rows.values()},
        },
    )
    assert received == {row.key: 1 for row in rows.values()}
    assert worker.poll() is None


# --- 3. Deliveries running at the same time --------------------------------------------------------

TOGETHER = 800


def _smtp_settings(settings, port):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10


def test_deliveries_running_at_the_same_time_send_each_message_once(smtp, workers, settings):
    """Two worker processes and two threads of this process deliver the same outbox at once."""
    sink, port = smtp(delay=0.002)
    _smtp_settings(settings, port)
    group = workers(port, OUTBOX_CLAIM_TIMEOUT=os.environ.get("DIAG_TIMEOUT", "2"))
    for _ in range(2):
        group.start("together", wait_ready=True)
    keys = write_rows("together", TOGETHER)
    start = threading.Barrier(2)
    errors = []

    def thread_delivers(batch_size):
        try:
            start.wait()
            mail.deliver_all(batch_size=batch_size)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=thread_delivers, args=(size,)) for size in (20, 35)]
    started = time.monotonic()
    group.deliver("together")
    group.deliver("together")
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    wait_until(lambda: not unsent("together"), 60, lambda: f"rows left unsent:\n{group.logs()}", interval=0.1)
    took = time.monotonic() - started
    time.sleep(0.5)
    assert not errors
    received = Counter(key for key in sink.taken() if key.startswith("together:"))
    by_deliverer = Counter(
        name.rsplit(":", 2)[1]
        for name in OutboxMessage.objects.filter(key__in=keys).values_list("claimed_by", flat=True)
    )  # the process id: the two workers and this process's threads
    figures = {
        "messages": len(keys),
        "deliverers": "2 worker processes + 2 threads",
        "lost": len(set(keys) - set(received)),
        "duplicates": sum(received.values()) - len(received),
        "rows_per_process": sorted(by_deliverer.values(), reverse=True),
        "seconds": round(took, 2),
    }
    record("concurrent_deliveries", figures)
    assert figures["lost"] == 0 and figures["duplicates"] == 0
    assert len(by_deliverer) >= 2, "the deliveries did not overlap"


# --- 4. An SMTP server that refuses recipients and drops the connection ------------------------------


def test_refused_recipients_fail_with_the_answer_and_a_dropped_message_is_retried(smtp, workers):
    sink, port = smtp(drop_at=4)  # the 4th message that reaches DATA: person "e"
    group = workers(port)
    group.start("smtp", wait_ready=True)
    names = ["a", "b", "refuse.c", "d", "e", "f", "refuse.g", "h", "i", "j"]
    keys = write_rows("smtp", len(names), to=lambda i: f"{names[i]}@example.org")
    by_name = dict(zip(names, keys, strict=True))
    rows = OutboxMessage.objects.filter(key__in=keys)

    before = timezone.now()
    group.deliver("smtp")
    wait_until(
        lambda: not rows.filter(attempts=0).exists() and not rows.filter(status=OutboxMessage.Status.SENDING).exists(),
        60,
        lambda: f"the first run did not finish:\n{group.logs()}",
        interval=0.1,
    )
    after = timezone.now()
    status = dict(rows.values_list("key", "status"))
    assert sorted(status.values()) == sorted(["sent"] * 7 + ["failed"] * 2 + ["pending"])
    for name in ("refuse.c", "refuse.g"):
        row = rows.get(key=by_name[name])
        assert row.status == OutboxMessage.Status.FAILED
        assert row.attempts == 1
        assert (
            row.last_error
            == f"{name}@example.org: 550 5.1.1 <{name}@example.org>: Recipient address rejected: User unknown"
        )
    dropped = rows.get(key=by_name["e"])
    assert sink.dropped == [dropped.key]
    assert (dropped.status, dropped.attempts) == (OutboxMessage.Status.PENDING, 1)
    assert dropped.last_error.startswith("SMTPServerDisconnected")
    minute = datetime.timedelta(minutes=1)
    assert before + minute <= dropped.next_attempt_at <= after + minute
    # The messages after the drop went over a new connection.
    assert sink.connections == 2
    assert sorted(sink.taken()) == sorted(by_name[name] for name in "abdfhij")

    # A minute later (the retry made due now), the periodic run sends it.
    OutboxMessage.objects.filter(pk=dropped.pk).update(next_attempt_at=timezone.now())
    group.deliver("smtp")
    wait_until(
        lambda: OutboxMessage.objects.get(pk=dropped.pk).status == OutboxMessage.Status.SENT,
        60,
        lambda: f"the retry was not delivered:\n{group.logs()}",
        interval=0.1,
    )
    dropped.refresh_from_db()
    assert (dropped.attempts, dropped.last_error) == (2, "")
    received = Counter(sink.taken())
    assert received == Counter(by_name[name] for name in "abdefhij")
    assert sink.refused == ["refuse.c@example.org", "refuse.g@example.org"]
    assert rows.filter(status=OutboxMessage.Status.FAILED).count() == 2
    record(
        "smtp_refusals_and_a_dropped_connection",
        {
            "messages": len(keys),
            "delivered_once": sum(1 for count in received.values() if count == 1),
            "refused_recorded_failed": 2,
            "dropped_then_delivered_on_attempt": dropped.attempts,
            "duplicates": sum(received.values()) - len(received),
        },
    )
