"""Two coordinators edit one technopark: no save ever reverts a field its author did not touch."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import AuthActions, form_data
from sqlalchemy import select

from directory.domain.models import AuditEntry, Direction, Technopark
from directory.extensions import db

SLUG = "kvantorium-test"
EDIT = f"/manage/technoparks/{SLUG}/edit"


@pytest.fixture
def team(
    app: Flask, auth: AuthActions, make_technopark: Callable[..., Technopark]
) -> dict[str, FlaskClient]:
    """Анна, Борис and Вера, each signed in on their own browser, all granted one technopark."""
    with app.app_context():
        db.session.add_all(
            [
                Direction(slug="robotics", name="Робототехника", name_en="Robotics"),
                Direction(slug="it", name="IT", name_en="IT"),
                Direction(slug="aero", name="Аэро", name_en="Aerospace"),
            ]
        )
        db.session.commit()
    make_technopark(
        slug=SLUG,
        name="Кванториум Тест",
        phone="+7 (495) 000-00-00",
        email="old@kvantorium.example",
        age_min=5,
        age_max=18,
        latitude=55.70,
        longitude=37.60,
    )
    with app.app_context():
        technopark = db.session.execute(select(Technopark)).scalar_one()
        technopark.directions = list(
            db.session.execute(
                select(Direction).where(Direction.slug.in_(["robotics", "it"]))
            ).scalars()
        )
        db.session.commit()
    clients = {}
    for email, name in (
        ("anna@example.org", "Анна"),
        ("boris@example.org", "Борис"),
        ("vera@example.org", "Вера"),
    ):
        auth.create_user(email=email, name=name, technoparks=[SLUG])
        clients[name] = app.test_client()
        assert auth.login(email=email, client=clients[name]).status_code == 302
    return clients


def open_form(client: FlaskClient) -> dict[str, Any]:
    return form_data(client.get(EDIT).get_data(as_text=True), EDIT)


def stored(app: Flask) -> Technopark:
    with app.app_context():
        technopark = db.session.execute(select(Technopark)).scalar_one()
        technopark.directions  # noqa: B018 - loaded before the session closes
        db.session.expunge(technopark)
        return technopark


def edits_by(app: Flask, name: str) -> set[str]:
    """The fields a person's saves wrote, from the history."""
    with app.app_context():
        rows = db.session.execute(select(AuditEntry).where(AuditEntry.action == "edit")).scalars()
        return {row.field for row in rows if row.user and row.user.name == name}


def flashes(page: str) -> str:
    return " ".join(re.findall(r'class="flash[^"]*"[^>]*>(.*?)<', page, re.S))


def test_the_reported_case_reverts_nothing(app: Flask, team: dict[str, FlaskClient]) -> None:
    """A changes the point and the phone; B, in a form opened earlier, the age and the email."""
    anna, boris = team["Анна"], team["Борис"]
    boris_form = open_form(boris)
    anna_form = open_form(anna)
    anna_form.update({"latitude": "55.8", "longitude": "37.5", "phone": "+7 (495) 111-11-11"})
    assert anna.post(EDIT, data=anna_form).status_code == 302
    boris_form.update({"age_max": "17", "email": "new@kvantorium.example"})
    response = boris.post(EDIT, data=boris_form, follow_redirects=True)
    assert response.status_code == 200
    assert "Сохранено вместе с 3 изменениями, которые сделал(а) Анна" in response.get_data(
        as_text=True
    )
    technopark = stored(app)
    assert (technopark.latitude, technopark.longitude) == (55.8, 37.5)
    assert technopark.phone == "+7 (495) 111-11-11"
    assert (technopark.age_max, technopark.email) == (17, "new@kvantorium.example")
    assert edits_by(app, "Борис") == {"age_max", "email"}


def test_changed_only_by_them_is_kept(app: Flask, team: dict[str, FlaskClient]) -> None:
    anna, boris = team["Анна"], team["Борис"]
    boris_form = open_form(boris)
    anna.post(EDIT, data={**open_form(anna), "address": "ул. Анны, 1"})
    assert boris.post(EDIT, data=boris_form).status_code == 302
    assert stored(app).address == "ул. Анны, 1"
    assert edits_by(app, "Борис") == set()


def test_the_same_change_by_both_is_fine(app: Flask, team: dict[str, FlaskClient]) -> None:
    anna, boris = team["Анна"], team["Борис"]
    boris_form = open_form(boris)
    anna.post(EDIT, data={**open_form(anna), "address": "ул. Общая, 2"})
    assert boris.post(EDIT, data={**boris_form, "address": "ул. Общая, 2"}).status_code == 302
    assert stored(app).address == "ул. Общая, 2"
    assert stored(app).version == 2


def test_a_real_clash_shows_only_that_field_and_who_saved_it(
    app: Flask, team: dict[str, FlaskClient]
) -> None:
    anna, boris = team["Анна"], team["Борис"]
    boris_form = open_form(boris)
    anna.post(EDIT, data={**open_form(anna), "address": "ул. Анны, 1", "phone": "+7 111 222-33-44"})
    response = boris.post(
        EDIT, data={**boris_form, "address": "ул. Бориса, 2", "district": "Печатники"}
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    clash_section = page[page.index('class="conflict"') : page.index("</section>")]
    assert re.findall(r'class="clash clash-(\w+)"', clash_section) == ["address"]
    assert "ул. Анны, 1" in clash_section and "ул. Бориса, 2" in clash_section
    assert "Сохранил(а) Анна" in clash_section and "по Москве" in clash_section
    # Nothing of Boris's is written yet; the form now holds the merge.
    assert stored(app).address == "ул. Анны, 1"
    merged = form_data(page, EDIT)
    assert merged["version"] == "2"
    assert merged["phone"] == "+7 111 222-33-44"  # Anna's phone, which Boris never touched
    assert merged["district"] == "Печатники"
    assert merged["address"] == "ул. Бориса, 2"

    # Boris keeps Anna's address: his district is saved, her address and phone stay.
    assert boris.post(EDIT, data={**merged, "keep-address": "theirs"}).status_code == 302
    technopark = stored(app)
    assert (technopark.address, technopark.phone, technopark.district) == (
        "ул. Анны, 1",
        "+7 111 222-33-44",
        "Печатники",
    )
    assert edits_by(app, "Борис") == {"district"}


def test_choosing_mine_in_a_clash_saves_mine(app: Flask, team: dict[str, FlaskClient]) -> None:
    anna, boris = team["Анна"], team["Борис"]
    boris_form = open_form(boris)
    anna.post(EDIT, data={**open_form(anna), "address": "ул. Анны, 1"})
    page = boris.post(EDIT, data={**boris_form, "address": "ул. Бориса, 2"}).get_data(as_text=True)
    merged = form_data(page, EDIT)
    assert boris.post(EDIT, data={**merged, "keep-address": "mine"}).status_code == 302
    assert stored(app).address == "ул. Бориса, 2"


def test_three_editors_from_one_version(app: Flask, team: dict[str, FlaskClient]) -> None:
    forms = {name: open_form(client) for name, client in team.items()}
    team["Анна"].post(EDIT, data={**forms["Анна"], "phone": "+7 495 111-11-11"})
    team["Борис"].post(EDIT, data={**forms["Борис"], "email": "boris@kvantorium.example"})
    team["Вера"].post(EDIT, data={**forms["Вера"], "district": "Войковский"})
    technopark = stored(app)
    assert (technopark.phone, technopark.email, technopark.district) == (
        "+7 495 111-11-11",
        "boris@kvantorium.example",
        "Войковский",
    )
    assert technopark.version == 4


def test_directions_added_and_removed_by_two_people_both_count(
    app: Flask, team: dict[str, FlaskClient]
) -> None:
    anna, boris = team["Анна"], team["Борис"]
    boris_form = open_form(boris)
    anna.post(EDIT, data={**open_form(anna), "directions": ["robotics", "it", "aero"]})
    # Boris, from the older form, takes robotics away.
    assert boris.post(EDIT, data={**boris_form, "directions": ["it"]}).status_code == 302
    assert sorted(direction.slug for direction in stored(app).directions) == ["aero", "it"]


def test_a_clash_page_resubmitted_later_still_reverts_nothing(
    app: Flask, team: dict[str, FlaskClient]
) -> None:
    """Vera saves while Boris looks at his clash page: his resubmission is merged again."""
    anna, boris, vera = team["Анна"], team["Борис"], team["Вера"]
    boris_form = open_form(boris)
    anna.post(EDIT, data={**open_form(anna), "address": "ул. Анны, 1"})
    page = boris.post(EDIT, data={**boris_form, "address": "ул. Бориса, 2"}).get_data(as_text=True)
    vera.post(EDIT, data={**open_form(vera), "email": "vera@kvantorium.example"})
    merged = form_data(page, EDIT)
    assert boris.post(EDIT, data={**merged, "keep-address": "mine"}).status_code == 302
    technopark = stored(app)
    assert (technopark.address, technopark.email) == ("ул. Бориса, 2", "vera@kvantorium.example")


def test_six_forms_opened_at_once_after_signing_in_all_save(
    app: Flask, auth: AuthActions, make_technopark: Callable[..., Technopark]
) -> None:
    slugs = [f"park-{number}" for number in range(6)]
    for slug in slugs:
        make_technopark(slug=slug, name=f"Технопарк {slug}")
    auth.create_user(email="six@example.org", technoparks=slugs)
    client = app.test_client()
    assert auth.login(email="six@example.org", client=client).status_code == 302
    # The tabs load at the same moment: each request carries the cookie of the sign-in, and
    # each response sets the session cookie anew; the browser keeps the last one.
    signed_in = client.get_cookie("session").value
    forms = {}
    for slug in slugs:
        client.set_cookie("session", signed_in)
        page = client.get(f"/manage/technoparks/{slug}/edit").get_data(as_text=True)
        forms[slug] = form_data(page, f"/manage/technoparks/{slug}/edit")
    for slug, data in forms.items():
        response = client.post(f"/manage/technoparks/{slug}/edit", data={**data, "district": slug})
        assert response.status_code == 302, slug
    with app.app_context():
        districts = dict(db.session.execute(select(Technopark.slug, Technopark.district)).all())
    assert all(districts[slug] == slug for slug in slugs)
