"""The welcome series for new members (seed 000): a few emails over their first weeks, the invitation
to be active in one of the last, and stopping as soon as the person engages or unsubscribes.

Admins edit the steps (`WelcomeStep`: day, subject and text in bokmål and English, and which one
invites to be active); the default series is days 0, 7, 21 and 45. Decisions worth knowing:

* **Who is enrolled.** A person who becomes a paying member: created by the register import (in
  bulk, one INSERT per import batch), created one by one as a paying member (a sign-up, the admin),
  or turned paying by `services.set_membership_status`. The series starts on `member_since` (or
  today). Someone whose membership began more than `ENROL_WITHIN` ago is not a new member and is not
  enrolled: the first import of the whole register must not welcome members of many years.
* **One step at a time.** A step is due from its day until the next step's day; the last step stays
  due for `LATE_LIMIT` after its day. A person who is behind (the daily run was stopped for a while,
  or was imported some weeks after joining) gets only the step due now, never every past step at
  once; the steps they missed are not sent later (nothing is recorded for them, as nothing was sent).
  A person imported after the last step's time gets nothing.
* **At most once.** `send_due_steps()` claims a step by inserting its `WelcomeSend` row (unique per
  enrolment and step, `ignore_conflicts`), stamped with the chunk's own `sent_at`, and writes the
  emails for the rows carrying that stamp in the same transaction. A crash rolls both back; a second
  run at the same time waits on the first one's rows and skips them. The outbox key names the step
  and the person as well.
* **Who gets it.** Only paying members with an email address and consent to email, not erased, and
  not already active (in a group or an individual activist): checked in the query that finds who is
  due, so it is checked again at every step. Each email goes through the outbox in the person's
  language, with a one-click unsubscribe link and headers.
* **Stopping.** Joining a group or signing up as an individual activist stops the series (`engaged`,
  receivers in `activists/signals.py`), unsubscribing stops it (`unsubscribed`), and sending the last
  step ends it (`finished`).
* **Constant queries.** Who is due is found in chunks of `CHUNK` with keyset pagination (memory stays
  flat at any count); each chunk makes the same queries whatever its size: the due rows, the claims,
  the claimed rows with their people, the emails, the finished series. The invitation's
  suggestions for all the chunk's places are looked up together (`engage.suggest_many`, five
  queries, once per language in the chunk), only for the places and languages not met before in the
  run: never per person nor per municipality.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from types import SimpleNamespace

from django.db import transaction
from django.db.models import BigIntegerField, Case, Exists, OuterRef, Value, When
from django.utils import timezone

from activists.models import IndividualActivist, User, WelcomeEnrolment, WelcomeSend, WelcomeStep
from amnesty_portal.mail import build, enqueue
from groups.models import GroupMembership

# How long ago a membership may have begun for the person still to be welcomed as a new member.
ENROL_WITHIN = datetime.timedelta(days=90)
# How long the last step stays due after its day (a run stopped longer than that sends nothing).
LATE_LIMIT = datetime.timedelta(days=14)
# Due people handled per transaction; SQLite may split the INSERTs further (999 parameters).
CHUNK = 1000
# How many of the nearest groups and of the activities the invitation names.
GROUPS_SHOWN = 3
IDEAS_SHOWN = 3
TEMPLATE = "welcome_step"

Reason = WelcomeEnrolment.StopReason


# --- Enrolment and stopping -------------------------------------------------------------------------


def enrol(people: Iterable[tuple[int, datetime.date | None]], *, today: datetime.date | None = None) -> int:
    """Enrol new members, given as (person id, the day their membership began or None for today), in
    one INSERT per thousand. A person enrolled before keeps their enrolment. Returns how many were
    offered (not how many were new)."""
    today = today or timezone.localdate()
    oldest = today - ENROL_WITHIN
    rows = [
        WelcomeEnrolment(person_id=person_id, started_on=min(started_on or today, today))
        for person_id, started_on in people
        if person_id is not None and (started_on or today) >= oldest
    ]
    if rows:
        WelcomeEnrolment.objects.bulk_create(rows, batch_size=CHUNK, ignore_conflicts=True)
    return len(rows)


def stop_series(person, reason: str) -> bool:
    """Stop a person's welcome series (a person or their id), if it is running. Returns whether it was."""
    person_id = getattr(person, "pk", person)
    return bool(
        WelcomeEnrolment.objects.filter(person_id=person_id, stopped_at__isnull=True).update(
            stopped_at=timezone.now(), stop_reason=reason
        )
    )


# --- The daily run ----------------------------------------------------------------------------------


def step_windows(
    steps: list[WelcomeStep], today: datetime.date
) -> list[tuple[WelcomeStep, datetime.date, datetime.date]]:
    """For each step, the first and last `started_on` for which it is due today: from its day until the
    next step's day (the last step: `LATE_LIMIT` after its day)."""
    windows = []
    for index, step in enumerate(steps):
        until = steps[index + 1].day if index + 1 < len(steps) else step.day + LATE_LIMIT.days
        first = today - datetime.timedelta(days=until - 1)
        last = today - datetime.timedelta(days=step.day)
        windows.append((step, first, last))
    return windows


def due(steps: list[WelcomeStep], today: datetime.date):
    """(enrolment id, step id) of every running enrolment due a step today that it has not had, in
    enrolment order: one query, whatever the number of people."""
    windows = step_windows(steps, today)
    engaged = Exists(GroupMembership.objects.filter(person=OuterRef("person_id"), left_on__isnull=True)) | Exists(
        IndividualActivist.objects.filter(person=OuterRef("person_id"), stopped_at__isnull=True)
    )
    return (
        WelcomeEnrolment.objects.filter(
            stopped_at__isnull=True,
            started_on__gte=min(first for _step, first, _last in windows),
            started_on__lte=max(last for _step, _first, last in windows),
            person__email__isnull=False,
            person__email_consent=True,
            person__erased_at__isnull=True,
            person__membership_status=User.Membership.PAYING,
        )
        .annotate(
            due_step=Case(
                *[When(started_on__range=(first, last), then=Value(step.pk)) for step, first, last in windows],
                output_field=BigIntegerField(),
            )
        )
        .exclude(Exists(WelcomeSend.objects.filter(enrolment=OuterRef("pk"), step=OuterRef("due_step"))))
        .exclude(engaged)
        .order_by("pk")
        .values_list("pk", "due_step")
    )


def send_due_steps(today: datetime.date | None = None, *, chunk: int = CHUNK) -> dict:
    """Send every welcome step due today. Safe to run at any time, any number of times, in several
    processes at once. Returns how many emails each step wrote, by day, and how many series finished."""
    today = today or timezone.localdate()
    steps = list(WelcomeStep.objects.filter(is_active=True).order_by("day"))
    counts = {"sent": 0, "finished": 0, "by_day": {step.day: 0 for step in steps}}
    if not steps:
        return counts
    by_pk = {step.pk: step for step in steps}
    last_step = steps[-1]
    candidates = due(steps, today)
    suggestions = {}  # (municipality number, language) → what the invitation suggests, for the whole run
    after = 0
    while True:
        with transaction.atomic():
            batch = list(candidates.filter(pk__gt=after)[:chunk])
            if not batch:
                break
            after = batch[-1][0]
            token = timezone.now()  # this chunk's stamp on the claims it takes
            WelcomeSend.objects.bulk_create(
                [WelcomeSend(enrolment_id=enrolment, step_id=step, sent_at=token) for enrolment, step in batch],
                batch_size=chunk,
                ignore_conflicts=True,
            )
            claimed = list(
                WelcomeSend.objects.filter(enrolment_id__in=[enrolment for enrolment, _step in batch], sent_at=token)
                .select_related("enrolment__person__postal_code")
                .order_by("enrolment_id")
            )
            look_up_invitations(
                [send.enrolment.person for send in claimed if by_pk[send.step_id].invites_to_engage], suggestions
            )
            rows, finished = [], []
            for send in claimed:
                step, person = by_pk[send.step_id], send.enrolment.person
                context = _context(step, person, suggestions)
                rows += build([person], TEMPLATE, context, key=f"welcome:{step.pk}", unsubscribe=True)
                counts["by_day"][step.day] += 1
                if step.pk == last_step.pk:
                    finished.append(send.enrolment_id)
            enqueue(rows)
            if finished:
                WelcomeEnrolment.objects.filter(pk__in=finished, stopped_at__isnull=True).update(
                    stopped_at=timezone.now(), stop_reason=Reason.FINISHED
                )
            counts["sent"] += len(rows)
            counts["finished"] += len(finished)
    return counts


def _context(step: WelcomeStep, person: User, suggestions: dict) -> dict:
    language = person.language or "nb"
    context = {
        "subject": step.localized("subject", language),
        "body": step.localized("body", language),
        "invites_to_engage": step.invites_to_engage,
    }
    if step.invites_to_engage:
        context.update(invitation(person, suggestions))
    return context


def invitation(person: User, cache: dict | None = None) -> dict:
    """The personal part of the invitation to be active: the nearest groups, two or three activities
    that fit, and the link into the guided flow with the person's postal code filled in. The
    suggestions are looked up once per municipality and language (`cache`), never per person."""
    from activists import engage

    cache = {} if cache is None else cache
    look_up_invitations([person], cache)
    code = person.postal_code
    answers = engage.Answers(postal_code=code.code if code else "")
    return {**cache[_place(person)], "flow_url": engage.flow_url(answers)}


def look_up_invitations(people: Iterable[User], cache: dict) -> None:
    """Put in `cache` what the invitation suggests to each of `people` (with their postal code
    selected), for the municipalities and languages it does not hold yet: one `engage.suggest_many`
    for all of them per language (five queries, two languages), whatever the number of people and
    of municipalities."""
    from activists import engage

    wanted = defaultdict(dict)  # language → {municipality number: one of the people's postal codes in it}
    for person in people:
        key = municipality, language = _place(person)
        if key not in cache:
            wanted[language].setdefault(municipality, person.postal_code.code if person.postal_code else "")
    for language, codes in wanted.items():
        # Only the groups the email names are kept: a county may have many more.
        found = engage.suggest_many(codes.values(), language=language, group_limit=GROUPS_SHOWN)
        for municipality, code in codes.items():
            cache[(municipality, language)] = _shown(found[code], language)


def _place(person: User) -> tuple[str | None, str]:
    """What the invitation's suggestions depend on: the person's municipality (None for no postal
    code, an unknown one or Svalbard) and language."""
    return (person.postal_code.municipality_id if person.postal_code else None, person.language or "nb")


def _shown(found, language: str) -> dict:
    """Only what the email shows: the cache lives for the whole run (up to every municipality in both
    languages), the model objects with their texts would not need to."""
    groups = list(found.groups[:GROUPS_SHOWN]) or list(found.digital_groups[:GROUPS_SHOWN])
    return {
        "place": SimpleNamespace(name=found.place.name) if found.place else None,
        "groups": [SimpleNamespace(pk=group.pk, name=group.name, why=getattr(group, "why", "")) for group in groups],
        "ideas": [
            SimpleNamespace(
                title_shown=idea.localized("title", language), summary_shown=idea.localized("summary", language)
            )
            for idea in _fitting_ideas(found)
        ],
    }


def _fitting_ideas(found) -> list:
    """Two or three low-threshold activities: the digital meeting place first for someone with no
    group near them, then those that can be done once, in the catalogue's order."""
    meeting_place = getattr(found, "meeting_place", None)
    ideas = [idea for idea in found.ideas if idea != meeting_place]
    near = [group for group in found.groups if getattr(group, "distance", 0) < 2]
    chosen = []
    if not near:
        chosen += [meeting_place] if meeting_place else [idea for idea in ideas if idea.is_meeting_place][:1]
    once = [idea for idea in ideas if not idea.is_meeting_place and (not idea.times or "once" in idea.times)]
    others = [idea for idea in ideas if not idea.is_meeting_place and idea not in once]
    for idea in once + others:
        if len(chosen) >= IDEAS_SHOWN:
            break
        chosen.append(idea)
    return chosen
