"""The coordinators' workspace: their technoparks, news, history; accounts for admins.

Every view says who may use it: `signed_in` (any active account), `admins_only`, and then
`technopark_for_action(slug)`, which refuses a coordinator without the grant (403).
Anonymous visitors are sent to sign in and brought back.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from ...domain import operations
from ...domain import workspace as queries
from ...domain.accounts import AccountError, create_user
from ...domain.models import Role, Technopark, User, utcnow
from ...domain.operations import may_act_on
from ...domain.sign_ins import start_sign_in
from ...extensions import db
from ..auth.views import safe_next_path
from ..i18n import current_language
from . import editing
from .forms import (
    GrantForm,
    NewCoordinatorForm,
    NewsForm,
    PasswordForm,
    TechnoparkForm,
    as_choices,
    field_label,
    readable_value,
)
from .news_editing import merged_news_data, news_form_data, save_news_edit

# A long value (a description) is cut to this many characters in the history's table.
HISTORY_VALUE_SHOWN = 300


# ---------------------------------------------------------------- who may do what


def sign_in_first() -> Response:
    """Send an anonymous visitor to the sign-in page, which brings them back here."""
    flash(_("Sign in to open the coordinators' workspace."), "info")
    path = request.path + ("?" + request.query_string.decode() if request.query_string else "")
    return redirect(url_for("auth.login", next=path))


def signed_in(view: Callable[..., Any]) -> Callable[..., Any]:
    """Any active account may use the view (coordinators and admins)."""

    @wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return sign_in_first()
        return view(*args, **kwargs)

    return checked


def admins_only(view: Callable[..., Any]) -> Callable[..., Any]:
    """Only an administrator may use the view."""

    @wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return sign_in_first()
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return checked


def me() -> User:
    """The signed-in user as a row the session can relate to."""
    return current_user._get_current_object()


def technopark_for_action(slug: str) -> Technopark:
    """The technopark, if the signed-in user may act on it: 404 when missing, else 403."""
    technopark = queries.technopark_by_slug(slug)
    if technopark is None:
        abort(404)
    if not may_act_on(me(), technopark):
        abort(403)
    return technopark


def back_to(default: str) -> str:
    """Where a button asked to return to, if it is a path on this site."""
    return safe_next_path(request.form.get("return_to")) or default


def history_helpers() -> dict[str, Any]:
    return {"field_label": field_label, "readable_value": readable}


def readable(field: str, text: str | None) -> str | None:
    """A stored value as a person reads it, with hosts, programmes and directions by name."""
    if text and field in ("host_organization", "program", "directions"):
        if "slug_names" not in g:
            g.slug_names = queries.names_by_slug(current_language())
        names = g.slug_names[field]
        return ", ".join(names.get(slug, slug) for slug in text.split(", "))
    return readable_value(field, text)


def with_retry(write: Callable[[], Any], attempts: int = 3) -> Any:
    """Run a write and commit; when a unique slug or URL was taken meanwhile, run it again."""
    for attempt in range(attempts):
        try:
            result = write()
            db.session.commit()
            return result
        except IntegrityError:
            db.session.rollback()
            if attempt == attempts - 1:
                raise
    return None


# ---------------------------------------------------------------- dashboard


@signed_in
def index():
    now = utcnow()
    technoparks = db.session.execute(queries.technoparks_for(me())).scalars().all()
    rows = [(technopark, queries.attention_reasons(technopark, now)) for technopark in technoparks]
    counts = Counter(reason for _technopark, reasons in rows for reason in reasons)
    return render_template("manage/index.html", rows=rows, counts=counts)


# ---------------------------------------------------------------- technoparks


def technopark_form(**kwargs: Any) -> TechnoparkForm:
    """The technopark form with the stored hosts, programmes and directions to choose from."""
    return TechnoparkForm(
        organizations=queries.organization_choices(),
        programs=queries.program_choices(),
        directions=queries.direction_choices(current_language()),
        **kwargs,
    )


def technopark_values(form: TechnoparkForm) -> dict[str, Any]:
    """The form's values with hosts, programmes and directions as rows."""
    values = form.values()
    values["host_organization"] = queries.organization_by_slug(values["host_organization"])
    values["program"] = queries.program_by_slug(values["program"])
    values["directions"] = operations.directions_by_slug(values["directions"])
    return values


@signed_in
def technopark_new():
    form = technopark_form()
    if form.validate_on_submit():
        technopark = with_retry(lambda: operations.create_technopark(technopark_values(form), me()))
        flash(_("The technopark is saved as a draft. An administrator publishes it."), "success")
        return redirect(url_for(".technopark_edit", slug=technopark.slug))
    return render_template("manage/technopark_edit.html", form=form, technopark=None)


@signed_in
def technopark_edit(slug: str):
    technopark = technopark_for_action(slug)
    if request.method == "GET":
        form = technopark_form(data=editing.form_data(technopark))
        return render_template("manage/technopark_edit.html", form=form, technopark=technopark)
    form = technopark_form()
    if not form.validate_on_submit():
        return render_template("manage/technopark_edit.html", form=form, technopark=technopark)
    confirm = request.form.get("confirm") == "yes"
    try:
        technopark, save = editing.save_edit(
            lambda: technopark_for_action(slug), form, technopark_values, me(), confirm
        )
    except editing.StillBusy:
        flash(_("Colleagues are saving this technopark right now. Please save again."), "error")
        return render_template("manage/technopark_edit.html", form=form, technopark=technopark), 409
    if save.clashes:
        merged = technopark_form(
            formdata=None, data=editing.merged_form_data(technopark, form, save)
        )
        clashes = editing.clashes_shown(save, readable)
        page = render_template(
            "manage/technopark_edit.html", form=merged, technopark=technopark, clashes=clashes
        )
        return page, 409
    if note := editing.merged_note(save):
        flash(note, "success")
    elif save.changes or confirm:
        flash(_("Saved. The public profile shows the change now."), "success")
    else:
        flash(_("Nothing changed: the stored record already has these values."), "info")
    return redirect(url_for(".technopark_edit", slug=technopark.slug))


@signed_in
def technopark_history(slug: str):
    technopark = technopark_for_action(slug)
    page = request.args.get("page", "1")
    history = queries.technopark_history(technopark, int(page) if page.isdigit() else 1)
    return render_template(
        "manage/technopark_history.html",
        technopark=technopark,
        events=history.events,
        history=history,
        shown_length=HISTORY_VALUE_SHOWN,
    )


@signed_in
def technopark_history_entry(slug: str, entry_id: int):
    technopark = technopark_for_action(slug)
    entry = queries.audit_entry_of(technopark, entry_id)
    if entry is None:
        abort(404)
    return render_template(
        "manage/technopark_history_entry.html", technopark=technopark, entry=entry
    )


@signed_in
def technopark_confirm(slug: str):
    technopark = technopark_for_action(slug)
    try:
        operations.confirm_technopark(technopark, me())
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        flash(_("Someone saved this technopark at the same moment. Please try again."), "error")
    else:
        flash(_("Confirmed: the facts of %(name)s are current.", name=technopark.name), "success")
    return redirect(back_to(url_for(".technopark_edit", slug=slug)))


@admins_only
def technopark_publish(slug: str):
    technopark = technopark_for_action(slug)
    try:
        published = operations.publish_technopark(technopark, me())
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        flash(_("Someone saved this technopark at the same moment. Please try again."), "error")
    else:
        if published:
            flash(_("Published: %(name)s is on the public map.", name=technopark.name), "success")
        else:
            flash(_("%(name)s was already published.", name=technopark.name), "info")
    return redirect(back_to(url_for(".technopark_edit", slug=slug)))


# ---------------------------------------------------------------- news


def news_choices(technoparks: list[Technopark]) -> list[tuple[str, str]]:
    return [
        (technopark.slug, f"{technopark.name} ({technopark.city})") for technopark in technoparks
    ]


def my_technoparks() -> list[Technopark]:
    return list(db.session.execute(queries.technoparks_for(me())).scalars())


@signed_in
def news_new():
    mine = my_technoparks()
    form = NewsForm(technoparks=news_choices(mine))
    if request.method == "GET" and request.args.get("technopark"):
        form.technoparks.data = [request.args["technopark"]]
    if form.validate_on_submit():
        if not form.technoparks.data:
            form.technoparks.errors.append(_("Choose at least one technopark."))
        else:
            slugs = set(form.technoparks.data)
            article, created = with_retry(
                lambda: operations.add_news_article(
                    form.values(), [tp for tp in my_technoparks() if tp.slug in slugs], me()
                )
            )
            if created:
                flash(_("The article is stored and linked."), "success")
            else:
                flash(
                    _(
                        "This address was already stored as «%(title)s»: that article is now "
                        "linked to the technoparks you chose, and its details were kept as they "
                        "were.",
                        title=article.title or article.url,
                    ),
                    "info",
                )
            return redirect(url_for(".news_edit", article_id=article.id))
    return render_template("manage/news_edit.html", form=form, article=None, others=[])


@signed_in
def news_edit(article_id: int):
    article = news_article_for_action(article_id)
    user = me()
    mine = my_technoparks()
    others = [technopark for technopark in article.technoparks if not may_act_on(user, technopark)]
    if request.method == "GET":
        form = NewsForm(data=news_form_data(article, mine), technoparks=news_choices(mine))
        return render_news_form(form, article, others)
    form = NewsForm(technoparks=news_choices(mine))
    if not form.validate_on_submit():
        return render_news_form(form, article, others)
    same_url = operations.news_article_by_url(form.url.data)
    if same_url is not None and same_url.id != article.id:
        form.url.errors.append(_("Another stored article has this address."))
        return render_news_form(form, article, others)
    try:
        article, save = save_news_edit(
            lambda: news_article_for_action(article_id), form, mine, user
        )
    except editing.StillBusy:
        flash(_("Colleagues are saving this article right now. Please save again."), "error")
        return render_news_form(form, article, others), 409
    if save.clashes:
        merged = NewsForm(
            formdata=None,
            data=merged_news_data(article, form, save),
            technoparks=news_choices(mine),
        )
        clashes = editing.clashes_shown(save, readable)
        return render_news_form(merged, article, others, clashes=clashes), 409
    if note := editing.merged_note(save):
        flash(note, "success")
    else:
        flash(_("The article is saved."), "success")
    return redirect(url_for(".news_edit", article_id=article.id))


def news_article_for_action(article_id: int):
    """The article, if the signed-in person may edit it (404 or 403 otherwise)."""
    article = queries.news_article(article_id)
    if article is None:
        abort(404)
    user = me()
    if not user.is_admin and not any(may_act_on(user, tp) for tp in article.technoparks):
        abort(403)
    return article


def render_news_form(form: NewsForm, article, others: list[Technopark], clashes=()) -> str:
    return render_template(
        "manage/news_edit.html", form=form, article=article, others=others, clashes=clashes
    )


# ---------------------------------------------------------------- accounts


@admins_only
def user_list():
    users = queries.all_users()
    technoparks = db.session.execute(queries.technoparks_for(me())).scalars().all()
    grant_form = GrantForm()
    grant_form.technopark.choices = as_choices(news_choices(list(technoparks)))
    return render_template("manage/user_list.html", users=users, grant_form=grant_form)


@admins_only
def user_new():
    form = NewCoordinatorForm()
    if form.validate_on_submit():
        try:
            user = create_user(
                form.email.data, form.name.data, Role.COORDINATOR, form.password.data
            )
        except AccountError as error:
            db.session.rollback()
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Account created for %(name)s.", name=user.name), "success")
            return redirect(url_for(".user_list"))
    return render_template("manage/user_new.html", form=form)


def user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@admins_only
def user_grant(user_id: int):
    user = user_or_404(user_id)
    form = GrantForm()
    technoparks = db.session.execute(queries.technoparks_for(me())).scalars().all()
    form.technopark.choices = as_choices(news_choices(list(technoparks)))
    if not form.validate_on_submit():
        flash(_("Choose a technopark from the list."), "error")
        return redirect(url_for(".user_list"))
    technopark = queries.technopark_by_slug(form.technopark.data)
    if operations.grant(user, technopark, me()):
        db.session.commit()
        flash(_("%(user)s may now edit %(name)s.", user=user.name, name=technopark.name), "success")
    else:
        flash(_("%(user)s could already edit %(name)s.", user=user.name, name=technopark.name))
    return redirect(url_for(".user_list"))


@admins_only
def user_revoke(user_id: int, slug: str):
    user = user_or_404(user_id)
    technopark = queries.technopark_by_slug(slug)
    if technopark is None:
        abort(404)
    if operations.revoke(user, technopark, me()):
        db.session.commit()
        flash(
            _("%(user)s may no longer edit %(name)s.", user=user.name, name=technopark.name),
            "success",
        )
    return redirect(url_for(".user_list"))


@admins_only
def user_deactivate(user_id: int):
    user = user_or_404(user_id)
    if user.id == current_user.id:
        flash(_("You cannot deactivate your own account."), "error")
    elif operations.set_active(user, False, me()):
        db.session.commit()
        flash(_("%(user)s is deactivated and signed out everywhere.", user=user.name), "success")
    return redirect(url_for(".user_list"))


@admins_only
def user_activate(user_id: int):
    user = user_or_404(user_id)
    if operations.set_active(user, True, me()):
        db.session.commit()
        flash(_("%(user)s may sign in again.", user=user.name), "success")
    return redirect(url_for(".user_list"))


@signed_in
def password_change():
    user = me()
    form = PasswordForm(email=user.email)
    if form.validate_on_submit():
        if not user.check_password(form.current_password.data):
            form.current_password.errors.append(_("This is not your current password."))
        else:
            operations.change_password(user, form.new_password.data)
            # Every sign-in ended with the old password; this device gets a new one.
            start_sign_in(user)
            db.session.commit()
            remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
            login_user(user, remember=remembered in request.cookies)
            flash(_("Your password is changed. Other devices are signed out."), "success")
            return redirect(url_for(".index"))
    return render_template("manage/password_change.html", form=form)
