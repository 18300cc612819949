"""The default set-up's job queue: kombu's filesystem transport, with each message written
whole before it appears in the queue folder.

Kombu's own `_put` creates the message file and only then locks and fills it, so a worker
listing the folder in between can read an empty file, fail to decode it and stop ("Unrecoverable
error: JSONDecodeError", seen in CI). Here a message is written under a name the worker does
not look at and renamed into place: a rename is atomic, the worker sees all of it or nothing.
"""

from __future__ import annotations

import os
import uuid
from time import monotonic
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue: str, payload: Any, **kwargs: Any) -> None:
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        folder = self.data_folder_out
        partial = os.path.join(folder, f".{uuid.uuid4()}.partial")
        try:
            with open(partial, "wb") as handle:
                handle.write(str_to_bytes(dumps(payload)))
            os.replace(partial, os.path.join(folder, name))
        except OSError as exc:
            raise ChannelError(f"Cannot add file {name!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel
