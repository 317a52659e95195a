"""The production stack, end to end (issue 4): what production runs, started by `make test`.

gunicorn serves the portal with production settings (DEBUG off) from a PostgreSQL database made for
this test, Redis is the cache, session store and Celery broker, a Celery worker and one beat
(django-celery-beat's DatabaseScheduler) run as separate processes, and mail goes over SMTP to a
real local server that keeps it (`tests/smtp_sink.py`). In Chromium, the contact person of Amnesty
Bergen sentrum logs in through the login form and submits the group's report for the quarter that
ended last. Then the clock moves past that quarter's deadline (the reminder sweep is run for the
day of the "overdue" step; nobody waits for the date): another group, whose report is missing, gets
its reminder in the SMTP sink through the worker, exactly once, even when the sweep runs again.

Runs only where DATABASE_URL is PostgreSQL and REDIS_URL is set, as under `make test`. The
processes' logs are kept in the test's tmp_path; a failure shows where and their last lines.
"""

import datetime
import json
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.smtp_sink import SMTPSink, free_port

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")
# A Redis database of this test's own: the test run's cache is database 0, test_celery's is 5.
REDIS_DB = 11
CONTACT_EMAIL = "kontakt.bergen@example.org"
OTHER_CONTACT_EMAIL = "kontakt.voss@example.org"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (urlsplit(DATABASE_URL).scheme in {"postgres", "postgresql"} and REDIS_URL),
        reason="needs PostgreSQL and Redis: run it with `make test` (tests/services.sh)",
    ),
]

# What the production environment holds (README, "Production"), but over plain HTTP on 127.0.0.1.
# Every variable the settings read is set here or removed, so nothing leaks in from the test run.
_SETTINGS_PREFIXES = ("DJANGO_", "EMAIL_", "CELERY_", "SECURE_", "REPORT_", "SESSION_", "CSRF_")
_SETTINGS_NAMES = {
    "DEBUG", "TESTING", "SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL", "CSRF_TRUSTED_ORIGINS", "DATABASE_URL",
    "REDIS_URL", "DEFAULT_FROM_EMAIL", "BEHIND_PROXY", "STATIC_ROOT", "MEDIA_ROOT", "VAR_DIR", "LOG_LEVEL",
    "OUTBOX_CLAIM_TIMEOUT", "MEMBER_IMPORT_BATCH_SIZE", "REQUIRE_TWO_FACTOR_FOR_STAFF",
}  # fmt: skip

# The data: Amnesty Bergen sentrum, whose contact files the report in the browser, and a group in
# Voss whose report for the same quarter is missing, both recognised two years ago. People, groups
# and offices are written directly, so no email is sent while setting up.
SETUP = """
import datetime, json, os
from allauth.account.models import EmailAddress
from django.utils import timezone
from activists.models import User
from groups.models import Group, GroupMembership, Office, PriorityArea, StatutesAcceptance, StatutesVersion
from groups.quarters import Quarter
from groups.reminders import step_days
from regions.models import Municipality, PostalCode

since = timezone.localdate() - datetime.timedelta(days=730)
decided = timezone.now() - datetime.timedelta(days=730)

def person(email, first, last, postal_code):
    user = User.objects.create_user(
        email, os.environ["STACK_PASSWORD"], first_name=first, last_name=last, birth_year=1996,
        membership_status=User.Membership.PAYING, member_since=since, email_consent=True,
        postal_code=PostalCode.objects.get(code=postal_code),
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user

def group(name, municipality, contact):
    place = Municipality.objects.select_related("county").get(number=municipality)
    group = Group.objects.create(
        name=name, category=Group.Category.LOCAL, status=Group.Status.RECOGNISED, municipality=place,
        region=place.county.region, founded_on=since, registered_by=contact, registered_at=decided,
        decided_at=decided,
    )
    group.priority_areas.add(PriorityArea.objects.filter(is_current=True).order_by("order", "pk").first())
    StatutesAcceptance.objects.create(group=group, version=StatutesVersion.objects.current(), accepted_by=contact)
    GroupMembership.objects.create(group=group, person=contact, joined_on=since)
    Office.objects.create(group=group, person=contact, kind=Office.Kind.CONTACT, started_on=since)
    return group

bergen_contact = person("%(contact)s", "Sigrid", "Haugland", "5015")
other_contact = person("%(other_contact)s", "Ola", "Lid", "5700")
bergen = group("Amnesty Bergen sentrum", "4601", bergen_contact)
other = group("Amnesty Voss", "4621", other_contact)
quarter = Quarter.current().previous
overdue_day = dict(step_days(quarter))["overdue"]
print("STACK=" + json.dumps({
    "bergen": bergen.pk, "other": other.pk, "bergen_contact": bergen_contact.pk, "other_contact": other_contact.pk,
    "quarter": str(quarter), "deadline": quarter.deadline.isoformat(), "overdue_day": overdue_day.isoformat(),
}))
""" % {"contact": CONTACT_EMAIL, "other_contact": OTHER_CONTACT_EMAIL}  # noqa: UP031 -- the code holds braces

SWEEP = """
import datetime, json
from groups.reminders import sweep
print("STACK=" + json.dumps(sweep(today=datetime.date.fromisoformat("%s"))))
"""


class Stack:
    """The processes of the production stack, their environment and their logs."""

    def __init__(self, logs: Path, env: dict):
        self.logs, self.env = logs, env
        self.processes: dict[str, subprocess.Popen] = {}
        self._files = []

    def start(self, name: str, *command: str):
        log = open(self.logs / f"{name}.log", "w")  # noqa: SIM115 -- closed in stop()
        self._files.append(log)
        self.processes[name] = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)

    def check_running(self):
        for name, process in self.processes.items():
            assert process.poll() is None, f"{name} exited with status {process.returncode}"

    def stop(self):
        for process in reversed(self.processes.values()):
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        for log in self._files:
            log.close()

    def manage(self, *args: str, timeout: float = 180) -> str:
        """Run manage.py in the production environment; return its stdout."""
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        with (self.logs / "manage.log").open("a") as log:
            log.write(f"$ manage.py {args[0]}\n{result.stdout}{result.stderr}\n")
        assert result.returncode == 0, f"manage.py {args[0]} failed:\n{result.stdout}{result.stderr}"
        return result.stdout

    def shell(self, code: str):
        """Run Python in `manage.py shell` in the production environment; return what it printed
        as JSON on a line starting with STACK=."""
        lines = [line for line in self.manage("shell", "-c", code).splitlines() if line.startswith("STACK=")]
        assert lines, f"the shell printed no result: see {self.logs / 'manage.log'}"
        return json.loads(lines[-1].removeprefix("STACK="))

    def report(self) -> str:
        """Where the logs are, and their last lines."""
        parts = [f"Logs of the production stack in {self.logs}:"]
        for path in sorted(self.logs.glob("*.log")):
            tail = "".join(path.read_text(errors="replace").splitlines(keepends=True)[-40:])
            parts.append(f"--- {path.name} (last lines) ---\n{tail}")
        return "\n".join(parts)


def wait_until(condition, timeout: float, what: str, stack: Stack, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while True:
        stack.check_running()
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:.0f} s")
        time.sleep(interval)


def sink_listing(sink: SMTPSink) -> str:
    return (
        "\n".join(f"  to {', '.join(m.rcpt_tos)}: {m['Subject']} [{m['X-Amnesty-Portal-Key']}]" for m in sink.messages)
        or "  (none)"
    )


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 -- our own http://127.0.0.1
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def create_database(server_url: str, name: str) -> str:
    """A database of this test's own on the test run's PostgreSQL server; returns its URL."""
    import psycopg2

    admin = psycopg2.connect(server_url)
    try:
        admin.autocommit = True  # CREATE and DROP DATABASE refuse to run in a transaction
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        admin.close()
    return urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))


def drop_database(server_url: str, name: str):
    import psycopg2

    admin = psycopg2.connect(server_url)
    try:
        admin.autocommit = True
        with admin.cursor() as cursor:
            # FORCE: a connection of a process just stopped may not be gone yet.
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.close()


def query(database_url: str, sql: str, params=()):
    import psycopg2

    connection = psycopg2.connect(database_url)
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    finally:
        connection.close()


def test_report_in_the_browser_and_one_reminder_through_the_worker(tmp_path):
    import redis

    database = f"production_stack_{secrets.token_hex(4)}"
    database_url = create_database(DATABASE_URL, database)
    redis_url = urlunsplit(urlsplit(REDIS_URL)._replace(path=f"/{REDIS_DB}"))
    broker = redis.Redis.from_url(redis_url)
    web_port = free_port()
    site = f"http://127.0.0.1:{web_port}"
    password = secrets.token_urlsafe(18)

    sink = SMTPSink()
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in _SETTINGS_NAMES and not name.startswith(_SETTINGS_PREFIXES) and not name.endswith("_FILE")
    }
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL=site,
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(sink.port),
        EMAIL_USE_TLS="false",
        EMAIL_USE_SSL="false",
        EMAIL_TIMEOUT="10",
        # Plain HTTP: no redirect to HTTPS. (The session and CSRF cookies stay Secure, as settings.py
        # has them whenever DEBUG is off; Chromium keeps Secure cookies for http://127.0.0.1.)
        SECURE_SSL_REDIRECT="false",
        REQUIRE_TWO_FACTOR_FOR_STAFF="false",
        VAR_DIR=str(tmp_path / "var"),
        LOG_LEVEL="INFO",
        STACK_PASSWORD=password,
        PYTHONUNBUFFERED="1",
    )
    stack = Stack(tmp_path, env)
    try:
        sink.start()
        broker.flushdb()
        # --- The deploy: migrate, then the data (through the production settings too) ---------
        stack.manage("migrate", "--no-input", "-v", "0")
        stack.manage("collectstatic", "--no-input", "-v", "0")
        data = stack.shell(SETUP)

        # --- Production's processes ------------------------------------------------------------
        stack.start("gunicorn", str(BIN / "gunicorn"), "amnesty_portal.wsgi", "-b", f"127.0.0.1:{web_port}",
                    "-w", "2", "--access-logfile", "-", "--error-logfile", "-", "--no-control-socket")  # fmt: skip
        stack.start("celery-worker", str(BIN / "celery"), "-A", "amnesty_portal", "worker", "--loglevel=INFO",
                    "--concurrency=2", "--hostname=production-stack@%h")  # fmt: skip
        stack.start("celery-beat", str(BIN / "celery"), "-A", "amnesty_portal", "beat", "--loglevel=INFO",
                    "--schedule", str(tmp_path / "beat-schedule"))  # fmt: skip
        wait_until(lambda: http_ok(f"{site}/konto/login/"), 60, "gunicorn answering", stack)
        # Beat sends a heartbeat when it starts; the worker writing it to the cache proves
        # beat → Redis → worker → Redis cache.
        wait_until(lambda: broker.exists(":1:celery-heartbeat"), 60, "the heartbeat from beat via the worker", stack)
        # Beat runs django-celery-beat's DatabaseScheduler: the periodic tasks are in the database.
        periodic = {name for (name,) in query(database_url, "SELECT name FROM django_celery_beat_periodictask")}
        assert {"deliver-outbox", "report-reminders"} <= periodic, periodic

        # --- In Chromium: the contact of Amnesty Bergen sentrum submits the quarter's report ---
        # Playwright's sync API runs an event loop in the thread that starts it, and the browser
        # tests' session-wide Chromium may hold this one: this Chromium gets a thread of its own.
        with ThreadPoolExecutor(max_workers=1) as chromium:
            chromium.submit(
                file_report_in_chromium, site, tmp_path / "var" / "static", data["bergen"], data["quarter"], password
            ).result()
        year, number = data["quarter"].split("-Q")
        rows = query(
            database_url,
            "SELECT r.status, r.submitted_by_id, r.members_count, a.type, a.signatures,"
            " (SELECT count(*) FROM groups_reportversion v WHERE v.report_id = r.id)"
            " FROM groups_quarterlyreport r LEFT JOIN groups_reportactivity a ON a.report_id = r.id"
            " WHERE r.group_id = %s AND r.year = %s AND r.quarter = %s",
            (data["bergen"], int(year), int(number)),
        )
        assert rows == [("submitted", data["bergen_contact"], 7, "stand", 120, 1)], rows

        # --- The clock moves past the quarter's deadline: the "overdue" step's day -------------
        taken = stack.shell(SWEEP % data["overdue_day"])
        assert taken["overdue"] == 1, taken  # the group in Voss; Bergen sentrum has reported
        key = f"report-reminder:{data['other']}:{data['quarter']}:overdue:{data['other_contact']}"

        def reminders():
            return [m for m in sink.messages if m["X-Amnesty-Portal-Key"] == key]

        # Delivered by the worker (woken when the sweep committed; beat's periodic run otherwise).
        wait_until(reminders, 90, f"the reminder {key} in the SMTP sink", stack)
        # The sweep again, on the same day and the next: nothing more is sent.
        overdue_day = datetime.date.fromisoformat(data["overdue_day"])
        for day in (overdue_day, overdue_day + datetime.timedelta(days=1)):
            assert stack.shell(SWEEP % day.isoformat())["overdue"] == 0
        time.sleep(3)
        wait_until(
            lambda: not query(database_url, "SELECT 1 FROM amnesty_portal_outboxmessage WHERE status <> 'sent'"),
            60,
            "every outbox message sent",
            stack,
        )
        arrived = reminders()
        assert len(arrived) == 1, f"{len(arrived)} reminders arrived:\n{sink_listing(sink)}"
        reminder = arrived[0]
        assert reminder.rcpt_tos == [OTHER_CONTACT_EMAIL], reminder.rcpt_tos
        assert reminder["To"] == OTHER_CONTACT_EMAIL
        assert "Amnesty Voss" in reminder.get_body(("plain",)).get_content()
        assert site in reminder.get_body(("plain",)).get_content()  # links point to SITE_URL
        # Amnesty Bergen sentrum has reported (late, but before the sweep): its contact got no reminder.
        assert not [
            m
            for m in sink.messages
            if CONTACT_EMAIL in m.rcpt_tos and (m["X-Amnesty-Portal-Key"] or "").startswith("report-")
        ], sink_listing(sink)
        stack.check_running()
    except Exception as exc:
        raise AssertionError(f"{exc}\n\nMail in the SMTP sink:\n{sink_listing(sink)}\n\n{stack.report()}") from exc
    finally:
        try:
            stack.stop()
            sink.stop()
            broker.flushdb()
            broker.close()
        finally:
            drop_database(DATABASE_URL, database)


def serve_static(route, static_root: Path):
    path = static_root / urlsplit(route.request.url).path.removeprefix("/static/")
    if path.is_file():
        route.fulfill(path=path)
    else:
        route.fulfill(status=404, body="Not found")


def file_report_in_chromium(site: str, static_root: Path, group_pk: int, quarter: str, password: str):
    """Log in through the login form, follow the links from the group's page to the report for the
    quarter, fill it in (the group, one completed activity) and submit it."""
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, log_in

    year, number = (int(part) for part in quarter.split("-Q"))
    activity_day = datetime.date(year, 3 * number - 2, 1) + datetime.timedelta(days=20)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(base_url=site, locale="nb-NO")
            # In production the proxy in front of gunicorn serves what collectstatic gathered.
            context.route(f"{site}/static/**", lambda route: serve_static(route, static_root))
            page = context.new_page()
            page.set_default_timeout(20_000)
            log_in(page, CONTACT_EMAIL, password)
            # The contact lands on the group's page; from there to the list of reports, then the quarter's.
            page.wait_for_url(f"{site}/grupper/{group_pk}/")
            page.locator(f"main a[href='/grupper/{group_pk}/rapporter/']").first.click()
            page.wait_for_url(f"{site}/grupper/{group_pk}/rapporter/")
            page.locator(f"a[href='/grupper/{group_pk}/rapporter/{quarter}/']").click()
            page.wait_for_url(f"{site}/grupper/{group_pk}/rapporter/{quarter}/")

            form = page.locator("form[data-autosave]")
            form.locator("[name=members_count]").fill("7")
            form.locator("[name=support_needed]").fill("Hjelp til å planlegge en stand i desember.")
            form.locator("[name=comments]").fill("Et godt kvartal.")
            form.locator("[name=done-0-date]").fill(activity_day.isoformat())
            form.locator("[name=done-0-type]").select_option("stand")
            form.locator("[name=done-0-participants]").fill("4")
            form.locator("[name=done-0-signatures]").fill("120")
            form.locator("[name=done-0-description]").fill("Stand på Torgallmenningen")
            with page.expect_navigation():
                form.locator("button[name=action][value=submit]").click()
            problems = page.locator(".alert-danger, .invalid-feedback, .is-invalid")
            assert not problems.count(), f"the report was refused: {page.locator('main').inner_text()}"
        finally:
            browser.close()
