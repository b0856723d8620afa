"""Request bodies are limited before they are read: 2 MB, and an imported file's own limit.

Werkzeug refuses a larger body with 413 from its Content-Length, before parsing any of it,
so an oversized form is never stored, and never held in memory whole.
"""

from __future__ import annotations

from flask import Request, current_app

# Only these pages take a file, and may take more than a form's worth.
FILE_UPLOADS = frozenset({"manage.technoparks_import"})


class LimitedRequest(Request):
    """A request whose body limit depends on the page it is sent to."""

    @property
    def max_content_length(self) -> int | None:  # type: ignore[override]
        if self.endpoint in FILE_UPLOADS:
            return current_app.config["UPLOAD_MAX_BYTES"]
        return current_app.config["MAX_CONTENT_LENGTH"]
