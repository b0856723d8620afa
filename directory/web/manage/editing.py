"""Saving workspace forms merged with colleagues' saves, and the page for real clashes.

The form carries the version it was opened at (directory/domain/saving.py merges from it).
After a clash the form comes back holding the merged values: the colleague's changes where
only they changed a field, mine where only I did, and mine in each clashing field, with a
choice to keep theirs instead. It is then saved against the version stored now.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import request
from flask_babel import ngettext
from sqlalchemy.orm.exc import StaleDataError

from ...domain import operations
from ...domain.audit import as_text
from ...domain.columns import technopark_as_typed
from ...domain.history import comparable
from ...domain.merge import SET_FIELDS
from ...domain.models import Technopark, User
from ...domain.saving import Save, save_technopark
from ...extensions import db
from ..formatting import moscow_time
from .forms import TechnoparkForm

# A colleague may save again while we merge; after this many tries the person is asked.
ATTEMPTS = 3
KEEP_PREFIX = "keep-"


@dataclass(frozen=True)
class ClashShown:
    """A clashing field as the page shows it: both values, and who saved theirs when."""

    name: str
    fields: tuple[str, ...]
    mine: str | None
    theirs: str | None
    who: str | None
    when: datetime | None


class StillBusy(RuntimeError):
    """Colleagues kept saving while this save was merged; the person should try again."""


def form_data(technopark: Technopark) -> dict[str, Any]:
    """The form's starting values: the record as typed, and the version it is at."""
    return {**technopark_as_typed(technopark), "version": str(technopark.version)}


def kept_theirs() -> set[str]:
    """The clashing fields the person chose to leave as the colleague saved them."""
    return {
        name[len(KEEP_PREFIX) :]
        for name, value in request.form.items()
        if name.startswith(KEEP_PREFIX) and value == "theirs"
    }


def save_merged(load: Callable[[], Any], save_one: Callable[[Any], Save]) -> tuple[Any, Save]:
    """Save the freshly loaded record, merging with colleagues; commits unless it clashed.

    A save the database refuses because a colleague saved in between is merged again.
    """
    for _attempt in range(ATTEMPTS):
        record = load()
        try:
            save = save_one(record)
            if save.clashes:
                db.session.rollback()
            else:
                db.session.commit()
            return record, save
        except StaleDataError:
            db.session.rollback()
    raise StillBusy()


def save_edit(
    load: Callable[[], Technopark],
    form: TechnoparkForm,
    values_of: Callable[[TechnoparkForm], dict[str, Any]],
    user: User,
    confirm: bool,
) -> tuple[Technopark, Save]:
    """Save the technopark form (and confirm the facts if asked), merging with colleagues."""
    keep = kept_theirs()

    def save_one(technopark: Technopark) -> Save:
        values = {name: value for name, value in values_of(form).items() if name not in keep}
        save = save_technopark(technopark, values, user, form.submitted_version())
        if confirm and not save.clashes:
            operations.confirm_technopark(technopark, user)
        return save

    return save_merged(load, save_one)


def merged_form_data(technopark: Technopark, form: TechnoparkForm, save: Save) -> dict[str, Any]:
    """The form to show after a clash: theirs where only they changed, mine elsewhere."""
    data = form_data(technopark)
    typed = form.typed()
    for name in save.mine | {name for clash in save.clashes for name in clash.fields}:
        if name in typed:
            data[name] = typed[name]
    for name in SET_FIELDS & set(save.sets):
        data[name] = save.sets[name]
    return data


def clashes_shown(
    save: Save, readable: Callable[[str, str | None], str | None]
) -> list[ClashShown]:
    """Each clash with both values in words, and the colleague's save of that field."""
    shown = []
    since = save.merged_with
    for clash in save.clashes:
        entry = since.fields.get(clash.fields[0]) if since else None
        theirs = [as_text(comparable(name, save.theirs.get(name))) for name in clash.fields]
        who = None
        if entry is not None:
            who = entry.user.name if entry.user else entry.actor
        shown.append(
            ClashShown(
                name=clash.fields[0],
                fields=clash.fields,
                mine=in_words(clash.fields, clash.mine, readable),
                theirs=in_words(clash.fields, theirs, readable),
                who=who,
                when=entry.created_at if entry else None,
            )
        )
    return shown


def in_words(
    fields: tuple[str, ...],
    texts: Sequence[str | None],
    readable: Callable[[str, str | None], str | None],
) -> str | None:
    """Several fields' values as one text ("55.75, 37.61"); None when all are empty."""
    words = [readable(name, text) for name, text in zip(fields, texts, strict=True)]
    present = [word for word in words if word is not None]
    return ", ".join(present) if present else None


def merged_note(save: Save) -> str | None:
    """'Merged with 2 changes by Анна Петрова at 14:05 (Moscow time)', when there were any."""
    since = save.merged_with
    if since is None or not since.fields:
        return None
    return ngettext(
        "Saved, merged with %(num)s change by %(people)s at %(time)s.",
        "Saved, merged with %(num)s changes by %(people)s at %(time)s.",
        len(since.fields),
        people=", ".join(since.people),
        time=moscow_time(since.last_at, "HH:mm"),
    )
