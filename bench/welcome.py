"""Benchmark of the welcome series' daily run for many new members due a step, next to baselines, SQLite and PostgreSQL.

    .venv/bin/python bench/welcome.py [--people N [N ...]] [--repeat N] [--chunk N]

A child process fills a fresh throwaway database with N paying members (default 10,000 and 100,000),
each with an email address and consent, 8 % writing in English, postal codes sampled over the whole
country, all enrolled in the default series so that on the day measured each is due one step: a
quarter each in the windows of day 0, 7, 21 and 45 (the last one the personalised invitation to be
active), with 72 recognised groups in the reference data's municipalities and the activity catalogue
of the data migration. Then, in the same process:

* **run**: `activists.welcome.send_due_steps(day)`: finds who is due, claims each step with a
  `WelcomeSend` row, renders each email in the person's language (with the invitation's suggestions
  for the places a chunk meets first looked up together, once per language: `engage.suggest_many`)
  and writes it to the outbox, in chunks of 1000;
* **run again**: the same day again: everything is claimed, nothing is written;
* **raw SELECT**: the run's query for who is due (its SQL, with `connection.cursor()`), all rows
  fetched into a list: the floor for finding the work, and what loading everyone at once costs in
  memory;
* **outbox INSERT**: `OutboxMessage.objects.bulk_create` of N ready-made rows as large as the run's
  (one rendered invitation copied N times, in batches of 1000 in one transaction): the floor for
  writing the emails, with no rendering.

Between runs the claims and outbox rows are deleted and the enrolments reopened (on PostgreSQL the
tables vacuumed and analysed). Time is wall time in a process without tracing; peak memory is
`tracemalloc`'s peak in a second process that repeats the runs traced (tracing slows Python down, so
those runs are not timed). Queries are counted in the timed runs with `connection.execute_wrapper()`.
Databases and settings are those of import_members.py (fresh database, migrated in a process of its
own, `DEBUG=false`). Results: stdout and bench/results/welcome.json.
"""

import argparse
import datetime
import json
import os
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from pathlib import Path

# bench/ is on sys.path when this file runs as a script (the driver and its child processes alike).
from import_members import ASCII, FIRST_NAMES, LAST_NAMES, ROOT, run_on_fresh_database
from import_members import backends as available_backends

SEED = 2024
RUNS = ("run", "run_again", "raw_select", "outbox_insert")
SHARE_ENGLISH = 0.08
GROUPS = 72


# --- Generating the data (in the child process, Django set up) ------------------------------------


def populate(people: int, day: datetime.date, seed: int) -> dict:
    from django.db import transaction

    from activists.models import User, WelcomeEnrolment, WelcomeStep
    from groups.models import Group
    from regions.models import Municipality, PostalCode

    rng = random.Random(seed)
    steps = list(WelcomeStep.objects.filter(is_active=True).order_by("day"))
    from activists.welcome import step_windows

    windows = [(first, last) for _step, first, last in step_windows(steps, day)]
    codes = list(PostalCode.objects.filter(municipality__isnull=False).values_list("code", flat=True))
    municipalities = list(
        Municipality.objects.filter(county__region__isnull=False).values_list("number", "name", "county__region_id")
    )
    rows = []
    for n in range(people):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        low, high = windows[n % len(windows)]
        started = low + datetime.timedelta(days=rng.randrange((high - low).days + 1))
        rows.append(
            User(
                email=f"{first}.{last}.{n}@example.org".translate(ASCII).lower(),
                password="!",  # noqa: S106 -- an unusable password
                first_name=first,
                last_name=last,
                language="en" if rng.random() < SHARE_ENGLISH else "nb",
                membership_number=str(500000 + n),
                membership_status="paying",
                member_since=started,
                email_consent=True,
                postal_code_id=rng.choice(codes),
            )
        )
    with transaction.atomic():
        created = User.objects.bulk_create(rows, batch_size=2000)
        WelcomeEnrolment.objects.bulk_create(
            [WelcomeEnrolment(person=person, started_on=person.member_since) for person in created], batch_size=2000
        )
        Group.objects.bulk_create(
            [
                Group(
                    name=f"Amnesty {name} {n}",
                    category="local",
                    status="recognised",
                    municipality_id=number,
                    region_id=region_id,
                )
                for n, (number, name, region_id) in enumerate(rng.sample(municipalities, GROUPS))
            ]
        )
    return {
        "people": people,
        "english": sum(1 for row in rows if row.language == "en"),
        "postal_codes": len({row.postal_code_id for row in rows}),
        "groups": GROUPS,
    }


# --- One measurement in a child process -----------------------------------------------------------


def worker(args):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amnesty_portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection, transaction
    from django.utils import timezone

    from activists import welcome
    from activists.models import ActivityIdea, User, WelcomeEnrolment, WelcomeSend, WelcomeStep
    from amnesty_portal.mail import build
    from amnesty_portal.models import OutboxMessage

    day = timezone.localdate()
    counts = populate(args.people, day, args.seed)
    counts["activity_ideas"] = ActivityIdea.objects.published().count()
    steps = list(WelcomeStep.objects.filter(is_active=True).order_by("day"))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would have done before the morning's run

    def reset():
        WelcomeSend.objects.all().delete()
        OutboxMessage.objects.all().delete()
        WelcomeEnrolment.objects.update(stopped_at=None, stop_reason="")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for table in ("activists_welcomesend", "amnesty_portal_outboxmessage", "activists_welcomeenrolment"):
                    cursor.execute(f"VACUUM ANALYZE {table}")

    sql, params = welcome.due(steps, day).query.sql_with_params()

    def raw_select():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    template_rows = {}

    def outbox_insert():
        sample = template_rows["row"]
        with transaction.atomic():
            for start in range(0, args.people, welcome.CHUNK):
                OutboxMessage.objects.bulk_create(
                    [
                        OutboxMessage(
                            key=f"bench:{n}",
                            kind=sample.kind,
                            to=f"bench{n}@example.org",
                            subject=sample.subject,
                            text=sample.text,
                            html=sample.html,
                            headers=sample.headers,
                        )
                        for n in range(start, min(start + welcome.CHUNK, args.people))
                    ]
                )
        return args.people

    # One real invitation, rendered before any clock starts and copied N times by the insert baseline.
    invitation = next(step for step in steps if step.invites_to_engage)
    person = User.objects.filter(welcome__isnull=False).select_related("postal_code").order_by("pk").first()
    [template_rows["row"]] = build([person], welcome.TEMPLATE, welcome._context(invitation, person, {}), key="x")
    template_rows["row"].headers = {"List-Unsubscribe": "<x>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}

    kinds = Counter()

    def count(execute, sql, params, many, context):
        kinds[sql.split(None, 1)[0].upper()] += 1
        return execute(sql, params, many, context)

    runs = {}
    for name in RUNS:
        if name in ("raw_select", "outbox_insert"):
            reset()
        connection.close()  # each run starts on a fresh connection, as a Celery task does
        connection.ensure_connection()
        kinds.clear()
        if args.trace:
            tracemalloc.start()
        with connection.execute_wrapper(count):
            started = time.perf_counter()
            if name.startswith("run"):
                result = welcome.send_due_steps(day, chunk=args.chunk)
            elif name == "raw_select":
                result = len(raw_select())
            else:
                result = outbox_insert()
            seconds = time.perf_counter() - started
        run = {"seconds": round(seconds, 3), "queries": sum(kinds.values()), "query_kinds": dict(kinds)}
        if args.trace:
            run["tracemalloc_peak_mib"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
            tracemalloc.stop()
        if name == "run":
            assert result["sent"] == args.people, result
            assert OutboxMessage.objects.count() == args.people
            run["by_day"] = result["by_day"]
        elif name == "run_again":
            assert result["sent"] == 0, result
        elif name == "raw_select":
            assert result == args.people, result
        runs[name] = run
    print(json.dumps({"vendor": connection.vendor, "day": str(day), "counts": counts, "runs": runs}))


# --- The driver -----------------------------------------------------------------------------------


def measure(backend: str, people: int, args, scratch: Path, trace: bool) -> dict:
    command = [sys.executable, __file__, "--worker", "--people", str(people), "--seed", str(args.seed)]
    command += ["--chunk", str(args.chunk)] + (["--trace"] if trace else [])
    return run_on_fresh_database(backend, "bench_welcome", command, scratch)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=1, help="timed processes per size and database (median)")
    parser.add_argument("--chunk", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--databases", nargs="+", choices=["sqlite", "postgresql"], help="default: every one available")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        args.people = args.people[0]
        return worker(args)

    print(
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, people {args.people}, chunk {args.chunk}, "
        f"median of {args.repeat} timed processes, one traced",
        flush=True,
    )
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-welcome-") as scratch:
        scratch = Path(scratch)
        for people in args.people:
            for backend in [name for name in available_backends() if name in (args.databases or [name])]:
                timed = [measure(backend, people, args, scratch, False) for _ in range(args.repeat)]
                traced = measure(backend, people, args, scratch, True)
                result = {"backend": backend, "people": people, "counts": timed[0]["counts"], "runs": {}}
                for name in RUNS:
                    seconds = sorted(sample["runs"][name]["seconds"] for sample in timed)
                    result["runs"][name] = {
                        "seconds": statistics.median(seconds),
                        "seconds_all": seconds,
                        "queries": timed[0]["runs"][name]["queries"],
                        "query_kinds": timed[0]["runs"][name]["query_kinds"],
                        "tracemalloc_peak_mib": traced["runs"][name]["tracemalloc_peak_mib"],
                    }
                result["by_day"] = timed[0]["runs"]["run"]["by_day"]
                results.append(result)
                print_rows(result)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "welcome.json").write_text(json.dumps(results, indent=2) + "\n")


def print_rows(result):
    runs = result["runs"]
    for name in RUNS:
        run = runs[name]
        print(
            f"{result['backend']:<10} {result['people']:>7} {name:<13} {run['seconds']:>8.2f} s "
            f"({', '.join(f'{s:.2f}' for s in run['seconds_all'])})  peak {run['tracemalloc_peak_mib']:>6} MiB  "
            f"queries {run['queries']} {run['query_kinds']}",
            flush=True,
        )
    per_person = runs["run"]["seconds"] / result["people"] * 1000
    print(
        f"{result['backend']:<10} {result['people']:>7} {per_person:.2f} ms a person; run / raw SELECT "
        f"{runs['run']['seconds'] / runs['raw_select']['seconds']:.0f}, run / outbox INSERT "
        f"{runs['run']['seconds'] / runs['outbox_insert']['seconds']:.1f}; by day {result['by_day']}; "
        f"{result['counts']}",
        flush=True,
    )


if __name__ == "__main__":
    main()
