"""Drop cached dashboards when something they show changes (see dashboard.cache)."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from activists.models import IndividualActivist
from dashboard.cache import forget_all
from groups import signals as group_signals
from groups.models import Contact, FollowUp, Group, JoinRequest, QuarterlyReport


def _changed(sender, **kwargs):
    transaction.on_commit(forget_all)


# An individual activist heard from (or stopping) leaves the to-do list's "not heard from" item.
for _model in (Group, QuarterlyReport, Contact, JoinRequest, FollowUp, IndividualActivist):
    post_save.connect(_changed, sender=_model, dispatch_uid=f"dashboard-{_model.__name__}-saved")
    post_delete.connect(_changed, sender=_model, dispatch_uid=f"dashboard-{_model.__name__}-deleted")


def _changed_in_bulk(sender, **kwargs):
    forget_all()  # groups.signals.changed is sent after commit already


group_signals.changed.connect(_changed_in_bulk, dispatch_uid="dashboard-groups-changed-in-bulk")
