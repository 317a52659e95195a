"""Benchmark of the report reminder sweep next to the raw SQL that finds the same due set, SQLite and PostgreSQL.

    .venv/bin/python bench/reminders.py [--groups N] [--overdue N] [--repeat N] [--inner N]

A child process fills a fresh throwaway database with --groups recognised groups (default 10,000),
each with a contact person (a few with only a leader or deputy, a few with nobody), of which all but
--overdue (default 3,000) have submitted their report for the quarter that has just ended (some of
the others have a draft). Then, on the day the overdue step is due (the quarter's deadline +
REPORT_OVERDUE_DAYS_AFTER), it times in the same process:

* **sweep**: `groups.reminders.sweep(today=that day)`: finds the due groups, writes the
  ReminderStep claims and the overdue emails to the outbox, rendered per recipient;
* **sweep again**: the same sweep an hour later: everything is claimed, nothing is written. Run
  twice: at once (*unanalysed*: on PostgreSQL the planner still believes the claims table empty)
  and after `ANALYZE groups_reminderstep`, as autovacuum will have done within the hour;
* **raw SELECT**: one SELECT with NOT EXISTS over reports and reminder steps, run with
  connection.cursor(), that returns the same due groups (checked against the sweep's claims);
* **raw INSERT…SELECT**: the same statement inserting the claim rows (ON CONFLICT DO NOTHING, as the
  sweep's ignore_conflicts) in one transaction: the sweep's database work without the emails.

Between runs the claims and outbox rows are deleted (and on PostgreSQL the tables vacuumed and
analysed). Each run is repeated --inner times in the process (median), in fresh processes and
databases --repeat times (median of the medians, range given). Queries are counted in the timed
runs with connection.execute_wrapper(). Databases and settings are those of import_members.py and
criteria.py (whose helpers this imports). Results: stdout and bench/results/reminders.json.
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
from collections import Counter, defaultdict
from pathlib import Path

# bench/ is on sys.path when this file runs as a script (the driver and its child processes alike).
from import_members import ASCII, FIRST_NAMES, LAST_NAMES, ROOT, run_on_fresh_database
from import_members import backends as available_backends

SEED = 2024
HOST = "localhost"
RUNS = ("sweep", "sweep_again_unanalysed", "sweep_again", "raw_select", "raw_insert")
SHARE_ONLY_LEADER = 0.01  # the contact stepped down; the leader (or deputy) gets the reminder
SHARE_NOBODY = 0.005  # no contact, leader or deputy: the step is recorded, nothing is sent
SHARE_LEADER = 0.7
SHARE_DEPUTY = 0.3
SHARE_DRAFT = 0.3  # of the overdue groups: a draft is started but not submitted
SHARE_ENGLISH = 0.08

# The due set for one (quarter, step), as groups.reminders._owing() describes it.
DUE = """
    FROM groups_group g
    WHERE g.status = 'recognised'
      AND g.founded_on <= %(end)s
      AND (g.decided_at IS NULL OR g.decided_at < %(approved_by)s)
      AND NOT EXISTS (
        SELECT 1 FROM groups_quarterlyreport r
        WHERE r.group_id = g.id AND r.year = %(year)s AND r.quarter = %(quarter)s AND r.status <> 'draft'
      )
      AND NOT EXISTS (
        SELECT 1 FROM groups_reminderstep s
        WHERE s.group_id = g.id AND s.year = %(year)s AND s.quarter = %(quarter)s AND s.step = %(step)s
      )
"""
RAW_SELECT = "SELECT g.id" + DUE
RAW_INSERT = (
    "INSERT INTO groups_reminderstep (group_id, year, quarter, step, taken_at) "
    "SELECT g.id, %(year)s, %(quarter)s, %(step)s, %(now)s" + DUE + " ON CONFLICT DO NOTHING"
)


# --- Generating the data (in the child process, Django set up) ------------------------------------


def populate(groups: int, overdue: int, quarter, seed: int) -> dict:
    from allauth.account.models import EmailAddress
    from django.db import transaction
    from django.utils import timezone

    from activists.models import User
    from groups.models import Group, Office, QuarterlyReport
    from regions.models import Municipality, RegionRole

    rng = random.Random(seed)
    zone = timezone.get_default_timezone()
    municipalities = list(
        Municipality.objects.filter(county__region__isnull=False).values_list("number", "name", "county__region_id")
    )
    people = []

    def person():
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        people.append(
            User(
                email=f"{first}.{last}.{len(people)}@example.org".translate(ASCII).lower(),
                password="!",  # noqa: S106 -- an unusable password
                first_name=first,
                last_name=last,
                language="en" if rng.random() < SHARE_ENGLISH else "nb",
                membership_number=str(100000 + len(people)),
                membership_status="paying",
                member_since=datetime.date(2015, 1, 1),
            )
        )
        return len(people) - 1

    plans = []
    late = set(rng.sample(range(groups), overdue))
    for n in range(groups):
        municipality, place, region_id = rng.choice(municipalities)
        founded_on = quarter.start - datetime.timedelta(days=rng.randrange(30, 20 * 365))
        offices = []
        r = rng.random()
        if r >= SHARE_ONLY_LEADER + SHARE_NOBODY:
            offices.append(("contact", person()))
        if r >= SHARE_NOBODY:
            if rng.random() < SHARE_LEADER or r < SHARE_ONLY_LEADER + SHARE_NOBODY:
                offices.append(("leader", person()))
            if rng.random() < SHARE_DEPUTY:
                offices.append(("deputy", person()))
        report = None
        if n not in late:
            day = quarter.end + datetime.timedelta(days=rng.randrange(1, 14))
            report = "submitted" if rng.random() < 0.6 else "reviewed", day
        elif rng.random() < SHARE_DRAFT:
            report = "draft", quarter.end + datetime.timedelta(days=rng.randrange(1, 14))
        plans.append(
            {
                "group": Group(
                    name=f"Amnesty {place} {n}",
                    category="local",
                    status="recognised",
                    municipality_id=municipality,
                    region_id=region_id,
                    founded_on=founded_on,
                ),
                "offices": offices,
                "report": report,
            }
        )
    with transaction.atomic():
        people = User.objects.bulk_create(people, batch_size=2000)
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=p, email=p.email, verified=True, primary=True) for p in people], batch_size=2000
        )
        created = Group.objects.bulk_create([plan["group"] for plan in plans], batch_size=2000)
        offices, reports = [], []
        for plan, group in zip(plans, created, strict=True):
            for kind, index in plan["offices"]:
                offices.append(Office(group=group, person=people[index], kind=kind, started_on=group.founded_on))
            if plan["report"]:
                status, day = plan["report"]
                at = datetime.datetime.combine(day, datetime.time(19), tzinfo=zone)
                submitted = {"submitted_at": at, "members_count": 7} if status != "draft" else {}
                reports.append(
                    QuarterlyReport(
                        group=group,
                        year=quarter.year,
                        quarter=quarter.number,
                        status=status,
                        created_at=at,
                        **submitted,
                    )
                )
        Office.objects.bulk_create(offices, batch_size=2000)
        QuarterlyReport.objects.bulk_create(reports, batch_size=2000)
        for region_id in sorted({region for _number, _name, region in municipalities}):
            leader = User.objects.create(email=f"region.{region_id}@bench.example.org", first_name="Regional")
            RegionRole.objects.create(region_id=region_id, person=leader, kind="leader")
    return {
        "groups": groups,
        "people": len(people),
        "offices": dict(Counter(kind for plan in plans for kind, _index in plan["offices"])),
        "reports": dict(Counter(plan["report"][0] for plan in plans if plan["report"])),
        "overdue": overdue,
    }


# --- One measurement in a child process -----------------------------------------------------------


def worker(args):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amnesty_portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    from amnesty_portal.models import OutboxMessage
    from groups import reminders
    from groups.models import ReminderStep
    from groups.quarters import Quarter

    quarter = Quarter.of(timezone.localdate()).previous
    day = quarter.deadline + datetime.timedelta(days=settings.REPORT_OVERDUE_DAYS_AFTER)
    assert reminders.due_steps(day) == [(quarter, ReminderStep.Step.OVERDUE)], reminders.due_steps(day)
    counts = populate(args.groups, args.overdue, quarter, args.seed)
    params = {
        "end": quarter.end,
        "approved_by": timezone.make_aware(datetime.datetime.combine(quarter.next.start, datetime.time())),
        "year": quarter.year,
        "quarter": quarter.number,
        "step": str(ReminderStep.Step.OVERDUE),
    }

    def vacuum():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE groups_reminderstep")
                cursor.execute("VACUUM ANALYZE amnesty_portal_outboxmessage")

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would have done long before the deadline

    def reset():
        ReminderStep.objects.all().delete()
        OutboxMessage.objects.all().delete()
        vacuum()

    def raw_select():
        with connection.cursor() as cursor:
            cursor.execute(RAW_SELECT, params)
            return sorted(row[0] for row in cursor.fetchall())

    def raw_insert():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(RAW_INSERT, {**params, "now": timezone.now()})
            return cursor.rowcount

    kinds = Counter()

    def count(execute, sql, params, many, context):
        kinds[sql.split(None, 1)[0].upper()] += 1
        return execute(sql, params, many, context)

    samples, queries, results = defaultdict(list), {}, {}
    for repetition in range(args.inner):
        if repetition:
            reset()
        for name in RUNS:
            if name == "raw_select":
                reset()  # the raw runs start from the state the sweep started from
            if name == "sweep_again" and connection.vendor == "postgresql":
                with connection.cursor() as cursor:  # as autovacuum does in the hour between two sweeps
                    cursor.execute("ANALYZE groups_reminderstep")
            connection.close()  # each run starts on a fresh connection, as a Celery task does
            connection.ensure_connection()
            kinds.clear()
            with connection.execute_wrapper(count):
                started = time.perf_counter()
                if name.startswith("sweep"):
                    result = reminders.sweep(today=day)
                else:
                    result = raw_select() if name == "raw_select" else raw_insert()
                seconds = time.perf_counter() - started
            samples[name].append(seconds)
            queries[name] = {"queries": sum(kinds.values()), "query_kinds": dict(kinds)}
            results[name] = result
            if name == "sweep":
                claimed = sorted(ReminderStep.objects.values_list("group_id", flat=True))
                emails = OutboxMessage.objects.count()
                assert len(claimed) == args.overdue and result[ReminderStep.Step.OVERDUE] == args.overdue, result
            if name.startswith("sweep_again"):
                assert not any(result.values()), result
                assert OutboxMessage.objects.count() == emails
            if name == "raw_select":
                assert result == claimed, "the raw SELECT and the sweep disagree"
            if name == "raw_insert":
                assert result == args.overdue, result
                assert sorted(ReminderStep.objects.values_list("group_id", flat=True)) == claimed
    counts["emails"] = emails
    runs = {}
    for name in RUNS:
        seconds = statistics.median(samples[name])
        runs[name] = {"seconds": round(seconds, 5), **queries[name]}
    print(
        json.dumps(
            {"vendor": connection.vendor, "quarter": str(quarter), "day": str(day), "counts": counts, "runs": runs}
        )
    )


# --- The driver -----------------------------------------------------------------------------------


def measure(backend: str, args, scratch: Path) -> dict:
    command = [sys.executable, __file__, "--worker", "--groups", str(args.groups), "--overdue", str(args.overdue)]
    command += ["--seed", str(args.seed), "--inner", str(args.inner)]
    return run_on_fresh_database(backend, "bench_reminders", command, scratch, HOST)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=10_000)
    parser.add_argument("--overdue", type=int, default=3_000)
    parser.add_argument("--repeat", type=int, default=3, help="processes per database (median)")
    parser.add_argument("--inner", type=int, default=3, help="repetitions of each run within a process (median)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)

    backends = available_backends()
    print(
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {args.groups} groups, {args.overdue} overdue, "
        f"median of {args.repeat} processes, each the median of {args.inner}",
        flush=True,
    )
    timed = defaultdict(list)
    with tempfile.TemporaryDirectory(prefix="bench-reminders-") as scratch:
        scratch = Path(scratch)
        for _ in range(args.repeat):
            for backend in backends:
                timed[backend].append(measure(backend, args, scratch))
    results = []
    for backend in backends:
        samples = timed[backend]
        result = {"backend": backend, "counts": samples[0]["counts"], "quarter": samples[0]["quarter"]}
        result["day"] = samples[0]["day"]
        for name in RUNS:
            seconds = sorted(sample["runs"][name]["seconds"] for sample in samples)
            result[name] = {
                "seconds": statistics.median(seconds),
                "seconds_all": seconds,
                "queries": samples[0]["runs"][name]["queries"],
                "query_kinds": samples[0]["runs"][name]["query_kinds"],
            }
        # Ratios within each process, then the median: both sides shared the machine's spells.
        for raw in ("raw_select", "raw_insert"):
            ratios = sorted(sample["runs"]["sweep"]["seconds"] / sample["runs"][raw]["seconds"] for sample in samples)
            result[f"sweep_over_{raw}"] = round(statistics.median(ratios), 1)
            result[f"sweep_over_{raw}_all"] = [round(ratio, 1) for ratio in ratios]
        ratios = sorted(
            sample["runs"]["sweep_again"]["seconds"] / sample["runs"]["raw_select"]["seconds"] for sample in samples
        )
        result["sweep_again_over_raw_select"] = round(statistics.median(ratios), 1)
        results.append(result)
        print_rows(result)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "reminders.json").write_text(json.dumps(results, indent=2) + "\n")


def print_rows(result):
    for name in RUNS:
        run = result[name]
        print(
            f"{result['backend']:<10} {name:<12} {run['seconds'] * 1000:>9.1f} ms "
            f"({', '.join(f'{s * 1000:.1f}' for s in run['seconds_all'])})  "
            f"queries {run['queries']} {run['query_kinds']}",
            flush=True,
        )
    print(
        f"{result['backend']:<10} sweep / raw SELECT {result['sweep_over_raw_select']} "
        f"({result['sweep_over_raw_select_all']}), sweep / raw INSERT…SELECT {result['sweep_over_raw_insert']} "
        f"({result['sweep_over_raw_insert_all']}), quiet sweep / raw SELECT {result['sweep_again_over_raw_select']}; "
        f"{result['counts']}",
        flush=True,
    )


if __name__ == "__main__":
    main()
