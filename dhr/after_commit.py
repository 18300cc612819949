"""Side effects (queued jobs) that must run only once the transaction has committed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

_KEY = "dhr_after_commit"


def run_after_commit(session: Session, func: Callable[..., Any], *args: Any) -> None:
    session.info.setdefault(_KEY, []).append((func, args))


@event.listens_for(Session, "after_commit")
def _run(session: Session) -> None:
    pending = session.info.pop(_KEY, [])
    for func, args in pending:
        func(*args)


@event.listens_for(Session, "after_soft_rollback")
def _discard(session: Session, _previous: Any) -> None:
    session.info.pop(_KEY, None)
