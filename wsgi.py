"""The WSGI entry point for gunicorn and `flask --app wsgi`."""

from directory import create_app

app = create_app()
