"""Many clients recording notifications at the same moment: does every one get its own
reference (no 500s), and how fast?

Serves the app over real HTTP (a threaded Werkzeug server) on a throw-away SQLite database
(or DHR_BENCH_DATABASE_URL, emptied first), then CLIENTS threads post POSTS notifications
between them to /api/v1/reviews, all for the same CSP and year, and prints the answers.

    .venv/bin/python benchmarks/concurrent_notifications.py --posts 2000 --clients 4
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import tempfile
import threading
import time
from collections import Counter

BODY = {"csp": "Dacorum", "victim_pseudonym": "Adult A", "date_of_death": "2024-01-31",
        "notification_date": "2024-02-02", "death_type": "intimate_partner_homicide"}


def post(port: int, token: str) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("POST", "/api/v1/reviews", body=json.dumps(BODY), headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        response = connection.getresponse()
        payload = response.read()
        return response.status, json.loads(payload) if response.status == 201 else {}
    finally:
        connection.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="dhr-bench-")
    os.environ["DHR_DATA_DIR"] = data_dir
    from werkzeug.serving import make_server

    from dhr import create_app
    from dhr.accounts import create_user
    from dhr.auth.tokens import issue_token
    from dhr.extensions import db
    from dhr.reference_data import load_reference_data

    url = os.environ.get("DHR_BENCH_DATABASE_URL") or f"sqlite:///{data_dir}/bench.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SESSION_COOKIE_SECURE": False})
    with app.app_context():
        db.drop_all()
        db.create_all()
        load_reference_data("hertfordshire")
        tokens = [issue_token(create_user(email=f"manager{i}@bench.example", role="csp_manager",
                                          csp_names=["Dacorum"]))
                  for i in range(args.clients)]
        db.session.commit()

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    answers: list[tuple[int, dict]] = []
    barrier = threading.Barrier(args.clients)

    def client(token: str, count: int) -> None:
        barrier.wait()
        for _ in range(count):
            answers.append(post(server.server_port, token))

    share = [args.posts // args.clients + (i < args.posts % args.clients)
             for i in range(args.clients)]
    threads = [threading.Thread(target=client, args=(t, n))
               for t, n in zip(tokens, share, strict=True)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    server.shutdown()

    statuses = Counter(status for status, _ in answers)
    references = sorted((body["reference"] for status, body in answers if status == 201),
                        key=lambda ref: int(ref.rsplit("-", 1)[1]))
    print(f"database       {url.split(':', 1)[0]}")
    print(f"posts          {len(answers)} from {args.clients} clients in {elapsed:.1f} s "
          f"({len(answers) / elapsed:.0f}/s)")
    print(f"answers        {dict(sorted(statuses.items()))}")
    print(f"references     {len(set(references))} distinct of {len(references)}; "
          f"{references[0] if references else '-'} .. {references[-1] if references else '-'}")


if __name__ == "__main__":
    main()
