"""Django settings, read from the environment (12-factor).

Every knob is a ``PAXCARE_*`` variable; the defaults run the embedded platform: SQLite
in ``var/``, Huey on SQLite, no other server. Outside demo mode there is no default
secret key.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("PAXCARE_VAR_DIR", Path.cwd() / "var"))


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEMO_MODE = env_flag("PAXCARE_DEMO")
DEBUG = env_flag("PAXCARE_DEBUG")
TESTING = env_flag("PAXCARE_TESTING")

SECRET_KEY = os.environ.get("PAXCARE_SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEMO_MODE or DEBUG or TESTING):
        raise ImproperlyConfigured(
            "PAXCARE_SECRET_KEY is not set. Set it, or run in demo mode "
            "(PAXCARE_DEMO=1) for an evaluation workspace."
        )
    # Demo, debug and test runs only: a key that is never valid in production.
    SECRET_KEY = "paxcare-insecure-demo-key-not-for-production"

ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("PAXCARE_ALLOWED_HOSTS", "127.0.0.1,localhost").split(
        ","
    )
    if host.strip()
]
CSRF_TRUSTED_ORIGINS = [
    origin.strip()
    for origin in os.environ.get("PAXCARE_CSRF_TRUSTED_ORIGINS", "").split(",")
    if origin.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "huey.contrib.djhuey",
    "anymail",
    "paxcare.accounts",
    "paxcare.crm",
    "paxcare.triage",
    "paxcare.routing",
    "paxcare.sla",
    "paxcare.cases",
    "paxcare.intake",
    "paxcare.remedies",
    "paxcare.insights",
    "paxcare.disruptions",
    "paxcare.comms",
    "paxcare.surveys",
    "paxcare.console",
    "paxcare.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "paxcare.middleware.ApiErrorShapeMiddleware",
]

ROOT_URLCONF = "paxcare.urls"
WSGI_APPLICATION = "paxcare.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "paxcare.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------

DATABASE_URL = os.environ.get(
    "PAXCARE_DATABASE_URL", f"sqlite:///{VAR_DIR / 'paxcare.sqlite3'}"
)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE: a writer takes the lock at BEGIN, so two writers queue instead of
        # failing with "database is locked" when one upgrades a read lock.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA busy_timeout=20000; PRAGMA foreign_keys=ON;"
        ),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and tasks ------------------------------------------------------------

REDIS_URL = os.environ.get("PAXCARE_REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
    HUEY = {
        # The priority storage (Redis 5 or later): the plain one refuses task
        # priorities, and a disruption's care runs ahead of notification batches.
        "huey_class": "huey.PriorityRedisHuey",
        "name": "paxcare",
        "url": REDIS_URL,
        "immediate": False,
    }
else:
    # Shared by every process (rate limits must hold across gunicorn workers); the
    # accounts app's migrations create the table.
    CACHES = {
        "default": {
            "BACKEND": "paxcare.cache.SharedDatabaseCache",
            "LOCATION": "paxcare_cache",
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        }
    }
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "paxcare",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": env_flag("PAXCARE_TASKS_IMMEDIATE", default=TESTING),
    }

# --- Auth and security ----------------------------------------------------------

_VALIDATORS = "django.contrib.auth.password_validation."
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": _VALIDATORS + "UserAttributeSimilarityValidator"},
    {"NAME": _VALIDATORS + "MinimumLengthValidator"},
    {"NAME": _VALIDATORS + "CommonPasswordValidator"},
]
# Demo accounts are refused outside demo mode (paxcare.accounts.demo).
AUTHENTICATION_BACKENDS = ["paxcare.accounts.backends.AccountBackend"]
LOGIN_URL = "console:login"
LOGIN_REDIRECT_URL = "console:queue"
LOGOUT_REDIRECT_URL = "console:login"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not (DEBUG or DEMO_MODE or TESTING):
    SESSION_COOKIE_SECURE = env_flag("PAXCARE_SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# --- Internationalisation -------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("PAXCARE_TIME_ZONE", "Asia/Shanghai")

# Where passengers reach this installation: the absolute links of mail and SMS.
PUBLIC_URL = os.environ.get("PAXCARE_PUBLIC_URL") or (
    f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
)

# --- Files ----------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(os.environ.get("PAXCARE_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"
# Attachments: 10 MiB each, 5 per upload. Requests larger than this are refused whole.
ATTACHMENT_MAX_BYTES = int(
    os.environ.get("PAXCARE_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
)
ATTACHMENT_MAX_FILES = 5
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Mail -----------------------------------------------------------------------

EMAIL_BACKEND = os.environ.get(
    "PAXCARE_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("PAXCARE_FROM_EMAIL", "care@paxcare.invalid")
# A mail provider through django-anymail: PAXCARE_EMAIL_BACKEND names its backend
# (anymail.backends.postmark.EmailBackend), and each PAXCARE_ANYMAIL_<NAME> variable
# is anymail's setting <NAME> (POSTMARK_SERVER_TOKEN, WEBHOOK_SECRET "user:password"
# of the tracking webhook, which stays closed without it). See docs/comms.md.
ANYMAIL = {
    name.removeprefix("PAXCARE_ANYMAIL_"): value
    for name, value in os.environ.items()
    if name.startswith("PAXCARE_ANYMAIL_") and value
}

# --- Logging --------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "filters": {"refusals": {"()": "paxcare.logs.RefusalWithoutTraceback"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["refusals"],
        }
    },
    "root": {
        "handlers": ["console"],
        "level": os.environ.get("PAXCARE_LOG_LEVEL", "INFO"),
    },
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # The Huey consumer adds a handler of its own to a logger that has none,
        # which would print every line twice; this one it finds.
        "huey": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# --- PaxCare --------------------------------------------------------------------

# The triage queue takes every case the classifier is less sure of than this; unset,
# each model's own threshold applies (docs/classifier.md).
TRIAGE_CONFIDENCE_THRESHOLD = (
    float(os.environ["PAXCARE_TRIAGE_THRESHOLD"])
    if os.environ.get("PAXCARE_TRIAGE_THRESHOLD")
    else None
)
# The same passenger with the same text inside this window is flagged as a duplicate.
DUPLICATE_WINDOW_MINUTES = 24 * 60
CLASSIFIER_DIR = VAR_DIR / "models"

# --- Communications (comms): outbound notifications, inbound mail -----------------

EMAIL_HOST = os.environ.get("PAXCARE_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("PAXCARE_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("PAXCARE_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("PAXCARE_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_flag("PAXCARE_EMAIL_USE_TLS")
EMAIL_USE_SSL = env_flag("PAXCARE_EMAIL_USE_SSL")
EMAIL_TIMEOUT = int(os.environ.get("PAXCARE_EMAIL_TIMEOUT", "30"))
# Replies go here; it is also one of "our own" addresses whose mail is never filed.
COMMS_REPLY_TO = os.environ.get("PAXCARE_REPLY_TO", DEFAULT_FROM_EMAIL)
COMMS_OWN_ADDRESSES = [
    address.strip().lower()
    for address in os.environ.get("PAXCARE_OWN_ADDRESSES", "").split(",")
    if address.strip()
]
# The right-hand side of our Message-IDs; blank takes the domain of the sender.
COMMS_MESSAGE_ID_DOMAIN = os.environ.get("PAXCARE_MESSAGE_ID_DOMAIN", "")
# Eight attempts, the first wait 60 s and doubling: the last attempt runs about two
# hours after the first, past a receiving server's greylisting or a short outage.
COMMS_SEND_ATTEMPTS = int(os.environ.get("PAXCARE_SEND_ATTEMPTS", "8"))
COMMS_RETRY_DELAY_SECONDS = int(os.environ.get("PAXCARE_RETRY_DELAY_SECONDS", "60"))
# Channels notifications may use; SMS goes to passengers without a usable e-mail
# address, and to everyone for the purposes listed in COMMS_SMS_ALWAYS.
COMMS_CHANNELS = [
    name.strip()
    for name in os.environ.get("PAXCARE_NOTIFY_CHANNELS", "email,sms").split(",")
    if name.strip()
]
COMMS_SMS_ALWAYS = [
    name.strip()
    for name in os.environ.get("PAXCARE_SMS_ALWAYS", "disruption").split(",")
    if name.strip()
]
# A case received longer ago than this (an import of history) gets no acknowledgement.
COMMS_ACKNOWLEDGE_WITHIN_DAYS = int(os.environ.get("PAXCARE_ACK_WITHIN_DAYS", "7"))
COMMS_SMS_WEBHOOK_TIMEOUT = int(os.environ.get("PAXCARE_SMS_WEBHOOK_TIMEOUT", "10"))
COMMS_SMS_BACKEND = os.environ.get(
    "PAXCARE_SMS_BACKEND", "paxcare.comms.transports.ConsoleTransport"
)
COMMS_SMS_FILE = os.environ.get("PAXCARE_SMS_FILE", "")
COMMS_SMS_WEBHOOK_URL = os.environ.get("PAXCARE_SMS_WEBHOOK_URL", "")
COMMS_SMS_WEBHOOK_SECRET = os.environ.get("PAXCARE_SMS_WEBHOOK_SECRET", "")
# A passenger's reply to a closed case: "reopen" it, or open a linked "new" case.
COMMS_REPLY_TO_CLOSED = os.environ.get("PAXCARE_REPLY_TO_CLOSED", "reopen")
# A larger mail is kept whole but only its text is filed; its attachments are listed
# as dropped. MIME parts past COMMS_INBOUND_MAX_PARTS are not looked at.
COMMS_INBOUND_MAX_BYTES = int(
    os.environ.get("PAXCARE_INBOUND_MAX_BYTES", 25 * 1024 * 1024)
)
COMMS_INBOUND_MAX_PARTS = int(os.environ.get("PAXCARE_INBOUND_MAX_PARTS", "200"))
# Per sender: at most this many mails filed per window; the rest are kept, not filed.
COMMS_INBOUND_SENDER_LIMIT = int(os.environ.get("PAXCARE_INBOUND_SENDER_LIMIT", "20"))
COMMS_INBOUND_SENDER_WINDOW_MINUTES = int(
    os.environ.get("PAXCARE_INBOUND_SENDER_WINDOW_MINUTES", "60")
)
COMMS_IMAP_HOST = os.environ.get("PAXCARE_IMAP_HOST", "")
COMMS_IMAP_PORT = int(os.environ.get("PAXCARE_IMAP_PORT", "993"))
COMMS_IMAP_SSL = env_flag("PAXCARE_IMAP_SSL", default=True)
COMMS_IMAP_USER = os.environ.get("PAXCARE_IMAP_USER", "")
COMMS_IMAP_PASSWORD = os.environ.get("PAXCARE_IMAP_PASSWORD", "")
COMMS_IMAP_FOLDER = os.environ.get("PAXCARE_IMAP_FOLDER", "INBOX")
COMMS_IMAP_POLL_MINUTES = int(os.environ.get("PAXCARE_IMAP_POLL_MINUTES", "1"))
# After filing, an IMAP message is marked "seen", or "delete"d from the mailbox.
COMMS_IMAP_AFTER = os.environ.get("PAXCARE_IMAP_AFTER", "seen")
