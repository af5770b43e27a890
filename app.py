"""Entry point for `flask --app app ...` and for WSGI servers (waitress, gunicorn)."""
from courseware import create_app

app = create_app()
