"""Password hashing and generation.

Argon2id at OWASP's minimum (19 MiB, t=2, p=1) rather than Werkzeug's scrypt default
(32 MiB a login): a lab full of students logging in at once must not exhaust memory.
"""
import os
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# The test suite (and nothing else) sets COURSEWARE_TEST_PASSWORD_HASH=1 before importing the app:
# thousands of throw-away accounts then cost 64 KiB and one pass each instead of 19 MiB and two.
if os.environ.get("COURSEWARE_TEST_PASSWORD_HASH") == "1":
    _hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
else:
    _hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)

# No 0/O, 1/l/i: first passwords are read off paper and typed on phones.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
MIN_LENGTH = 8


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def generate_password() -> str:
    """A first password like 'k7mq-2xpt' (about 40 bits)."""
    chars = [secrets.choice(_ALPHABET) for _ in range(8)]
    return "".join(chars[:4]) + "-" + "".join(chars[4:])


# A dummy hash so a login for an unknown username costs the same time as a real one.
DUMMY_HASH = _hasher.hash(secrets.token_hex(8))
