"""The production topology of docs/deploying.md, on this machine: two web processes under
gunicorn on two ports (each with its own data folder, as on two hosts), one worker pool and
one beat, all on the same PostgreSQL and Redis, with PostgreSQL full-text search.

A review goes from notification to publication through the JSON API, each step through the
other host than the one before. What one host changes, search on the other finds within two
seconds; each background job runs exactly once (every notification arrives once).
Runs only when DHR_TEST_DATABASE_URL and DHR_TEST_REDIS_URL are set."""

from __future__ import annotations

import json
import os
import secrets
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import select

from dhr.auth.tokens import issue_token
from dhr.extensions import db
from dhr.models import Notification, User
from tests.conftest import PG_URL
from tests.support.processes import REDIS_URL, Worker, free_port
from tests.support.workflow import TODAY, valid_data

pytestmark = pytest.mark.skipif(
    not (PG_URL and REDIS_URL),
    reason="needs DHR_TEST_DATABASE_URL (PostgreSQL) and DHR_TEST_REDIS_URL (Redis)")

BIN = Path(sys.executable).parent
START_SECONDS = 300  # a worker takes half a minute to start on a busy 2-core machine
FRESH_SECONDS = 2.0
SETTLE_SECONDS = 60
NOTIFICATION = {
    "csp": "Dacorum", "victim_pseudonym": "Adult T", "date_of_death": "2024-01-31",
    "notification_date": "2024-02-02", "death_type": "intimate_partner_homicide",
    "review_type": "full", "deceased_16_plus": 1, "children_under_16": 0,
    "agencies": ["police", "housing"], "identifying_terms": ["Tess Realname"],
}


class Host:
    """A web process seen from outside: JSON over HTTP with a bearer token."""

    def __init__(self, port: int, worker: Worker):
        self.port, self.process = port, worker

    def call(self, method: str, path: str, token: str, body: Any = None) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/api/v1{path}", data=data, method=method,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - http
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, json.load(error)

    def health(self) -> dict:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/v1/health",
                                        timeout=5) as response:
                return json.load(response)
        except (OSError, ValueError):
            return {}


def wait(condition, what: str, seconds: float, processes: list[Worker]) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        for process in processes:
            if process.process.poll() is not None:
                pytest.fail(f"a process exited before {what}:\n{process.log()}")
        if time.monotonic() > deadline:
            logs = "\n".join(p.log()[-2000:] for p in processes)
            pytest.fail(f"timed out after {seconds}s waiting for {what}\n{logs}")
        time.sleep(0.05)


@pytest.fixture
def topology(app, tmp_path) -> Iterator[tuple[Host, Host, list[Worker]]]:
    """Both web processes, the worker pool and the beat, on the `app` fixture's tables."""
    broker = redis.Redis.from_url(REDIS_URL)
    broker.delete("celery")  # nothing left over from an earlier run
    base = {k: v for k, v in os.environ.items() if not k.startswith("DHR_")}
    base.update(DHR_DATABASE_URL=PG_URL, DHR_BROKER_URL=REDIS_URL, DHR_SEARCH_URL="database",
                DHR_REQUIRE_2FA="false", DHR_SECRET_KEY=secrets.token_urlsafe(48),
                PYTHONUNBUFFERED="1")

    def env(name: str) -> dict[str, str]:
        return {**base, "DHR_DATA_DIR": str(tmp_path / name)}

    processes: list[Worker] = []
    hosts = []
    try:
        for name in ("web-a", "web-b"):
            port = free_port()
            web = Worker([str(BIN / "gunicorn"), "--workers", "1", "--no-control-socket",
                          "--bind", f"127.0.0.1:{port}", "dhr:create_app()"], env(name),
                         tmp_path / f"{name}.log")
            processes.append(web)
            hosts.append(Host(port, web))
        processes.append(Worker([str(BIN / "dhr"), "worker"], env("worker"),
                                tmp_path / "worker.log"))
        processes.append(Worker([str(BIN / "dhr"), "worker", "--beat"], env("beat"),
                                tmp_path / "beat.log"))
        for host in hosts:
            wait(lambda h=host: h.health().get("jobs") == "ok",
                 f"port {host.port} to report jobs ok", START_SECONDS, processes)
        yield hosts[0], hosts[1], processes
    finally:
        for process in processes:
            process.stop()
        broker.delete("celery")
        broker.close()


def token_for(user: User) -> str:
    token = issue_token(user)
    db.session.commit()
    return token


def notification_kinds(user_id: int) -> Counter:
    try:
        return Counter(db.session.scalars(
            select(Notification.kind).where(Notification.user_id == user_id)))
    finally:
        db.session.rollback()  # the next poll sees the worker's commits


def test_two_web_hosts_one_worker_pool_one_beat(topology, make_user):
    a, b, processes = topology
    users = {role: make_user(role, **({"csps": ["Dacorum"]} if role == "csp_manager" else {}))
             for role in ("csp_manager", "coordinator", "subgroup_member", "practitioner")}
    chair_user = make_user("chair", email="tess.chair@pool.example")
    manager_id = users["csp_manager"].id
    tokens = {role: token_for(user) for role, user in users.items()}
    tokens["chair"] = token_for(chair_user)
    hosts = [a, b]
    sent: list[str] = []  # lifecycle events, in order, by who sent them
    lags: list[float] = []

    turn = {"n": 0}

    def step(role: str, method: str, path: str, body: Any = None,
             status: tuple[int, ...] = (200,)) -> Any:
        """One request, through the other host than the one before."""
        host = hosts[turn["n"] % 2]
        turn["n"] += 1
        code, answer = host.call(method, path, tokens[role], body)
        assert code in status, (host.port, method, path, answer)
        return answer

    def event(role: str, name: str, data: dict | None = None) -> dict:
        sent.append(f"{role}:{name}")
        return step(role, "POST", f"/reviews/{rid}/transitions",
                    {"event": name, "data": data or {}})

    def found_on_other_host(role: str, words: str) -> None:
        """Search through the host that did not make the change, until it finds `words`."""
        other = hosts[turn["n"] % 2]
        started = time.monotonic()
        wait(lambda: other.call("GET", f"/search?q={words}", tokens[role])[1].get("total"),
             f"{words!r} to be found on port {other.port}", FRESH_SECONDS, processes)
        lags.append(time.monotonic() - started)

    def put(role: str, kind: str, text: str) -> None:
        step(role, "PUT", f"/reviews/{rid}/documents/{kind}",
             {"format": "markdown", "body": text}, status=(200, 201))

    rid = step("csp_manager", "POST", "/reviews", NOTIFICATION, status=(201,))["id"]
    event("csp_manager", "decide_to_review", {
        "decision_date": "2024-02-26", "ho_informed_date": "2024-02-27",
        "rationale": "Intimate partner homicide; the criteria of s.9 are met."})
    [member] = [m for m in step("coordinator", "GET", "/chairs")["items"]
                if m["email"] == "tess.chair@pool.example"]
    step("coordinator", "PATCH", f"/chairs/{member['id']}",
         {"trained_date": (TODAY - timedelta(days=200)).isoformat(),
          "roles": ["chair", "report_writer"], "capacity": 3})
    event("csp_manager", "appoint_chair", {"chair_id": member["id"]})
    put("chair", "terms_of_reference", "# Terms of reference\n\nThe panel will examine ...")
    event("chair", "agree_terms_of_reference",
          {"panel_agencies": ["police", "housing"], "family_contact": "made"})
    police = step("chair", "POST", f"/reviews/{rid}/agency-requests",
                  {"agency": "police", "kind": "imr"}, status=(201,))["id"]
    housing = step("chair", "POST", f"/reviews/{rid}/agency-requests",
                   {"agency": "housing", "kind": "imr"}, status=(201,))["id"]
    for request_id, move, data in ((police, "submit", {}), (police, "accept", {}),
                                   (housing, "waive", {"reason": "No contact."})):
        step("chair", "POST", f"/agency-requests/{request_id}/transitions",
             {"event": move, "data": data})
    event("chair", "complete_information_gathering")

    put("chair", "overview_report", "# Overview report\n\n## Findings\n\nThe quayside "
        "warden saw Adult T every week and nobody asked about her partner.")
    found_on_other_host("chair", "quayside")
    put("chair", "executive_summary", "# Executive summary\n\n## Learning\n\nAgencies should "
        "ask about abuse; the lamplighter scheme helped.")
    found_on_other_host("csp_manager", "lamplighter")
    put("chair", "action_plan", "# Action plan\n\nSee the recommendations.")
    step("chair", "POST", f"/reviews/{rid}/recommendations",
         {"number": "1.1", "text": "Wardens on the quayside to ask about abuse at every visit.",
          "level": "local", "agency": "housing", "themes": ["information sharing"]},
         status=(201,))
    found_on_other_host("csp_manager", "wardens+visit")
    event("chair", "submit_for_local_qa", {"family_consulted_on_draft": True})
    event("subgroup_member", "approve_local_qa")
    event("csp_manager", "submit_to_home_office", {"csp_signoff_date": "2024-09-30"})
    event("csp_manager", "record_ho_outcome", valid_data("record_ho_outcome"))
    assert step("practitioner", "GET", "/search?q=lamplighter")["total"] == 0
    review = event("csp_manager", "publish", valid_data("publish"))
    assert review["state"] == "published"
    found_on_other_host("practitioner", "lamplighter")
    assert max(lags) < FRESH_SECONDS

    # Every job exactly once: the CSP manager is told of each event someone else sent, once.
    expected = Counter(f"review.{e.split(':')[1]}" for e in sent
                       if not e.startswith("csp_manager:"))
    wait(lambda: notification_kinds(manager_id) == expected or
         sum(notification_kinds(manager_id).values()) > sum(expected.values()),
         "the manager's notifications", SETTLE_SECONDS, processes)
    broker = redis.Redis.from_url(REDIS_URL)
    wait(lambda: broker.llen("celery") == 0, "the queue to empty", SETTLE_SECONDS, processes)
    broker.close()
    assert notification_kinds(manager_id) == expected
    print(f"search lag across hosts (s): {', '.join(f'{lag:.2f}' for lag in lags)}")
