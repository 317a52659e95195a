"""Signals of the groups app.

Most changes go through Model.save() and Django's own post_save. A few services write with a
conditional QuerySet.update() (to claim a row, or to change many at once), which sends no
signal; they call changed_in_bulk() so that listeners such as the cached dashboards still hear
of the change once the transaction commits.
"""

from django.db import transaction
from django.dispatch import Signal

#: Sent after commit when groups, join requests or follow-ups changed without Model.save().
changed = Signal()


def changed_in_bulk() -> None:
    transaction.on_commit(lambda: changed.send(sender=None), robust=True)
