"""Every change people make to groups: registration and its review, offices, joining and leaving,
the statutes, and the secretariat's warning, closing and reopening. Each is one transaction that
writes an audit row, re-checks the criteria and tells the people concerned (seed 001)."""

import datetime
import secrets

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from activists.models import User
from amnesty_portal import audit
from amnesty_portal.mail import notify
from groups.criteria import refresh_standings
from groups.models import (
    FollowUp,
    Group,
    GroupMembership,
    Invitation,
    JoinRequest,
    Office,
    StatutesAcceptance,
    StatutesVersion,
)
from groups.signals import changed_in_bulk
from regions.models import RegionRole

# Offices one person holds at a time; giving one to someone else ends the previous holder's.
SINGLE_HOLDER = {Office.Kind.CONTACT, Office.Kind.LEADER, Office.Kind.DEPUTY, Office.Kind.TREASURER}
FOLLOW_UP_DAYS = 14
BECOME_MEMBER_URL = "https://amnesty.no/bli-medlem"


class GroupError(Exception):
    """A change that cannot be made, with a message for the person who asked for it."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


class GroupChanged(GroupError):
    """Someone else changed the group after the page was loaded: nothing was done. Carries the
    group's current revision, so the form shown again lets the person retry deliberately."""

    def __init__(self, revision: int | None = None):
        self.revision = revision
        super().__init__(
            _(
                "Someone else changed this group while you were working on it. Nothing was saved: "
                "check the page as it is now and try again."
            )
        )


def membership_required_message() -> str:
    """Why a non-member cannot join a group, and what to do (criterion 2; seed 002: non-members may
    still be activists on their own)."""
    return _(
        "Only paying members of Amnesty International Norway can join a group or hold an office in one. "
        "Become a member at %(url)s and come back once your membership is registered. Until then you are "
        "welcome to be active on your own, as an individual activist."
    ) % {"url": BECOME_MEMBER_URL}


def may_join_groups(person) -> bool:
    return bool(getattr(person, "is_authenticated", False) and person.is_member)


# --- Helpers --------------------------------------------------------------------------------------


def _lock(group: Group, revision: int | None = None) -> Group:
    """Lock the group's row for the rest of the transaction; refuse if it moved on since `revision`."""
    locked = Group.objects.select_for_update().get(pk=group.pk)
    if revision is not None and locked.revision != revision:
        raise GroupChanged(locked.revision)
    return locked


def _save(group: Group, *fields: str):
    group.revision += 1
    group.save(update_fields=[*fields, "revision"])


def regional_leaders(region_id) -> list[User]:
    return list(
        User.objects.filter(region_roles__region_id=region_id, region_roles__kind=RegionRole.Kind.LEADER)
        .distinct()
        .order_by("pk")
    )


def current_contacts(group: Group) -> list[User]:
    return list(
        User.objects.filter(
            pk__in=Office.objects.current().filter(group=group, kind=Office.Kind.CONTACT).values("person_id")
        ).order_by("pk")
    )


def _members(group: Group) -> list[User]:
    return list(
        User.objects.filter(group_memberships__group=group, group_memberships__left_on__isnull=True)
        .distinct()
        .order_by("pk")
    )


def _follow_up(group: Group, kind: str, due_in: int = FOLLOW_UP_DAYS) -> FollowUp:
    follow_up, _created = FollowUp.objects.get_or_create(
        group=group,
        kind=kind,
        done_at=None,
        defaults={"region_id": group.region_id, "due_on": timezone.localdate() + datetime.timedelta(days=due_in)},
    )
    return follow_up


def _ensure_member(group: Group, person: User, on: datetime.date) -> GroupMembership:
    membership = GroupMembership.objects.filter(group=group, person=person, left_on__isnull=True).first()
    return membership or GroupMembership.objects.create(group=group, person=person, joined_on=on)


# --- Registration and its review -------------------------------------------------------------------


@transaction.atomic
def register_group(*, actor: User, data: dict, contact: User | None, invite_emails: list[str]) -> Group:
    """A member registers a new group. It waits for the regional leader's or the secretariat's approval."""
    today = timezone.localdate()
    municipality = data.get("municipality")
    group = Group.objects.create(
        name=data["name"],
        category=data["category"],
        municipality=municipality,
        region=municipality.county.region if municipality else data["region"],
        institution=data.get("institution", ""),
        themes=data.get("themes", ""),
        is_open=data.get("is_open", True),
        age_exception=data.get("age_exception", ""),
        founded_on=today,
        status=Group.Status.PENDING,
        registered_by=actor,
        registered_at=timezone.now(),
    )
    group.priority_areas.set(data.get("priority_areas", []))
    contact = contact or actor
    _ensure_member(group, actor, today)
    _ensure_member(group, contact, today)
    Office.objects.create(group=group, person=contact, kind=Office.Kind.CONTACT, started_on=today)
    version = StatutesVersion.objects.current()
    if version is not None:
        StatutesAcceptance.objects.create(group=group, version=version, accepted_by=actor)
    invitations = [_invite(group=group, actor=actor, email=email) for email in invite_emails]
    audit.record(
        actor=actor,
        action="group.registered",
        target=group,
        contact=contact.pk,
        statutes=version.version if version else None,
        invited=len(invitations),
    )
    if version is not None:
        audit.record(actor=actor, action="group.statutes_accepted", target=group, version=version.version)
    if contact != actor:
        notify(
            [contact], "group_contact_named", {"group": group, "actor": actor}, key=f"group-contact-named:{group.pk}"
        )
    notify(
        regional_leaders(group.region_id),
        "group_registered",
        {"group": group, "actor": actor},
        key=f"group-registered:{group.pk}",
    )
    refresh_standings([group.pk])
    return group


def _invite(*, group: Group, actor: User, email: str) -> Invitation:
    email = email.strip().lower()
    person = User.objects.filter(email=email).first()
    new_account = person is None
    if new_account:
        # An account without a password: the invitation's token lets its owner choose one.
        person = User.objects.create(email=email, password=make_password(None))
        EmailAddress.objects.create(user=person, email=email, primary=True, verified=False)
    invitation = Invitation.objects.create(
        group=group, email=email, person=person, invited_by=actor, token=secrets.token_urlsafe(32)
    )
    notify(
        [person],
        "group_invitation",
        {"group": group, "actor": actor, "invitation": invitation, "new_account": new_account},
        key=f"group-invitation:{invitation.pk}",
    )
    return invitation


@transaction.atomic
def approve_group(*, actor: User, group: Group, revision: int | None = None) -> Group:
    group = _lock(group, revision)
    if group.status != Group.Status.PENDING:
        raise GroupError(_("This registration has already been dealt with."))
    group.status, group.decided_at = Group.Status.RECOGNISED, timezone.now()
    _save(group, "status", "decided_at")
    welcome = _follow_up(group, FollowUp.Kind.WELCOME_PACKAGE)
    first = _follow_up(group, FollowUp.Kind.FIRST_CONTACT)
    audit.record(actor=actor, action="group.approved", target=group, follow_ups=[welcome.pk, first.pk])
    notify(current_contacts(group), "group_approved", {"group": group}, key=f"group-approved:{group.pk}")
    refresh_standings([group.pk])
    return group


@transaction.atomic
def reject_group(*, actor: User, group: Group, reason: str, revision: int | None = None) -> Group:
    if not reason.strip():
        raise GroupError(
            _("Say why the registration is rejected: the person who registered the group will see it."), "reason"
        )
    group = _lock(group, revision)
    if group.status != Group.Status.PENDING:
        raise GroupError(_("This registration has already been dealt with."))
    group.status, group.decided_at, group.rejection_reason = Group.Status.REJECTED, timezone.now(), reason.strip()
    _save(group, "status", "decided_at", "rejection_reason")
    today = timezone.localdate()
    Office.objects.filter(group=group, ended_on__isnull=True).update(
        ended_on=today, end_reason=Office.EndReason.GROUP_CLOSED
    )
    Invitation.objects.filter(group=group, accepted_at=None, declined_at=None).update(declined_at=timezone.now())
    audit.record(actor=actor, action="group.rejected", target=group, reason=group.rejection_reason)
    recipients = [group.registered_by] if group.registered_by else current_contacts(group)
    notify(recipients, "group_rejected", {"group": group}, key=f"group-rejected:{group.pk}")
    return group


# --- Invitations ------------------------------------------------------------------------------------


@transaction.atomic
def accept_invitation(*, invitation: Invitation, person: User) -> GroupMembership:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise GroupError(_("This invitation has already been answered."))
    if invitation.group.status not in (Group.Status.PENDING, Group.Status.RECOGNISED):
        raise GroupError(_("The group no longer exists, so the invitation cannot be accepted."))
    invitation.accepted_at, invitation.person = timezone.now(), person
    invitation.save(update_fields=["accepted_at", "person"])
    membership = _ensure_member(invitation.group, person, timezone.localdate())
    audit.record(actor=person, action="group.invitation_accepted", target=invitation.group, email=invitation.email)
    refresh_standings([invitation.group_id])
    return membership


@transaction.atomic
def decline_invitation(*, invitation: Invitation, person: User) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise GroupError(_("This invitation has already been answered."))
    invitation.declined_at = timezone.now()
    invitation.save(update_fields=["declined_at"])
    audit.record(actor=person, action="group.invitation_declined", target=invitation.group, email=invitation.email)
    return invitation


@transaction.atomic
def set_invited_password(*, invitation: Invitation, password: str) -> User:
    """The invitation reached its address: confirm it and give the new account its password."""
    invitation = Invitation.objects.select_for_update(of=("self",)).select_related("person").get(pk=invitation.pk)
    person = invitation.person
    if not invitation.is_open or person is None or person.has_usable_password():
        raise GroupError(_("This invitation can no longer be used to create an account. Log in instead."))
    person.set_password(password)
    person.save(update_fields=["password"])
    EmailAddress.objects.filter(user=person, email=invitation.email).update(verified=True)
    audit.record(actor=person, action="account.created_from_invitation", target=person)
    return person


# --- The statutes ----------------------------------------------------------------------------------


@transaction.atomic
def accept_statutes(*, actor: User, group: Group) -> StatutesAcceptance:
    version = StatutesVersion.objects.current()
    if version is None:
        raise GroupError(_("No version of the statutes has been published yet."))
    group = _lock(group)
    acceptance, created = StatutesAcceptance.objects.get_or_create(
        group=group, version=version, defaults={"accepted_by": actor}
    )
    if created:
        _save(group)
        audit.record(actor=actor, action="group.statutes_accepted", target=group, version=version.version)
        refresh_standings([group.pk])
    return acceptance


# --- Offices --------------------------------------------------------------------------------------


@transaction.atomic
def assign_office(
    *, actor: User, group: Group, person: User, kind: str, title: str = "", started_on=None, revision=None
) -> Office:
    """Give a member an office. For offices one person holds, the previous holder's ends the day the new one starts."""
    group = _lock(group, revision)
    started_on = started_on or timezone.localdate()
    if group.is_closed:
        raise GroupError(_("The group is closed."))
    if not GroupMembership.objects.filter(group=group, person=person, left_on__isnull=True).exists():
        raise GroupError(_("Only a member of the group can hold one of its offices."), "person")
    if person.membership_status != User.Membership.PAYING:
        raise GroupError(
            _("%(name)s does not pay their membership, so cannot hold an office.") % {"name": person}, "person"
        )
    if kind == Office.Kind.OTHER and not title.strip():
        raise GroupError(_("Give the office a name."), "title")
    current = Office.objects.current(on=started_on).filter(group=group, kind=kind)
    if kind == Office.Kind.OTHER:
        current = current.filter(title__iexact=title.strip())
    if current.filter(person=person).exists():
        raise GroupError(_("%(name)s already holds this office.") % {"name": person}, "person")
    later = Office.objects.filter(group=group, kind=kind, started_on__gt=started_on, ended_on__isnull=True)
    if kind in SINGLE_HOLDER and later.exists():
        raise GroupError(_("Someone else holds this office from a later date. Choose a later start."), "started_on")
    ended = []
    if kind in SINGLE_HOLDER:
        for previous in current.select_related("person"):
            previous.ended_on, previous.end_reason = started_on, Office.EndReason.REPLACED
            previous.save(update_fields=["ended_on", "end_reason"])
            ended.append(previous)
    office = Office.objects.create(group=group, person=person, kind=kind, title=title.strip(), started_on=started_on)
    _save(group)
    audit.record(
        actor=actor,
        action="office.assigned",
        target=group,
        office=kind,
        title=office.title,
        person=person.pk,
        name=str(person),
        replaced=[str(previous.person) for previous in ended],
        started_on=started_on.isoformat(),
    )
    notify(
        regional_leaders(group.region_id),
        "office_changed",
        {"group": group, "office": office, "ended": ended, "actor": actor},
        key=f"office-assigned:{office.pk}",
    )
    if kind == Office.Kind.CONTACT and (
        FollowUp.objects.open()
        .filter(group=group, kind=FollowUp.Kind.NEW_CONTACT)
        .update(done_at=timezone.now(), done_by=actor)
    ):
        changed_in_bulk()
    refresh_standings([group.pk])
    return office


@transaction.atomic
def end_office(*, actor: User, office: Office, ended_on=None, reason: str = Office.EndReason.STEPPED_DOWN) -> Office:
    group = _lock(office.group)
    office = Office.objects.select_for_update().select_related("person").get(pk=office.pk)
    ended_on = ended_on or timezone.localdate()
    if office.ended_on is not None and office.ended_on <= ended_on:
        raise GroupError(_("This office has already ended."))
    if ended_on < office.started_on:
        raise GroupError(_("An office cannot end before it started."), "ended_on")
    office.ended_on, office.end_reason = ended_on, reason
    office.save(update_fields=["ended_on", "end_reason"])
    _save(group)
    audit.record(
        actor=actor,
        action="office.ended",
        target=group,
        office=office.kind,
        title=office.title,
        person=office.person_id,
        name=str(office.person),
        ended_on=ended_on.isoformat(),
        why=reason,
    )
    _after_offices_ended(group, [office], actor=actor)
    refresh_standings([group.pk])
    return office


def _after_offices_ended(group: Group, offices: list[Office], *, actor, template="office_changed"):
    """Tell the regional leader, and put finding a new contact on their list if none is left."""
    if group.is_closed:
        return
    without_contact = any(o.kind == Office.Kind.CONTACT for o in offices) and not (
        Office.objects.current().filter(group=group, kind=Office.Kind.CONTACT).exists()
    )
    if without_contact:
        _follow_up(group, FollowUp.Kind.NEW_CONTACT, due_in=7)
    notify(
        regional_leaders(group.region_id),
        template,
        {"group": group, "office": None, "ended": offices, "actor": actor, "without_contact": without_contact},
        key=f"offices-ended:{group.pk}:{'-'.join(str(office.pk) for office in offices)}",
        cc=current_contacts(group) if template == "offices_lapsed" else (),
    )


@transaction.atomic
def membership_lapsed(*, actor, lapses: list[tuple[User, datetime.date]]) -> list[Office]:
    """People stopped paying: every office they hold ends on the day the lapse takes effect
    (seed 001, section 8). The groups' contacts and regional leaders are told. Returns the offices."""
    if not lapses:
        return []
    on_of = {person.pk: on for person, on in lapses}
    offices = list(
        Office.objects.filter(person_id__in=on_of.keys())
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=min(on_of.values())))
        .select_related("group", "person")
        .order_by("group_id", "pk")
    )
    ended = []
    for office in offices:
        on = max(on_of[office.person_id], office.started_on)
        if office.ended_on is not None and office.ended_on <= on:
            continue
        office.ended_on, office.end_reason = on, Office.EndReason.MEMBERSHIP_LAPSED
        ended.append(office)
    Office.objects.bulk_update(ended, ["ended_on", "end_reason"])
    by_group: dict[int, list[Office]] = {}
    for office in ended:
        by_group.setdefault(office.group_id, []).append(office)
        audit.record(
            actor=actor,
            action="office.ended",
            target=office.group,
            office=office.kind,
            title=office.title,
            person=office.person_id,
            name=str(office.person),
            ended_on=office.ended_on.isoformat(),
            why=Office.EndReason.MEMBERSHIP_LAPSED,
        )
    for group_offices in by_group.values():
        _after_offices_ended(group_offices[0].group, group_offices, actor=actor, template="offices_lapsed")
    return ended


def membership_changed(*, person_ids) -> int:
    """A membership status changed: re-check the groups the people are in."""
    group_ids = set(
        GroupMembership.objects.filter(person_id__in=list(person_ids), left_on__isnull=True).values_list(
            "group_id", flat=True
        )
    )
    group_ids |= set(Office.objects.current().filter(person_id__in=list(person_ids)).values_list("group_id", flat=True))
    return refresh_standings(group_ids) if group_ids else 0


# --- Joining and leaving ----------------------------------------------------------------------------


@transaction.atomic
def request_to_join(*, actor: User, group: Group, message: str = "") -> JoinRequest:
    group = _lock(group)
    if group.status != Group.Status.RECOGNISED or not group.is_open:
        raise GroupError(_("This group does not take new members at the moment."))
    if GroupMembership.objects.filter(group=group, person=actor, left_on__isnull=True).exists():
        raise GroupError(_("You are already a member of this group."))
    if not may_join_groups(actor):
        raise GroupError(membership_required_message())
    if JoinRequest.objects.pending().filter(group=group, person=actor).exists():
        raise GroupError(_("You have already asked to join this group. The contact person will answer you."))
    join_request = JoinRequest.objects.create(group=group, person=actor, message=message.strip())
    audit.record(actor=actor, action="group.join_requested", target=group)
    notify(
        current_contacts(group),
        "join_requested",
        {"group": group, "join_request": join_request},
        key=f"join-requested:{join_request.pk}",
    )
    refresh_standings([group.pk])
    return join_request


@transaction.atomic
def answer_join_request(*, actor: User, join_request: JoinRequest, accept: bool, answer: str = "") -> JoinRequest:
    status = JoinRequest.Status.ACCEPTED if accept else JoinRequest.Status.DECLINED
    if accept and not may_join_groups(join_request.person):
        raise GroupError(
            _(
                "%(name)s is not a paying member of Amnesty International Norway, so cannot join the group. "
                "Decline the request, or ask them to become a member first."
            )
            % {"name": join_request.person}
        )
    # Claim the request: only one answer wins, whoever clicks second is told it is done.
    claimed = JoinRequest.objects.filter(pk=join_request.pk, status=JoinRequest.Status.PENDING).update(
        status=status, answered_by=actor, answered_at=timezone.now(), answer=answer.strip()
    )
    if not claimed:
        raise GroupError(_("This request has already been answered."))
    changed_in_bulk()
    join_request.refresh_from_db()
    group = join_request.group
    if accept:
        _ensure_member(group, join_request.person, timezone.localdate())
    audit.record(
        actor=actor,
        action="group.join_accepted" if accept else "group.join_declined",
        target=group,
        person=join_request.person_id,
        name=str(join_request.person),
        answer=join_request.answer,
    )
    notify(
        [join_request.person],
        "join_answered",
        {"group": group, "join_request": join_request},
        key=f"join-answered:{join_request.pk}",
    )
    refresh_standings([group.pk])
    return join_request


@transaction.atomic
def withdraw_join_request(*, actor: User, join_request: JoinRequest) -> None:
    claimed = JoinRequest.objects.filter(pk=join_request.pk, person=actor, status=JoinRequest.Status.PENDING).update(
        status=JoinRequest.Status.WITHDRAWN, answered_at=timezone.now()
    )
    if claimed:
        changed_in_bulk()
        audit.record(actor=actor, action="group.join_withdrawn", target=join_request.group)
        refresh_standings([join_request.group_id])


@transaction.atomic
def leave_group(*, actor: User, group: Group, person: User | None = None) -> GroupMembership:
    """A member leaves (or an officer removes a member). Their offices end the same day."""
    person = person or actor
    group = _lock(group)
    membership = GroupMembership.objects.filter(group=group, person=person, left_on__isnull=True).first()
    if membership is None:
        raise GroupError(_("%(name)s is not a member of this group.") % {"name": person})
    today = timezone.localdate()
    membership.left_on = today
    membership.save(update_fields=["left_on"])
    # Offices held now, and any that were to start later.
    offices = list(
        Office.objects.filter(group=group, person=person).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today))
    )
    for office in offices:
        office.ended_on, office.end_reason = max(today, office.started_on), Office.EndReason.LEFT_GROUP
        office.save(update_fields=["ended_on", "end_reason"])
    _save(group)
    audit.record(
        actor=actor,
        action="group.member_left" if person == actor else "group.member_removed",
        target=group,
        person=person.pk,
        name=str(person),
        offices=[office.kind for office in offices],
    )
    if offices:
        _after_offices_ended(group, offices, actor=actor)
    refresh_standings([group.pk])
    return membership


# --- Stopping, warning, closing and reopening ----------------------------------------------------


@transaction.atomic
def report_stopping(*, actor: User, group: Group, reason: str) -> Group:
    """The group tells the secretariat it is stopping its work: the admins' review page shows it."""
    if not reason.strip():
        raise GroupError(_("Tell the secretariat briefly why the group is stopping."), "reason")
    group = _lock(group)
    if group.status != Group.Status.RECOGNISED:
        raise GroupError(_("Only a recognised group can report that it is stopping."))
    group.stopping_reported_at, group.stopping_reason = timezone.now(), reason.strip()
    _save(group, "stopping_reported_at", "stopping_reason")
    audit.record(actor=actor, action="group.stopping_reported", target=group, reason=group.stopping_reason)
    notify(
        regional_leaders(group.region_id),
        "group_stopping",
        {"group": group, "actor": actor},
        key=f"group-stopping:{group.pk}:{group.revision}",
    )
    return group


@transaction.atomic
def warn_group(*, actor: User, group: Group, deadline: datetime.date, message: str, revision=None) -> Group:
    today = timezone.localdate()
    if deadline <= today:
        raise GroupError(_("The deadline must be after today."), "deadline")
    if not message.strip():
        raise GroupError(_("Write what the group must do before the deadline."), "message")
    group = _lock(group, revision)
    if group.status != Group.Status.RECOGNISED:
        raise GroupError(_("Only a recognised group can be warned."))
    group.warned_at, group.warning_deadline, group.warning_message = timezone.now(), deadline, message.strip()
    _save(group, "warned_at", "warning_deadline", "warning_message")
    audit.record(
        actor=actor, action="group.warned", target=group, reason=group.warning_message, deadline=deadline.isoformat()
    )
    recipients = current_contacts(group) or _members(group)
    notify(
        recipients,
        "group_warned",
        {"group": group},
        key=f"group-warned:{group.pk}:{group.revision}",
        cc=regional_leaders(group.region_id),
    )
    return group


def closing_preview(group: Group) -> dict:
    """What closing the group will do, for the admin to see before confirming."""
    return {
        "offices": list(Office.objects.current().filter(group=group).select_related("person").order_by("kind")),
        "member_count": GroupMembership.objects.filter(group=group, left_on__isnull=True).count(),
        "pending_requests": JoinRequest.objects.pending().filter(group=group).count(),
        "open_follow_ups": FollowUp.objects.open().filter(group=group).count(),
    }


@transaction.atomic
def close_group(*, actor: User, group: Group, reason: str, effective_on: datetime.date, revision=None) -> Group:
    """Close a group. Nothing is deleted: offices end, members are told, and it leaves every search
    for active groups; its history stays."""
    today = timezone.localdate()
    if not reason.strip():
        raise GroupError(_("Give the reason for closing the group. The members will see it."), "reason")
    if effective_on > today:
        raise GroupError(_("The closing date cannot be in the future."), "effective_on")
    group = _lock(group, revision)
    if group.status not in (Group.Status.RECOGNISED, Group.Status.PENDING):
        raise GroupError(_("This group is already closed."))
    if effective_on < group.founded_on:
        raise GroupError(_("The closing date cannot be before the group was founded."), "effective_on")
    members = _members(group)
    # Offices already ended keep their own end; a backdated closing only ends the open ones.
    offices = list(Office.objects.filter(group=group, ended_on__isnull=True))
    for office in offices:
        office.ended_on, office.end_reason = max(effective_on, office.started_on), Office.EndReason.GROUP_CLOSED
    Office.objects.bulk_update(offices, ["ended_on", "end_reason"])
    declined = (
        JoinRequest.objects.pending()
        .filter(group=group)
        .update(
            status=JoinRequest.Status.DECLINED, answered_by=actor, answered_at=timezone.now(), answer=reason.strip()
        )
    )
    FollowUp.objects.open().filter(group=group).update(done_at=timezone.now(), done_by=actor)
    group.status, group.closed_on, group.closing_reason = Group.Status.CLOSED, effective_on, reason.strip()
    _save(group, "status", "closed_on", "closing_reason")
    audit.record(
        actor=actor,
        action="group.closed",
        target=group,
        reason=group.closing_reason,
        effective_on=effective_on.isoformat(),
        offices_ended=len(offices),
        requests_declined=declined,
    )
    notify(
        members,
        "group_closed",
        {"group": group},
        key=f"group-closed:{group.pk}:{group.revision}",
        cc=regional_leaders(group.region_id),
    )
    return group


@transaction.atomic
def reopen_group(*, actor: User, group: Group, reason: str, revision=None) -> Group:
    if not reason.strip():
        raise GroupError(_("Say why the group is reopened."), "reason")
    group = _lock(group, revision)
    if group.status != Group.Status.CLOSED:
        raise GroupError(_("Only a closed group can be reopened."))
    group.status, group.closed_on = Group.Status.RECOGNISED, None
    group.warned_at, group.warning_deadline, group.warning_message = None, None, ""
    group.stopping_reported_at, group.stopping_reason = None, ""
    _save(
        group,
        "status",
        "closed_on",
        "warned_at",
        "warning_deadline",
        "warning_message",
        "stopping_reported_at",
        "stopping_reason",
    )
    audit.record(actor=actor, action="group.reopened", target=group, reason=reason.strip())
    if not Office.objects.current().filter(group=group, kind=Office.Kind.CONTACT).exists():
        _follow_up(group, FollowUp.Kind.NEW_CONTACT, due_in=7)
    notify(
        _members(group),
        "group_reopened",
        {"group": group},
        key=f"group-reopened:{group.pk}:{group.revision}",
        cc=regional_leaders(group.region_id),
    )
    refresh_standings([group.pk])
    return group


@transaction.atomic
def update_group(*, actor: User, group: Group, form, revision=None) -> Group:
    """Officers edit the group's details (themes, priority areas, openness)."""
    _lock(group, revision)
    changed = list(form.changed_data)
    group = form.save(commit=False)
    group.revision += 1
    group.save()
    form.save_m2m()
    if changed:
        audit.record(actor=actor, action="group.updated", target=group, fields=changed)
    refresh_standings([group.pk])
    return group


@transaction.atomic
def complete_follow_up(*, actor: User, follow_up: FollowUp) -> bool:
    done = FollowUp.objects.filter(pk=follow_up.pk, done_at__isnull=True).update(done_at=timezone.now(), done_by=actor)
    if done:
        changed_in_bulk()
        audit.record(actor=actor, action="follow_up.done", target=follow_up.group, what=follow_up.kind)
    return bool(done)


# --- Reference lists --------------------------------------------------------------------------------


@transaction.atomic
def statutes_published(*, actor: User, version: StatutesVersion) -> int:
    """A new version of the statutes: every active group must accept it again (criterion 1).
    Their contacts are asked by email. Returns how many groups were asked."""
    audit.record(
        actor=actor, action="statutes.published", target=version, published_on=version.published_on.isoformat()
    )
    groups = list(Group.objects.active().order_by("pk"))
    contacts = (
        Office.objects.current()
        .filter(group__in=groups, kind=Office.Kind.CONTACT)
        .select_related("person", "group")
        .order_by("group_id", "pk")
    )
    for office in contacts:
        notify(
            [office.person],
            "statutes_published",
            {"group": office.group, "version": version},
            key=f"statutes:{version.pk}:{office.group_id}",
        )
    refresh_standings([group.pk for group in groups])
    return len(groups)


def reference_changed(*, actor: User) -> int:
    """A priority area was added or retired: re-check every group's criterion 3."""
    return refresh_standings()
