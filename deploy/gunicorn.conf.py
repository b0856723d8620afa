"""gunicorn behind nginx: sync workers on a Unix socket that only the proxy talks to.

deploy/serve.py starts it with SERVE_SOCKET set; WEB_CONCURRENCY sets the number of workers.
Sync workers are safe here because nginx hands them whole requests and takes whole responses:
no worker ever waits on a slow client.
"""

import importlib.util
import multiprocessing
import os

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def directory_config():
    """directory/config.py alone: importing the package would load the whole app into the
    master, which serves no request and would only take longer to start and stop."""
    path = os.path.join(REPOSITORY, "directory", "config.py")
    spec = importlib.util.spec_from_file_location("directory_config", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


wsgi_app = "wsgi:app"
bind = ["unix:" + os.environ["SERVE_SOCKET"]] if os.environ.get("SERVE_SOCKET") else []
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * multiprocessing.cpu_count())
worker_class = "sync"
# A request the app has not answered in 30 s is stuck: the worker is replaced.
timeout = 30
# On SIGTERM, requests under way get 5 s to finish.
graceful_timeout = 5
# Several stacks may run on one machine: no control socket shared in the home folder.
control_socket_disable = True

accesslog = "-"
access_log_format = 'app %({x-forwarded-for}i)s "%(r)s" %(s)s %(b)s %(M)sms %(p)s'
errorlog = "-"


def on_starting(server):
    """Say at start, in the log, when the sign-in limits would not hold across workers."""
    warning = directory_config().memory_limits_warning(
        os.environ.get("RATELIMIT_STORAGE_URI"),
        server.cfg.workers,
        debug=os.environ.get("FLASK_DEBUG", "").lower() in ("1", "true", "yes", "on"),
    )
    if warning:
        server.log.warning(warning)
