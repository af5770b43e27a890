"""All settings, read from environment variables in one place.

Every variable is documented in the configuration table of docs/settings.md. `create_app(config)`
accepts a dict that overrides these (the tests use it).
"""
import ipaddress
import os
import secrets
from datetime import timedelta
from pathlib import Path

GiB = 1024**3


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "ya", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def load_or_create_secret_key(instance_path: str) -> str:
    """Return the key in instance/secret_key, creating it once with owner-only access."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key


def settings_from_env(instance_path: str) -> dict:
    """Build the settings mapping from the environment, with the embedded defaults."""
    sqlite_file = Path(instance_path) / "courseware.sqlite3"
    force_https = _env_bool("FORCE_HTTPS", False)
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY") or None,
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL") or f"sqlite:///{sqlite_file}",
        "MEDIA_ROOT": os.environ.get("MEDIA_ROOT") or str(Path(instance_path) / "media"),
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        "S3_BUCKET": os.environ.get("S3_BUCKET") or None,
        "S3_ENDPOINT_URL": os.environ.get("S3_ENDPOINT_URL") or None,
        "S3_PREFIX": os.environ.get("S3_PREFIX") or "",
        "MEDIA_UPLOAD_EXPIRY_HOURS": float(os.environ.get("MEDIA_UPLOAD_EXPIRY_HOURS") or 24),
        "MEDIA_X264_PRESET": os.environ.get("MEDIA_X264_PRESET") or "veryfast",
        "MAX_VIDEO_BYTES": _env_int("MAX_VIDEO_BYTES", 1 * GiB),
        "MAX_ATTACHMENT_BYTES": _env_int("MAX_ATTACHMENT_BYTES", 5 * 1024 * 1024),
        # FR.AK.04: days after a final judgement during which the trainee may appeal it.
        "APPEAL_DAYS": _env_int("APPEAL_DAYS", 7),
        "MAX_VIDEO_SECONDS": _env_int("MAX_VIDEO_SECONDS", 20 * 60),
        # Hostile media: refused before any frame is decoded (probe runs in a limited child process).
        "MAX_VIDEO_PIXELS": _env_int("MAX_VIDEO_PIXELS", 3840 * 2160),
        "MAX_VIDEO_SIDE": _env_int("MAX_VIDEO_SIDE", 4096),
        "MAX_VIDEO_FPS": _env_int("MAX_VIDEO_FPS", 120),
        "MAX_VIDEO_STREAMS": _env_int("MAX_VIDEO_STREAMS", 8),
        "MEDIA_DURATION_MARGIN": _env_int("MEDIA_DURATION_MARGIN", 5),
        "MEDIA_PROBE_MEMORY_MB": _env_int("MEDIA_PROBE_MEMORY_MB", 1024),
        "MEDIA_PROBE_SECONDS": _env_int("MEDIA_PROBE_SECONDS", 60),
        "MEDIA_TRANSCODE_TIME_FACTOR": _env_int("MEDIA_TRANSCODE_TIME_FACTOR", 8),
        "MEDIA_TRANSCODE_MIN_SECONDS": _env_int("MEDIA_TRANSCODE_MIN_SECONDS", 120),
        "MEDIA_MAX_VERSIONS": _env_int("MEDIA_MAX_VERSIONS", 10),
        "MEDIA_MAX_BYTES_PER_USER": _env_int("MEDIA_MAX_BYTES_PER_USER", 4 * GiB),
        # Ordinary forms and CSV files are small; video goes through tus in chunks.
        "MAX_CONTENT_LENGTH": _env_int("MAX_FORM_BYTES", 64 * 1024 * 1024),
        "FORCE_HTTPS": force_https,
        "SESSION_COOKIE_SECURE": force_https,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": force_https,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_DURATION": timedelta(days=_env_int("REMEMBER_COOKIE_DAYS", 30)),
        "PERMANENT_SESSION_LIFETIME": _env_int("SESSION_HOURS", 12) * 3600,
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT") or "10 per minute",
        # Join codes: every try of one account, and the failed tries of one address (a whole
        # class joins from one NAT address, so only wrong codes count there).
        "JOIN_RATE_LIMIT_USER": os.environ.get("JOIN_RATE_LIMIT_USER") or "10 per 10 minutes",
        "JOIN_RATE_LIMIT_ADDRESS": os.environ.get("JOIN_RATE_LIMIT_ADDRESS") or "30 per 10 minutes",
        # Where `python run.py` listens; a non-loopback HOST means a school network.
        "HOST": os.environ.get("HOST") or "127.0.0.1",
        "SCHOOL_NAME": os.environ.get("SCHOOL_NAME") or "SMK",
        "BABEL_DEFAULT_LOCALE": os.environ.get("DEFAULT_LOCALE") or "id",
        # English catalog (and any later one): courseware/translations/<lang>/LC_MESSAGES/messages.po
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).resolve().parent / "translations"),
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("TIMEZONE") or "Asia/Jakarta",
        # A test page or a marking screen may stay open for hours: tie the CSRF token
        # to the session instead of letting it expire after an hour.
        "WTF_CSRF_TIME_LIMIT": None,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "CONTENT_ROOT": os.environ.get("CONTENT_ROOT") or None,
        "TASKS_EAGER": _env_bool("TASKS_EAGER", False),
        # Admission (courseware/admission.py, docs/operations.md): at most ADMISSION_LIMIT writes at
        # once in this process (with REDIS_URL: ADMISSION_LIMIT_TOTAL over all hosts); a write that
        # finds no slot within ADMISSION_WAIT_SECONDS, or a request that finds QUEUE_DEPTH_LIMIT
        # others waiting for a waitress thread, is answered 503 + Retry-After at once. 0 turns off.
        "ADMISSION_LIMIT": _env_int("ADMISSION_LIMIT", 6),
        "ADMISSION_LIMIT_TOTAL": _env_int("ADMISSION_LIMIT_TOTAL", 32),
        "ADMISSION_WAIT_SECONDS": float(os.environ.get("ADMISSION_WAIT_SECONDS") or 2),
        "QUEUE_DEPTH_LIMIT": _env_int("QUEUE_DEPTH_LIMIT", 64),
        "QUEUE_WAIT_SECONDS": float(os.environ.get("QUEUE_WAIT_SECONDS") or 5),
        # Where partial tus uploads are kept (default MEDIA_ROOT/uploads); with several app hosts
        # and local video storage, a folder every host mounts (NFS), so an upload can go on anywhere.
        "UPLOAD_WORK_DIR": os.environ.get("UPLOAD_WORK_DIR") or None,
        # How many reverse proxies (nginx) stand in front; their X-Forwarded-* headers are trusted.
        "PROXY_COUNT": _env_int("PROXY_COUNT", 0),
    }


# Keys that appear (or appeared) in this repository: anyone can forge a session with them.
KNOWN_SECRET_KEYS = frozenset({
    "ganti-dengan-string-acak-panjang-yang-sama-di-semua-host",
    "test-secret", "live-secret", "bench-secret", "dev", "secret", "changeme", "change-me", "ganti-saya",
})
MIN_SECRET_BYTES = 32


class InsecureSettings(RuntimeError):
    """The site refuses to start; the message says why and what to do."""


def is_loopback(host: str) -> bool:
    if host in ("", "localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name other than localhost: assume it is reachable from the network


def check_secret_key(config) -> None:
    """In a school setting (HTTPS forced, or listening beyond loopback) refuse a weak SECRET_KEY."""
    school = config.get("FORCE_HTTPS") or not is_loopback(str(config.get("HOST") or "127.0.0.1"))
    if not school:
        return
    key = config.get("SECRET_KEY") or ""
    raw = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    if key in KNOWN_SECRET_KEYS or raw.strip() in {k.encode() for k in KNOWN_SECRET_KEYS}:
        raise InsecureSettings(
            "SECRET_KEY ini tertulis di repositori (contoh/uji), jadi siapa pun dapat memalsukan sesi admin. "
            "Buat kunci baru: python3 -c \"import secrets; print(secrets.token_urlsafe(48))\"")
    if len(raw) < MIN_SECRET_BYTES:
        raise InsecureSettings(
            f"SECRET_KEY terlalu pendek ({len(raw)} byte; minimal {MIN_SECRET_BYTES}) untuk situs yang "
            "dibuka di jaringan sekolah. Buat kunci baru: "
            "python3 -c \"import secrets; print(secrets.token_urlsafe(48))\"")
