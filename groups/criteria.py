"""The five recognition criteria (seed 001, section 2), checked from the portal's own data.

`evaluate()` checks many groups with a fixed number of queries; `refresh_standings()` stores the
result per criterion with the date since when it has held or failed, and the group's overall
standing (the worst of the five) in `Group.standing`, so lists can filter on it. Evidence is stored
as codes with parameters and put into words when shown, in the reader's language.
"""

import datetime
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from activists.models import User
from groups.models import (
    CriterionStatus,
    Group,
    GroupMembership,
    JoinRequest,
    Office,
    StatutesAcceptance,
    StatutesVersion,
)
from groups.signals import changed_in_bulk

MEETS, AT_RISK, FAILS = Group.Standing.MEETS, Group.Standing.AT_RISK, Group.Standing.FAILS
SEVERITY = {MEETS: 0, AT_RISK: 1, FAILS: 2}

# A new statutes version gives groups this long to accept it before criterion 1 fails.
STATUTES_GRACE_DAYS = 90
# A member whose membership lapsed this recently may still renew: the group is at risk, not failing.
LAPSE_GRACE_DAYS = 30
# Join requests: at risk after two weeks without an answer, failing after 30 days (the rule).
JOIN_REQUEST_WARN_DAYS = 14
JOIN_REQUEST_LIMIT_DAYS = 30
YOUTH_AGES = (13, 19)

# Which groups are checked: the ones that exist in the organisation. A closed or rejected group
# keeps the standing it had when it ended.
CHECKED_STATUSES = (Group.Status.PENDING, Group.Status.RECOGNISED)


@dataclass
class Check:
    number: int
    state: str
    evidence: list = field(default_factory=list)
    since: datetime.date | None = None  # when the evidence says it started, if it says

    def add(self, code: str, **params):
        self.evidence.append({"code": code, "params": params})


def _names(people) -> list:
    return [[person.pk, str(person)] for person in people]


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


class _Data:
    """Everything the checks read, for a batch of groups, in eight queries."""

    def __init__(self, groups: list[Group], today: datetime.date):
        ids = [group.pk for group in groups]
        self.today = today
        self.statutes = StatutesVersion.objects.current(on=today)
        self.accepted = {}
        for acceptance in (
            StatutesAcceptance.objects.filter(group_id__in=ids)
            .select_related("version", "accepted_by")
            .order_by("accepted_at")
        ):
            self.accepted[acceptance.group_id] = acceptance  # the latest wins
        self.members = {}
        memberships = (
            GroupMembership.objects.filter(group_id__in=ids, left_on__isnull=True)
            .select_related("person")
            .order_by("person__last_name", "person__first_name", "person_id")
        )
        for membership in memberships:
            self.members.setdefault(membership.group_id, []).append(membership)
        self.contacts = {}
        for office in (
            Office.objects.current(on=today)
            .filter(group_id__in=ids, kind=Office.Kind.CONTACT)
            .select_related("person")
            .order_by("started_on", "pk")
        ):
            self.contacts.setdefault(office.group_id, []).append(office)
        self.last_contact_end = dict(
            Office.objects.filter(group_id__in=ids, kind=Office.Kind.CONTACT, ended_on__lte=today)
            .values("group_id")
            .annotate(last=Max("ended_on"))
            .values_list("group_id", "last")
            .order_by()
        )
        emails = {
            office.person.email for offices in self.contacts.values() for office in offices if office.person.email
        }
        self.verified = set(
            EmailAddress.objects.filter(email__in=emails, verified=True).values_list("email", flat=True)
        )
        self.areas = {}
        through = Group.priority_areas.through
        for group_id, name in (
            through.objects.filter(group_id__in=ids, priorityarea__is_current=True)
            .order_by("priorityarea__order", "priorityarea__name")
            .values_list("group_id", "priorityarea__name")
        ):
            self.areas.setdefault(group_id, []).append(name)
        self.oldest_request = dict(
            JoinRequest.objects.pending()
            .filter(group_id__in=ids)
            .values("group_id")
            .annotate(oldest=Min("created_at"))
            .values_list("group_id", "oldest")
            .order_by()
        )


def _statutes(group: Group, data: _Data) -> Check:
    check = Check(CriterionStatus.Number.STATUTES, MEETS)
    current, accepted = data.statutes, data.accepted.get(group.pk)
    if current is None:
        check.add("statutes_none_published")
    elif accepted is None:
        check.state = FAILS
        check.since = max(current.published_on, group.founded_on)
        check.add("statutes_never_accepted", current=current.version)
    elif accepted.version_id == current.pk:
        check.add(
            "statutes_accepted",
            version=current.version,
            by=str(accepted.accepted_by or ""),
            on=_iso(timezone.localdate(accepted.accepted_at)),
        )
        check.since = timezone.localdate(accepted.accepted_at)
    else:
        deadline = current.published_on + datetime.timedelta(days=STATUTES_GRACE_DAYS)
        check.state = AT_RISK if data.today < deadline else FAILS
        check.since = current.published_on if check.state == AT_RISK else deadline
        check.add(
            "statutes_outdated",
            accepted=accepted.version.version,
            current=current.version,
            deadline=_iso(deadline),
        )
    return check


def _members(group: Group, data: _Data) -> Check:
    check = Check(CriterionStatus.Number.MEMBERS, MEETS)
    members = data.members.get(group.pk, [])
    today = data.today
    if not members:
        check.state = FAILS
        check.add("no_members")
        return check
    not_paying = [m for m in members if not m.person.is_paying_on(today)]
    if not_paying:

        def lapsed_on(m):
            return m.person.lapsed_on if m.person.membership_status == User.Membership.LAPSED else None

        def recent(m):
            return lapsed_on(m) is not None and (today - lapsed_on(m)).days < LAPSE_GRACE_DAYS

        failing = [m for m in not_paying if not recent(m)]
        check.state = FAILS if failing else AT_RISK
        if failing:
            # A lapse fails the criterion once its grace is over; any other non-member from joining.
            grace = datetime.timedelta(days=LAPSE_GRACE_DAYS)
            started = min(max(m.joined_on, lapsed_on(m) + grace) if lapsed_on(m) else m.joined_on for m in failing)
        else:
            started = min(max(m.joined_on, lapsed_on(m)) for m in not_paying)
        check.since = max(started, group.founded_on)
        check.add("members_not_paying", people=_names(m.person for m in not_paying), count=len(not_paying))
    else:
        check.add("members_all_paying", count=len(members))
    if group.category == Group.Category.YOUTH:
        low, high = YOUTH_AGES
        outside = [
            m.person for m in members if m.person.birth_year and not low <= today.year - m.person.birth_year <= high
        ]
        if outside and group.age_exception:
            check.add("youth_age_exception", people=_names(outside))
        elif outside:
            if check.state == MEETS:
                check.state = AT_RISK
            check.add("youth_age_outside", people=_names(outside))
    return check


def _priorities(group: Group, data: _Data) -> Check:
    check = Check(CriterionStatus.Number.PRIORITIES, MEETS)
    areas = data.areas.get(group.pk)
    if areas:
        check.add("priority_areas", areas=areas)
    else:
        check.state = FAILS
        check.add("no_priority_area")
    return check


def _contact(group: Group, data: _Data) -> Check:
    check = Check(CriterionStatus.Number.CONTACT, MEETS)
    offices = data.contacts.get(group.pk, [])
    if not offices:
        check.state = FAILS
        check.since = data.last_contact_end.get(group.pk)
        check.add("no_contact")
        return check
    # Several contacts: the group meets the criterion if one of them can be reached.
    best = None
    for office in offices:
        person = office.person
        if not person.is_paying_on(data.today):
            result = (FAILS, "contact_not_paying", person.lapsed_on)
        elif not person.email:
            result = (FAILS, "contact_no_email", None)
        elif person.email not in data.verified:
            result = (AT_RISK, "contact_email_unconfirmed", None)
        else:
            result = (MEETS, "contact_ok", office.started_on)
        if best is None or SEVERITY[result[0]] < SEVERITY[best[0][0]]:
            best = (result, person)
    (state, code, since), person = best
    check.state, check.since = state, since
    check.add(code, name=str(person), person=person.pk)
    return check


def _open(group: Group, data: _Data) -> Check:
    check = Check(CriterionStatus.Number.OPEN, MEETS)
    if not group.is_open:
        check.state = FAILS
        check.add("not_open")
        return check
    oldest = data.oldest_request.get(group.pk)
    if oldest is not None:
        asked_on = timezone.localdate(oldest)
        days = (data.today - asked_on).days
        if days > JOIN_REQUEST_LIMIT_DAYS:
            check.state = FAILS
            check.since = asked_on + datetime.timedelta(days=JOIN_REQUEST_LIMIT_DAYS + 1)
        elif days > JOIN_REQUEST_WARN_DAYS:
            check.state = AT_RISK
            check.since = asked_on + datetime.timedelta(days=JOIN_REQUEST_WARN_DAYS + 1)
        if check.state != MEETS:
            check.add("join_request_waiting", days=days)
            return check
    check.add("open")
    return check


CHECKS = (_statutes, _members, _priorities, _contact, _open)


def evaluate(groups, today: datetime.date | None = None) -> dict[int, list[Check]]:
    """Check each group against the five criteria: {group pk: [Check for 1..5]}."""
    groups = list(groups)
    if not groups:
        return {}
    data = _Data(groups, today or timezone.localdate())
    return {group.pk: [check(group, data) for check in CHECKS] for group in groups}


def worst(states) -> str:
    return max(states, key=SEVERITY.__getitem__, default=MEETS)


@transaction.atomic
def refresh_standings(group_ids=None, today: datetime.date | None = None) -> int:
    """Re-check groups (all that exist, or those named) and store the results. Returns how many
    groups changed standing. Safe to run at any time and twice: it writes by (group, criterion)."""
    today = today or timezone.localdate()
    groups = Group.objects.filter(status__in=CHECKED_STATUSES).order_by("pk")
    if group_ids is not None:
        groups = groups.filter(pk__in=list(group_ids))
    groups = list(groups)
    results = evaluate(groups, today)
    if not results:
        return 0
    stored = {
        (status.group_id, status.number): status
        for status in CriterionStatus.objects.filter(group_id__in=results.keys())
    }
    rows, changed_groups = [], {}
    for group in groups:
        for check in results[group.pk]:
            previous = stored.get((group.pk, check.number))
            if previous is not None and previous.state == check.state:
                since = previous.since
            else:
                # Without evidence of when it started, a failure dates from when it was first seen;
                # a group first seen meeting a criterion has met it since it was recognised.
                first_check = previous is None and check.state == MEETS
                since = check.since or (_first_seen(group, today) if first_check else today)
            since = min(since, today)
            unchanged = previous is not None and (previous.state, previous.since, previous.evidence) == (
                check.state,
                since,
                check.evidence,
            )
            if not unchanged:
                rows.append(
                    CriterionStatus(
                        group=group, number=check.number, state=check.state, since=since, evidence=check.evidence
                    )
                )
        standing = worst(check.state for check in results[group.pk])
        if standing != group.standing:
            changed_groups.setdefault(standing, []).append(group.pk)
            group.standing = standing
    # Only what changed is written: the nightly run over a quiet organisation writes almost nothing.
    if rows:
        CriterionStatus.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["group", "number"],
            update_fields=["state", "since", "evidence"],
        )
    for standing, ids in changed_groups.items():
        Group.objects.filter(pk__in=ids).update(standing=standing)
    if changed_groups:
        changed_in_bulk()
    Group.objects.filter(pk__in=results.keys()).update(standing_checked_at=timezone.now())
    return sum(len(ids) for ids in changed_groups.values())


def _first_seen(group: Group, today: datetime.date) -> datetime.date:
    if group.decided_at:
        return timezone.localdate(group.decided_at)
    return min(group.founded_on, today)


# --- Putting the evidence into words ------------------------------------------------------------

TEXTS = {
    "statutes_none_published": _("No version of the statutes has been published yet."),
    "statutes_never_accepted": _("The group has not accepted the statutes (current version: %(current)s)."),
    "statutes_accepted": _("%(by)s accepted version %(version)s on %(on)s."),
    "statutes_outdated": _(
        "The group accepted version %(accepted)s, not the current version %(current)s. "
        "It must accept it by %(deadline)s."
    ),
    "no_members": _("The group has no members."),
    "members_all_paying": _("All the group's members pay their membership."),
    "no_priority_area": _("The group has not said which of AiN's priority areas it works on."),
    "priority_areas": _("Works on: %(areas)s."),
    "no_contact": _("The group has no contact person."),
    "contact_ok": _("%(name)s is the contact person and can be reached by email."),
    "contact_not_paying": _("The contact person, %(name)s, no longer pays their membership."),
    "contact_no_email": _("The contact person, %(name)s, has no email address."),
    "contact_email_unconfirmed": _("The contact person, %(name)s, has not confirmed their email address."),
    "not_open": _("The group says it is not open to new members."),
    "open": _("The group is open to new members and answers join requests."),
    "youth_age_exception": _("Outside 13–19, with a reason given: %(names)s."),
    "youth_age_outside": _("A youth group's members are 13–19. Outside that age this year: %(names)s."),
}

# The contact's evidence for a reader who may not see names ("The contact person, the contact
# person, ..." otherwise).
NAMELESS_TEXTS = {
    "contact_ok": _("The contact person can be reached by email."),
    "contact_not_paying": _("The contact person no longer pays their membership."),
    "contact_no_email": _("The contact person has no email address."),
    "contact_email_unconfirmed": _("The contact person has not confirmed their email address."),
}


def describe(entry: dict, *, with_names: bool) -> str:
    """One piece of evidence in words. Without `with_names` (a reader who may not see the group's
    members), people are counted, not named."""
    code, params = entry["code"], dict(entry.get("params", {}))
    for key in ("on", "deadline"):
        if params.get(key):
            params[key] = date_format(datetime.date.fromisoformat(params[key]), "SHORT_DATE_FORMAT")
    if code == "members_not_paying":
        count = params["count"]
        if with_names:
            names = ", ".join(name for _pk, name in params["people"])
            return ngettext(
                "%(count)s member does not pay their membership: %(names)s.",
                "%(count)s members do not pay their membership: %(names)s.",
                count,
            ) % {"count": count, "names": names}
        return ngettext(
            "%(count)s member does not pay their membership.",
            "%(count)s members do not pay their membership.",
            count,
        ) % {"count": count}
    if code == "join_request_waiting":
        return ngettext(
            "A join request has waited %(days)s day for an answer.",
            "A join request has waited %(days)s days for an answer.",
            params["days"],
        ) % {"days": params["days"]}
    if code.startswith("youth_age") and not with_names:
        count = len(params["people"])
        return ngettext(
            "%(count)s member is outside 13–19 this year.",
            "%(count)s members are outside 13–19 this year.",
            count,
        ) % {"count": count}
    if "people" in params:
        params["names"] = ", ".join(name for _pk, name in params["people"])
    if "areas" in params:
        params["areas"] = ", ".join(params["areas"])
    if code in NAMELESS_TEXTS and not with_names:
        return str(NAMELESS_TEXTS[code])
    if code == "statutes_accepted" and not with_names:
        return _("The group accepted version %(version)s on %(on)s.") % params
    return str(TEXTS[code]) % params


def described(status: CriterionStatus, *, with_names: bool) -> list[str]:
    return [describe(entry, with_names=with_names) for entry in status.evidence]


def since_days(status: CriterionStatus, today: datetime.date | None = None) -> int:
    return ((today or timezone.localdate()) - status.since).days
