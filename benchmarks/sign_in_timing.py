"""Does a refused sign-in take as long for an unknown address as for a real account?

Signs in N times each with: an unknown e-mail address, a real account with a wrong password,
a real account that must wait after failures (right password), and a disabled account (right
password). Prints the median and spread of each; the medians should be within a few per cent
of one another, since every refusal verifies exactly one argon2 hash. On a shared machine
the CPU time of this process is steadier than the wall clock; both are printed.

    .venv/bin/python benchmarks/sign_in_timing.py --repeat 30
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import timedelta

PASSWORD = "correct horse battery staple"


def measure(client, email: str, password: str, repeat: int) -> tuple[float, float, float]:
    """(median ms, interquartile range ms, median CPU ms) over `repeat` refused attempts."""
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.post("/sign-in", data={"email": email, "password": password})
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 400, response.status_code
    quartiles = statistics.quantiles(wall, n=4)
    return statistics.median(wall), quartiles[2] - quartiles[0], statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30, help="attempts per kind of account")
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="dhr-bench-")
    os.environ["DHR_DATA_DIR"] = data_dir
    from dhr import create_app
    from dhr.accounts import create_user
    from dhr.extensions import db
    from dhr.models import User
    from dhr.models.types import utcnow
    from dhr.reference_data import load_reference_data

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{data_dir}/bench.sqlite",
                      "SESSION_COOKIE_SECURE": False, "WTF_CSRF_ENABLED": False,
                      "SIGN_IN_RATE_LIMIT": "100000 per minute"})
    with app.app_context():
        db.create_all()
        load_reference_data("hertfordshire")
        users = {kind: create_user(email=f"{kind}@bench.example", role="admin", csp_names=[],
                                   password=PASSWORD)
                 for kind in ("existing", "waiting", "disabled")}
        users["disabled"].is_enabled = False
        db.session.commit()
        emails = {kind: user.email for kind, user in users.items()}
        waiting_id = users["waiting"].id
    client = app.test_client()
    cases = [("unknown account", "nobody@bench.example", PASSWORD),
             ("wrong password", emails["existing"], "not the password"),
             ("waiting account", emails["waiting"], PASSWORD),
             ("disabled account", emails["disabled"], PASSWORD)]
    print(f"{args.repeat} refused sign-ins each; times in ms")
    print(f"{'case':18} {'median':>8} {'IQR':>8} {'cpu':>8}")
    for name, email, password in cases:
        if name == "waiting account":
            with app.app_context():
                user = db.session.get(User, waiting_id)
                user.failed_logins = app.config["LOGIN_MAX_FAILURES"]
                user.locked_until_dt = utcnow() + timedelta(days=1)
                db.session.commit()
        median, spread, cpu = measure(client, email, password, args.repeat)
        print(f"{name:18} {median:8.1f} {spread:8.1f} {cpu:8.1f}")


if __name__ == "__main__":
    main()
