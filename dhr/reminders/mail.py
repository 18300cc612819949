"""Building and sending e-mails: SMTP when DHR_SMTP_URL is set, else `.eml` files in the
outbox folder (DHR_DATA_DIR/outbox/) for a person to read."""

from __future__ import annotations

import html
import smtplib
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app

from dhr.models.types import utcnow

SMTP_TIMEOUT_SECONDS = 30
DEFAULT_PORTS = {"smtp": 25, "smtps": 465}


@dataclass(frozen=True)
class Letter:
    """What an e-mail says: a subject, paragraphs of plain text, and an optional link."""

    subject: str
    paragraphs: tuple[str, ...]
    link: str | None = None

    def text(self) -> str:
        body = "\n\n".join(self.paragraphs)
        return f"{body}\n\n{self.link}\n" if self.link else f"{body}\n"

    def html(self) -> str:
        parts = [f"<p>{html.escape(paragraph)}</p>" for paragraph in self.paragraphs]
        if self.link:
            url = html.escape(self.link, quote=True)
            parts.append(f'<p><a href="{url}">{url}</a></p>')
        title = html.escape(self.subject)
        return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
                f"<title>{title}</title></head><body>{''.join(parts)}</body></html>")


def link(path: str) -> str:
    """An absolute link into the app (DHR_BASE_URL)."""
    return f"{current_app.config['BASE_URL']}{path}"


def build_message(to: str, subject: str, text_body: str, html_body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(domain="dhr.invalid")
    message.set_content(text_body)
    message.add_alternative(html_body, subtype="html")
    return message


def send(message: EmailMessage) -> None:
    """Hand the message to the SMTP server, or write it to the outbox folder; raise on failure."""
    url = current_app.config.get("SMTP_URL")
    if not url:
        _write_eml(message)
        return
    parts = urlsplit(url)
    port = parts.port or DEFAULT_PORTS[parts.scheme]
    client_class = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
    with client_class(parts.hostname, port, timeout=SMTP_TIMEOUT_SECONDS) as client:
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message)


def outbox_folder() -> Path:
    return Path(current_app.config["DATA_DIR"]) / "outbox"


def _write_eml(message: EmailMessage) -> None:
    """Written under a temporary name and renamed, so a reader never sees half a message."""
    folder = outbox_folder()
    folder.mkdir(mode=0o700, exist_ok=True)
    name = f"{utcnow():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:12]}.eml"
    partial = folder / f".{name}.part"
    partial.write_bytes(message.as_bytes())
    partial.rename(folder / name)
