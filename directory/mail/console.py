"""A mail backend for development: each email printed to the console, readable as written."""

from __future__ import annotations

import sys
import threading
from collections.abc import Sequence
from typing import Any, TextIO

from flask_mailman import EmailMessage
from flask_mailman.backends.base import BaseEmailBackend

RULE = "-" * 72


class EmailBackend(BaseEmailBackend):
    """Writes the sender, recipients, subject and body as plain text (no MIME encoding)."""

    def __init__(self, *args: Any, stream: TextIO | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stream = stream or sys.stdout
        self.lock = threading.Lock()

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        with self.lock:
            for message in email_messages:
                self.stream.write(
                    f"{RULE}\nFrom: {message.from_email}\nTo: {', '.join(message.to)}\n"
                    f"Subject: {message.subject}\n\n{message.body}\n{RULE}\n"
                )
            self.stream.flush()
        return len(email_messages)
