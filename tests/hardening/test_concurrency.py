"""Concurrent saves under gunicorn with 4 workers, on SQLite and PostgreSQL; limits across workers.

Each simulated coordinator is a thread with its own requests session: it signs in through the
form, opens the edit form (CSRF token and version included), waits at a barrier with the
others, and saves. Nothing may answer 500 or lose an update; of 20 saves made from the same
version of one technopark exactly one is accepted, and every accepted save leaves one set of
audit rows.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from flask_migrate import upgrade
from helpers import (
    REPOSITORY,
    TEST_DATABASE_URL,
    csrf_token_in,
    form_data,
    on_postgresql,
    record_figure,
)
from sqlalchemy import create_engine, select, text
from werkzeug.security import generate_password_hash

from directory import create_app
from directory.config import normalise_database_url
from directory.domain.accounts import create_user, grant_technopark
from directory.domain.models import AuditEntry, Role, Technopark
from directory.domain.search import refresh_search_text
from directory.extensions import db

pytestmark = pytest.mark.slow

WORKERS = 4
SEPARATE_EDITS = 50
SAME_VERSION_SAVES = 20
COORDINATORS = 5
PASSWORD = "correct horse battery staple"
SECRET_KEY = "concurrency-test-secret-key-0123456789"
CONTESTED = "kvantorium-contested"
MIN_ATTEMPTS, MAX_ATTEMPTS = 8, 200
LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")


# ---------------------------------------------------------------- the server


@dataclass
class Gunicorn:
    """A running gunicorn: its URL and what it wrote to its logs."""

    url: str
    process: subprocess.Popen
    log: list[str] = field(default_factory=list)
    access: list[str] = field(default_factory=list)

    def lines(self, request: str) -> list[str]:
        """Access log lines ("pid method path status") of requests containing this text."""
        return [line for line in list(self.access) if request in line]

    def worker_pids(self, request: str) -> set[str]:
        """The worker processes that answered these requests."""
        return {line.split()[0] for line in self.lines(request)}


@contextmanager
def gunicorn(environment: dict[str, str], app: str = "wsgi:app") -> Iterator[Gunicorn]:
    """gunicorn with 4 sync workers on a free loopback port, stopped afterwards."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(WORKERS),
        "--bind",
        "127.0.0.1:0",
        "--access-logfile",
        "-",
        "--access-logformat",
        "%(p)s %(m)s %(U)s %(s)s",
        "--graceful-timeout",
        "5",
        app,
    ]
    env = {**os.environ, "SECRET_KEY": SECRET_KEY, **environment}
    for name in ("FLASK_DEBUG", "FLASK_RUN_FROM_CLI", "TEST_DATABASE_URL"):
        env.pop(name, None)
    process = subprocess.Popen(
        command,
        cwd=REPOSITORY,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    server = Gunicorn(url="", process=process)
    port: list[str] = []
    listening = threading.Event()

    def read_log() -> None:
        for line in process.stderr:
            server.log.append(line)
            if match := LISTENING.search(line):
                port.append(match.group(1))
                listening.set()
        listening.set()

    def read_access() -> None:
        for line in process.stdout:
            server.access.append(line)

    readers = [threading.Thread(target=read_log), threading.Thread(target=read_access)]
    for reader in readers:
        reader.start()
    try:
        assert listening.wait(30) and port, "gunicorn did not start:\n" + "".join(server.log)
        server.url = f"http://127.0.0.1:{port[0]}"
        wait_until_healthy(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        for reader in readers:
            reader.join(timeout=5)
        process.stdout.close()
        process.stderr.close()


def wait_until_healthy(server: Gunicorn) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(server.url + "/healthz", timeout=10).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            pass
        time.sleep(0.1)
    raise AssertionError("gunicorn never answered /healthz:\n" + "".join(server.log))


class LocalBrowser:
    """A requests session that, like a browser on localhost, sends Secure cookies over HTTP.

    The app marks its cookies Secure outside debug mode; Chromium sends such cookies to
    http://127.0.0.1, requests does not, so their flag is dropped once they are stored.
    """

    def __init__(self) -> None:
        self.session = requests.Session()

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        response = self.session.request(method, url, allow_redirects=False, timeout=60, **kwargs)
        for cookie in self.session.cookies:
            cookie.secure = False
        return response

    def get(self, url: str) -> requests.Response:
        return self.request("GET", url)

    def post(self, url: str, data: dict[str, Any]) -> requests.Response:
        return self.request("POST", url, data=data)


def sign_in(browser: LocalBrowser, base: str, email: str, password: str) -> requests.Response:
    """Post the sign-in form with the CSRF token from the page, as a person would."""
    token = csrf_token_in(browser.get(base + "/login").text)
    return browser.post(
        base + "/login", data={"email": email, "password": password, "csrf_token": token}
    )


# ---------------------------------------------------------------- the database


def coordinator_email(number: int) -> str:
    return f"coordinator{number}@example.org"


def separate_slug(number: int) -> str:
    return f"technopark-{number:02d}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of its own: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'concurrency.sqlite'}"
        return
    if not on_postgresql():
        pytest.skip("needs TEST_DATABASE_URL (PostgreSQL)")
    server = normalise_database_url(TEST_DATABASE_URL).rsplit("/", 1)[0]
    name = f"directory_hardening_concurrency_{os.getpid()}"
    admin = create_engine(server + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{server}/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def add_technopark(slug: str, name: str) -> None:
    technopark = Technopark(slug=slug, name=name, city="Тула", published=True)
    refresh_search_text(technopark)
    db.session.add(technopark)


def prepare_database(url: str) -> None:
    """Migrate, then add the technoparks and the coordinators who may edit them."""
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    with app.app_context():
        upgrade()
        for number in range(SEPARATE_EDITS):
            add_technopark(separate_slug(number), f"Технопарк {number}")
        add_technopark(CONTESTED, "Общий технопарк")
        db.session.flush()
        for number in range(COORDINATORS):
            user = create_user(
                coordinator_email(number), f"Координатор {number}", Role.COORDINATOR, PASSWORD
            )
            # A cheaper hash keeps 70 sign-ins quick; checking it works the same way.
            user.password_hash = generate_password_hash(PASSWORD, "scrypt:1024:8:1")
            for technopark in range(number, SEPARATE_EDITS, COORDINATORS):
                grant_technopark(user, separate_slug(technopark))
            grant_technopark(user, CONTESTED)
        db.session.commit()
        db.engine.dispose()


@dataclass
class Save:
    slug: str
    values: dict[str, str]
    status: int = 0
    body: str = ""
    version: str = ""


def save_concurrently(base: str, saves: list[Save], barrier: threading.Barrier) -> None:
    """Sign in, open the form, wait for every other thread, then post the save."""

    def one(index: int, save: Save) -> None:
        browser = LocalBrowser()
        try:
            signed_in = sign_in(browser, base, coordinator_email(index % COORDINATORS), PASSWORD)
            assert signed_in.status_code == 302, signed_in.text[:500]
            edit = f"/manage/technoparks/{save.slug}/edit"
            data = form_data(browser.get(base + edit).text, edit)
            save.version = data["version"]
        except BaseException:
            barrier.abort()
            raise
        barrier.wait(timeout=60)
        response = browser.post(base + edit, data={**data, **save.values})
        save.status, save.body = response.status_code, response.text

    with ThreadPoolExecutor(max_workers=len(saves)) as pool:
        for future in [pool.submit(one, index, save) for index, save in enumerate(saves)]:
            future.result()


def test_concurrent_saves_lose_nothing_and_conflict_once(database_url: str) -> None:
    prepare_database(database_url)
    separate = [
        Save(
            separate_slug(number),
            {"description": f"Описание от потока {number}", "address": f"ул. Потоковая, {number}"},
        )
        for number in range(SEPARATE_EDITS)
    ]
    contested = [
        Save(CONTESTED, {"description": f"Вариант {number}", "address": f"пр. Спорный, {number}"})
        for number in range(SAME_VERSION_SAVES)
    ]
    saves = separate + contested
    started = time.monotonic()
    with gunicorn({"DATABASE_URL": database_url}) as server:
        save_concurrently(server.url, saves, threading.Barrier(len(saves)))
    seconds = time.monotonic() - started

    statuses = defaultdict(int)
    for save in saves:
        statuses[save.status] += 1
    assert not [save for save in saves if save.status >= 500], "a save answered 5xx"
    assert not [save for save in saves if "database is locked" in save.body]
    assert not [line for line in server.log if "Traceback" in line or "locked" in line]
    assert [save.status for save in separate] == [302] * SEPARATE_EDITS
    assert {save.version for save in saves} == {"1"}
    accepted = [save for save in contested if save.status == 302]
    conflicts = [save for save in contested if save.status == 409]
    assert len(accepted) == 1 and len(conflicts) == SAME_VERSION_SAVES - 1
    assert all('class="conflict"' in save.body for save in conflicts)
    edit_workers = server.worker_pids("POST /manage/")

    # Every accepted save is stored, and has exactly one set of audit rows with its values.
    app = create_app({"TESTING": True, "DATABASE_URL": database_url})
    with app.app_context():
        stored = {tp.slug: tp for tp in db.session.execute(select(Technopark)).scalars()}
        audit = (
            db.session.execute(select(AuditEntry).where(AuditEntry.action == "edit"))
            .scalars()
            .all()
        )
        lost = 0
        for save in [*separate, *accepted]:
            technopark = stored[save.slug]
            kept = {name: getattr(technopark, name) for name in save.values}
            lost += kept != save.values
            rows = [row for row in audit if row.entity_id == technopark.id]
            assert len({row.created_at for row in rows}) == 1, save.slug
            assert {row.field: row.new_value for row in rows} == save.values, save.slug
            assert technopark.version == int(save.version) + 1
        assert lost == 0
        assert len(audit) == 2 * (SEPARATE_EDITS + 1)
        db.session.remove()
        db.engine.dispose()

    backend = database_url.split(":", 1)[0].split("+")[0]
    record_figure(
        f"concurrency [{backend}, gunicorn {WORKERS} workers, {len(edit_workers)} served saves]: "
        f"{len(saves)} concurrent saves ({SEPARATE_EDITS} of different technoparks, "
        f"{SAME_VERSION_SAVES} of one version): {statuses[302]} accepted, "
        f"{len(conflicts)} conflicts (409), 0 errors, {lost} updates lost, "
        f"{len(audit)} audit rows, {seconds:.1f} s"
    )


# ---------------------------------------------------------------- rate limits across workers


def redis_reachable() -> bool:
    import redis

    try:
        return bool(redis.Redis(host="127.0.0.1", port=6379, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def failed_sign_ins(server: Gunicorn, email: str) -> tuple[list[int], set[str]]:
    """Wrong passwords for one account, one after another, until at least 8 were sent and
    two workers answered them (which worker accepts a connection is up to the kernel).

    Returns the statuses and the workers that answered.
    """
    statuses: list[int] = []
    workers: set[str] = set()
    while len(statuses) < MIN_ATTEMPTS or len(workers) < 2:
        assert len(statuses) < MAX_ATTEMPTS, "the attempts never reached a second worker"
        statuses.append(sign_in(LocalBrowser(), server.url, email, "wrong password!").status_code)
        deadline = time.monotonic() + 5
        while len(server.lines("POST /login")) < len(statuses) and time.monotonic() < deadline:
            time.sleep(0.01)
        workers = {line.split()[0] for line in server.lines("POST /login")}
    return statuses, workers


def test_sign_in_limits_hold_across_workers_with_redis(tmp_path: Path) -> None:
    if not redis_reachable():
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs Redis on 127.0.0.1:6379 (.ci/run starts it)")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    url = f"sqlite:///{tmp_path / 'limits.sqlite'}"
    prepare_database(url)
    # A prefix of its own, so earlier runs' counts in the same Redis do not count here.
    prefix = f"directory-test-{uuid.uuid4().hex}"
    factory = f'directory:create_app({{"RATELIMIT_KEY_PREFIX": "{prefix}"}})'
    email = coordinator_email(0)

    with gunicorn(
        {"DATABASE_URL": url, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379"}, factory
    ) as server:
        shared, shared_workers = failed_sign_ins(server, email)
        signed_in = sign_in(LocalBrowser(), server.url, coordinator_email(1), PASSWORD)
    with gunicorn({"DATABASE_URL": url, "RATELIMIT_STORAGE_URI": "memory://"}) as server:
        separate, separate_workers = failed_sign_ins(server, email)

    # The account allows 5 failures per 15 minutes, counted once for all workers…
    assert shared == [200] * 5 + [429] * (len(shared) - 5)
    # …while each worker counting on its own lets more through.
    assert separate.count(200) > 5
    # Another account is not limited by this one's failures.
    assert signed_in.status_code == 302
    record_figure(
        f"sign-in limit '5 per 15 minutes' under gunicorn {WORKERS} workers: Redis let "
        f"{shared.count(200)} of {len(shared)} failed attempts through ({len(shared_workers)} "
        f"workers answered); memory:// let {separate.count(200)} of {len(separate)} through "
        f"({len(separate_workers)} workers)"
    )
