"""The administrators' import page: upload, check every row, import all or nothing."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from helpers import AuthActions
from sqlalchemy import func, select

from directory.domain.models import AuditEntry, Role, Technopark
from directory.extensions import db

CSV_HEADER = "slug,name,city,published,email\r\n"


def upload(auth: AuthActions, content: str | bytes, filename: str = "parks.csv"):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return auth.post(
        "/manage/import",
        {"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


@pytest.fixture
def admin(auth: AuthActions) -> int:
    user_id = auth.create_user(email="admin@example.org", name="Админ", role=Role.ADMIN)
    auth.login()
    return user_id


def test_the_page_is_in_the_admin_workspace_menu(
    client: FlaskClient, auth: AuthActions, admin: int
) -> None:
    page = client.get("/manage/").get_data(as_text=True)
    assert 'href="/manage/import"' in page
    form = client.get("/manage/import").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in form
    assert 'name="csrf_token"' in form
    assert 'type="file"' in form


def test_coordinators_neither_see_nor_open_it(client: FlaskClient, auth: AuthActions) -> None:
    auth.create_user(email="anna@example.org", name="Анна")
    auth.login()
    assert 'href="/manage/import"' not in client.get("/manage/").get_data(as_text=True)
    assert client.get("/manage/import").status_code == 403
    assert upload(auth, CSV_HEADER + "tula,Тула,Тула,true,\r\n").status_code == 403


def test_an_upload_imports_as_the_signed_in_administrator(
    app: Flask, client: FlaskClient, auth: AuthActions, admin: int
) -> None:
    response = upload(auth, CSV_HEADER + "tula,Кванториум Тула,Тула,true,info@tula.example\r\n")
    assert response.status_code == 302
    assert response.headers["Location"] == "/manage/import"
    page = client.get("/manage/import").get_data(as_text=True)
    assert "Импортировано: создано 1, обновлено 0, без изменений 0." in page
    with app.app_context():
        technopark = db.session.execute(select(Technopark).filter_by(slug="tula")).scalar_one()
        assert technopark.published is True
        assert technopark.edited_by_id == admin
        actors = set(
            db.session.execute(
                select(AuditEntry.user_id, AuditEntry.actor).filter_by(entity_id=technopark.id)
            ).all()
        )
    assert actors == {(admin, None)}
    history = client.get("/manage/technoparks/tula/history").get_data(as_text=True)
    assert "Админ" in history
    assert "импорт из файла" in history


def test_a_bad_row_is_shown_with_its_line_and_nothing_is_imported(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    admin: int,
    make_technopark: Callable[..., Technopark],
) -> None:
    make_technopark(slug="tula", name="Старое имя", city="Тула")
    content = CSV_HEADER + "tula,Новое имя,Тула,true,\r\norel,Орёл,Орёл,true,не-почта\r\n"
    response = upload(auth, content)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Ничего не импортировано" in page
    assert "<td>3</td>" in page
    assert "<code>email</code>" in page
    assert "Введите адрес электронной почты" in page
    with app.app_context():
        names = dict(db.session.execute(select(Technopark.slug, Technopark.name)).all())
        assert names == {"tula": "Старое имя"}
        assert db.session.execute(select(func.count()).select_from(AuditEntry)).scalar_one() == 0


def test_json_problems_are_numbered_as_records(
    client: FlaskClient, auth: AuthActions, admin: int
) -> None:
    response = upload(auth, '[{"slug": "tula", "name": "Тула"}]', "parks.json")
    page = response.get_data(as_text=True)
    assert "Запись" in page
    assert "<code>city</code>" in page


def test_hostile_text_in_an_error_is_escaped(
    client: FlaskClient, auth: AuthActions, admin: int
) -> None:
    response = upload(auth, "slug,<script>alert(1)</script>\r\nx,y\r\n")
    page = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize(
    ("filename", "message"),
    [("parks.xlsx", "Выберите файл .csv или .json."), ("", "Выберите файл для импорта.")],
)
def test_the_file_field_is_checked(
    client: FlaskClient, auth: AuthActions, admin: int, filename: str, message: str
) -> None:
    response = upload(auth, CSV_HEADER, filename)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)


def test_an_upload_without_a_csrf_token_is_refused(
    app: Flask, client: FlaskClient, auth: AuthActions, admin: int
) -> None:
    response = client.post(
        "/manage/import",
        data={"file": (io.BytesIO(b"slug,name,city\r\ntula,a,b\r\n"), "a.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Technopark)).scalar_one() == 0


def test_a_file_over_the_limit_is_refused(
    app: Flask, client: FlaskClient, auth: AuthActions, admin: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.config["UPLOAD_MAX_BYTES"] = 100
    response = upload(auth, CSV_HEADER + "tula,Тула,Тула,true,\r\n" * 20)
    assert response.status_code == 413
    assert "Слишком много для отправки" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Technopark)).scalar_one() == 0


def test_the_history_names_a_command_line_import(
    client: FlaskClient, auth: AuthActions, admin: int, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "cli.csv"
    path.write_text("slug,name,city\r\ntula,Тула,Тула\r\n", encoding="utf-8")
    assert runner.invoke(args=["import", str(path)]).exit_code == 0
    history = client.get("/manage/technoparks/tula/history").get_data(as_text=True)
    assert "импорт из командной строки" in history
    assert "импорт из файла" in history
