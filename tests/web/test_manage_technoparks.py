"""Creating, editing, confirming and publishing technoparks; conflicts; history."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import AuthActions, form_data, on_postgresql
from sqlalchemy import create_engine, select, text

from directory.domain import operations
from directory.domain.models import (
    AuditEntry,
    DatePrecision,
    Direction,
    LocationPrecision,
    Organization,
    Program,
    Role,
    Status,
    Technopark,
    User,
)
from directory.extensions import db

EDIT = "/manage/technoparks/{slug}/edit"


@pytest.fixture
def catalogue(app: Flask) -> None:
    """The directions, a host and a programme the form offers."""
    with app.app_context():
        db.session.add_all(
            [
                Direction(slug="robotics", name="Робототехника", name_en="Robotics"),
                Direction(slug="it", name="IT", name_en="IT"),
                Direction(slug="aero", name="Аэро", name_en="Aerospace"),
                Organization(slug="technopolis-moscow", name="Технополис «Москва»"),
                Program(slug="asi-new-model", name="Новая модель", operator="АСИ"),
            ]
        )
        db.session.commit()


@pytest.fixture
def coordinator(
    auth: AuthActions, catalogue: None, make_technopark: Callable[..., Technopark]
) -> AuthActions:
    """Anna, signed in, coordinating «Кванториум Тест» (slug kvantorium-test)."""
    make_technopark(slug="kvantorium-test", name="Кванториум Тест", city="Москва")
    auth.create_user(email="anna@example.org", name="Анна Петрова", technoparks=["kvantorium-test"])
    auth.login(email="anna@example.org")
    return auth


def stored(app: Flask, slug: str = "kvantorium-test") -> Technopark:
    with app.app_context():
        technopark = db.session.execute(select(Technopark).filter_by(slug=slug)).scalar_one()
        technopark.directions  # noqa: B018 - loaded before the session closes
        technopark.edited_by  # noqa: B018
        db.session.expunge(technopark)
        return technopark


def audit(app: Flask, action: str | None = None) -> list[tuple[str, str | None, Any, Any, str]]:
    """(action, field, old, new, user name) of every technopark audit row, oldest first."""
    with app.app_context():
        statement = select(AuditEntry).where(AuditEntry.entity_type == "technopark")
        if action:
            statement = statement.where(AuditEntry.action == action)
        return [
            (row.action, row.field, row.old_value, row.new_value, row.user.name if row.user else "")
            for row in db.session.execute(statement.order_by(AuditEntry.id)).scalars()
        ]


def edit_form(client: FlaskClient, slug: str = "kvantorium-test") -> dict[str, Any]:
    page = client.get(EDIT.format(slug=slug)).get_data(as_text=True)
    return form_data(page, EDIT.format(slug=slug))


# ---------------------------------------------------------------- the dashboard


def dashboard_item(page: str, slug: str) -> str:
    """The part of the dashboard about one technopark."""
    item = page[page.index(f'id="technopark-{slug}"') :]
    following = item.find('class="workspace-item"')
    return item if following == -1 else item[:following]


COMPLETE = {
    "latitude": 55.71,
    "longitude": 37.72,
    "location_precision": LocationPrecision.BUILDING,
    "age_min": 7,
    "age_max": 17,
    "phone": "+7 (495) 123-45-67",
}


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"published": False}, "черновик: ждёт публикации администратором"),
        ({"latitude": None, "longitude": None}, "точка на карте не подтверждена по зданию"),
        ({"location_precision": LocationPrecision.STREET}, "точка на карте не подтверждена"),
        ({"verified_at": None}, "сведения не подтверждались больше 12 месяцев"),
        (
            {"verified_at": datetime.now(UTC) - timedelta(days=400)},
            "сведения не подтверждались больше 12 месяцев",
        ),
        ({"age_max": None}, "не указан возраст"),
        ({"directions": []}, "не указаны направления"),
        ({"phone": None}, "нет ни телефона, ни почты, ни сайта"),
    ],
)
def test_the_dashboard_says_what_needs_attention(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    make_technopark: Callable[..., Technopark],
    overrides: dict[str, Any],
    reason: str,
) -> None:
    with app.app_context():
        robotics = Direction(slug="robotics", name="Робототехника", name_en="Robotics")
        db.session.add(robotics)
        db.session.commit()
    values = {**COMPLETE, "verified_at": datetime.now(UTC) - timedelta(days=30), **overrides}
    directions = values.pop("directions", None)
    make_technopark(
        slug="complete", name="Полный", **{**COMPLETE, "verified_at": datetime.now(UTC)}
    )
    make_technopark(slug="lacking", name="Неполный", **values)
    with app.app_context():
        for technopark in db.session.execute(select(Technopark)).scalars():
            technopark.directions = (
                [] if directions is not None and technopark.slug == "lacking" else [robotics]
            )
        db.session.commit()
    auth.create_user(technoparks=["complete", "lacking"])
    auth.login()
    page = client.get("/manage/").get_data(as_text=True)
    complete, lacking = dashboard_item(page, "complete"), dashboard_item(page, "lacking")
    assert reason in lacking
    assert "Заполнено и подтверждено." in complete
    assert reason not in complete


def test_an_empty_dashboard_explains_what_to_do(client: FlaskClient, auth: AuthActions) -> None:
    auth.create_user()
    auth.login()
    page = client.get("/manage/").get_data(as_text=True)
    assert "За вами пока не закреплён ни один технопарк" in page


# ---------------------------------------------------------------- creating


def test_a_coordinators_new_technopark_is_a_granted_draft(
    app: Flask, client: FlaskClient, coordinator: AuthActions
) -> None:
    data = form_data(
        client.get("/manage/technoparks/new").get_data(as_text=True), "/manage/technoparks/new"
    )
    data.update(
        {
            "name": "Кванториум «Щёлковский» Юг",
            "city": "Щёлково",
            "address": "ул. Пример, 1",
            "directions": ["robotics", "it"],
            "host_organization": "technopolis-moscow",
            "opening_date": "2019-09",
            "age_min": "10",
            "age_max": "17",
        }
    )
    response = client.post("/manage/technoparks/new", data=data)
    assert response.status_code == 302
    slug = "kvantorium-shchelkovskiy-yug"
    assert response.headers["Location"] == EDIT.format(slug=slug)
    technopark = stored(app, slug)
    assert technopark.published is False
    assert technopark.city == "Щёлково"
    assert [direction.slug for direction in technopark.directions] == ["it", "robotics"]
    assert technopark.opening_date == date(2019, 9, 1)
    assert technopark.opening_date_precision == DatePrecision.MONTH
    assert technopark.edited_by.name == "Анна Петрова"
    with app.app_context():
        anna = db.session.execute(select(User).filter_by(email="anna@example.org")).scalar_one()
        assert slug in [granted.slug for granted in anna.technoparks]
    created = audit(app, "create")
    assert ("create", "name", None, "Кванториум «Щёлковский» Юг", "Анна Петрова") in created
    assert ("create", "published", None, "False", "Анна Петрова") in created
    # A draft is not public, but its coordinator can edit it.
    assert client.get(f"/technoparks/{slug}").status_code == 404
    assert client.get(EDIT.format(slug=slug)).status_code == 200


def test_a_second_technopark_with_the_same_name_gets_its_own_slug(
    app: Flask, client: FlaskClient, coordinator: AuthActions
) -> None:
    for _time in range(2):
        response = coordinator.post(
            "/manage/technoparks/new",
            {
                "name": "Кванториум Тест",
                "city": "Тула",
                "status": "open",
                "location_precision": "unknown",
            },
        )
        assert response.status_code == 302
    assert response.headers["Location"] == EDIT.format(slug="kvantorium-test-3")


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        pytest.param({"name": "  "}, "name", "Укажите название технопарка.", id="name-required"),
        pytest.param({"city": ""}, "city", "Укажите город.", id="city-required"),
        pytest.param(
            {"latitude": "91", "longitude": "37"},
            "latitude",
            "Широта должна быть от −90 до 90 градусов.",
            id="latitude-range",
        ),
        pytest.param(
            {"latitude": "55", "longitude": "-180.5"},
            "longitude",
            "Долгота должна быть от −180 до 180 градусов.",
            id="longitude-range",
        ),
        pytest.param(
            {"latitude": "север", "longitude": "37"},
            "latitude",
            "Введите число в градусах",
            id="latitude-not-a-number",
        ),
        pytest.param(
            {"latitude": "55.7", "longitude": ""},
            "longitude",
            "Укажите и широту, и долготу",
            id="latitude-without-longitude",
        ),
        pytest.param(
            {"latitude": "", "longitude": "37.6"},
            "latitude",
            "Укажите и широту, и долготу",
            id="longitude-without-latitude",
        ),
        pytest.param(
            {"website": "javascript:alert(1)"},
            "website",
            "начинающийся с http:// или https://",
            id="website-javascript",
        ),
        pytest.param(
            {"website": "data:text/html,<b>hi</b>"},
            "website",
            "начинающийся с http:// или https://",
            id="website-data",
        ),
        pytest.param(
            {"website": "ftp://files.example.org"},
            "website",
            "начинающийся с http:// или https://",
            id="website-ftp",
        ),
        pytest.param(
            {"website": "~kvantorium.example.org"},
            "website",
            "начинающийся с http:// или https://",
            id="website-not-a-domain",
        ),
        pytest.param({"website": "https://"}, "website", "нет имени сайта", id="website-no-host"),
        pytest.param(
            {"email": "not-an-address"},
            "email",
            "Введите адрес электронной почты, например info@example.org.",
            id="email-format",
        ),
        pytest.param(
            {"phone": "позвоните нам"}, "phone", "Введите номер телефона", id="phone-letters"
        ),
        pytest.param({"phone": "12-34"}, "phone", "Введите номер телефона", id="phone-too-short"),
        pytest.param(
            {"age_min": "2"}, "age_min", "Возраст должен быть от 3 до 18 лет.", id="age-below-3"
        ),
        pytest.param(
            {"age_max": "19"}, "age_max", "Возраст должен быть от 3 до 18 лет.", id="age-above-18"
        ),
        pytest.param(
            {"age_min": "14", "age_max": "12"},
            "age_max",
            "Верхняя граница возраста не может быть меньше нижней.",
            id="ages-reversed",
        ),
        pytest.param(
            {"age_min": "десять"}, "age_min", "Введите целое число лет", id="age-not-a-number"
        ),
        pytest.param(
            {"opening_date": (date.today() + timedelta(days=40)).isoformat(), "status": "open"},
            "opening_date",
            "Дата открытия ещё не наступила",
            id="future-opening-of-an-open-technopark",
        ),
        pytest.param(
            {"opening_date": "29.09.2016"},
            "opening_date",
            "Запишите дату как 2016-09-29, 2017-12 или 2018",
            id="date-format",
        ),
        pytest.param(
            {"opening_date": "2016-13-01"},
            "opening_date",
            "Запишите дату как 2016-09-29, 2017-12 или 2018",
            id="impossible-date",
        ),
        pytest.param(
            {"opening_date": "2017", "opening_date_precision": "day"},
            "opening_date",
            "менее точно, чем выбранная точность",
            id="precision-finer-than-date",
        ),
        pytest.param(
            {"opening_date": "", "opening_date_precision": "year"},
            "opening_date_precision",
            "Укажите дату или оставьте точность",
            id="precision-without-date",
        ),
        pytest.param(
            {"directions": ["robotics", "teleportation"]},
            "directions",
            "неизвестные значения: teleportation",
            id="direction-not-in-list",
        ),
        pytest.param(
            {"status": "maybe"},
            "status",
            "Выберите один из предложенных вариантов.",
            id="status-not-in-list",
        ),
        pytest.param(
            {"host_organization": "no-such-host"},
            "host_organization",
            "Выберите один из предложенных вариантов.",
            id="host-not-in-list",
        ),
        pytest.param(
            {"location_precision": "nearby"},
            "location_precision",
            "Выберите один из предложенных вариантов.",
            id="precision-not-in-list",
        ),
    ],
)
def test_each_validation_rule_explains_itself(
    app: Flask,
    client: FlaskClient,
    coordinator: AuthActions,
    changes: dict[str, Any],
    field: str,
    message: str,
) -> None:
    data = {**edit_form(client), **changes}
    response = client.post(EDIT.format(slug="kvantorium-test"), data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    error_block = page[page.index(f'id="{field}-error"') :][:400]
    assert message in error_block
    assert f'aria-describedby="{field}-error"' in page or (
        f'aria-describedby="{field}-help {field}-error"' in page
    )
    assert stored(app).version == 1
    assert audit(app, "edit") == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param(
            {"latitude": "55,7512", "longitude": "37,6184"},
            {"latitude": 55.7512, "longitude": 37.6184},
            id="decimal-comma",
        ),
        pytest.param(
            {"website": "http://кванториум63.рф"},
            {"website": "http://кванториум63.рф"},
            id="cyrillic-domain",
        ),
        pytest.param(
            {"age_min": "3", "age_max": "18"}, {"age_min": 3, "age_max": 18}, id="widest-ages"
        ),
        pytest.param(
            {
                "opening_date": (date.today() + timedelta(days=400)).isoformat()[:7],
                "status": "planned",
            },
            {"status": Status.PLANNED},
            id="future-date-of-a-planned-technopark",
        ),
        pytest.param(
            {"opening_date": "2017-12-15", "opening_date_precision": "year"},
            {"opening_date": date(2017, 1, 1), "opening_date_precision": DatePrecision.YEAR},
            id="coarser-precision",
        ),
        pytest.param(
            {"phone": "+7 (8212) 402-368", "email": "info@kvantorium.example"},
            {"phone": "+7 (8212) 402-368"},
            id="contacts",
        ),
        pytest.param(
            {"website": "kvantorium.example.org", "enrolment_url": "р51.навигатор.дети/program/1"},
            {
                "website": "https://kvantorium.example.org",
                "enrolment_url": "https://р51.навигатор.дети/program/1",
            },
            id="bare-domains-become-https",
        ),
        pytest.param(
            {"phone": "+7 (495)  123-45-67 доб. 123"},
            {"phone": "+7 (495) 123-45-67, доб. 123"},
            id="phone-with-a-russian-extension",
        ),
        pytest.param(
            {"phone": "+7 495 123 45 67 ext. 45"},
            {"phone": "+7 495 123 45 67, доб. 45"},
            id="phone-with-an-english-extension",
        ),
        pytest.param(
            {
                "mobile": "y",
                "region": "Мурманская область",
                "enrolment_url": "https://р51.навигатор.дети/program/1",
                "status_as_of": "2017-10",
                "status_source_url": "https://m.severpost.ru/read/58890",
            },
            {
                "mobile": True,
                "region": "Мурманская область",
                "enrolment_url": "https://р51.навигатор.дети/program/1",
                "status_as_of": date(2017, 10, 1),
                "status_as_of_precision": DatePrecision.MONTH,
                "status_source_url": "https://m.severpost.ru/read/58890",
            },
            id="mobile-region-enrolment-and-the-status-source",
        ),
    ],
)
def test_valid_values_are_saved(
    app: Flask,
    client: FlaskClient,
    coordinator: AuthActions,
    changes: dict[str, Any],
    expected: dict[str, Any],
) -> None:
    data = {**edit_form(client), **changes}
    response = client.post(EDIT.format(slug="kvantorium-test"), data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    technopark = stored(app)
    for name, value in expected.items():
        assert getattr(technopark, name) == value


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"status_as_of": "17.10.2017"}, "status_as_of", "Запишите дату как 2016-09-29"),
        ({"status_as_of": "2999-01"}, "status_as_of", "Эта дата ещё не наступила."),
        ({"status_source_url": "ftp://severpost.ru"}, "status_source_url", "начинающийся с http"),
        ({"enrolment_url": "javascript:alert(1)"}, "enrolment_url", "начинающийся с http"),
        ({"region": "р" * 121}, "region", "Не больше 120 символов."),
    ],
)
def test_the_new_fields_explain_their_rules(
    app: Flask,
    client: FlaskClient,
    coordinator: AuthActions,
    changes: dict,
    field: str,
    message: str,
) -> None:
    data = {**edit_form(client), **changes}
    page = client.post(EDIT.format(slug="kvantorium-test"), data=data).get_data(as_text=True)
    assert message in page[page.index(f'id="{field}-error"') :][:400]
    assert stored(app).version == 1


def test_only_a_persons_edit_moves_the_last_change_of_the_facts(
    app: Flask, client: FlaskClient, coordinator: AuthActions
) -> None:
    assert stored(app).facts_updated_at is None
    client.post(
        EDIT.format(slug="kvantorium-test"), data={**edit_form(client), "district": "Новый"}
    )
    before_confirming = stored(app).facts_updated_at
    assert before_confirming is not None
    client.post(
        "/manage/technoparks/kvantorium-test/confirm", data={"csrf_token": coordinator.csrf_token()}
    )
    assert stored(app).facts_updated_at == before_confirming


def test_errors_are_shown_in_english_too(client: FlaskClient, coordinator: AuthActions) -> None:
    data = {**edit_form(client), "city": "", "website": "javascript:alert(1)"}
    page = client.post(EDIT.format(slug="kvantorium-test") + "?lang=en", data=data).get_data(
        as_text=True
    )
    assert "Give the city." in page
    assert "Enter a web address starting with http:// or https://." in page


# ---------------------------------------------------------------- editing, history, profile


@pytest.mark.parametrize("token", [None, "not-a-token"])
def test_a_save_without_a_valid_csrf_token_is_400_and_changes_nothing(
    app: Flask, client: FlaskClient, coordinator: AuthActions, token: str | None
) -> None:
    data = {**edit_form(client), "address": "Адрес без токена"}
    data.pop("csrf_token")
    if token is not None:
        data["csrf_token"] = token
    response = client.post(EDIT.format(slug="kvantorium-test"), data=data)
    assert response.status_code == 400
    assert "Форма устарела" in response.get_data(as_text=True)
    assert stored(app).address is None
    assert audit(app) == []


def test_an_edit_is_saved_audited_and_shown(
    app: Flask, client: FlaskClient, coordinator: AuthActions
) -> None:
    data = edit_form(client)
    assert data["version"] == "1"
    data.update(
        {
            "address": "Волгоградский проспект, 42к5",
            "directions": ["robotics", "aero"],
            "age_min": "13",
            "age_max": "17",
        }
    )
    response = client.post(EDIT.format(slug="kvantorium-test"), data=data)
    assert response.status_code == 302
    technopark = stored(app)
    assert technopark.address == "Волгоградский проспект, 42к5"
    assert technopark.version == 2
    assert technopark.edited_by.name == "Анна Петрова"
    edits = audit(app, "edit")
    assert ("edit", "address", None, "Волгоградский проспект, 42к5", "Анна Петрова") in edits
    assert ("edit", "directions", "", "aero, robotics", "Анна Петрова") in edits
    assert ("edit", "age_min", None, "13", "Анна Петрова") in edits
    assert {row[1] for row in edits} == {"address", "directions", "age_min", "age_max"}

    profile = client.get("/technoparks/kvantorium-test").get_data(as_text=True)
    assert "Волгоградский проспект, 42к5" in profile
    assert "Последнее изменение" in profile

    history = client.get("/manage/technoparks/kvantorium-test/history").get_data(as_text=True)
    assert "Анна Петрова" in history
    assert "Волгоградский проспект, 42к5" in history
    assert "Адрес" in history and "Направления" in history
    assert "Аэро, Робототехника" in history  # directions by name, not by slug


def test_the_history_is_newest_first(
    app: Flask, client: FlaskClient, coordinator: AuthActions
) -> None:
    client.post(
        EDIT.format(slug="kvantorium-test"), data={**edit_form(client), "district": "Первый"}
    )
    client.post(
        EDIT.format(slug="kvantorium-test"), data={**edit_form(client), "district": "Второй"}
    )
    history = client.get("/manage/technoparks/kvantorium-test/history").get_data(as_text=True)
    events = history.split('<li class="history-event')[1:]
    assert len(events) == 2
    assert "Второй" in events[0]
    assert "Первый" in events[1] and "Второй" not in events[1]


def test_saving_unchanged_values_writes_nothing(
    app: Flask, client: FlaskClient, coordinator: AuthActions
) -> None:
    response = client.post(EDIT.format(slug="kvantorium-test"), data=edit_form(client))
    assert response.status_code == 302
    assert stored(app).version == 1
    assert audit(app) == []


def test_a_directions_only_change_raises_the_version(
    app: Flask, client: FlaskClient, coordinator: AuthActions
) -> None:
    client.post(EDIT.format(slug="kvantorium-test"), data={**edit_form(client), "directions": "it"})
    technopark = stored(app)
    assert [direction.slug for direction in technopark.directions] == ["it"]
    assert technopark.version == 2


def test_a_human_edit_is_never_overwritten_by_the_seed(
    seeded_app: Flask, auth: AuthActions
) -> None:
    slug = "kvantorium-technopolis-moscow"
    auth.create_user(technoparks=[slug])
    auth.login()
    client = auth.client
    data = {**edit_form(client, slug), "district": "Район по словам координатора"}
    assert client.post(EDIT.format(slug=slug), data=data).status_code == 302
    result = seeded_app.test_cli_runner().invoke(args=["seed"])
    assert slug in result.output
    assert stored(seeded_app, slug).district == "Район по словам координатора"


def test_listing_text_is_escaped_in_the_workspace(
    app: Flask, client: FlaskClient, coordinator: AuthActions
) -> None:
    data = {**edit_form(client), "name": "<script>alert(1)</script>", "district": "{{ 7*7 }}"}
    assert client.post(EDIT.format(slug="kvantorium-test"), data=data).status_code == 302
    for path in (
        "/manage/",
        EDIT.format(slug="kvantorium-test"),
        "/manage/technoparks/kvantorium-test/history",
    ):
        page = client.get(path).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        # Rendered, the template expression would stand alone as 49 in an element or a value.
        assert ">49<" not in page and '"49"' not in page
    history = client.get("/manage/technoparks/kvantorium-test/history").get_data(as_text=True)
    assert "<td>{{ 7*7 }}</td>" in history


# ---------------------------------------------------------------- conflicts


def test_a_save_racing_another_process_is_refused_by_the_database(
    app: Flask, client: FlaskClient, coordinator: AuthActions, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both saves carry version 1; the other process commits between our read and our write."""
    if not on_postgresql():
        # tests/unit/test_sqlite.py shows the other writer waits for the whole save instead.
        pytest.skip("on SQLite a save holds the write lock from its first read (BEGIN IMMEDIATE)")
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    real_refresh = operations.refresh_search_text

    def another_process_saves_first(technopark: Technopark) -> None:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "UPDATE technopark SET address = 'Адрес другого процесса',"
                    " version = version + 1 WHERE slug = 'kvantorium-test'"
                )
            )
        real_refresh(technopark)

    monkeypatch.setattr(operations, "refresh_search_text", another_process_saves_first)
    data = {**edit_form(client), "address": "Адрес от Анны"}
    response = client.post(EDIT.format(slug="kvantorium-test"), data=data)
    engine.dispose()
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Адрес другого процесса" in page
    assert form_data(page, EDIT.format(slug="kvantorium-test"))["version"] == "2"
    technopark = stored(app)
    assert (technopark.address, technopark.version) == ("Адрес другого процесса", 2)
    assert audit(app, "edit") == []


def test_a_stale_form_with_the_current_values_is_no_conflict(
    app: Flask, client: FlaskClient, coordinator: AuthActions
) -> None:
    data = edit_form(client)
    with app.app_context():
        technopark = db.session.execute(select(Technopark)).scalar_one()
        technopark.address = "Новый адрес"
        db.session.commit()
    response = client.post(
        EDIT.format(slug="kvantorium-test"), data={**data, "address": "Новый адрес"}
    )
    assert response.status_code == 302
    assert stored(app).version == 2


# ---------------------------------------------------------------- confirm and publish


def test_confirming_sets_the_date_and_shows_it(
    app: Flask, client: FlaskClient, coordinator: AuthActions
) -> None:
    before = datetime.now(UTC) - timedelta(seconds=5)
    response = coordinator.post("/manage/technoparks/kvantorium-test/confirm")
    assert response.status_code == 302
    verified_at = stored(app).verified_at
    assert verified_at is not None
    assert verified_at.replace(tzinfo=verified_at.tzinfo or UTC) >= before
    assert [row[:2] for row in audit(app, "confirm")] == [("confirm", "verified_at")]
    profile = client.get("/technoparks/kvantorium-test").get_data(as_text=True)
    today = datetime.now(UTC)
    assert "Подтверждено координатором" in profile or "Confirmed by the coordinator" in profile
    assert str(today.year) in profile[profile.index("координатор") :]
    assert "сведения не подтверждались" not in client.get("/manage/").get_data(as_text=True)


def test_an_admin_publishes_a_draft(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    catalogue: None,
    make_technopark: Callable[..., Technopark],
) -> None:
    make_technopark(slug="draft", name="Черновик", published=False)
    auth.create_user(email="admin@example.org", name="Админ", role=Role.ADMIN)
    auth.login()
    assert client.get("/technoparks/draft").status_code == 404
    response = auth.post("/manage/technoparks/draft/publish", {"return_to": "/manage/"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/manage/"
    assert client.get("/technoparks/draft").status_code == 200
    assert audit(app, "publish") == [("publish", "published", "False", "True", "Админ")]
    assert stored(app, "draft").edited_by.name == "Админ"


def test_return_to_is_only_followed_on_this_site(
    client: FlaskClient, coordinator: AuthActions
) -> None:
    response = coordinator.post(
        "/manage/technoparks/kvantorium-test/confirm", {"return_to": "//evil.example"}
    )
    assert response.headers["Location"] == EDIT.format(slug="kvantorium-test")


def test_the_edit_page_has_a_map_picker_without_inline_scripts(
    client: FlaskClient, coordinator: AuthActions
) -> None:
    page = client.get(EDIT.format(slug="kvantorium-test")).get_data(as_text=True)
    assert 'id="map-picker"' in page
    assert 'src="/vendor/leaflet/leaflet.js"' in page
    assert 'src="/static/js/map-picker.js"' in page
    assert page.count("<script") == page.count("<script src=")
    with client.get("/static/js/map-picker.js") as script:
        assert script.status_code == 200


def test_a_slug_taken_at_the_same_moment_is_retried(
    app: Flask, coordinator: AuthActions, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_unique_slug = operations.unique_slug
    answers = iter(["kvantorium-test"])  # as if another process took it just now

    def racing_unique_slug(name: str) -> str:
        return next(answers, None) or real_unique_slug(name)

    monkeypatch.setattr(operations, "unique_slug", racing_unique_slug)
    response = coordinator.post(
        "/manage/technoparks/new",
        {
            "name": "Кванториум Тест",
            "city": "Тула",
            "status": "open",
            "location_precision": "unknown",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == EDIT.format(slug="kvantorium-test-2")
    assert stored(app, "kvantorium-test").city == "Москва"
