"""A group's audit trail in words, for its page: who did what, when and why."""

import contextlib
import datetime

from django.contrib.contenttypes.models import ContentType
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from amnesty_portal.models import AuditEvent
from groups.models import FollowUp, Group, Office

ACTIONS = {
    "group.registered": _("registered the group"),
    "group.statutes_accepted": _("accepted the statutes (version %(version)s)"),
    "group.approved": _("approved the registration"),
    "group.rejected": _("rejected the registration"),
    "group.updated": _("changed the group's details"),
    "group.invitation_accepted": _("accepted an invitation to join"),
    "group.invitation_declined": _("declined an invitation to join"),
    "group.join_requested": _("asked to join"),
    "group.join_accepted": _("accepted %(name)s as a member"),
    "group.join_declined": _("declined %(name)s's request to join"),
    "group.join_withdrawn": _("withdrew a request to join"),
    "group.member_left": _("left the group"),
    "group.member_removed": _("removed %(name)s from the group"),
    "group.stopping_reported": _("reported that the group is stopping its work"),
    "group.warned": _("warned the group, with a deadline of %(deadline)s"),
    "group.closed": _("closed the group from %(effective_on)s"),
    "group.reopened": _("reopened the group"),
    "office.assigned": _("made %(name)s %(office)s from %(started_on)s"),
    "office.ended": _("ended %(name)s's office as %(office)s on %(ended_on)s (%(why)s)"),
    "follow_up.done": _("marked “%(what)s” as done"),
}


def _params(event: AuditEvent) -> dict:
    data = dict(event.data or {})
    if "office" in data:
        kind = data["office"]
        data["office"] = data.get("title") or (Office.Kind(kind).label if kind in Office.Kind.values else kind)
    if "why" in data:
        why = data["why"]
        data["why"] = Office.EndReason(why).label if why in Office.EndReason.values else why
    for key in ("started_on", "ended_on", "effective_on", "deadline"):
        if data.get(key):
            with contextlib.suppress(ValueError):  # not a date: show it as it is
                data[key] = date_format(datetime.date.fromisoformat(data[key]), "SHORT_DATE_FORMAT")
    if "what" in data:
        what = data["what"]
        data["what"] = FollowUp.Kind(what).label if what in FollowUp.Kind.values else what
    return data


class _Defaults(dict):
    def __missing__(self, key):
        return "–"


def describe(event: AuditEvent) -> str:
    template = ACTIONS.get(event.action)
    if template is None:
        return event.action
    return str(template) % _Defaults(_params(event))


def events_for(group: Group, limit: int = 100) -> list[tuple[AuditEvent, str]]:
    content_type = ContentType.objects.get_for_model(Group)
    events = AuditEvent.objects.filter(target_type=content_type, target_id=str(group.pk)).select_related("actor")
    return [(event, describe(event)) for event in events[:limit]]
