"""The production stack of `make serve` (nginx in front of gunicorn) under hostile clients.

It is started the way a person starts it, with `make serve` on a free port and a SQLite file
of its own. 200 connections that send a header byte every few seconds must not stop
/healthz from answering within a second; a 30 MB body is refused by nginx with 413 before
gunicorn sees it; the sign-in limit, counted in Redis, survives workers killed with SIGKILL;
SIGTERM stops nginx and gunicorn within seconds.
"""

from __future__ import annotations

import os
import re
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from helpers import REPOSITORY, csrf_token_in, free_port, record_figure

pytestmark = pytest.mark.slow

SECRET_KEY = "production-stack-test-secret-0123456789"
REDIS = "redis://127.0.0.1:6379"
SLOW_CLIENTS = 200
SLOW_SECONDS = 20
# Each slow client sends one more byte of its never-ending header this often.
BYTE_INTERVAL = 3.0
PROBE_INTERVAL = 0.25
MAX_PROBE_SECONDS = 1.0
HUGE_BODY = 30 * 1024 * 1024
# The failed sign-ins one account is allowed (LOGIN_FAILURES_PER_ACCOUNT's default).
ALLOWED_FAILURES = 5


# ---------------------------------------------------------------- what the stack needs


def in_ci() -> bool:
    return os.environ.get("CI") == "true"


def nginx_installed() -> bool:
    return bool(shutil.which("nginx")) or os.access("/usr/sbin/nginx", os.X_OK)


def require_nginx() -> None:
    """nginx as `make serve` gets it: installed by `make nginx` as root, else skip locally."""
    if not nginx_installed() and os.geteuid() == 0:
        subprocess.run(["make", "--no-print-directory", "nginx"], cwd=REPOSITORY, check=False)
    if nginx_installed():
        return
    if in_ci():
        pytest.fail("CI needs nginx for the production stack (make nginx installs it as root)")
    pytest.skip("nginx is not installed (apt-get install nginx)")


def redis_reachable() -> bool:
    import redis

    try:
        return bool(redis.Redis(host="127.0.0.1", port=6379, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def require_redis() -> None:
    if not redis_reachable():
        if in_ci():
            pytest.fail("CI needs Redis on 127.0.0.1:6379 (.ci/run starts it)")
        pytest.skip("Redis is not running on 127.0.0.1:6379")


# ---------------------------------------------------------------- the running stack


@dataclass
class Stack:
    """`make serve` running: its address, its processes and everything it printed."""

    url: str
    port: int
    make: subprocess.Popen
    database_url: str
    output: list[str] = field(default_factory=list)

    def lines(self, text: str) -> list[str]:
        return [line for line in list(self.output) if text in line]

    def app_requests(self) -> list[str]:
        """gunicorn's access log: the requests that reached the app."""
        return [line for line in list(self.output) if line.startswith("app ")]

    def supervisor(self) -> int:
        """deploy/serve.py, which make runs as its child."""
        for pid in descendants(self.make.pid):
            if "deploy/serve.py" in command_line(pid):
                return pid
        raise AssertionError("deploy/serve.py is not running:\n" + "".join(self.output))

    def processes(self, name: str) -> list[int]:
        """The supervisor's descendants whose command line contains the name."""
        return [pid for pid in descendants(self.supervisor()) if name in command_line(pid)]

    def gunicorn_workers(self) -> list[int]:
        masters = [pid for pid in children(self.supervisor()) if "gunicorn" in command_line(pid)]
        assert len(masters) == 1, masters
        return children(masters[0])


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def descendants(pid: int) -> list[int]:
    found = children(pid)
    for child in list(found):
        found += descendants(child)
    return found


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def alive(pid: int) -> bool:
    """Running, and not a zombie waiting for its parent."""
    try:
        status = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return status.rsplit(")", 1)[1].split()[0] != "Z"


def healthy(url: str) -> bool:
    try:
        return requests.get(url + "/healthz", timeout=5).status_code == 200
    except requests.RequestException:
        return False


@contextmanager
def make_serve(workdir: Path, environment: dict[str, str]) -> Iterator[Stack]:
    """`make serve` on a free port until the block ends; then SIGTERM, and a kill if needed."""
    port = free_port()
    workdir.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "PORT": str(port),
        "SERVE_DIR": str(workdir / "run"),
        "DATABASE_URL": f"sqlite:///{workdir / 'directory.sqlite'}",
        "SECRET_KEY": SECRET_KEY,
        "WEB_CONCURRENCY": "2",
        **environment,
    }
    for name in ("FLASK_DEBUG", "FLASK_RUN_FROM_CLI", "TEST_DATABASE_URL", "MAKEFLAGS"):
        env.pop(name, None)
    process = subprocess.Popen(
        ["make", "--no-print-directory", "serve"],
        cwd=REPOSITORY,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    stack = Stack(
        url=f"http://127.0.0.1:{port}", port=port, make=process, database_url=env["DATABASE_URL"]
    )
    reader = threading.Thread(target=lambda: stack.output.extend(process.stdout), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 180
        while not healthy(stack.url):
            assert process.poll() is None, "make serve stopped:\n" + "".join(stack.output)
            assert time.monotonic() < deadline, "no answer:\n" + "".join(stack.output)
            time.sleep(0.2)
        yield stack
    finally:
        if process.poll() is None:
            running = descendants(process.pid)
            supervisors = [pid for pid in running if "deploy/serve.py" in command_line(pid)]
            for pid in supervisors or running:
                with suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                for pid in [*descendants(process.pid), process.pid]:
                    with suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                process.wait()
        reader.join(timeout=5)
        process.stdout.close()


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    """A folder nginx's workers can reach when the stack runs as root (they drop to www-data)."""
    folder = Path(tempfile.mkdtemp(prefix="directory-stack-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def stack(workdir: Path) -> Iterator[Stack]:
    """The stack as production runs it: limits counted in Redis (where it runs; CI has it),
    under a prefix of this run."""
    require_nginx()
    environment = {
        "RATELIMIT_STORAGE_URI": REDIS if redis_reachable() else "memory://",
        "RATELIMIT_KEY_PREFIX": f"directory-test-{uuid.uuid4().hex}",
    }
    with make_serve(workdir, environment) as running:
        yield running


# ---------------------------------------------------------------- slow clients


class SlowClients:
    """Connections that send an HTTP header a byte at a time and never finish it.

    Whenever the server closes one (nginx answers 408 after client_header_timeout), another
    is opened in its place, so the full number is held the whole time.
    """

    def __init__(self, port: int, count: int) -> None:
        self.port = port
        self.connections = [self.open() for _ in range(count)]
        self.opened = count
        self.closed_by_server = 0

    def open(self) -> socket.socket:
        connection = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        connection.setblocking(False)
        connection.send(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        return connection

    def dribble(self) -> None:
        """One more byte on every connection; replace those the server has closed."""
        readable, _, _ = select.select(self.connections, [], [], 0)
        for index, connection in enumerate(self.connections):
            try:
                if connection in readable:
                    raise ConnectionResetError("the server answered or closed")
                connection.send(b"a")
            except OSError:
                connection.close()
                self.connections[index] = self.open()
                self.opened += 1
                self.closed_by_server += 1

    def close(self) -> None:
        for connection in self.connections:
            connection.close()


def probe_health(url: str, stop: threading.Event, latencies: list[float | None]) -> None:
    """GET /healthz on a new connection every quarter second; None for a failed probe."""
    while not stop.is_set():
        started = time.monotonic()
        try:
            answered = requests.get(url + "/healthz", timeout=5).status_code == 200
        except requests.RequestException:
            answered = False
        latencies.append(time.monotonic() - started if answered else None)
        stop.wait(PROBE_INTERVAL)


def test_slow_clients_do_not_stop_the_site(stack: Stack) -> None:
    reached_before = len(stack.app_requests())
    slow = SlowClients(stack.port, SLOW_CLIENTS)
    latencies: list[float | None] = []
    stop = threading.Event()
    prober = threading.Thread(target=probe_health, args=(stack.url, stop, latencies))
    prober.start()
    try:
        deadline = time.monotonic() + SLOW_SECONDS
        while time.monotonic() < deadline:
            time.sleep(min(BYTE_INTERVAL, max(0, deadline - time.monotonic())))
            slow.dribble()
    finally:
        stop.set()
        prober.join()
        slow.close()

    answered = [latency for latency in latencies if latency is not None]
    slowest = max(answered, default=float("inf"))
    record_figure(
        f"production stack [nginx + gunicorn 2 sync workers]: {SLOW_CLIENTS} slow clients "
        f"(a header byte every {BYTE_INTERVAL:.0f} s) held for {SLOW_SECONDS} s, "
        f"{slow.closed_by_server} closed by nginx's header timeout and reopened; /healthz "
        f"answered {len(answered)} of {len(latencies)} probes, slowest {slowest * 1000:.0f} ms"
    )
    assert len(latencies) >= SLOW_SECONDS / 2
    assert len(answered) == len(latencies), "a /healthz probe failed"
    assert slowest < MAX_PROBE_SECONDS
    # Only the probes reached gunicorn (give or take a line still being read, before and
    # after): nginx waits for whole headers, which the slow clients never finish.
    assert len(stack.app_requests()) - reached_before <= len(latencies) + 2


# ---------------------------------------------------------------- bodies too large


def post_head_then_body(port: int, path: str, head: str, body_bytes: int) -> int:
    """Send a request's head and up to body_bytes of body, then read the status it got."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(head.encode())
        chunk = b"x" * 65536
        sent = 0
        try:
            while sent < body_bytes:
                connection.sendall(chunk)
                sent += len(chunk)
        except OSError:
            pass  # nginx answered and closed before the whole body was sent
        answer = b""
        with suppress(OSError):
            while b"\r\n" not in answer:
                data = connection.recv(4096)
                if not data:
                    break
                answer += data
    status = re.match(rb"HTTP/1\.[01] (\d{3})", answer)
    assert status is not None, f"no answer to {path}: {answer[:200]!r}"
    return int(status.group(1))


def content_length_head(path: str, size: int) -> str:
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {size}\r\nConnection: close\r\n\r\n"
    )


def chunked_head(path: str) -> str:
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/octet-stream\r\n"
        "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )


def test_huge_bodies_are_refused_by_nginx(stack: Stack) -> None:
    refused = {
        # The length is announced: refused from the head alone.
        "/login?body=30MB": post_head_then_body(
            stack.port, "/login", content_length_head("/login?body=30MB", HUGE_BODY), HUGE_BODY
        ),
        "/manage/import?body=30MB": post_head_then_body(
            stack.port,
            "/manage/import",
            content_length_head("/manage/import?body=30MB", HUGE_BODY),
            HUGE_BODY,
        ),
    }
    # No length given: refused once the body grows past the import page's 10 MB.
    with socket.create_connection(("127.0.0.1", stack.port), timeout=10) as connection:
        connection.sendall(chunked_head("/manage/import?body=chunked").encode())
        chunk = b"%x\r\n%s\r\n" % (65536, b"x" * 65536)
        answer = b""
        with suppress(OSError):
            for _ in range(HUGE_BODY // 65536):
                connection.sendall(chunk)
            connection.sendall(b"0\r\n\r\n")
        with suppress(OSError):
            answer = connection.recv(4096)
    status = re.match(rb"HTTP/1\.[01] (\d{3})", answer)
    assert status is not None, answer[:200]
    refused["/manage/import?body=chunked"] = int(status.group(1))

    record_figure(
        "production stack: 30 MB bodies refused by nginx: "
        + ", ".join(f"POST {path} {code}" for path, code in refused.items())
    )
    assert set(refused.values()) == {413}
    time.sleep(0.5)
    assert len(stack.lines('nginx 127.0.0.1 "POST ')) >= 3
    reached_the_app = [line for line in stack.app_requests() if "body=" in line]
    assert reached_the_app == [], "a huge body reached gunicorn"


# ---------------------------------------------------------------- limits in Redis


class LocalBrowser(requests.Session):
    """A session that, like a browser on localhost, sends Secure cookies over HTTP."""

    def request(self, *args, **kwargs) -> requests.Response:  # type: ignore[override]
        # Session.get asks to follow redirects; the tests read them instead.
        kwargs["allow_redirects"] = False
        kwargs.setdefault("timeout", 30)
        response = super().request(*args, **kwargs)
        for cookie in self.cookies:
            cookie.secure = False
        return response


def failed_sign_in(url: str, email: str) -> int:
    browser = LocalBrowser()
    token = csrf_token_in(browser.get(url + "/login").text)
    data = {"email": email, "password": "not the password at all", "csrf_token": token}
    return browser.post(url + "/login", data=data).status_code


def test_sign_out_through_the_stack_refuses_a_copied_cookie(stack: Stack) -> None:
    email, password = f"anna-{uuid.uuid4().hex[:8]}@example.org", "correct horse battery staple"
    environment = {**os.environ, "DATABASE_URL": stack.database_url}
    created = subprocess.run(
        [str(REPOSITORY / ".venv/bin/flask"), "--app", "wsgi", "users", "create", email]
        + ["--name", "Анна Петрова", "--role", "coordinator", "--password-stdin"],
        input=password + "\n",
        cwd=REPOSITORY,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert created.returncode == 0, created.stderr
    browser = LocalBrowser()
    token = csrf_token_in(browser.get(stack.url + "/login").text)
    data = {"email": email, "password": password, "csrf_token": token, "remember": "y"}
    assert browser.post(stack.url + "/login", data=data).status_code == 302
    workspace = browser.get(stack.url + "/manage/")
    assert workspace.status_code == 200
    thief = LocalBrowser()
    thief.cookies.update(browser.cookies)
    assert thief.get(stack.url + "/manage/").status_code == 200

    signed_out = browser.post(
        stack.url + "/logout", data={"csrf_token": csrf_token_in(workspace.text)}
    )
    assert signed_out.status_code == 302
    replayed = thief.get(stack.url + "/manage/")
    assert replayed.status_code == 302 and "/login" in replayed.headers["Location"]


def test_sign_in_limit_survives_killed_workers(stack: Stack) -> None:
    require_redis()
    email = f"nobody-{uuid.uuid4().hex[:8]}@example.org"
    before = [failed_sign_in(stack.url, email) for _ in range(ALLOWED_FAILURES + 1)]
    assert before == [200] * ALLOWED_FAILURES + [429]

    workers = stack.gunicorn_workers()
    for pid in workers:
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while set(stack.gunicorn_workers()) & set(workers) or len(stack.gunicorn_workers()) < 2:
        assert time.monotonic() < deadline, "gunicorn did not replace its workers"
        time.sleep(0.2)
    while not healthy(stack.url):
        assert time.monotonic() < deadline
        time.sleep(0.2)
    replaced = stack.gunicorn_workers()

    after = failed_sign_in(stack.url, email)
    assert not stack.lines("RATELIMIT_STORAGE_URI is memory://")
    record_figure(
        f"production stack: sign-in limit in Redis: {ALLOWED_FAILURES} failures then "
        f"{before[-1]}; workers {sorted(workers)} killed with SIGKILL, replaced by "
        f"{sorted(replaced)}; the next attempt: {after}"
    )
    assert after == 429


# ---------------------------------------------------------------- stopping


def test_sigterm_stops_the_stack_and_memory_limits_warn(workdir: Path) -> None:
    require_nginx()
    with make_serve(workdir / "memory", {"RATELIMIT_STORAGE_URI": "memory://"}) as running:
        assert running.lines("RATELIMIT_STORAGE_URI is memory:// with 2 workers")
        supervisor = running.supervisor()
        servers = running.processes("nginx") + running.processes("gunicorn")
        assert len(running.processes("nginx")) >= 2 and len(running.processes("gunicorn")) == 3
        slow = SlowClients(running.port, 20)
        try:
            started = time.monotonic()
            os.kill(supervisor, signal.SIGTERM)
            exit_status = running.make.wait(timeout=30)
            seconds = time.monotonic() - started
        finally:
            slow.close()
        left = [pid for pid in servers if alive(pid)]
        record_figure(
            f"production stack: SIGTERM with 20 slow clients connected: nginx and gunicorn "
            f"({len(servers)} processes) stopped in {seconds:.1f} s, make exited {exit_status}"
        )
        assert exit_status == 0, "".join(running.output)
        assert left == []
        # deploy/serve.py gives nginx 1 s + 4 s and gunicorn 7 s before it kills them; on an
        # idle machine the whole stop takes two or three seconds.
        assert seconds < 12
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", running.port), timeout=2).close()


# ---------------------------------------------------------------- static files


def test_nginx_serves_static_files_gzipped(stack: Stack) -> None:
    stylesheet = sorted((REPOSITORY / "static" / "css").glob("*.css"))[0]
    path = f"/static/css/{stylesheet.name}"
    response = requests.get(stack.url + path, headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.content == stylesheet.read_bytes()
    again = requests.get(
        stack.url + path, headers={"If-None-Match": response.headers["ETag"]}, timeout=10
    )
    assert again.status_code == 304
    time.sleep(0.3)
    assert not [line for line in stack.app_requests() if path in line]
