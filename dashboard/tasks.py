"""Recomputing the dashboards' figures: hourly, and soon after a quarterly report is submitted."""

from celery import shared_task

from dashboard import summaries


@shared_task(name="dashboard.refresh_figures_task")
def refresh_figures_task():
    """Replace the summary tables with figures computed now. Safe to run twice or at once in two
    workers: a run replaces the whole window in one transaction, under a lock."""
    return summaries.refresh().seconds
