"""The one place that answers "may this person see or change this object?" for every app.

Querysets are scoped here (`Model.objects.visible_to(user)` delegates to the scope_* functions),
and views fetch through `get_for()`, which answers 404 for objects the person may not see (never
revealing that they exist) and 403 for objects they may see but not change.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

security_log = logging.getLogger("amnesty_portal.security")


@dataclass(frozen=True)
class Roles:
    """What a person is, and where: computed once per request and cached on the user."""

    is_authenticated: bool = False
    is_admin: bool = False
    is_prize_jury: bool = False
    leader_region_ids: frozenset = frozenset()
    coordinator_region_ids: frozenset = frozenset()
    contact_group_ids: frozenset = frozenset()
    officer_group_ids: frozenset = frozenset()
    member_group_ids: frozenset = frozenset()

    @property
    def staff_region_ids(self) -> frozenset:
        return self.leader_region_ids | self.coordinator_region_ids

    @property
    def is_regional_staff(self) -> bool:
        return bool(self.staff_region_ids)

    @property
    def is_regional_leader(self) -> bool:
        return bool(self.leader_region_ids)

    @property
    def is_group_contact(self) -> bool:
        return bool(self.contact_group_ids)

    @property
    def is_group_officer(self) -> bool:
        return bool(self.officer_group_ids)

    @property
    def needs_two_factor(self) -> bool:
        return self.is_admin or self.is_regional_leader


ANONYMOUS = Roles()


def roles_of(user) -> Roles:
    if not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    cached = getattr(user, "_portal_roles", None)
    if cached is not None:
        return cached
    from groups.models import GroupMembership, Office
    from regions.models import RegionRole

    leader, coordinator = set(), set()
    for region_id, kind in RegionRole.objects.filter(person=user).order_by().values_list("region_id", "kind"):
        (leader if kind == RegionRole.Kind.LEADER else coordinator).add(region_id)
    contact, officer = set(), set()
    for group_id, kind in Office.objects.current().filter(person=user).order_by().values_list("group_id", "kind"):
        officer.add(group_id)
        if kind == Office.Kind.CONTACT:
            contact.add(group_id)
    member = set(GroupMembership.objects.filter(person=user, left_on__isnull=True).values_list("group_id", flat=True))
    roles = Roles(
        is_authenticated=True,
        is_admin=bool(user.is_secretariat or user.is_superuser),
        is_prize_jury=bool(user.is_prize_jury),
        leader_region_ids=frozenset(leader),
        coordinator_region_ids=frozenset(coordinator),
        contact_group_ids=frozenset(contact),
        officer_group_ids=frozenset(officer),
        member_group_ids=frozenset(member | officer),
    )
    user._portal_roles = roles
    return roles


# --- Scopes: every list in the portal starts from one of these ------------------------------


def scope_regions(queryset, user):
    roles = roles_of(user)
    if roles.is_admin:
        return queryset
    return queryset.filter(pk__in=roles.staff_region_ids)


def scope_groups(queryset, user):
    roles = roles_of(user)
    if roles.is_admin:
        return queryset
    return queryset.filter(Q(region_id__in=roles.staff_region_ids) | Q(pk__in=roles.member_group_ids))


def scope_people(queryset, user):
    """Admins see everyone; regional staff their region's people; group officers their members."""
    roles = roles_of(user)
    if roles.is_admin:
        return queryset
    if not roles.is_authenticated:
        return queryset.none()
    from groups.models import GroupMembership

    visible = Q(pk=user.pk)
    if roles.staff_region_ids:
        visible |= Q(postal_code__municipality__county__region_id__in=roles.staff_region_ids)
        visible |= Q(
            pk__in=GroupMembership.objects.filter(
                group__region_id__in=roles.staff_region_ids, left_on__isnull=True
            ).values("person_id")
        )
    if roles.officer_group_ids:
        visible |= Q(
            pk__in=GroupMembership.objects.filter(group_id__in=roles.officer_group_ids, left_on__isnull=True).values(
                "person_id"
            )
        )
    return queryset.filter(visible)


def scope_activists(queryset, user):
    """Individual activists: admins see all; regional staff those living in their region (by the
    person's postal code). Nobody else: an activist sees their own profile through their own pages."""
    roles = roles_of(user)
    if roles.is_admin:
        return queryset
    if not roles.staff_region_ids:
        return queryset.none()
    return queryset.filter(person__postal_code__municipality__county__region_id__in=roles.staff_region_ids)


def scope_gatherings(queryset, user):
    """Gatherings: admins see all; regional staff their region's meetings and the national ones."""
    roles = roles_of(user)
    if roles.is_admin:
        return queryset
    if not roles.staff_region_ids:
        return queryset.none()
    return queryset.filter(Q(region_id__in=roles.staff_region_ids) | Q(region__isnull=True))


# --- Object-level answers ---------------------------------------------------------------------


def can_change(user, obj) -> bool:
    """Whether a person who may see `obj` may also change it."""
    from activists.models import Gathering, User
    from groups.models import Group
    from regions.models import Region

    roles = roles_of(user)
    if roles.is_admin:
        return True
    if isinstance(obj, User):
        return obj.pk == user.pk
    if isinstance(obj, Group):
        return obj.region_id in roles.leader_region_ids or obj.pk in roles.officer_group_ids
    if isinstance(obj, Region):
        return False
    if isinstance(obj, Gathering):
        # A regional leader invites to their region's meetings and to the national gatherings.
        return obj.region_id in roles.leader_region_ids or (obj.region_id is None and roles.is_regional_leader)
    return False


def supervises(user, group) -> bool:
    """The secretariat and the group's regional leader: they approve registrations and see the
    group's audit log."""
    roles = roles_of(user)
    return roles.is_admin or group.region_id in roles.leader_region_ids


def is_staff_of(user, region_id) -> bool:
    """The secretariat, and the regional leader and training coordinator of that region."""
    roles = roles_of(user)
    return roles.is_admin or region_id in roles.staff_region_ids


def get_for(user, queryset, *, write: bool = False, request=None, **lookup):
    """Fetch one object the person may see (else 404) and, with write=True, change (else 403)."""
    try:
        obj = queryset.visible_to(user).get(**lookup)
    except queryset.model.DoesNotExist:
        if queryset.filter(**lookup).exists():
            log_refusal(user, f"{queryset.model._meta.label} {lookup}", request=request, status=404)
        raise Http404 from None
    if write and not can_change(user, obj):
        log_refusal(user, f"{queryset.model._meta.label} {lookup} (write)", request=request, status=403)
        raise PermissionDenied
    return obj


def require(user, condition: bool, what: str, request=None):
    """Guard a page that is not about one object (an admin tool, say): 404 to those without access."""
    if not condition:
        log_refusal(user, what, request=request, status=404)
        raise Http404


def require_admin(request, what: str):
    """Guard a page of the secretariat's: 404 to everyone else."""
    require(request.user, roles_of(request.user).is_admin, what, request)


def log_refusal(user, what: str, *, request=None, status: int):
    from amnesty_portal.audit import record_security_event

    record_security_event("permission_denied", user=user, request=request, detail={"object": what, "status": status})
