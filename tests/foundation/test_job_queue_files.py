"""The default set-up's job queue (a folder): a worker never sees a message half-written.
Kombu's filesystem transport created the file before writing it, and a worker that read it in
between stopped with "Unrecoverable error: JSONDecodeError" (seen once in CI, in
tests/foundation/test_dhr_run.py); messages now appear by an atomic rename."""

from __future__ import annotations

import json
import os
from pathlib import Path

from dhr import create_app


def test_a_message_appears_in_the_queue_only_when_whole(tmp_path, monkeypatch):
    monkeypatch.setenv("DHR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DHR_BROKER_URL", raising=False)
    monkeypatch.delenv("DHR_DATABASE_URL", raising=False)
    app = create_app({"TESTING": True})
    queue = Path(app.config["CELERY"]["broker_transport_options"]["data_folder_in"])
    seen_before_the_rename: list[list[str]] = []
    real_replace = os.replace

    def replace(source, target):
        # What a worker listing the folder would find at the last moment before the message
        # appears: nothing it reads as a message.
        seen_before_the_rename.append([n for n in os.listdir(queue) if n.endswith(".msg")])
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace)
    with app.extensions["celery"].connection_for_write() as connection:
        messages = connection.SimpleQueue("probe")
        messages.put({"job": "reindex", "review": 7})
        assert seen_before_the_rename == [[]]
        (name,) = [n for n in os.listdir(queue) if n.endswith(".probe.msg")]
        assert json.loads((queue / name).read_text())  # whole, decodable JSON
        message = messages.get(timeout=5)
        assert message.payload == {"job": "reindex", "review": 7}
        message.ack()
        messages.close()
    assert not [n for n in os.listdir(queue) if n.endswith(".msg")]
