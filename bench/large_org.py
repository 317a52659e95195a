"""A large organisation in PostgreSQL, written with COPY: the data of the dashboard load benchmark.

    ./tests/services.sh .venv/bin/python bench/large_org.py [--scale 0.05]

At --scale 1 (the default): 100,000 people, 10,000 groups with their memberships, offices,
priority areas, statutes acceptances and criterion statuses, quarterly reports for the five
quarters that have ended (submitted, reviewed, draft or missing) and drafts for the running one,
1,000,000 activities on the submitted reports, the regional staff's contact log, join requests and
follow-ups; plus an admin, a regional leader (with a TOTP authenticator, as production requires)
and a training coordinator per region. Every count scales with --scale.

`generate()` runs in a process with Django set up, on a migrated PostgreSQL database: the staff
are created with the ORM, everything else is streamed in chunks with `COPY ... FROM STDIN`
(psycopg2's copy_expert), every column given explicitly (a column's default does not apply in
COPY), primary keys chosen here so the rows can refer to each other. Then the sequences are reset
and the tables vacuumed and analysed, as autovacuum would have done long before a dashboard is
looked at. Run as a script, this file generates into a fresh throwaway database (see
import_members.run_on_fresh_database), prints the counts and timings, and drops it.
"""

import argparse
import datetime
import io
import json
import math
import os
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

# bench/ is on sys.path when a file in it runs as a script.
from import_members import ASCII, FIRST_NAMES, LAST_NAMES, ROOT, postal_codes, run_on_fresh_database

SEED = 2026
FULL_SIZE = {"people": 100_000, "groups": 10_000, "activities": 1_000_000}
QUARTERS = 5  # reports for the five quarters that have ended
CHUNK = 100_000  # rows per COPY statement

GENDERS = {"woman": 57, "man": 36, "non_binary": 2, "other": 1, "unspecified": 1, "": 3}
MEMBERSHIP = {"paying": 80, "lapsed": 15, "non_member": 5}
CATEGORIES = {"local": 45, "student": 20, "youth": 15, "thematic": 15, "parent": 5}
STATUSES = {"recognised": 93, "pending": 2.5, "closed": 3.5, "rejected": 1}
ACTIVITY_TYPES = {
    "stand": 26,
    "signatures": 12,
    "letters_to_authorities": 14,
    "open_event": 15,
    "letter_to_editor": 7,
    "online_actions": 9,
    "lobbying": 4,
    "recruiting": 5,
    "training": 4,
    "other": 4,
}
INWARD_TYPES = {"training", "other", "recruiting"}  # mostly without a recipient outside the group
CAMPAIGNS = [
    "Skriv for liv",
    "Pride",
    "Beskytt protestretten",
    "Stopp drapsrobotene",
    "Kvinner, liv, frihet",
    "Klimarettferdighet nå",
    "Flyktninger velkommen",
    "Stopp tortur",
    "Menneskerettighetsdagen",
    "Urfolks rett til land",
]
DESCRIPTIONS = {
    "stand": ["Stand på torget med løpesedler", "Aksjonsstand i sentrum", "Stand utenfor biblioteket"],
    "signatures": ["Samlet underskrifter i sentrum", "Underskriftsaksjon på campus"],
    "letters_to_authorities": ["Brevskrivingskveld med appeller", "Skrivemaraton på biblioteket"],
    "open_event": ["Foredrag og samtale, åpent for alle", "Filmvisning med debatt"],
    "letter_to_editor": ["Leserinnlegg i lokalavisa", "Kronikk om menneskerettigheter"],
    "online_actions": ["Delte nettaksjoner i sosiale medier", "Kampanje på Instagram"],
    "lobbying": ["Møte med lokalpolitikere", "Innspill til kommunestyret"],
    "recruiting": ["Vervestand for nye medlemmer", "Informasjonsmøte for nye"],
    "training": ["Opplæring av nye medlemmer", "Kurskveld om aksjonsplanlegging"],
    "other": ["Medlemsmøte og planlegging", "Sosial samling og evaluering"],
}
CONTACT_CHANNELS = {"email": 40, "phone": 30, "meeting": 20, "visit": 10}
NOTES = ["Kort prat om planene for neste kvartal.", "Fulgte opp rapporten.", "Besøk på medlemsmøte.", ""]
FEEDBACK = ["Takk for rapporten! Flott aktivitet.", "Takk for en fin rapport.", "Takk! Si fra om dere trenger noe."]
SUPPORT = ["Vi trenger løpesedler og banner til stand.", "Ønsker besøk fra regionkontoret.", "", "", ""]
COMMENTS = ["Et godt kvartal med flere nye ansikter.", "Litt færre aktiviteter enn planlagt.", "", ""]


# --- COPY -------------------------------------------------------------------------------------------


def _field(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
        return value
    return str(value)  # int, date, aware datetime (str() gives '2026-01-01 19:00:00+00:00')


def copy(model, columns: list[str], rows) -> int:
    """COPY rows (tuples in the order of `columns`, which must name every column of the table)."""
    from django.db import connection

    table = model._meta.db_table
    expected = {field.column for field in model._meta.concrete_fields}
    assert set(columns) == expected, f"{table}: columns {sorted(expected ^ set(columns))} missing or unknown"
    names = ", ".join(f'"{column}"' for column in columns)
    statement = f'COPY "{table}" ({names}) FROM STDIN'
    count, buffer = 0, io.StringIO()

    def flush():
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(statement, buffer)
        buffer.seek(0)
        buffer.truncate()

    for row in rows:
        buffer.write("\t".join(map(_field, row)))
        buffer.write("\n")
        count += 1
        if count % CHUNK == 0:
            flush()
    if buffer.tell():
        flush()
    return count


# --- Helpers -------------------------------------------------------------------------------------


def _weighted(rng, weights: dict):
    keys, values = list(weights), list(weights.values())
    cumulative, total = [], 0
    for value in values:
        total += value
        cumulative.append(total)

    def pick():
        return keys[_bisect(cumulative, rng.random() * total)]

    return pick


def _bisect(cumulative, x):
    low, high = 0, len(cumulative) - 1
    while low < high:
        mid = (low + high) // 2
        if cumulative[mid] > x:
            high = mid
        else:
            low = mid + 1
    return low


def _day(rng, start: datetime.date, end: datetime.date) -> datetime.date:
    """A day between start and end, both included."""
    return start + datetime.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=datetime.UTC)


# --- The organisation ------------------------------------------------------------------------------


def create_staff() -> dict:
    """The admin and each region's leader (with TOTP set up: production makes them) and training
    coordinator, created with the ORM before the bulk data, which refers to them."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    from activists.models import User
    from regions.models import Region, RegionRole

    def person(email, first, last, **extra):
        unusable = "!"  # no password: the benchmark logs in with a session made in the database
        user = User.objects.create(
            email=email, first_name=first, last_name=last, password=unusable, membership_status="paying", **extra
        )
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        return user

    admin = person("admin@bench.example.org", "Sekretariat", "Admin", is_secretariat=True)
    Authenticator.objects.create(user=admin, type=Authenticator.Type.TOTP, data={"secret": "bench"})
    leaders, coordinators = {}, {}
    for region in Region.objects.order_by("pk"):
        leader = person(f"region.{region.slug}@bench.example.org", "Regionleder", region.name)
        RegionRole.objects.create(region=region, person=leader, kind=RegionRole.Kind.LEADER)
        Authenticator.objects.create(user=leader, type=Authenticator.Type.TOTP, data={"secret": "bench"})
        coordinator = person(f"opplaering.{region.slug}@bench.example.org", "Opplæring", region.name)
        RegionRole.objects.create(region=region, person=coordinator, kind=RegionRole.Kind.TRAINING_COORDINATOR)
        leaders[region.pk], coordinators[region.pk] = leader.pk, coordinator.pk
    return {"admin": admin.pk, "leaders": leaders, "coordinators": coordinators}


def generate(scale: float = 1.0, seed: int = SEED, log=print) -> dict:
    """Fill the (migrated, otherwise empty) PostgreSQL database. Returns counts, seconds and the staff."""
    from allauth.account.models import EmailAddress
    from django.core.management.color import no_style
    from django.db import connection, transaction
    from django.db.models import Max
    from django.utils import timezone

    from activists.models import MembershipEvent, User
    from groups import criteria
    from groups.models import (
        Contact,
        CriterionStatus,
        FollowUp,
        Group,
        GroupMembership,
        JoinRequest,
        Office,
        PriorityArea,
        QuarterlyReport,
        ReportActivity,
        StatutesAcceptance,
        StatutesVersion,
    )
    from groups.quarters import Quarter
    from regions.models import Municipality, PostalCode, Region

    assert connection.vendor == "postgresql", "COPY needs PostgreSQL"
    rng = random.Random(seed)
    started = time.perf_counter()
    seconds: dict[str, float] = {}
    counts: dict[str, int] = {}
    mark = [time.perf_counter()]

    def lap(name):
        now = time.perf_counter()
        seconds[name] = round(now - mark[0], 2)
        mark[0] = now
        log(f"  {name}: {counts.get(name, '')} rows, {seconds[name]:.1f} s", flush=True)

    n_people = max(200, round(FULL_SIZE["people"] * scale))
    n_groups = max(20, round(FULL_SIZE["groups"] * scale))
    n_activities = round(FULL_SIZE["activities"] * scale)
    today = timezone.localdate()
    now = timezone.now().astimezone(datetime.UTC).replace(microsecond=0)
    running = Quarter.of(today)
    quarters = [running.previous]
    while len(quarters) < QUARTERS:
        quarters.append(quarters[-1].previous)
    quarters.reverse()  # oldest first

    staff = create_staff()
    regions = dict(Region.objects.values_list("pk", "slug"))
    area_ids = list(PriorityArea.objects.filter(is_current=True).values_list("pk", flat=True))
    statutes = StatutesVersion.objects.current()
    place = {
        code: (municipality, region)
        for code, municipality, region in PostalCode.objects.values_list(
            "code", "municipality_id", "municipality__county__region_id"
        )
    }
    municipality_names = dict(Municipality.objects.values_list("number", "name"))
    codes = postal_codes()  # street addresses (categories G and B) from regions/data/postal_codes.csv
    first_id = {
        model: (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        for model in (User, EmailAddress, Group, GroupMembership, Office)
    }

    # --- People ---------------------------------------------------------------------------------
    gender, membership = _weighted(rng, GENDERS), _weighted(rng, MEMBERSHIP)
    people, people_region = [], []
    paying_in, lapsed_in, young_in = {}, {}, {}  # region → [person id]
    lapsed_people = []
    addresses, reachable = [], set()  # reachable: a confirmed email address (criterion 4 asks it of contacts)
    for n in range(n_people):
        pk = first_id[User] + n
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        code = rng.choice(codes)
        region = place.get(code, (None, None))[1]
        status = membership()
        # Birth years 1940–2010, more of them young: the organisation recruits at schools and campuses.
        birth_year = rng.randint(1940, 2010) if rng.random() < 0.7 else rng.randint(1985, 2010)
        since = lapsed = None
        if status != "non_member":
            # Member since 1985–today, half of them in the last five years.
            start = datetime.date(1985, 1, 1) if rng.random() < 0.5 else today - datetime.timedelta(days=5 * 365)
            since = _day(rng, max(start, datetime.date(birth_year + 12, 1, 1)), today)
        if status == "lapsed":
            lapsed = _day(rng, since, today)
            lapsed_people.append((pk, lapsed))
        joined = _at(since or _day(rng, datetime.date(2015, 1, 1), today), rng.randint(7, 22), rng.randint(0, 59))
        email = f"{first}.{last}.{n}@example.org".translate(ASCII).lower() if rng.random() < 0.95 else None
        if email:
            addresses.append((first_id[EmailAddress] + len(addresses), email, rng.random() < 0.97, True, pk))
            if addresses[-1][2]:
                reachable.add(pk)
        people.append(
            (
                pk,
                "!",  # password: unusable
                None,  # last_login
                False,  # is_superuser
                email,
                first,
                last,
                f"+479{rng.randrange(10**7):07d}" if rng.random() < 0.85 else "",
                birth_year,
                gender(),
                code,
                "en" if rng.random() < 0.08 else "nb",
                str(100000 + n),
                status,
                since,
                lapsed,
                rng.random() < 0.7,  # email_consent
                None,  # erased_at
                False,  # is_secretariat
                False,  # is_prize_jury
                False,  # is_staff
                True,  # is_active
                joined,
            )
        )
        people_region.append(region)
        if status == "paying":
            paying_in.setdefault(region, []).append(pk)
            if birth_year >= today.year - 19:  # youth groups are for 13–19
                young_in.setdefault(region, []).append(pk)
        elif status == "lapsed":
            lapsed_in.setdefault(region, []).append(pk)
    user_columns = [
        "id",
        "password",
        "last_login",
        "is_superuser",
        "email",
        "first_name",
        "last_name",
        "phone",
        "birth_year",
        "gender",
        "postal_code_id",
        "language",
        "membership_number",
        "membership_status",
        "member_since",
        "lapsed_on",
        "email_consent",
        "erased_at",
        "is_secretariat",
        "is_prize_jury",
        "is_staff",
        "is_active",
        "date_joined",
    ]
    counts["people"] = copy(User, user_columns, people)
    counts["email_addresses"] = copy(EmailAddress, ["id", "email", "verified", "primary", "user_id"], addresses)
    events = (
        (i + 1, pk, "lapsed", day, "import", _at(day + datetime.timedelta(days=1), 3))
        for i, (pk, day) in enumerate(lapsed_people)
    )
    counts["membership_events"] = copy(
        MembershipEvent, ["id", "person_id", "status", "effective_on", "source", "recorded_at"], events
    )
    del people
    lap("people")

    # --- Groups ---------------------------------------------------------------------------------
    category, group_status = _weighted(rng, CATEGORIES), _weighted(rng, STATUSES)
    all_paying = [pk for pool in paying_in.values() for pk in pool]
    located = [place[code] for code in codes if place.get(code, (None, None))[1] is not None]
    groups = []  # dicts: what the later tables need
    group_rows = []
    for n in range(n_groups):
        pk = first_id[Group] + n
        kind = category()
        status = group_status()
        if kind == "thematic" and rng.random() < 0.1:
            municipality, region = None, rng.choice(located)[1]  # a national digital group
            name = f"Amnesty digital tematisk gruppe {n}"
        else:
            municipality, region = rng.choice(located)
            town = municipality_names[municipality]
            name = {
                "local": f"Amnesty {town} {n}",
                "student": f"Amnesty Student {town} {n}",
                "youth": f"Amnesty Ungdom {town} {n}",
                "thematic": f"Amnesty {town} tema {n}",
                "parent": f"Amnesty Foreldre {town} {n}",
            }[kind]
        recent = status == "pending" or rng.random() < 0.06
        founded = _day(rng, today - datetime.timedelta(days=400 if recent else 20 * 365), today)
        if status == "pending":
            founded = _day(rng, today - datetime.timedelta(days=40), today)
        registered_at = decided_at = None
        if recent or status in ("pending", "rejected"):
            registered_at = _at(founded, rng.randint(8, 21), rng.randint(0, 59))
            if status != "pending":
                decided_at = registered_at + datetime.timedelta(days=rng.randint(1, 20), hours=rng.randint(0, 8))
        closed_on = _day(rng, founded, today) if status == "closed" else None
        warned = status == "recognised" and rng.random() < 0.03  # a warning to meet the criteria
        warned_at = now - datetime.timedelta(days=rng.randint(5, 60)) if warned else None
        group = {
            "pk": pk,
            "kind": kind,
            "status": status,
            "region": region,
            "founded": founded,
            "decided_at": decided_at,
            "closed_on": closed_on,
            "open": rng.random() < 0.98,
            "diligence": rng.choices([0.95, 0.7, 0.3], [70, 20, 10])[0],
            "activity": rng.lognormvariate(0, 0.6),
        }
        groups.append(group)
        group_rows.append(
            (
                pk,
                name,
                kind,
                status,
                municipality,
                region,
                f"Universitetet i {municipality_names.get(municipality, 'Norge')}" if kind == "student" else "",
                "",  # themes
                group["open"],
                founded,
                "",  # age_exception
                None,  # registered_by_id, set with the offices below
                registered_at,
                decided_at,
                "Gruppa oppfyller ikke kriteriene." if status == "rejected" else "",
                None,  # stopping_reported_at
                "",  # stopping_reason
                warned_at,
                (warned_at + datetime.timedelta(days=60)).date() if warned_at else None,
                "Gruppa må ha en kontaktperson innen fristen." if warned_at else "",
                closed_on,
                "Gruppa har lagt ned arbeidet." if closed_on else "",
                "meets",  # standing: groups.criteria.refresh_standings() sets it from the data below
                None,  # standing_checked_at
                rng.randint(0, 20),  # revision
            )
        )

    # Members: from the group's region (youth groups: the young), a few of them lapsed.
    memberships, member_ids = [], {}
    membership_pk = first_id[GroupMembership]
    for group in groups:
        size = max(3, min(30, int(rng.lognormvariate(2.0, 0.5))))
        if group["status"] == "rejected":
            size = 3
        region = group["region"]
        pool = young_in.get(region) if group["kind"] == "youth" else None
        pool = pool or paying_in.get(region) or all_paying
        chosen = rng.sample(pool, min(len(pool), size + 2))
        lapsed_pool = lapsed_in.get(region, [])
        if lapsed_pool and len(chosen) >= 3 and rng.random() < 0.04:
            chosen[-3] = rng.choice(lapsed_pool)  # criterion 2: one member no longer pays
        current, former = chosen[:size], chosen[size:] if rng.random() < 0.25 else []
        current = list(dict.fromkeys(current))  # a lapsed pick may repeat a member
        if rng.random() < 0.99:  # the contact (the first) is, as a rule, someone the secretariat can email
            current.sort(key=lambda person: person not in reachable)
        founded = group["founded"]
        for person in current:
            joined = _day(rng, founded, today)
            memberships.append((membership_pk, group["pk"], person, joined, None))
            membership_pk += 1
        for person in former:
            joined = _day(rng, founded, today)
            memberships.append((membership_pk, group["pk"], person, joined, _day(rng, joined, today)))
            membership_pk += 1
        group["members"] = current
        member_ids[group["pk"]] = set(current)

    # Offices: a contact for almost every group, a leader for most, some deputies and treasurers.
    offices = []
    registrant = {}
    for group in groups:
        members = group["members"]
        ended = group["closed_on"]
        start = group["founded"]

        def office(kind, person, started, ended_on=None, reason="", group=group):
            offices.append((len(offices) + first_id[Office], group["pk"], person, kind, "", started, ended_on, reason))

        registrant[group["pk"]] = members[0]
        if group["status"] == "rejected":
            continue
        r = rng.random()
        if r < 0.15 and len(members) > 1:  # the contact office changed hands
            handover = _day(rng, start, ended or today)
            office("contact", members[-1], start, handover, rng.choice(["replaced", "stepped_down"]))
            start = handover
        if r < 0.985 or ended:
            office("contact", members[0], start, ended, "group_closed" if ended else "")
        else:
            group["no_contact"] = True
        if rng.random() < 0.7:
            leader = members[0] if rng.random() < 0.3 or len(members) < 2 else members[1]
            office("leader", leader, group["founded"], ended, "group_closed" if ended else "")
        if rng.random() < 0.3 and len(members) > 2:
            office("deputy", members[2], group["founded"], ended, "group_closed" if ended else "")
        if rng.random() < 0.4 and len(members) > 3:
            office("treasurer", members[3], group["founded"], ended, "group_closed" if ended else "")
    group_columns = [
        "id",
        "name",
        "category",
        "status",
        "municipality_id",
        "region_id",
        "institution",
        "themes",
        "is_open",
        "founded_on",
        "age_exception",
        "registered_by_id",
        "registered_at",
        "decided_at",
        "rejection_reason",
        "stopping_reported_at",
        "stopping_reason",
        "warned_at",
        "warning_deadline",
        "warning_message",
        "closed_on",
        "closing_reason",
        "standing",
        "standing_checked_at",
        "revision",
    ]
    group_rows = [row[:11] + (registrant[row[0]] if row[12] else None,) + row[12:] for row in group_rows]
    counts["groups"] = copy(Group, group_columns, group_rows)
    counts["group_memberships"] = copy(
        GroupMembership, ["id", "group_id", "person_id", "joined_on", "left_on"], memberships
    )
    counts["offices"] = copy(
        Office, ["id", "group_id", "person_id", "kind", "title", "started_on", "ended_on", "end_reason"], offices
    )
    active = [g for g in groups if g["status"] in ("pending", "recognised")]
    areas = (
        (group["pk"], area)
        for group in groups
        if group["status"] != "rejected" and rng.random() < 0.98
        for area in rng.sample(area_ids, rng.randint(1, 3))
    )
    counts["group_priority_areas"] = copy(
        Group.priority_areas.through,
        ["id", "group_id", "priorityarea_id"],
        ((i + 1, g, a) for i, (g, a) in enumerate(areas)),
    )
    acceptances = (
        (i + 1, g["pk"], statutes.pk, g["members"][0], _at(max(g["founded"], statutes.published_on), 12))
        for i, g in enumerate(g for g in active if rng.random() < 0.98)
    )
    counts["statutes_acceptances"] = copy(
        StatutesAcceptance, ["id", "group_id", "version_id", "accepted_by_id", "accepted_at"], acceptances
    )

    del memberships, group_rows
    lap("groups")

    # --- Quarterly reports and their activities ----------------------------------------------------
    reports, submitted = [], []  # submitted: (report pk, group, quarter)
    report_pk = 1
    for group in groups:
        if group["status"] in ("pending", "rejected"):
            continue
        for index, quarter in enumerate(quarters):
            if group["founded"] > quarter.end or (group["closed_on"] and group["closed_on"] < quarter.end):
                continue
            if group["decided_at"] and group["decided_at"].date() > quarter.end:
                continue
            last = index == len(quarters) - 1
            r = rng.random()
            if r < group["diligence"]:
                status = "reviewed" if rng.random() < (0.55 if last else 0.95) else "submitted"
            elif r < group["diligence"] + (1 - group["diligence"]) * 0.3:
                status = "draft"
            else:
                continue  # missing
            created = _at(_day(rng, quarter.end - datetime.timedelta(days=20), quarter.deadline), 18)
            submitted_at = submitted_by = reviewed_at = reviewed_by = None
            late = False
            if status != "draft":
                late = rng.random() < 0.1
                day = _day(rng, quarter.end, quarter.deadline + datetime.timedelta(days=30 if late else 0))
                late = day > quarter.deadline
                submitted_at = min(now, _at(day, rng.randint(8, 22), rng.randint(0, 59)))
                submitted_by = group["members"][0]
                submitted.append((report_pk, group, quarter))
            if status == "reviewed":
                reviewed_at = min(now, submitted_at + datetime.timedelta(days=rng.randint(1, 25)))
                reviewed_by = staff["leaders"][group["region"]]
            reports.append(
                (
                    report_pk,
                    group["pk"],
                    quarter.year,
                    quarter.number,
                    status,
                    len(group["members"]) if status != "draft" else None,
                    rng.choice(SUPPORT),
                    rng.choice(COMMENTS),
                    min(now, created),
                    submitted_at or min(now, created),  # updated_at
                    group["members"][0],  # updated_by
                    submitted_at,
                    submitted_by,
                    late,
                    reviewed_at,
                    reviewed_by,
                    rng.choice(FEEDBACK) if reviewed_at else "",
                    reviewed_at is not None and rng.random() < 0.05,  # needs_follow_up
                    rng.randint(1, 6),  # revision
                )
            )
            report_pk += 1
        if group["status"] == "recognised" and rng.random() < 0.2:  # the running quarter, started
            created = _at(_day(rng, running.start, today), 20)
            member = group["members"][0]
            reports.append(
                (report_pk, group["pk"], running.year, running.number, "draft", None, "", "")
                + (created, created, member, None, None, False, None, None, "", False, 1)
            )
            report_pk += 1
    report_columns = [
        "id",
        "group_id",
        "year",
        "quarter",
        "status",
        "members_count",
        "support_needed",
        "comments",
        "created_at",
        "updated_at",
        "updated_by_id",
        "submitted_at",
        "submitted_by_id",
        "is_late",
        "reviewed_at",
        "reviewed_by_id",
        "feedback",
        "needs_follow_up",
        "revision",
    ]
    counts["quarterly_reports"] = copy(QuarterlyReport, report_columns, reports)
    reviewed = [(row[0], row[1], row[14], row[15]) for row in reports if row[14]]
    del reports
    lap("quarterly_reports")

    # A million activities, shared out over the submitted reports by how active each group is.
    weights = [group["activity"] * (0.5 + len(group["members"]) / 10) for _pk, group, _q in submitted]
    total = sum(weights)
    shares = [n_activities * w / total for w in weights]
    per_report = [math.floor(s) for s in shares]
    for index in sorted(range(len(shares)), key=lambda i: per_report[i] - shares[i])[: n_activities - sum(per_report)]:
        per_report[index] += 1
    activity_type = _weighted(rng, ACTIVITY_TYPES)

    def activities():
        pk = 1
        for (report, _group, quarter), count in zip(submitted, per_report, strict=True):
            spread = (quarter.end - quarter.start).days
            planned_spread = (quarter.next.end - quarter.next.start).days
            group_campaigns = rng.sample(CAMPAIGNS, 3)
            for _ in range(count):
                type_ = activity_type()
                done = rng.random() < 0.8
                if done:
                    date = quarter.start + datetime.timedelta(days=rng.randint(0, spread))
                    participants = rng.randint(1, 30) if rng.random() < 0.97 else None
                else:
                    date = quarter.next.start + datetime.timedelta(days=rng.randint(0, planned_spread))
                    date = date if rng.random() < 0.7 else None
                    participants = None
                signatures = reached = None
                if done and type_ in ("signatures", "stand", "letters_to_authorities") and rng.random() < 0.6:
                    signatures = rng.randint(15, 900)
                if done and rng.random() < 0.5:
                    reached = rng.randint(2, 2000)
                yield (
                    pk,
                    report,
                    "done" if done else "planned",
                    date,
                    type_,
                    rng.random() < (0.3 if type_ in INWARD_TYPES else 0.95),  # outward
                    rng.choice(area_ids) if rng.random() < 0.85 else None,
                    rng.choice(group_campaigns) if rng.random() < 0.4 else "",
                    participants,
                    signatures,
                    reached,
                    rng.choice(DESCRIPTIONS[type_]),
                )
                pk += 1

    activity_columns = [
        "id",
        "report_id",
        "kind",
        "date",
        "type",
        "outward",
        "priority_area_id",
        "campaign",
        "participants",
        "signatures",
        "people_reached",
        "description",
    ]
    counts["report_activities"] = copy(ReportActivity, activity_columns, activities())
    lap("report_activities")

    # --- The regional staff's work: contacts, join requests, follow-ups ------------------------------
    channel = _weighted(rng, CONTACT_CHANNELS)

    def contacts():
        pk = 1
        for report, group_pk, reviewed_at, by in reviewed:  # feedback on a report is a contact
            yield pk, group_pk, reviewed_at.date(), "report_feedback", "", by, report, reviewed_at
            pk += 1
        for group in groups:
            if group["status"] != "recognised":
                continue
            for _ in range(rng.choice([0, 1, 1, 2, 2, 3, 4, 6])):
                day = _day(rng, max(group["founded"], today - datetime.timedelta(days=450)), today)
                by = (staff["leaders"] if rng.random() < 0.7 else staff["coordinators"])[group["region"]]
                yield pk, group["pk"], day, channel(), rng.choice(NOTES), by, None, _at(day, 15)
                pk += 1

    counts["contacts"] = copy(
        Contact, ["id", "group_id", "date", "channel", "note", "by_id", "report_id", "created_at"], contacts()
    )

    def join_requests():
        pk = 1
        for group in active:
            if not group["open"]:
                continue
            pool = paying_in.get(group["region"]) or all_paying
            asks = []
            if rng.random() < 0.05:
                asks.append("pending")
            for _ in range(rng.choice([0, 0, 1, 2])):
                asks.append(rng.choice(["accepted", "accepted", "declined", "withdrawn"]))
            for status in asks:
                person = rng.choice(pool)
                if person in member_ids[group["pk"]]:
                    continue
                created = now - datetime.timedelta(days=rng.randint(1, 40 if status == "pending" else 365))
                answered = status in ("accepted", "declined")
                answered_at = min(now, created + datetime.timedelta(days=rng.randint(1, 20))) if answered else None
                yield (
                    pk,
                    group["pk"],
                    person,
                    "Jeg vil gjerne bli med!",
                    status,
                    created,
                    group["members"][0] if answered else None,
                    answered_at,
                    "Velkommen!" if status == "accepted" else "",
                )
                pk += 1

    counts["join_requests"] = copy(
        JoinRequest,
        ["id", "group_id", "person_id", "message", "status", "created_at", "answered_by_id", "answered_at", "answer"],
        join_requests(),
    )

    def follow_ups():
        pk = 1
        for group in active:
            kinds = []
            if group["decided_at"] and group["decided_at"] > now - datetime.timedelta(days=120):
                kinds += ["welcome_package", "first_contact"]
            if group.get("no_contact"):
                kinds.append("new_contact")
            if rng.random() < 0.03:
                kinds.append("office_change")
            for kind in kinds:
                created = group["decided_at"] or now - datetime.timedelta(days=rng.randint(1, 90))
                done = rng.random() < 0.6 and kind != "new_contact"
                done_at = min(now, created + datetime.timedelta(days=rng.randint(1, 30))) if done else None
                leader = staff["leaders"][group["region"]]
                due = (created + datetime.timedelta(days=14)).date()
                yield pk, group["region"], group["pk"], kind, created, due, done_at, leader if done else None
                pk += 1

    counts["follow_ups"] = copy(
        FollowUp, ["id", "region_id", "group_id", "kind", "created_at", "due_on", "done_at", "done_by_id"], follow_ups()
    )
    lap("contacts, join requests, follow-ups")

    # --- Sequences, statistics ----------------------------------------------------------------
    models = [
        User,
        EmailAddress,
        MembershipEvent,
        Group,
        Group.priority_areas.through,
        GroupMembership,
        Office,
        StatutesAcceptance,
        CriterionStatus,
        QuarterlyReport,
        ReportActivity,
        Contact,
        JoinRequest,
        FollowUp,
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)
    lap("sequences")
    # The standings and criterion statuses, checked from the data by the portal's own code.
    counts["standings_changed"] = criteria.refresh_standings()
    counts["criterion_statuses"] = CriterionStatus.objects.count()
    counts["standings"] = dict(
        Counter(Group.objects.filter(status__in=criteria.CHECKED_STATUSES).values_list("standing", flat=True))
    )
    lap("refresh_standings")
    with connection.cursor() as cursor:  # autocommit: VACUUM cannot run in a transaction
        for model in models:
            cursor.execute(f'VACUUM ANALYZE "{model._meta.db_table}"')
        cursor.execute("ANALYZE")
    lap("vacuum analyze")
    seconds["total"] = round(time.perf_counter() - started, 1)
    counts["regions"] = {regions[region]: sum(1 for g in groups if g["region"] == region) for region in sorted(regions)}
    counts["groups_by_status"] = dict(Counter(g["status"] for g in groups))
    counts["people_by_region"] = {
        regions.get(region, "none"): n for region, n in sorted(Counter(people_region).items(), key=str)
    }
    return {"scale": scale, "counts": counts, "seconds": seconds, "staff": staff, "regions": regions}


# --- Run alone: generate into a throwaway database ------------------------------------------------


def worker(args):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amnesty_portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    result = generate(args.scale, args.seed, log=lambda *a, **k: print(*a, file=sys.stderr, **k))
    print(json.dumps(result, default=str))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full size (default 1)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit("DATABASE_URL must name a PostgreSQL server (run under ./tests/services.sh)")
    command = [sys.executable, __file__, "--worker", "--scale", str(args.scale), "--seed", str(args.seed)]
    with tempfile.TemporaryDirectory(prefix="bench-large-org-") as scratch:
        result = run_on_fresh_database("postgresql", "bench_large_org", command, Path(scratch))
    print(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
