"""Benchmark of the group criteria: refresh_standings() and the admins' review page, SQLite and PostgreSQL.

    .venv/bin/python bench/criteria.py [--groups N ...] [--repeat N] [--inner N]

For every size (default 100 and 1000 groups: the organisation's ~70 and fourteen times that) and
database, a child process fills a fresh throwaway database with generated groups (bulk_create, not
factories), then times groups.criteria.refresh_standings() twice, the first time creating every
CriterionStatus row and the second time with nothing changed, and a GET of the review page
(/grupper/oppfolging/) as an admin, each --inner times (the process reports the median). That is
repeated in fresh processes and databases (--repeat; the median is reported), with the sizes
interleaved so that a slow spell on a shared machine hits both. The ratio of the cost per group
at each size to the cost at the smallest size, measured in the same run, shows whether the cost
grows linearly. One more child process per size and database counts the queries with
CaptureQueriesContext (the debug cursor it turns on slows queries down, so it is not timed).
Databases and settings are the same as in import_members.py. Results: stdout and bench/results/.
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
from contextlib import nullcontext
from pathlib import Path

# bench/ is on sys.path when this file runs as a script (the driver and its child processes alike).
from import_members import ASCII, FIRST_NAMES, LAST_NAMES, ROOT, run_on_fresh_database
from import_members import backends as available_backends

SEED = 2024
REVIEW_URL = "/grupper/oppfolging/"
HOST = "localhost"
RUNS = ("first", "second", "review")

# How groups look (the demo data's shares, activists/demo_data.py, and the secretariat's ~70 groups).
CATEGORY_WEIGHTS = {"local": 45, "student": 20, "youth": 15, "thematic": 15, "parent": 5}
MEMBERS_PER_GROUP = list(range(3, 16))
MEMBERS_PER_GROUP_WEIGHTS = [8, 10, 13, 12, 10, 8, 6, 4, 3, 2, 2, 1, 1]
SHARE_PENDING = 0.03  # awaiting approval: checked
SHARE_CLOSED = 0.03  # closed: not checked, listed as recently closed on the review page
SHARE_LAPSED = 0.01  # of group members: membership lapsed (some within the 30 days' grace)
SHARE_NON_MEMBER = 0.002
SHARE_NO_CONTACT = 0.015  # the contact stepped down and nobody took over
SHARE_CONTACT_UNVERIFIED = 0.02
SHARE_NO_STATUTES = 0.03
SHARE_NO_AREAS = 0.02
SHARE_NOT_OPEN = 0.02
SHARE_JOIN_REQUEST = 0.08  # a pending join request: most under two weeks old, some up to 45 days
SHARE_ANSWERED_REQUEST = 0.05
SHARE_FORMER_MEMBER = 0.25
SHARE_LEADER = 0.7
SHARE_ACCOUNT = 0.25  # ordinary members with a confirmed login


# --- Generating the data (in the child process, Django set up) ------------------------------------


def populate(groups: int, seed: int):
    """`groups` groups with members, offices, priority areas, statutes and join requests, and an
    admin with TOTP set up. Returns the admin."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.db import transaction
    from django.utils import timezone

    from activists.models import User
    from groups.models import (
        Group,
        GroupMembership,
        JoinRequest,
        Office,
        PriorityArea,
        StatutesAcceptance,
        StatutesVersion,
    )
    from regions.models import Municipality, PostalCode

    rng = random.Random(seed)
    today = timezone.localdate()
    zone = timezone.get_default_timezone()

    def day_between(start, end):
        return start + datetime.timedelta(days=rng.randrange(max((end - start).days, 1)))

    def moment(day):
        return datetime.datetime.combine(day, datetime.time(rng.randrange(8, 22), rng.randrange(60)), tzinfo=zone)

    municipalities = list(
        Municipality.objects.filter(county__region__isnull=False).values_list("number", "name", "county__region_id")
    )
    codes = defaultdict(list)
    for code, municipality in PostalCode.objects.filter(category__in=["G", "B"]).values_list("code", "municipality_id"):
        codes[municipality].append(code)
    areas = list(PriorityArea.objects.filter(is_current=True).values_list("pk", flat=True))
    statutes = StatutesVersion.objects.current(on=today)

    people = []

    def person(municipality, *, youth=False, status=None):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        if status is None:
            r = rng.random()
            status = "lapsed" if r < SHARE_LAPSED else "non_member" if r < SHARE_LAPSED + SHARE_NON_MEMBER else "paying"
        lapsed_on = None
        if status == "lapsed":
            # One lapse in five is recent enough to renew (the group is at risk, not failing).
            lapsed_on = today - datetime.timedelta(
                days=rng.randrange(1, 30) if rng.random() < 0.2 else rng.randrange(30, 730)
            )
        age = rng.randint(13, 19) if youth and rng.random() < 0.97 else rng.randint(18, 80)
        people.append(
            User(
                email=f"{first}.{last}.{len(people)}@example.org".translate(ASCII).lower(),
                password="!",  # noqa: S106 -- an unusable password, as set_unusable_password() makes
                first_name=first,
                last_name=last,
                phone=f"+479{rng.randrange(10**7):07d}",
                birth_year=today.year - age,
                gender=rng.choice(["woman"] * 60 + ["man"] * 33 + ["non_binary", "other", "unspecified", ""]),
                postal_code_id=rng.choice(codes[municipality]) if codes.get(municipality) else None,
                language="en" if rng.random() < 0.08 else "nb",
                membership_number=str(100000 + len(people)),
                membership_status=status,
                member_since=day_between(datetime.date(1990, 1, 1), today) if status != "non_member" else None,
                lapsed_on=lapsed_on,
                email_consent=rng.random() < 0.7,
            )
        )
        return len(people) - 1  # an index into people: the pks come with bulk_create

    # Plan everything with indexes, then write it table by table.
    plans = []
    for n in range(groups):
        municipality, place, region_id = rng.choice(municipalities)
        category = rng.choices(list(CATEGORY_WEIGHTS), list(CATEGORY_WEIGHTS.values()))[0]
        r = rng.random()
        status = "pending" if r < SHARE_PENDING else "closed" if r < SHARE_PENDING + SHARE_CLOSED else "recognised"
        founded_on = day_between(today - datetime.timedelta(days=30 * 365), today - datetime.timedelta(days=60))
        plan = {
            "group": Group(
                name=f"Amnesty {'ungdom ' if category == 'youth' else ''}{place} {n}",
                category=category,
                status=status,
                municipality_id=None if category == "thematic" and rng.random() < 0.1 else municipality,
                region_id=region_id,
                themes="Stands, skrivemaraton og foredrag",
                is_open=rng.random() >= SHARE_NOT_OPEN,
                founded_on=founded_on,
                registered_at=moment(founded_on),
                decided_at=moment(founded_on + datetime.timedelta(days=5)) if status != "pending" else None,
                closed_on=day_between(today - datetime.timedelta(days=365), today) if status == "closed" else None,
                closing_reason="Gruppa meldte selv at den legger ned arbeidet." if status == "closed" else "",
            ),
            "members": [],
            "former": [],
        }
        size = rng.choices(MEMBERS_PER_GROUP, MEMBERS_PER_GROUP_WEIGHTS)[0]
        for _ in range(size):
            plan["members"].append((person(municipality, youth=category == "youth"), day_between(founded_on, today)))
        if rng.random() < SHARE_FORMER_MEMBER:
            plan["former"].append(person(municipality))
        plan["contact_ended"] = rng.random() < SHARE_NO_CONTACT
        plan["contact_verified"] = rng.random() >= SHARE_CONTACT_UNVERIFIED
        plan["leader"] = size > 1 and rng.random() < SHARE_LEADER
        plan["areas"] = [] if rng.random() < SHARE_NO_AREAS else rng.sample(areas, rng.randint(1, 3))
        plan["statutes"] = statutes is not None and rng.random() >= SHARE_NO_STATUTES
        plan["requests"] = []
        if rng.random() < SHARE_JOIN_REQUEST:
            plan["requests"].append(
                (
                    person(municipality, status="paying"),
                    "pending",
                    rng.randrange(0, 14) if rng.random() < 0.8 else rng.randrange(14, 46),
                )
            )
        if rng.random() < SHARE_ANSWERED_REQUEST:
            plan["requests"].append((person(municipality, status="paying"), "declined", rng.randrange(5, 400)))
        plans.append(plan)

    with transaction.atomic():
        people = User.objects.bulk_create(people)
        created = Group.objects.bulk_create([plan["group"] for plan in plans])
        memberships, offices, emails, through, acceptances, requests = [], [], [], [], [], []
        for plan, group in zip(plans, created, strict=True):
            members = plan["members"]
            for index, joined_on in members:
                memberships.append(GroupMembership(group=group, person=people[index], joined_on=joined_on))
            for index in plan["former"]:
                joined_on = day_between(group.founded_on, today)
                left_on = day_between(joined_on, today)
                memberships.append(
                    GroupMembership(group=group, person=people[index], joined_on=joined_on, left_on=left_on)
                )
            contact, contact_since = people[members[0][0]], members[0][1]
            if plan["contact_ended"]:
                ended_on = day_between(contact_since, today)
                offices.append(
                    Office(
                        group=group,
                        person=contact,
                        kind="contact",
                        started_on=contact_since,
                        ended_on=ended_on,
                        end_reason="stepped_down",
                    )
                )
            else:
                offices.append(Office(group=group, person=contact, kind="contact", started_on=contact_since))
            emails.append(
                EmailAddress(user=contact, email=contact.email, verified=plan["contact_verified"], primary=True)
            )
            if plan["leader"]:
                offices.append(
                    Office(group=group, person=people[members[1][0]], kind="leader", started_on=members[1][1])
                )
            for index, _joined_on in members[1:]:
                if rng.random() < SHARE_ACCOUNT:
                    emails.append(
                        EmailAddress(user=people[index], email=people[index].email, verified=True, primary=True)
                    )
            through += [Group.priority_areas.through(group=group, priorityarea_id=pk) for pk in plan["areas"]]
            if plan["statutes"]:
                start = max(statutes.published_on, group.founded_on)
                acceptances.append(
                    StatutesAcceptance(
                        group=group,
                        version=statutes,
                        accepted_by=contact,
                        accepted_at=moment(day_between(start, today)),
                    )
                )
            for index, status, days in plan["requests"]:
                asked = moment(today - datetime.timedelta(days=days))
                answered = (
                    {"answered_by": contact, "answered_at": asked + datetime.timedelta(days=3)}
                    if status != "pending"
                    else {}
                )
                requests.append(
                    JoinRequest(group=group, person=people[index], status=status, created_at=asked, **answered)
                )
                emails.append(EmailAddress(user=people[index], email=people[index].email, verified=True, primary=True))
        GroupMembership.objects.bulk_create(memberships)
        Office.objects.bulk_create(offices)
        Group.priority_areas.through.objects.bulk_create(through)
        StatutesAcceptance.objects.bulk_create(acceptances)
        JoinRequest.objects.bulk_create(requests)
        admin = User.objects.create(
            email="admin@bench.example.org", first_name="Hanne", last_name="Lunde", is_secretariat=True, is_staff=True
        )
        emails.append(EmailAddress(user=admin, email=admin.email, verified=True, primary=True))
        EmailAddress.objects.bulk_create(emails)
        TOTP.activate(admin, generate_totp_secret())  # admins must have set up two-factor to get in
    counts = {
        "groups": len(created),
        "checked_groups": sum(1 for group in created if group.status in ("pending", "recognised")),
        "people": len(people),
        "memberships": len(memberships),
        "offices": len(offices),
        "email_addresses": len(emails),
        "join_requests": len(requests),
    }
    return admin, counts


# --- One measurement in a child process -----------------------------------------------------------


def worker(args):
    """Fill a fresh database, then refresh twice and GET the review page. Prints JSON."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amnesty_portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from groups.criteria import refresh_standings
    from groups.models import CriterionStatus, Group

    admin, counts = populate(args.groups[0], args.seed)
    if connection.vendor == "postgresql":
        # In production the nightly refresh finds tables autovacuum has analysed long ago.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    client = Client(HTTP_HOST=HOST)
    client.force_login(admin)

    def review():
        response = client.get(REVIEW_URL, secure=True)  # production settings redirect plain HTTP
        assert response.status_code == 200, (response.status_code, response.get("Location"))
        return response

    def reset():
        """Back to no CriterionStatus rows and every group at the default standing, as after populate()."""
        CriterionStatus.objects.all().delete()
        Group.objects.update(standing=Group.Standing.MEETS, standing_checked_at=None)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE groups_criterionstatus")

    def run_once(name):
        connection.close()  # every run starts on a fresh connection, as a Celery task or a request
        connection.ensure_connection()  # ...but opening it is not what is measured
        with CaptureQueriesContext(connection) if args.count_queries else nullcontext() as capture:
            started = time.perf_counter()
            result = review() if name == "review" else refresh_standings()
            seconds = time.perf_counter() - started
        # Copied now: the log the context reads is emptied when the test client's next request starts.
        return seconds, result, None if capture is None else list(capture.captured_queries)

    # Each run is repeated --inner times in the process (a run at 100 groups takes tens of
    # milliseconds, so one sample is mostly noise); the process reports the median. The first
    # refresh is repeated after reset(), the second refresh always follows a first one.
    samples = defaultdict(list)
    inner = 1 if args.count_queries else args.inner
    for repetition in range(inner):
        if repetition:
            reset()
        for name in ("first", "second"):
            samples[name].append(run_once(name))
    review()  # the first request of a process loads templates and translations
    samples["review"] = [run_once("review") for _ in range(inner)]

    runs = {}
    for name in RUNS:
        seconds = statistics.median(sample[0] for sample in samples[name])
        run = {"seconds": round(seconds, 4), "ms_per_group": round(seconds * 1000 / counts["groups"], 4)}
        result, queries = samples[name][-1][1:]
        if name == "review":
            # response.context needs the test runner's template instrumentation, which slows rendering.
            run["listed_groups"] = result.content.count(b'aria-labelledby="group-')
            run["response_kib"] = round(len(result.content) / 1024, 1)
        else:
            run["changed_standing"] = sorted({sample[1] for sample in samples[name]})
        if queries is not None:
            run["queries"] = len(queries)
            run["query_kinds"] = dict(Counter(query["sql"].split(None, 1)[0].upper() for query in queries))
            slowest = sorted(queries, key=lambda query: -float(query["time"]))[:3]
            run["slowest_queries"] = [{"seconds": float(q["time"]), "sql": q["sql"][:160]} for q in slowest]
        runs[name] = run
    statuses = CriterionStatus.objects.count()
    assert statuses == 5 * counts["checked_groups"], (statuses, counts)
    assert runs["second"]["changed_standing"] == [0], runs["second"]
    assert len(runs["first"]["changed_standing"]) == 1, runs["first"]  # every first refresh the same
    counts["standing"] = dict(Counter(Group.objects.filter(status="recognised").values_list("standing", flat=True)))
    problems = CriterionStatus.objects.exclude(state="meets").values_list("number", "state")
    counts["criteria_not_met"] = dict(Counter(f"{number} {state}" for number, state in problems))
    print(json.dumps({"vendor": connection.vendor, "counts": counts, "runs": runs}))


# --- The driver -----------------------------------------------------------------------------------


def measure(backend: str, groups: int, seed: int, inner: int, count_queries: bool, scratch: Path) -> dict:
    command = [
        sys.executable,
        __file__,
        "--worker",
        "--groups",
        str(groups),
        "--seed",
        str(seed),
        "--inner",
        str(inner),
    ]
    if count_queries:
        command.append("--count-queries")
    return run_on_fresh_database(backend, "bench_criteria", command, scratch, HOST)


def summarise(timed: list, counted: dict) -> dict:
    runs = {}
    for name in RUNS:
        samples = [t["runs"][name] for t in timed]
        ms = sorted(run["ms_per_group"] for run in samples)
        runs[name] = {
            "seconds": statistics.median(run["seconds"] for run in samples),
            "ms_per_group": statistics.median(ms),
            "ms_per_group_all": [round(value, 3) for value in ms],
            **{key: value for key, value in counted["runs"][name].items() if key not in ("seconds", "ms_per_group")},
        }
    return {"counts": counted["counts"], "runs": runs}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per size and database (median)")
    parser.add_argument("--inner", type=int, default=5, help="repetitions of each run within a process (median)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--count-queries", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)

    backends = available_backends()
    sizes = sorted(set(args.groups))
    print(
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, groups {sizes}, "
        f"median of {args.repeat} processes, each the median of {args.inner}",
        flush=True,
    )
    timed = defaultdict(list)
    with tempfile.TemporaryDirectory(prefix="bench-criteria-") as scratch:
        scratch = Path(scratch)
        # Sizes interleaved: the baseline and the large size share the machine's good and bad spells.
        for _ in range(args.repeat):
            for backend in backends:
                for groups in sizes:
                    timed[backend, groups].append(measure(backend, groups, args.seed, args.inner, False, scratch))
        results = []
        for backend in backends:
            for groups in sizes:
                counted = measure(backend, groups, args.seed, 1, True, scratch)
                results.append({"backend": backend, "groups": groups, **summarise(timed[backend, groups], counted)})
                print_rows(results[-1])
    for result in results:
        baseline = next(r for r in results if r["backend"] == result["backend"] and r["groups"] == sizes[0])
        result["ratio_to_baseline"] = {
            name: round(result["runs"][name]["ms_per_group"] / baseline["runs"][name]["ms_per_group"], 2)
            for name in RUNS
        }
        if result is not baseline:
            ratios = ", ".join(f"{name} {ratio}" for name, ratio in result["ratio_to_baseline"].items())
            print(f"{result['backend']:<10} ms per group at {result['groups']} / at {sizes[0]} groups: {ratios}")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "criteria.json").write_text(json.dumps(results, indent=2) + "\n")


def print_rows(result):
    for name, run in result["runs"].items():
        extra = f"listed {run['listed_groups']}, {run['response_kib']} KiB" if name == "review" else ""
        if name != "review":
            extra = f"changed standing {run['changed_standing']}"
        print(
            f"{result['backend']:<10} {result['groups']:>5} groups  {name:<6} {run['seconds'] * 1000:>8.1f} ms  "
            f"{run['ms_per_group']:>6.3f} ms/group (runs: {', '.join(map(str, run['ms_per_group_all']))})  "
            f"queries {run['queries']} {run['query_kinds']}  {extra}",
            flush=True,
        )


if __name__ == "__main__":
    main()
