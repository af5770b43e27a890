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
# No recycling of workers after N requests: a worker that exits drops the idle connections nginx
# holds to it, and the POSTs nginx sends on them that instant fail with 502 (nginx does not resend
# a POST). bench/district.py saw a 502 burst at every recycle. The app holds no growing state; set
# GUNICORN_MAX_REQUESTS only to contain a leak you have seen.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 0))
max_requests_jitter = max_requests // 10
accesslog = "-"
