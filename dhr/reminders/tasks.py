"""One run of everything the reminder engine does, for the scheduler and `dhr reminders run`."""

from __future__ import annotations

from datetime import date

from celery import shared_task

from dhr.jobs import tracked
from dhr.reminders.delivery import send_outbox
from dhr.reminders.digest import send_daily_digests, send_weekly_digests
from dhr.reminders.scan import ScanReport, run_reminders

JOB_NAME = "reminders"


def run_all(today: date | None = None) -> ScanReport:
    """Reminders, the daily and weekly digests, then the outbox (recorded as a job run)."""
    with tracked(JOB_NAME):
        report = run_reminders(today)
        report.digests = send_daily_digests(report.today)
        report.weekly_digests = send_weekly_digests(report.today)
        report.emails_sent, report.emails_failed = send_outbox()
    return report


@shared_task(name="dhr.reminders.tasks.run", ignore_result=True)
def run() -> int:
    """Scheduled by beat every few minutes (dhr.config)."""
    return run_all().sent
