"""`dhr jobs status` and the health check see the scheduled jobs: the scheduler's heartbeat,
each job's last run, and a reminder run that failed (jobs degraded until one succeeds)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dhr.extensions import db
from dhr.jobs import heartbeat
from dhr.models import JobRun
from dhr.reminders import tasks


def test_a_failing_reminder_run_makes_jobs_degraded_until_one_succeeds(app, client,
                                                                        monkeypatch):
    cli = app.test_cli_runner()
    heartbeat.apply()
    before = cli.invoke(args=["jobs", "status"])
    assert before.exit_code == 0, before.output
    assert "reminders: never run" in before.output and "jobs: ok" in before.output
    assert client.get("/api/v1/health").json["jobs"] == "ok"

    def broken(today=None):
        raise RuntimeError("database went away")

    monkeypatch.setattr(tasks, "run_reminders", broken)
    with pytest.raises(RuntimeError):
        tasks.run.apply(throw=True)
    row = db.session.scalar(select(JobRun).where(JobRun.name == "reminders"))
    assert row.failures == 1 and "database went away" in row.error
    assert client.get("/api/v1/health").json["jobs"] == "degraded"
    failing = cli.invoke(args=["jobs", "status"])
    assert failing.exit_code == 1
    assert "reminders: last started" in failing.output
    assert "FAILING (1 in a row" in failing.output and "database went away" in failing.output

    monkeypatch.undo()
    tasks.run.apply(throw=True)
    db.session.expire_all()  # the test shares its session with the requests below
    assert client.get("/api/v1/health").json["jobs"] == "ok"
    after = cli.invoke(args=["jobs", "status"])
    assert after.exit_code == 0 and "FAILING" not in after.output
    assert "outbox: 0 e-mails waiting to be sent" in after.output
