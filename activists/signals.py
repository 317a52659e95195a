"""Receivers that keep the welcome series in step with what people do: a new paying member is
enrolled, and the series stops when the person becomes active."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from activists import welcome
from activists.models import IndividualActivist, User, WelcomeEnrolment
from groups.models import GroupMembership


@receiver(post_save, sender=User, dispatch_uid="welcome_new_member")
def enrol_new_member(sender, instance, created, raw=False, **kwargs):
    """A paying member created one by one (a sign-up, the admin). The register import creates people
    in bulk, without signals, and enrols them itself; a status change enrols in the service."""
    if created and not raw and instance.membership_status == User.Membership.PAYING:
        welcome.enrol([(instance.pk, instance.member_since)])


@receiver(post_save, sender=GroupMembership, dispatch_uid="welcome_stops_on_joining")
def stop_on_joining_a_group(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        welcome.stop_series(instance.person_id, WelcomeEnrolment.StopReason.ENGAGED)


@receiver(post_save, sender=IndividualActivist, dispatch_uid="welcome_stops_on_activist_sign_up")
def stop_on_activist_sign_up(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        welcome.stop_series(instance.person_id, WelcomeEnrolment.StopReason.ENGAGED)
