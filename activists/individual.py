"""Individual activists (seeds 000, 002): their profile and log, the regional staff's lists, gatherings and alumni.

Every change is one transaction that writes an audit row. A change an activist makes to their own
profile or log is a sign of life: it moves `last_heard_on` to today, which is what the regional
leader's "not heard from for six months" looks at.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from activists.models import ActivistActivity, Gathering, GatheringInvitation, IndividualActivist, User
from amnesty_portal import audit
from amnesty_portal.mail import notify
from groups.models import Office

SILENT_MONTHS = 6  # "who has not been heard from for six months" (issue 6)
MAX_PARTICIPANTS = 1000  # more than this at one activity is a typing error, not an individual's café
LOG_DAYS_BACK = 365  # an activity older than a year is history, not a log entry
REGION_FIELD = "person__postal_code__municipality__county__region"


class ActivistError(Exception):
    """A change that cannot be made, with a message for the person who asked (and its field)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


# --- Who is an individual activist ---------------------------------------------------------------


def active_activists():
    """Individual activists who have not stopped (the interface the other parts of issue 6 use)."""
    return IndividualActivist.objects.active()


def profile_of(person) -> IndividualActivist | None:
    """The person's own active profile, or None."""
    if not getattr(person, "is_authenticated", False):
        return None
    return active_activists().filter(person=person).first()


def silent_since(today: datetime.date | None = None) -> datetime.date:
    """Activists last heard from before this day have been silent for six months."""
    return (today or timezone.localdate()) - relativedelta(months=SILENT_MONTHS)


def silent(queryset, today: datetime.date | None = None):
    return queryset.filter(last_heard_on__lt=silent_since(today))


def in_region(queryset, region):
    return queryset.filter(**{f"{REGION_FIELD}": region}) if region is not None else queryset


# --- The activist's own profile and log ----------------------------------------------------------


def _heard_from(activist: IndividualActivist, fields: list[str] | None = None):
    activist.last_heard_on = timezone.localdate()
    activist.save(update_fields=["last_heard_on", *(fields or [])])


@transaction.atomic
def update_activist_profile(*, actor: User, activist: IndividualActivist, data: dict) -> IndividualActivist:
    """The activist changes their interests and availability."""
    activist = IndividualActivist.objects.select_for_update().get(pk=activist.pk)
    if activist.stopped_at is not None:
        raise ActivistError(_("You are no longer registered as an individual activist."))
    activist.modes = list(data.get("modes") or [])
    activist.time = data.get("time") or ""
    activist.family_friendly = bool(data.get("family_friendly"))
    activist.availability = (data.get("availability") or "").strip()
    _heard_from(activist, ["modes", "time", "family_friendly", "availability"])
    activist.themes.set(data.get("themes") or [])
    activist.ideas.set(data.get("ideas") or [])
    audit.record(actor=actor, action="activist.profile_updated", target=activist)
    return activist


@transaction.atomic
def stop_activist(*, actor: User, activist: IndividualActivist) -> IndividualActivist:
    """The person no longer wants to be an individual activist. Their log stays, counted as it was."""
    activist = IndividualActivist.objects.select_for_update().get(pk=activist.pk)
    if activist.stopped_at is not None:
        raise ActivistError(_("You are no longer registered as an individual activist."))
    activist.stopped_at = timezone.now()
    activist.save(update_fields=["stopped_at"])
    audit.record(actor=actor, action="activist.stopped", target=activist)
    return activist


def check_activity(*, date: datetime.date | None, participants: int | None):
    """The rules of a log entry, shared by the form (errors next to their fields) and the services."""
    check_date(date)
    check_participants(participants)


def check_date(date: datetime.date | None):
    today = timezone.localdate()
    if date is None:
        raise ActivistError(_("Give the date of the activity."), "date")
    if date > today:
        raise ActivistError(_("The date cannot be in the future: log an activity once it has happened."), "date")
    if date < today - datetime.timedelta(days=LOG_DAYS_BACK):
        raise ActivistError(_("The date cannot be more than a year ago."), "date")


def check_participants(participants: int | None):
    if participants is None or participants < 1:
        raise ActivistError(_("Count at least one participant: you."), "participants")
    if participants > MAX_PARTICIPANTS:
        raise ActivistError(
            _("Count at most %(max)s participants: the people who took part, not the people reached.")
            % {"max": MAX_PARTICIPANTS},
            "participants",
        )


ACTIVITY_FIELDS = ["type", "date", "participants", "outward", "idea", "priority_area", "campaign", "description"]


def _apply(activity: ActivistActivity, data: dict):
    for name in ACTIVITY_FIELDS:
        value = data.get(name)
        if name in ("campaign", "description"):
            value = (value or "").strip()
        elif name == "outward":
            value = bool(value)
        setattr(activity, name, value)


@transaction.atomic
def log_activity(*, actor: User, activist: IndividualActivist, data: dict) -> ActivistActivity:
    """The activist logs what they did. It counts in the region they live in now, and stays there."""
    activist = (
        IndividualActivist.objects.select_for_update(of=("self",)).select_related(REGION_FIELD).get(pk=activist.pk)
    )
    if activist.stopped_at is not None:
        raise ActivistError(_("You are no longer registered as an individual activist."))
    check_activity(date=data.get("date"), participants=data.get("participants"))
    activity = ActivistActivity(activist=activist, region=activist.person.region)
    _apply(activity, data)
    activity.save()
    _heard_from(activist)
    audit.record(
        actor=actor,
        action="activist.activity_logged",
        target=activist,
        activity=activity.pk,
        type=activity.type,
        date=activity.date.isoformat(),
        participants=activity.participants,
    )
    return activity


@transaction.atomic
def update_activity(*, actor: User, activity: ActivistActivity, data: dict) -> ActivistActivity:
    activity = ActivistActivity.objects.select_for_update().select_related("activist").get(pk=activity.pk)
    check_activity(date=data.get("date"), participants=data.get("participants"))
    _apply(activity, data)
    activity.save()
    _heard_from(activity.activist)
    audit.record(actor=actor, action="activist.activity_changed", target=activity.activist, activity=activity.pk)
    return activity


@transaction.atomic
def delete_activity(*, actor: User, activity: ActivistActivity) -> None:
    activist = activity.activist
    audit.record(
        actor=actor,
        action="activist.activity_deleted",
        target=activist,
        activity=activity.pk,
        type=activity.type,
        date=activity.date.isoformat(),
    )
    activity.delete()
    _heard_from(activist)


# --- Gatherings and invitations -------------------------------------------------------------------


@transaction.atomic
def create_gathering(*, actor: User, data: dict, region) -> Gathering:
    """A regional leader creates a meeting in their region; the secretariat any gathering."""
    kind = data["kind"]
    if kind == Gathering.Kind.REGIONAL_MEETING and region is None:
        raise ActivistError(_("Choose the region of the regional meeting."), "region")
    if kind != Gathering.Kind.REGIONAL_MEETING:
        region = None  # the national assembly and campaign trainings are national
    if data["starts_at"] < timezone.now():
        raise ActivistError(_("The gathering must start in the future."), "starts_at")
    gathering = Gathering.objects.create(
        kind=kind,
        title=data["title"].strip(),
        region=region,
        starts_at=data["starts_at"],
        place=data["place"].strip(),
        description=(data.get("description") or "").strip(),
        created_by=actor,
    )
    audit.record(actor=actor, action="gathering.created", target=gathering, kind=kind)
    return gathering


def invitation_candidates(gathering: Gathering, region_ids=None):
    """The active individual activists one may invite: those of the gathering's region, or for a
    national gathering those of `region_ids` (a regional leader's regions; None: everywhere)."""
    activists = active_activists()
    if gathering.region_id is not None:
        activists = activists.filter(**{f"{REGION_FIELD}_id": gathering.region_id})
    elif region_ids is not None:
        activists = activists.filter(**{f"{REGION_FIELD}_id__in": list(region_ids)})
    invited = GatheringInvitation.objects.filter(gathering=gathering, person=OuterRef("person_id"))
    return activists.annotate(invited=Exists(invited))


@dataclass
class InvitationPreview:
    new: int
    already: int
    by_email: int


def preview_invitations(gathering: Gathering, activists) -> InvitationPreview:
    """How many would be invited now, how many were invited before, and how many of the new ones
    get an email (the others have no address or do not want email)."""
    rows = list(activists.order_by().values_list("invited", "person__email", "person__email_consent"))
    new = [row for row in rows if not row[0]]
    return InvitationPreview(
        new=len(new),
        already=len(rows) - len(new),
        by_email=sum(1 for _invited, email, consent in new if email and consent),
    )


@transaction.atomic
def invite_to_gathering(*, actor: User, gathering: Gathering, activists) -> list[GatheringInvitation]:
    """Invite these activists. Someone invited before is left alone: nobody is emailed twice."""
    gathering = Gathering.objects.select_for_update().get(pk=gathering.pk)
    people = list(User.objects.filter(pk__in=activists.values("person_id")).order_by("pk"))
    already = set(
        GatheringInvitation.objects.filter(gathering=gathering, person__in=people).values_list("person_id", flat=True)
    )
    now = timezone.now()
    new_people = [person for person in people if person.pk not in already]
    GatheringInvitation.objects.bulk_create(
        [GatheringInvitation(gathering=gathering, person=p, invited_by=actor, invited_at=now) for p in new_people],
        ignore_conflicts=True,
    )
    # A concurrent invitation of the same person is kept as it is; the outbox key sends one email.
    invitations = list(
        GatheringInvitation.objects.filter(gathering=gathering, person__in=new_people).select_related("person")
    )
    notify(
        [invitation.person for invitation in invitations if invitation.person.email_consent],
        "gathering_invitation",
        {"gathering": gathering, "actor": actor},
        key=f"gathering:{gathering.pk}",
    )
    if invitations:
        audit.record(actor=actor, action="gathering.invited", target=gathering, people=len(invitations))
    return invitations


# --- Alumni -----------------------------------------------------------------------------------------


def alumni(region=None, region_ids=None):
    """Former officers of the region's groups who hold no office now (seed 002's alumni), with
    the offices they held there, newest first. People whose data was erased are left out."""
    offices = Office.objects.filter(ended_on__isnull=False).select_related("group")
    if region is not None:
        offices = offices.filter(group__region=region)
    elif region_ids is not None:
        offices = offices.filter(group__region_id__in=list(region_ids))
    current = Office.objects.current().filter(person=OuterRef("pk"))
    return (
        User.objects.filter(pk__in=offices.values("person_id"), erased_at__isnull=True)
        .exclude(Exists(current))
        .select_related("postal_code__municipality")
        .prefetch_related(Prefetch("offices", queryset=offices.order_by("-ended_on", "-pk"), to_attr="past_offices"))
        .order_by("last_name", "first_name", "pk")
    )


def region_q(region_ids) -> Q:
    return Q(**{f"{REGION_FIELD}_id__in": list(region_ids)})
