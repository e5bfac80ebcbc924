"""The project's settings with what a test run needs and production must not have."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")

from clinic_site.settings import *  # noqa: E402,F403

# The test client speaks plain HTTP and nobody runs collectstatic first.
SECURE_SSL_REDIRECT = False
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The admin tests sign staff in with client.force_login, which gives no second
# factor; they test what staff may do once in. tests/test_two_factor.py turns
# the requirement back on (the `settings` fixture) and tests getting in, and
# that DEBUG off turns it on in production.
STAFF_REQUIRE_2FA = False
# Serve static files from the apps' folders, as DEBUG would, without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Tests that race threads against each other need a database file: an
# in-memory SQLite database shared between connections locks differently.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # One file per run, so two runs on one machine never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f".test-db-{os.getpid()}.sqlite3")}  # noqa: F405
