"""Periodic tasks about people: the daily run of the welcome series."""

from celery import shared_task

from activists import welcome


@shared_task(name="activists.send_welcome_steps_task")
def send_welcome_steps_task():
    """Send the welcome emails due today. Daily; each step is claimed once per person, so running it
    twice (or in two workers at once) sends nothing twice."""
    counts = welcome.send_due_steps()
    return {"sent": counts["sent"], "finished": counts["finished"]}


@shared_task(name="activists.prune_lapsed_members_task")
def prune_lapsed_members_task():
    """Erase the personal data of lapsed members past LAPSED_DATA_RETENTION_MONTHS who are not
    otherwise active, and blank the delivered mail of erased people. Daily; safe to run twice."""
    from activists import own_data

    return {"erased": own_data.prune_lapsed_members(), "mail_blanked": own_data.prune_erased_outbox()}
