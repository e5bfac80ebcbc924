"""Settings for the clinic's site, read from the environment.

Every value that differs between a laptop and production comes from an
environment variable (see README.md); the defaults are the safe ones.
"""

import ipaddress
from email.utils import getaddresses
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env(
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, ["localhost", "127.0.0.1", "[::1]"]),
    CSRF_TRUSTED_ORIGINS=(list, []),
)

DEBUG = env("DEBUG")

SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment before starting "
            "with DEBUG off (README.md, 'Production')."
        )
    SECRET_KEY = "django-insecure-local-development-only"

ALLOWED_HOSTS = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # modeltranslation patches the admin, so it must come before it.
    "modeltranslation",
    "clinic_site.apps.ClinicAdminConfig",  # django.contrib.admin with the clinic's front page
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "phonenumber_field",
    "django_tasks",
    "django_tasks_db",
    "simple_history",
    "axes",
    # Staff's second factor: an authenticator app (TOTP) and single-use recovery codes.
    "django_otp",
    "staff_access.apps.AuthenticatorAppsConfig",  # django_otp.plugins.otp_totp, named for the owner
    "staff_access.apps.RecoveryCodesConfig",  # django_otp.plugins.otp_static, named for the owner
    "staff_access",
    # The site's own apps, each importing only those above it.
    "clinic",
    "team",
    "conditions",
    "faq",
    "privacy",
    "booking",
    "clinic_site.apps.ClinicSiteConfig",
]

MIDDLEWARE = [
    "clinic_site.request_id.RequestIdMiddleware",  # first, so every log line a request causes carries its id
    # /healthz answers here, before the HTTPS redirect and the host check a probe by address would fail.
    "clinic_site.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "clinic_site.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the session, so a cached page is stored as every later middleware left it
    # (cookies included, and refused for them) and served without any of them.
    "clinic_site.page_cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "clinic_site.admin_language.AdminLanguageMiddleware",  # the admin in the language its user chose
    "clinic_site.middleware.TranslatedPathFallbackMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): has this session given the second factor?
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # Counts failed admin logins and locks out password guessing.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
# Lock the user name being guessed from that address, so a shared clinic
# connection is not locked out by one person's typos on another account.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_VERBOSE = False
# The same client address the booking rate limits see, proxy and all.
AXES_CLIENT_IP_CALLABLE = "clinic.throttle.client_address"

# Admin accounts reach patients' health notes, so staff sign in with a password
# and a second factor (an authenticator app, or one recovery code), set up at
# their first sign-in (staff_access). A clinic that signs staff in through its
# own single sign-on turns the requirement off.
STAFF_REQUIRE_2FA = env.bool("STAFF_REQUIRE_2FA", default=not DEBUG)
# A staff sign-in lasts a working day from the moment of signing in, whatever
# SESSION_COOKIE_AGE gives the public site's sessions.
STAFF_SESSION_HOURS = env.float("STAFF_SESSION_HOURS", default=10)
OTP_TOTP_ISSUER = "Return to Running"  # the name staff see in their authenticator app
# The owner deletes a colleague's devices in the admin; nobody reads a secret key or recovery code there.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

ROOT_URLCONF = "clinic_site.urls"
CSRF_FAILURE_VIEW = "clinic_site.views.csrf_failure"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clinic.context_processors.clinic",
                "booking.context_processors.opening_hours",
            ],
        },
    },
]

WSGI_APPLICATION = "clinic_site.wsgi.application"

# SQLite in the project folder unless DATABASE_URL names another database
# (postgres://user@host:5432/name in production).
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# Each gunicorn worker keeps its connection for a minute instead of opening one
# per request (about twice the pages a second here), checked before reuse.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0 if DEBUG else 60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that accepts connections and never answers must cost a page a
    # few seconds, not gunicorn's whole timeout: give up connecting after
    # DATABASE_CONNECT_TIMEOUT, and let the server end any statement after
    # DATABASE_STATEMENT_TIMEOUT (shorter than gunicorn's 30 s) and any
    # transaction left idle by a stuck process. 0 turns a limit off, e.g. for a
    # long migration: DATABASE_STATEMENT_TIMEOUT=0 python manage.py migrate.
    _statement_ms = int(env.float("DATABASE_STATEMENT_TIMEOUT", default=15) * 1000)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "connect_timeout": env.int("DATABASE_CONNECT_TIMEOUT", default=5),
            "options": f"-c statement_timeout={_statement_ms} -c idle_in_transaction_session_timeout=60000",
            # A connection whose server has gone quiet is dropped by the kernel, not waited on for ever.
            "keepalives": 1,
            "keepalives_idle": 30,
            "keepalives_interval": 10,
            "keepalives_count": 3,
            "tcp_user_timeout": 20000,
        }
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue for the lock at BEGIN instead of failing half-way through a
    # booking with "database is locked"; WAL lets pages read meanwhile.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # A Redis that is down or slow costs each request a fraction of a second:
    # rate limits and the page cache then carry on without it (clinic.throttle).
    _cache_timeout = env.float("CACHE_TIMEOUT", default=0.5)
    CACHES["default"].setdefault("OPTIONS", {}).update(
        {"socket_connect_timeout": _cache_timeout, "socket_timeout": _cache_timeout, "retry_on_timeout": False}
    )
# Public pages for visitors without a session come from that cache (clinic_site/page_cache.py);
# saving content in the admin forgets the pages showing it at once. The lifetime bounds how long
# an edit made any other way (a shell, an update() that sends no signal) can go unseen. 0: off.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=600)

# Outgoing email is queued in the database with the booking that causes it and
# sent by `manage.py worker`, so a mail server that is down delays mail
# without losing it.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# EMAIL_URL: smtp+tls://user:password@smtp.example.com:587 (django-environ's form).
globals().update(env.email_url("EMAIL_URL", default="consolemail://"))
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
# An email claimed by a worker for longer than this was left by a worker that
# died mid-send, and is sent again (clinic.outbox): longer than any send takes.
EMAIL_ABANDONED_AFTER = env.int("EMAIL_ABANDONED_AFTER", default=max(180, EMAIL_TIMEOUT * 6))
# A mail server still failing after this many hours of retries fails the email
# for good: staff see it on the admin's front page and can send it again.
EMAIL_GIVE_UP_AFTER_HOURS = env.float("EMAIL_GIVE_UP_AFTER_HOURS", default=48)
# The site's own address, for links in emails and calendar files.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# The release being run, written into backups' manifests (e.g. the deployed git tag).
APP_VERSION = env("APP_VERSION", default="")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Return to Running <citas@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where the clinic is told of new bookings and data requests: the address
# staff set in Booking settings (or the clinic's email).
CLINIC_INBOX = "booking.emails.clinic_address"
# Until staff set an address in Booking settings or Clinic details, new requests go here.
CLINIC_NOTIFICATION_EMAIL = env("CLINIC_NOTIFICATION_EMAIL", default="")
BOOKING_MINIMUM_SECONDS = env.int("BOOKING_MINIMUM_SECONDS", default=8)  # booked sooner after choosing a time: a bot

# Phone numbers typed without a country code are read as Mexican; US numbers
# are tried next (see booking.forms), and all are stored in E.164.
PHONENUMBER_DEFAULT_REGION = "MX"
PHONENUMBER_DB_FORMAT = "E164"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: English is served unprefixed, Spanish under /es/.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "America/Tijuana"

MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = ("en", "es")
# A section whose Spanish is missing shows the English rather than nothing.
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Uploaded files: a folder on this host (served by the proxy at /media/), or,
# for several app hosts, an S3-compatible bucket all of them share.
MEDIA_URL = env("MEDIA_URL", default="/media/")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_S3_BUCKET = env("MEDIA_S3_BUCKET", default="")
if MEDIA_S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_S3_BUCKET,
            # Any S3-compatible service: AWS, Cloudflare R2, Backblaze B2, DigitalOcean Spaces, MinIO.
            "endpoint_url": env("MEDIA_S3_ENDPOINT_URL", default="") or None,
            "region_name": env("MEDIA_S3_REGION", default="") or None,
            "access_key": env("MEDIA_S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env("MEDIA_S3_SECRET_ACCESS_KEY", default="") or None,
            "custom_domain": env("MEDIA_S3_CUSTOM_DOMAIN", default="") or None,
            # The site's pictures are public; an upload never replaces another of the same name.
            "querystring_auth": False,
            "file_overwrite": False,
            "default_acl": None,
        },
    }

# Security. Production runs behind TLS; the proxy tells us the scheme.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The proxies in front of the site: X-Forwarded-For is read only from these,
# hop by hop from the right (clinic.throttle.client_address). The default is
# the README's set-up, a proxy on the same host talking to gunicorn on
# 127.0.0.1; on a platform whose load balancer is elsewhere, name its network.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=["127.0.0.1", "::1"])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an address or a network such as 10.0.0.0/8.")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# Joining the browsers' HSTS preload list binds the clinic's domain for months
# and is the domain owner's decision, so it is opt-in rather than a warning.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# A patient's booking draft (name, contact, what hurts) lives in the session:
# it is kept for an hour of inactivity, then `clearsessions` (every 15 minutes,
# README) removes it from the server. Staff sessions get a working day.
SESSION_COOKIE_AGE = 60 * 60
X_FRAME_OPTIONS = "DENY"

# One line per event on standard error, for the service manager's journal:
# "time level logger [request id] message" with DEBUG on, one JSON object a
# line with it off (timestamp, level, logger, message, request_id), for the
# platform's log search; LOG_FORMAT=text|json chooses. gunicorn's own logs
# follow the same rule (gunicorn.conf.py). No line holds a private link, a
# query string, the request (and with it what a patient typed), or the values
# an exception's message quotes (clinic_site.log_redaction).
LOG_FORMAT = env("LOG_FORMAT", default="text" if DEBUG else "json")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT: {LOG_FORMAT!r} is neither text nor json.")
LOG_LEVEL = env("LOG_LEVEL", default="INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "clinic_site.request_id.RequestIdFilter"},
        "patient_data": {"()": "clinic_site.log_redaction.KeepPatientDataOut"},
        "private_links": {"()": "clinic_site.log_redaction.RedactPrivateLinks"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "text": {"()": "clinic_site.log_redaction.TextFormatter"},
        "json": {"()": "clinic_site.log_redaction.JsonFormatter"},
        "mail": {"format": "%(message)s\n\nRequest id: %(request_id)s (the same on the site's log lines)"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "level": LOG_LEVEL,
            "filters": ["request_id", "patient_data"],
            "formatter": LOG_FORMAT,
        },
        # A 500's traceback to ADMINS, its request reduced to method and path
        # (clinic_site.error_reports), the subject's path without its private link.
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false", "request_id", "private_links"],
            "formatter": "mail",
            "include_html": False,
            "reporter_class": "clinic_site.error_reports.PatientSafeExceptionReporter",
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # Django's own handlers for these would write unfiltered; theirs go to the
    # root's. Django's loggers stop at INFO whatever LOG_LEVEL says: at DEBUG,
    # django.db.backends writes every query with its parameters, a patient's
    # name and note among them.
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        "django.request": {"handlers": ["mail_admins"], "level": "INFO", "propagate": True},
    },
}

# Errors reach the clinic's operator: ADMINS ("Ana Ruiz <ana@clinic.example>,
# ops@clinic.example") are emailed every 500, from SERVER_EMAIL, and with
# SENTRY_DSN set errors go to Sentry too. Neither report holds what a patient
# typed: every form value, query string, cookie and local variable is hidden
# (clinic_site.error_reports).
ADMINS = [(name, address) for name, address in getaddresses([env("ADMINS", default="")]) if name or address]
for _name, _address in ADMINS:
    if "@" not in _address:
        raise ImproperlyConfigured(f"ADMINS: {_name or _address!r} has no email address; write Name <name@example.com>.")
DEFAULT_EXCEPTION_REPORTER_FILTER = "clinic_site.error_reports.PatientSafeExceptionReporterFilter"
if _sentry_dsn := env("SENTRY_DSN", default=""):
    # sentry-sdk is loaded only when it is used.
    from clinic_site.error_reports import start_sentry

    start_sentry(
        _sentry_dsn,
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        release=env("SENTRY_RELEASE", default=""),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )
