"""Periodic group tasks: the nightly re-check of every group against the five criteria, and the
hourly quarterly-report reminders."""

from celery import shared_task

from groups import reminders
from groups.criteria import refresh_standings


@shared_task(name="groups.refresh_standings_task")
def refresh_standings_task():
    """Some criteria change with time alone (a join request ageing, a lapse taking effect, a new
    statutes version's deadline): re-check every group. Safe to run twice; returns how many changed."""
    return refresh_standings()


@shared_task(name="groups.report_reminders_task")
def report_reminders_task():
    """Send the quarterly-report reminders that are due. Hourly; each step is claimed once per group
    and quarter, so running it twice (or in two workers at once) sends nothing twice."""
    return reminders.sweep()
