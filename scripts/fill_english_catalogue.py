"""Fill the English catalogue: the message ids are English, so each translates to itself."""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po


def fill(path: Path) -> int:
    """Copy every untranslated id into its translation; return how many were filled."""
    with path.open("rb") as handle:
        catalogue = read_po(handle, locale="en")
    filled = 0
    for message in catalogue:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            # A fuzzy plural is pybabel's guess from another message: replace it too.
            if not all(message.string) or message.fuzzy:
                message.string = message.id
                filled += 1
        elif not message.string or message.fuzzy:
            message.string = message.id
            filled += 1
        message.flags.discard("fuzzy")
    with path.open("wb") as handle:
        write_po(handle, catalogue, width=100)
    return filled


if __name__ == "__main__":
    target = Path(
        sys.argv[1] if len(sys.argv) > 1 else "directory/translations/en/LC_MESSAGES/messages.po"
    )
    print(f"filled {fill(target)} English messages")
