"""Benchmark the public routes at 1 000, 10 000 and 100 000 listings, on SQLite and PostgreSQL.

    make bench
    .venv/bin/python bench/run.py [--counts 1000,10000,100000] [--databases sqlite,postgresql]
                                  [--requests 200] [--postgres-url URL] [--no-browser]

For each database and count: fill the benchmark's own database with `flask demo-data`, serve
it with gunicorn (2 sync workers, a free loopback port), warm every route up, then time a fixed
number of requests per route with a keep-alive HTTP client. The routes' requests are
interleaved in a new random order each round, so whatever else the machine does slows them all
alike, and each route is compared with /healthz measured in the same rounds. Chromium then
times how long `/` takes to draw its first clusters. The table is printed and written to
bench/results.md, with the targets each figure is held to.

Databases: a SQLite file under bench/out/ and the PostgreSQL database directory_bench (or
--postgres-url / BENCH_POSTGRES_URL); both are dropped and rebuilt.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import random
import secrets
import socket
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))

from sqlalchemy import create_engine, text  # noqa: E402

from bench import browser  # noqa: E402
from directory.config import normalise_database_url  # noqa: E402
from directory.data.demo_data import demo_cities  # noqa: E402

OUT = REPOSITORY / "bench" / "out"
RESULTS = REPOSITORY / "bench" / "results.md"
VENV_BIN = REPOSITORY / ".venv" / "bin"
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/directory_bench"
WARM_UP = 20
# A parent in Kazan looking for the nearest technoparks, and for Kvantoriums there.
NEAR = (55.78874, 49.12214)
QUERY = "кванториум казань"
HEADERS = {"Accept-Encoding": "gzip", "Accept-Language": "ru", "Connection": "keep-alive"}


@dataclass
class Route:
    """One line of the table: a name, the address (or addresses) asked for, and its target."""

    name: str
    paths: list[str]
    # The most this route may take, as a multiple of /healthz's median; None: no target.
    max_ratio: float | None = None
    times_ms: list[float] = field(default_factory=list)
    first_ms: float | None = None
    raw_bytes: int = 0
    # What a client that accepts gzip receives; None when the server sends it plain.
    gzip_bytes: int | None = None
    statuses: set[int] = field(default_factory=set)

    def path(self, round_number: int) -> str:
        return self.paths[round_number % len(self.paths)]

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.times_ms, n=20)[-1]


@dataclass
class Run:
    """The figures of one database at one count."""

    database: str
    count: int
    fill_seconds: float
    routes: list[Route]
    browser: dict[str, Any] | None

    def route(self, name: str) -> Route:
        return next(route for route in self.routes if route.name == name)

    @property
    def floor(self) -> float:
        return self.route("/healthz").median


# ---------------------------------------------------------------- databases and the server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def flask(database_url: str, *args: str) -> subprocess.CompletedProcess:
    """Run `flask --app wsgi …` on the benchmark database."""
    return subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "wsgi", *args],
        cwd=REPOSITORY,
        env={**os.environ, "DATABASE_URL": database_url},
        check=True,
        capture_output=True,
        text=True,
    )


def fresh_sqlite() -> str:
    OUT.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{OUT / 'bench.sqlite'}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{OUT / 'bench.sqlite'}"


def fresh_postgresql(url: str) -> str:
    server, name = normalise_database_url(url).rsplit("/", 1)
    engine = create_engine(server + "/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return url


def sample_slugs(database_url: str, how_many: int) -> list[str]:
    """Slugs of records spread over the table, for profile pages."""
    engine = create_engine(normalise_database_url(database_url))
    with engine.connect() as connection:
        slugs = connection.execute(text("SELECT slug FROM technopark ORDER BY id")).scalars().all()
    engine.dispose()
    chance = random.Random(7)
    return chance.sample(list(slugs), min(how_many, len(slugs)))


@contextmanager
def gunicorn(database_url: str):
    """gunicorn with 2 sync workers serving bench/wsgi.py on a free port; yields the port."""
    port = free_port()
    OUT.mkdir(parents=True, exist_ok=True)
    log = (OUT / "gunicorn.log").open("a")
    server = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "bench.wsgi:app",
        ],
        cwd=REPOSITORY,
        env={**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": secrets.token_hex(32)},
        stdout=log,
        stderr=log,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if fetch(Client(port), "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("gunicorn did not start; see bench/out/gunicorn.log")
            time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


# ---------------------------------------------------------------- the HTTP client


class Client:
    """A keep-alive HTTP/1.1 connection that reopens when the server closes it."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def get(self, path: str, headers: dict[str, str]) -> tuple[int, bytes, dict[str, str]]:
        try:
            return self.exchange(path, headers)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            self.connection.close()
            return self.exchange(path, headers)

    def exchange(self, path: str, headers: dict[str, str]) -> tuple[int, bytes, dict[str, str]]:
        self.connection.request("GET", quote(path, safe="/?=&,%"), headers=headers)
        response = self.connection.getresponse()
        body = response.read()
        if response.will_close:
            self.connection.close()
        return response.status, body, dict(response.getheaders())


def fetch(client: Client, path: str, headers: dict[str, str] = HEADERS) -> tuple[int, bytes]:
    status, body, _ = client.get(path, headers)
    return status, body


def timed(client: Client, path: str) -> tuple[int, float]:
    """The status, and milliseconds from sending the request to the last byte of the body."""
    started = time.perf_counter()
    status, _ = fetch(client, path)
    return status, (time.perf_counter() - started) * 1000


def sizes(client: Client, path: str) -> tuple[int, int | None]:
    """The body's size as sent to a client without gzip, and gzipped (None: sent plain)."""
    _, raw, _ = client.get(path, {**HEADERS, "Accept-Encoding": "identity"})
    _, encoded, headers = client.get(path, HEADERS)
    return len(raw), len(encoded) if headers.get("Content-Encoding") == "gzip" else None


# ---------------------------------------------------------------- one run


def routes_for(slugs: list[str], requests: int) -> list[Route]:
    """The routes measured, with the same addresses at every count."""
    cities = [city.name for city in demo_cities()]
    chance = random.Random(11)
    near = f"{NEAR[0]},{NEAR[1]}"
    return [
        Route("/healthz", ["/healthz"]),
        Route("/ (the page)", ["/"], 3),
        Route("/map (the map shell)", ["/map"], 3),
        Route("/map/markers.json (every marker)", ["/map/markers.json"]),
        Route("nearest 10 (API)", [f"/api/technoparks?near={near}&limit=10"], 3),
        Route("text search /?q=", [f"/?q={QUERY}"], 5),
        Route("a profile", [f"/technoparks/{slugs[0]}"], 2),
        # The same kinds of request, each one new, so no cache can answer it.
        Route(
            "nearest 10, a new point each time",
            [
                f"/api/technoparks?near={NEAR[0] + chance.uniform(-3, 3):.5f},"
                f"{NEAR[1] + chance.uniform(-3, 3):.5f}&limit=10"
                for _ in range(requests + WARM_UP)
            ],
        ),
        Route(
            "text search, a new query each time",
            [f"/?q=кванториум {cities[n % len(cities)]}" for n in range(requests + WARM_UP)],
        ),
        Route(
            "a profile, a new one each time",
            [f"/technoparks/{slug}" for slug in slugs[1 : requests + WARM_UP + 1]],
        ),
    ]


def measure(database: str, database_url: str, count: int, requests: int, with_browser: bool) -> Run:
    """Fill the database with `count` records and time every route under gunicorn."""
    started = time.perf_counter()
    flask(database_url, "demo-data", "--count", str(count))
    fill_seconds = time.perf_counter() - started
    slugs = sample_slugs(database_url, requests + WARM_UP + 1)
    routes = routes_for(slugs, requests)
    with gunicorn(database_url) as port:
        client = Client(port)
        # The first request of each route finds empty caches in (at least) one worker.
        for route in routes:
            status, route.first_ms = timed(client, route.path(0))
            route.statuses.add(status)
        for round_number in range(1, WARM_UP):
            for route in routes:
                timed(client, route.path(round_number))
        chance = random.Random(count)
        for round_number in range(WARM_UP, WARM_UP + requests):
            for route in chance.sample(routes, len(routes)):
                status, elapsed = timed(client, route.path(round_number))
                route.statuses.add(status)
                route.times_ms.append(elapsed)
        for route in routes:
            route.raw_bytes, route.gzip_bytes = sizes(client, route.path(0))
        found = browser.measure(f"http://127.0.0.1:{port}", runs=3) if with_browser else None
    return Run(database, count, fill_seconds, routes, found)


# ---------------------------------------------------------------- the report


def kilobytes(size: int | None) -> str:
    return "plain" if size is None else f"{size / 1024:,.1f} KB"


def run_table(run: Run) -> list[str]:
    lines = [
        f"### {run.database}, {run.count:,} listings".replace(",", " "),
        "",
        f"`demo-data --count {run.count}` took {run.fill_seconds:.1f} s.",
        "",
        "| route | median ms | p95 ms | × healthz | first ms | raw | gzip | status |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for route in run.routes:
        ratio = route.median / run.floor
        lines.append(
            f"| {route.name} | {route.median:.2f} | {route.p95:.2f} | {ratio:.2f} "
            f"| {route.first_ms:.1f} | {kilobytes(route.raw_bytes)} "
            f"| {kilobytes(route.gzip_bytes)} | {', '.join(map(str, sorted(route.statuses)))} |"
        )
    if run.browser:
        found = run.browser
        zoomed = found["kazan_zoom14"]
        lines += [
            "",
            f"Chromium, `/` with {found['markers']} markers: first cluster drawn "
            f"{found['first_cluster_ms']:.0f} ms after navigation start (median of "
            f"{found['runs']}: {found['first_cluster_all_ms']}), marker count set at "
            f"{found['markers_set_ms']:.0f} ms; Kazan at zoom 14 shows {zoomed['clusters']} "
            f"clusters and {zoomed['markers']} single markers; requests leaving the machine: "
            f"{len(found['external_requests'])}.",
        ]
    return lines + [""]


def target_checks(runs: list[Run]) -> list[tuple[str, str, bool]]:
    """(what, the figure, whether it holds) for every target, at the largest count."""
    checks = []
    largest = max(run.count for run in runs)
    for run in runs:
        if run.count != largest:
            continue
        smallest = min(
            (other for other in runs if other.database == run.database), key=lambda r: r.count
        )
        where = f"{run.database}, {run.count:,}".replace(",", " ")
        for route in run.routes:
            if route.max_ratio is not None:
                ratio = route.median / run.floor
                checks.append(
                    (
                        f"{where}: {route.name} ≤ {route.max_ratio:g}× healthz",
                        f"{ratio:.2f}×",
                        ratio <= route.max_ratio and route.statuses == {200},
                    )
                )
        page, first_page = run.route("/ (the page)"), smallest.route("/ (the page)")
        page_size = page.gzip_bytes or page.raw_bytes
        first_size = first_page.gzip_bytes or first_page.raw_bytes
        checks.append(
            (
                f"{where}: / under 15 KB gzip, not growing with N",
                f"{page_size / 1024:.1f} KB (at {smallest.count:,}: "
                f"{first_size / 1024:.1f} KB)".replace(",", " "),
                page_size <= 15 * 1024 and page_size <= 1.1 * first_size,
            )
        )
        markers = run.route("/map/markers.json (every marker)")
        megabytes = (markers.gzip_bytes or markers.raw_bytes) / 1024 / 1024
        checks.append(
            (
                f"{where}: every marker ≤ 3 MB gzip and ≤ 1 s",
                f"{megabytes:.2f} MB, median {markers.median:.1f} ms",
                megabytes <= 3 and markers.median <= 1000 and markers.statuses == {200},
            )
        )
        checks.append(
            (
                f"{where}: (beyond the issue) every marker on a cache miss ≤ 1 s",
                f"first request after start {markers.first_ms:.0f} ms",
                markers.first_ms <= 1000,
            )
        )
        if run.browser:
            checks.append(
                (
                    f"{where}: Chromium draws the first clusters ≤ 3 s; Kazan zoom 14 has markers",
                    f"{run.browser['first_cluster_ms']:.0f} ms, "
                    f"{run.browser['kazan_zoom14']['markers']} markers",
                    run.browser["first_cluster_ms"] <= 3000
                    and run.browser["kazan_zoom14"]["markers"] > 0
                    and not run.browser["external_requests"],
                )
            )
    return checks


def report(runs: list[Run], requests: int) -> str:
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    lines = [
        "# Benchmark: the directory at national scale",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine}; load average at the "
        f"end {load}. Written by `make bench` (bench/run.py).",
        "",
        f"gunicorn with 2 sync workers on loopback; {requests} requests per route after "
        f"{WARM_UP} warm-up rounds, interleaved in a new random order each round; "
        "times from sending the request to the last byte, gzip accepted. `× healthz` is the "
        "route's median over the median of `/healthz` (a `SELECT 1`) in the same rounds. "
        "`first` is the route's first request after the server started, with empty caches. "
        "The last three routes ask something new every time, so no cache answers them; they "
        "have no target and show what a cache miss costs.",
        "",
        "## Targets at the largest count",
        "",
        "| target | measured | holds |",
        "| --- | --- | --- |",
    ]
    for what, figure, holds in target_checks(runs):
        lines.append(f"| {what} | {figure} | {'yes' if holds else '**NO**'} |")
    lines += ["", "## Every run", ""]
    for run in runs:
        lines += run_table(run)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", default="1000,10000,100000")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument(
        "--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    )
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--output", type=Path, default=RESULTS)
    options = parser.parse_args()
    counts = [int(count) for count in options.counts.split(",")]
    with_browser = not options.no_browser and browser.CHROMIUM.exists()
    if not with_browser:
        print("Chromium is not used: no browser timing.", file=sys.stderr)
    runs = []
    for database in options.databases.split(","):
        url = fresh_sqlite() if database == "sqlite" else fresh_postgresql(options.postgres_url)
        flask(url, "db", "upgrade")
        for count in counts:
            print(f"{database}: {count} listings…", file=sys.stderr, flush=True)
            run = measure(database, url, count, options.requests, with_browser)
            runs.append(run)
            print("\n".join(run_table(run)), flush=True)
    text_report = report(runs, options.requests)
    options.output.write_text(text_report + "\n", encoding="utf-8")
    print(text_report)
    print(f"\nWritten to {options.output}.", file=sys.stderr)


if __name__ == "__main__":
    main()
