"""Periodic group tasks: the nightly re-check of every group against the five criteria."""

from celery import shared_task

from groups.criteria import refresh_standings


@shared_task(name="groups.refresh_standings_task")
def refresh_standings_task():
    """Some criteria change with time alone (a join request ageing, a lapse taking effect, a new
    statutes version's deadline): re-check every group. Safe to run twice; returns how many changed."""
    return refresh_standings()
