# gunicorn settings for a school or district server (Linux). Start with:
#   .venv/bin/gunicorn -c deploy/gunicorn.conf.py app:app
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
worker_class = "gthread"
# tus PATCH chunks of ~8 MiB over slow mobile data can take a while.
timeout = 120
# nginx keeps idle connections to the app open for reuse (upstream keepalive, idle up to its
# keepalive_timeout of 60 s). gunicorn's default closes an idle one after 2 s; a POST nginx sends
# on a connection gunicorn is just closing fails with 502, because nginx does not resend POSTs
# (seen by bench/district.py). Keep idle connections longer than nginx does.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", 75))
graceful_timeout = 30
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
