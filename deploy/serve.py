"""The production stack in the foreground: nginx buffering requests in front of gunicorn.

`make serve` runs it after migrating. It renders deploy/nginx.conf.template into a runtime
folder (SERVE_DIR, by default instance/serve: the config, the pid file, nginx's temporary
files and gunicorn's socket, all writable by a normal user), starts gunicorn on a Unix socket
and nginx on HOST:PORT (127.0.0.1:5000), and stays until SIGTERM or SIGINT, when it stops
nginx and then gunicorn and exits 0. If either dies, it stops the other and exits 1.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import re
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any

REPOSITORY = Path(__file__).resolve().parent.parent
DEPLOY = REPOSITORY / "deploy"
PLACEHOLDER = re.compile(r"\{\{ (\w+) \}\}")
# nginx's workers run as this user when the stack is started by root.
NGINX_USER = "www-data"
TEMP_FOLDERS = ("body", "proxy", "fastcgi", "uwsgi", "scgi")
# How to stop each server: signals in turn, each given this many seconds, then SIGKILL.
# nginx's graceful stop (QUIT) would wait for every client still sending a header, until
# its timeout; after a moment its fast stop (TERM) closes them. gunicorn's TERM lets the
# requests under way finish (graceful_timeout in gunicorn.conf.py).
NGINX_STOP = ((signal.SIGQUIT, 1.0), (signal.SIGTERM, 4.0))
GUNICORN_STOP = ((signal.SIGTERM, 7.0),)


def render(template: str, values: dict[str, str]) -> str:
    """The template with every {{ name }} replaced; an unknown name is an error."""
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], template)


def body_limits() -> tuple[int, int]:
    """The app's body limits (a form, an imported file), read from directory/config.py alone:
    importing the package would load the whole app into this small process."""
    spec = importlib.util.spec_from_file_location(
        "directory_config", REPOSITORY / "directory" / "config.py"
    )
    config = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(config)
    return config.FORM_MAX_BYTES, config.UPLOAD_MAX_BYTES


def nginx_binary() -> str:
    """nginx from NGINX, the PATH, or Debian's /usr/sbin (not on a normal user's PATH)."""
    found = os.environ.get("NGINX") or shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.access(found, os.X_OK):
        sys.exit("nginx is missing: apt-get install nginx (make serve does it as root)")
    return found


def reachable_by_anyone(path: Path) -> bool:
    """Whether every folder down to the path lets other users through."""
    return all(os.stat(folder).st_mode & stat.S_IXOTH for folder in (path, *path.parents))


def nginx_worker_user(runtime: Path) -> str:
    """Who nginx's workers run as when the stack is started by root.

    The master keeps root; the workers that meet clients drop to www-data, which must reach
    the socket, the temporary files and static/. In a checkout only root can enter (under
    /root, say) they cannot, so they stay root, and the log says so.
    """
    if reachable_by_anyone(runtime) and reachable_by_anyone(REPOSITORY / "static"):
        return NGINX_USER
    print(
        f"warning: {NGINX_USER} cannot reach {runtime} or {REPOSITORY / 'static'}: "
        "nginx's workers run as root. Serve from a folder other users may enter.",
        file=sys.stderr,
    )
    return "root"


def prepare_runtime(runtime: Path) -> dict[str, str]:
    """Make the runtime folder and return the values the nginx template needs."""
    for name in TEMP_FOLDERS:
        (runtime / "temp" / name).mkdir(parents=True, exist_ok=True)
    user_line = ""
    if os.geteuid() == 0:
        user_line = f"user {nginx_worker_user(runtime)};"
        account = pwd.getpwnam(nginx_worker_user(runtime))
        for name in TEMP_FOLDERS:
            os.chown(runtime / "temp" / name, account.pw_uid, account.pw_gid)
    form_max_bytes, upload_max_bytes = body_limits()
    return {
        "user_line": user_line,
        "runtime": str(runtime),
        "socket": str(runtime / "gunicorn.sock"),
        "static": str(REPOSITORY / "static"),
        "host": os.environ.get("HOST", "127.0.0.1"),
        "port": os.environ.get("PORT", "5000"),
        "form_max_bytes": str(form_max_bytes),
        "upload_max_bytes": str(upload_max_bytes),
    }


def start_gunicorn(socket: Path) -> subprocess.Popen:
    """gunicorn with deploy/gunicorn.conf.py, trusting the one proxy in front of it."""
    socket.unlink(missing_ok=True)
    environment = {**os.environ, "SERVE_SOCKET": str(socket), "PROXY_HOPS": "1"}
    command = [sys.executable, "-m", "gunicorn", "--config", str(DEPLOY / "gunicorn.conf.py")]
    return subprocess.Popen(command, cwd=REPOSITORY, env=environment)


def wait_for_socket(socket: Path, gunicorn: subprocess.Popen, seconds: float = 60) -> None:
    """gunicorn's master binds the socket before loading the app; nginx needs it there."""
    deadline = time.monotonic() + seconds
    while not socket.exists():
        if gunicorn.poll() is not None or time.monotonic() > deadline:
            sys.exit("gunicorn did not start; its log is above")
        time.sleep(0.05)


def copy_lines(source: IO[bytes]) -> None:
    """Pass a child's output on to ours, line by line, until it closes."""
    for line in source:
        sys.stdout.buffer.write(line)
        sys.stdout.buffer.flush()


def stop(process: subprocess.Popen, steps: tuple[tuple[int, float], ...]) -> None:
    """Send each signal in turn until the process ends; kill it if none was enough."""
    for number, seconds in steps:
        if process.poll() is not None:
            return
        process.send_signal(number)
        try:
            process.wait(timeout=seconds)
            return
        except subprocess.TimeoutExpired:
            continue
    process.kill()
    process.wait()


def main() -> int:
    runtime = Path(os.environ.get("SERVE_DIR") or REPOSITORY / "instance" / "serve").resolve()
    values = prepare_runtime(runtime)
    config = runtime / "nginx.conf"
    config.write_text(render((DEPLOY / "nginx.conf.template").read_text(), values))
    nginx_command = [nginx_binary(), "-p", str(runtime), "-c", str(config), "-e", "stderr"]
    checked = subprocess.run([*nginx_command, "-t", "-q"], stdout=subprocess.DEVNULL, check=False)
    if checked.returncode != 0:
        return 1

    stopping: list[int] = []

    def ask_to_stop(number: int, _frame: Any) -> None:
        stopping.append(number)

    # Handlers first: a SIGTERM that arrives while the servers start still stops them.
    signal.signal(signal.SIGTERM, ask_to_stop)
    signal.signal(signal.SIGINT, ask_to_stop)
    gunicorn = start_gunicorn(Path(values["socket"]))
    nginx = None
    try:
        wait_for_socket(Path(values["socket"]), gunicorn)
        # nginx opens /dev/stdout for its access log by name, which fails when stdout is a
        # file or terminal of another user (after su, say): so it writes to a pipe of ours.
        nginx = subprocess.Popen(nginx_command, stdout=subprocess.PIPE)
        threading.Thread(target=copy_lines, args=(nginx.stdout,), daemon=True).start()
        print(f"serving on http://{values['host']}:{values['port']}", flush=True)
        while not stopping and gunicorn.poll() is None and nginx.poll() is None:
            time.sleep(0.2)
    finally:
        # nginx first, so that nothing new reaches gunicorn while it stops.
        if nginx is not None:
            stop(nginx, NGINX_STOP)
        stop(gunicorn, GUNICORN_STOP)
    return 0 if stopping else 1


if __name__ == "__main__":
    sys.exit(main())
