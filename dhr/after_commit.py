"""Side effects (queued jobs) that must run only once the transaction has committed.

Savepoints (`begin_nested`) matter: SQLAlchemy fires `after_commit` when a savepoint is
released too, while the real transaction is still open, so jobs wait for the outermost
commit; and a savepoint rolled back drops only the jobs queued inside it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction, scoped_session

_KEY = "dhr_after_commit"


def run_after_commit(session: Session | scoped_session, func: Callable[..., Any],
                     *args: Any) -> None:
    real = session() if isinstance(session, scoped_session) else session
    transaction = real.get_nested_transaction() or real.get_transaction()
    session.info.setdefault(_KEY, []).append((transaction, func, args))


def discard_pending(session: Session | scoped_session) -> None:
    """Drop every side effect queued so far (e.g. when loading backdated demo history)."""
    session.info.pop(_KEY, None)


@event.listens_for(Session, "after_commit")
def _run(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint was released; the real commit is to come
        return
    for _transaction, func, args in session.info.pop(_KEY, []):
        func(*args)


def _inside(transaction: SessionTransaction | None, ended: SessionTransaction) -> bool:
    """Was the job queued within `ended`? (None: queued before any transaction began, so it
    belongs to the outermost one.)"""
    if transaction is None:
        return not ended.nested
    while transaction is not None:
        if transaction is ended:
            return True
        transaction = transaction.parent
    return False


@event.listens_for(Session, "after_soft_rollback")
def _discard(session: Session, previous: SessionTransaction) -> None:
    pending = session.info.get(_KEY, [])
    kept = [job for job in pending if not _inside(job[0], previous)]
    if kept:
        session.info[_KEY] = kept
    else:
        session.info.pop(_KEY, None)
