"""Workflows about people: profile changes and membership status changes, with their records."""

from django.db import transaction

from activists import consent, welcome
from activists.models import ConsentChange, MembershipEvent, User
from amnesty_portal import audit


@transaction.atomic
def update_profile(*, actor, person: User, form) -> User:
    changed = list(form.changed_data)
    person = form.save()
    if "email_consent" in changed:
        consent.record_change(person=person, consent=person.email_consent, source=ConsentChange.Source.PROFILE)
    if changed:
        audit.record(actor=actor, action="profile.updated", target=person, fields=changed)
    return person


@transaction.atomic
def set_membership_status(*, actor, person: User, status: str, effective_on, source: str) -> bool:
    """Change a person's membership status and record it with its date. Returns whether it changed."""
    if person.membership_status == status:
        return False
    person.membership_status = status
    if status == User.Membership.LAPSED:
        person.lapsed_on = effective_on
    elif status == User.Membership.PAYING:
        person.lapsed_on = None
        person.member_since = person.member_since or effective_on
    person.save(update_fields=["membership_status", "lapsed_on", "member_since"])
    MembershipEvent.objects.create(person=person, status=status, effective_on=effective_on, source=source)
    audit.record(actor=actor, action="membership.status_changed", target=person, status=status, source=source)
    from groups import services as group_services

    if status == User.Membership.LAPSED:
        group_services.membership_lapsed(actor=actor, lapses=[(person, effective_on)])
    elif status == User.Membership.PAYING:
        welcome.enrol([(person.pk, person.member_since)])
    group_services.membership_changed(person_ids=[person.pk])
    return True
