"""Celery wired as in the Flask docs: tasks run inside an app context; ids, never objects."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from celery import Celery, Task, shared_task
from celery.signals import beat_init
from flask import Flask, current_app
from sqlalchemy import func, insert, select

from dhr.extensions import db
from dhr.models import HeldJob, JobHeartbeat, JobRun, Notification, User
from dhr.models.types import utcnow

HEARTBEAT_STALE_AFTER = timedelta(minutes=3)


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            with app.app_context():
                try:
                    return self.run(*args, **kwargs)
                finally:
                    db.session.remove()

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(app.config["CELERY"])
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app


def enqueue(task: Task, *args: object) -> None:
    """Send a task (called after commit).

    In eager mode (tests) the task runs here and now and its errors propagate, so tests see
    them. Otherwise the broker gets one try, with no retry loop, so a page never waits on a
    broker that is down; a job that cannot be sent is held in the database (held_jobs) and
    sent again by release_held once the broker is back. Health reports jobs degraded while
    any job is held."""
    if current_app.config["CELERY"].get("task_always_eager"):
        task.apply(args=args, throw=True)
        return
    try:
        task.apply_async(args=args, retry=False)
    except Exception:
        current_app.logger.exception("could not queue %s%r: holding it until the broker is "
                                     "back", task.name, args)
        hold(task.name, list(args))


def hold(task_name: str, args: list[object]) -> None:
    """Keep a job that could not be sent, in its own transaction (the caller's has already
    committed, or is in the middle of committing)."""
    with db.engine.begin() as connection:
        connection.execute(insert(HeldJob.__table__).values(task=task_name, args=args,
                                                            held_dt=utcnow()))


def held_count() -> int:
    return db.session.scalar(select(func.count()).select_from(HeldJob)) or 0


@shared_task(name="dhr.jobs.release_held", ignore_result=True)
def release_held(limit: int = 500) -> int:
    """Send held jobs again, oldest first; each is removed once the broker took it, so a
    broker that goes down again midway leaves the rest held. Returns how many were sent."""
    celery = current_app.extensions["celery"]
    sent = 0
    for job in db.session.scalars(select(HeldJob).order_by(HeldJob.id).limit(limit)):
        try:
            celery.send_task(job.task, args=job.args, retry=False)
        except Exception:
            current_app.logger.warning("the broker is still unreachable; %s jobs stay held",
                                       held_count() - sent)
            break
        db.session.delete(job)
        db.session.commit()
        sent += 1
    db.session.rollback()
    return sent


@shared_task(name="dhr.jobs.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Sent by the scheduler every minute; proves beat -> broker -> worker -> database works."""
    row = db.session.get(JobHeartbeat, "beat") or JobHeartbeat(name="beat")
    row.beat_dt = utcnow()
    db.session.add(row)
    db.session.commit()


@shared_task(name="dhr.jobs.notify_sign_in", ignore_result=True)
def notify_sign_in(user_id: int, when_iso: str, address: str) -> None:
    """Tell a user their account signed in, so an unexpected sign-in is noticed."""
    user = db.session.get(User, user_id)
    if user is None:
        return
    message = f"Your account signed in at {when_iso[:16].replace('T', ' ')} UTC from {address}."
    db.session.add(Notification(user_id=user.id, kind="sign_in", message=message))
    db.session.commit()


@contextmanager
def tracked(name: str) -> Iterator[None]:
    """Record a scheduled job's run: its start, and then its success or its failure (which
    is re-raised after it is written down)."""
    row = db.session.get(JobRun, name) or JobRun(name=name)
    row.started_dt = utcnow()
    db.session.add(row)
    db.session.commit()
    try:
        yield
    except Exception as exc:
        db.session.rollback()
        row = db.session.get(JobRun, name) or JobRun(name=name)
        row.failed_dt, row.error = utcnow(), f"{type(exc).__name__}: {exc}"[:2000]
        row.failures = (row.failures or 0) + 1
        db.session.add(row)
        db.session.commit()
        raise
    row = db.session.get(JobRun, name) or JobRun(name=name)
    row.ok_dt, row.failures = utcnow(), 0
    db.session.add(row)
    db.session.commit()


def failing_jobs() -> list[JobRun]:
    """Jobs whose latest run failed."""
    return [row for row in db.session.scalars(select(JobRun).order_by(JobRun.name))
            if row.failures > 0]


def _aware(value: datetime) -> datetime:
    """SQLite hands back naive UTC datetimes."""
    return value if value.tzinfo else value.replace(tzinfo=utcnow().tzinfo)


def jobs_status() -> str:
    """'ok' when the scheduler's heartbeat reached the database recently, no scheduled
    job's latest run failed and no job is held waiting for the broker."""
    row = db.session.get(JobHeartbeat, "beat")
    if row is None or failing_jobs() or held_count():
        return "degraded"
    return "ok" if utcnow() - _aware(row.beat_dt) < HEARTBEAT_STALE_AFTER else "degraded"


def job_runs() -> list[tuple[str, JobRun | None]]:
    """The scheduled jobs (from the beat schedule) with their latest recorded run."""
    schedule = current_app.config["CELERY"].get("beat_schedule", {})
    runs = {row.name: row for row in db.session.scalars(select(JobRun))}
    return [(name, runs.get(name)) for name in sorted(schedule)]


@beat_init.connect
def _first_heartbeat(**_kwargs: object) -> None:
    """Beat waits a full interval before its first run; report in at once instead."""
    heartbeat.delay()
