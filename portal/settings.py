"""Settings for the dry-needling portal, all read from the environment.

A laptop needs nothing: DEBUG is on, the database is SQLite in the project folder,
the cache is local memory and emails go to the console. Production sets DEBUG=false,
SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, REDIS_URL and the email settings; without a
SECRET_KEY the app refuses to start.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    """Only the words true/false (any case) count; anything else is a configuration error."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("true", "1", "yes", "on"):
        return True
    if raw.lower() in ("false", "0", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int_list(name: str, default: str) -> list[int]:
    try:
        return [int(item) for item in env_list(name, default)]
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be whole numbers separated by commas") from exc


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false.")
    SECRET_KEY = "insecure-laptop-only-key-never-used-when-debug-is-off"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The site's own absolute address, for links in emails, QR codes and the PDF's verification URL.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "portal.apps.PortalConfig",
    "intake.apps.IntakeConfig",
    "consent.apps.ConsentConfig",
    "messaging.apps.MessagingConfig",
    "api.apps.ApiConfig",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    # Security: one-time codes for staff (TOTP + backup codes), login lockout, Content Security Policy.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "phonenumber_field",
    # The integration API's interactive docs use django-ninja's own Swagger UI files (no CDN).
    "ninja",
    # Background tasks (messages, webhook deliveries): django-tasks with its database backend.
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "api.middleware.ApiProblemMiddleware",
    "portal.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Security: the CSP header, OTP verification state on request.user, staff idle/absolute timeouts
    # and the one-time-code gate, then axes last (it turns a lockout into a 429 page).
    "csp.middleware.CSPMiddleware",
    # Before anything reads the session (the middleware above keep it lazy): the health check answers
    # without it, so a database outage is a 503 with every security header, not a 500.
    "portal.middleware.HealthCheckMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "portal.middleware.StaffSessionMiddleware",
    "portal.middleware.AdminAuditMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
AUTH_USER_MODEL = "portal.User"

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
                "django.template.context_processors.i18n",
                "portal.context_processors.clinic",
            ],
            # {{ value|bdi }}: user text isolated (and without bidi controls) on every page, email and PDF.
            "builtins": ["portal.templatetags.text"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
SQLITE_SHARED_OPTIONS = {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # On a laptop the web server and the task worker share one SQLite file. With SQLite's default
    # (deferred) transactions, a signing that reads, renders for a second, then writes fails at once with
    # "database is locked" if the worker wrote meanwhile: the busy timeout cannot help a lock upgrade.
    # IMMEDIATE takes the write lock when the transaction begins, so the other side waits its turn
    # (up to the timeout); WAL lets pages keep reading while one transaction writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_SHARED_OPTIONS)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The clinic's outcomes page keeps a computed report this long per date range and clinician, and shows
# its time ("figures as of HH:MM"); 0 computes it on every view (intake/outcomes/stats.py).
OUTCOMES_CACHE_SECONDS = env_int("OUTCOMES_CACHE_SECONDS", 5 * 60)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Axes first: it refuses a locked-out username+address before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Every staff account needs a one-time code (TOTP, or a backup code) after its password. Only a
# laptop demo or the test suite may switch this off, and production (DEBUG off) refuses to start then.
STAFF_OTP_REQUIRED = env_bool("STAFF_OTP_REQUIRED", True)
if not DEBUG and not STAFF_OTP_REQUIRED:
    raise ImproperlyConfigured("STAFF_OTP_REQUIRED cannot be false when DEBUG is false.")
# Minimum necessary access: screening answers, scores, session notes, check-in details and consent PDFs
# are for clinicians (and the clinic admin). A small clinic whose reception also needs them sets this true.
RECEPTION_SEES_CLINICAL = env_bool("RECEPTION_SEES_CLINICAL", False)
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Dry needling portal")
OTP_LOGIN_URL = "/accounts/otp/"
# The admin never shows a device's secret key (someone reading over a shoulder could copy it).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Staff sessions end after 15 idle minutes and at most 12 hours after login (portal/middleware.py).
STAFF_IDLE_SECONDS = env_int("STAFF_IDLE_SECONDS", 15 * 60)
STAFF_ABSOLUTE_SECONDS = env_int("STAFF_ABSOLUTE_SECONDS", 12 * 60 * 60)
SESSION_COOKIE_AGE = STAFF_ABSOLUTE_SECONDS
# Staff cookies die with the browser (shared clinic computers); patient sessions set their own expiry.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Login lockout (django-axes), kept in the database so every worker sees the same count.
# 5 failures for one username from one address lock that pair for an hour; 100 failures within the
# hour from one address (any usernames) or against one username (any addresses) lock those too
# (portal.auth.LockoutHandler). The address is read like the audit log's, so a spoofed
# X-Forwarded-For neither dodges the count nor locks out someone else.
AXES_HANDLER = "portal.auth.LockoutHandler"
AXES_FAILURE_LIMIT = 5
AXES_WIDE_FAILURE_LIMIT = 100
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = 1  # hours
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "portal.audit.client_ip"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False  # axes would log usernames and addresses at INFO; the audit log records attempts

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/staff/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

# Consent PDFs and signatures live outside anything served publicly; only permission-checked
# views hand them out. The filesystem is the laptop default; S3 is chosen with STORAGE_BACKEND=s3.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "var" / "private")))
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
STORAGE_BACKEND = env_str("STORAGE_BACKEND", "filesystem").lower()
if STORAGE_BACKEND == "s3":
    # S3 or any S3-compatible store (MinIO, Ceph, a cloud's object storage). Objects are private:
    # no public ACL, no public URL; the portal's own views stream PDFs after their permission
    # checks, and any URL the storage hands out is signed and expires within minutes.
    if not env_str("AWS_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured("STORAGE_BACKEND=s3 needs AWS_STORAGE_BUCKET_NAME.")
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            # Keys from the environment; left empty, boto3 finds an instance role or profile.
            "access_key": env_str("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env_str("AWS_SECRET_ACCESS_KEY") or None,
            "location": env_str("AWS_S3_LOCATION", "private"),
            "addressing_style": env_str("AWS_S3_ADDRESSING_STYLE") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": env_int("AWS_QUERYSTRING_EXPIRE", 300),
            "signature_version": env_str("AWS_S3_SIGNATURE_VERSION", "s3v4"),
            "custom_domain": None,
            "file_overwrite": False,  # a consent PDF is never replaced by another with the same name
            "object_parameters": (
                {"ServerSideEncryption": env_str("AWS_S3_ENCRYPTION", "AES256")}
                if env_str("AWS_S3_ENCRYPTION", "AES256")
                else {}
            ),
        },
    }
elif STORAGE_BACKEND != "filesystem":
    raise ImproperlyConfigured(f"STORAGE_BACKEND must be filesystem or s3, not {STORAGE_BACKEND!r}")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "clinic@example.com")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background work (django-tasks): every email and text is a task. The database backend needs no extra
# service (`manage.py db_worker` runs the queue); "immediate" runs a task inside the caller instead.
# (Messages, webhook deliveries, timestamp renewals.) A short name or a backend's dotted path.
TASKS_BACKEND = env_str("TASKS_BACKEND", "database")
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
if TASKS_BACKEND.lower() not in _TASK_BACKENDS and TASKS_BACKEND not in _TASK_BACKENDS.values():
    raise ImproperlyConfigured(
        f"TASKS_BACKEND must be database, immediate or one of {', '.join(_TASK_BACKENDS.values())}"
    )
TASKS = {"default": {"BACKEND": _TASK_BACKENDS.get(TASKS_BACKEND.lower(), TASKS_BACKEND)}}

# Texts (SMS): a dotted path like EMAIL_BACKEND. The console prints them; Twilio sends them.
SMS_BACKEND = env_str("SMS_BACKEND", "messaging.sms.ConsoleBackend" if DEBUG else "messaging.sms.TwilioBackend")
TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID")
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN")
TWILIO_FROM_NUMBER = env_str("TWILIO_FROM_NUMBER")
TWILIO_MESSAGING_SERVICE_SID = env_str("TWILIO_MESSAGING_SERVICE_SID")
# Only for a test double or a Twilio region; empty means the library's own address.
TWILIO_API_BASE_URL = env_str("TWILIO_API_BASE_URL")
# Seconds before a slow provider or mail server counts as a failed try (then retried).
MESSAGE_SEND_TIMEOUT = env_int("MESSAGE_SEND_TIMEOUT", 15)
EMAIL_TIMEOUT = MESSAGE_SEND_TIMEOUT

# Red-flag alerts: the treating clinician plus these on-call contacts at once (comma-separated), then
# the escalation contacts if no one acknowledges within ALERT_ESCALATE_MINUTES.
CLINIC_ALERT_EMAILS = env_list("CLINIC_ALERT_EMAILS")
CLINIC_ALERT_PHONES = env_list("CLINIC_ALERT_PHONES")
CLINIC_ESCALATION_EMAILS = env_list("CLINIC_ESCALATION_EMAILS")
CLINIC_ESCALATION_PHONES = env_list("CLINIC_ESCALATION_PHONES")
# The language of staff messages to the contacts above, and of a new staff account (each member may
# choose their own on "My alert contact"). The settings above are addresses, not people with a choice.
CLINIC_STAFF_LANGUAGE = env_str("CLINIC_STAFF_LANGUAGE", LANGUAGE_CODE)
if CLINIC_STAFF_LANGUAGE not in dict(LANGUAGES):
    raise ImproperlyConfigured(f"CLINIC_STAFF_LANGUAGE must be one of {', '.join(dict(LANGUAGES))}")
ALERT_ESCALATE_MINUTES = env_int("ALERT_ESCALATE_MINUTES", 30)

# Reminders before the visit, at each of these hours ahead, to a patient who has not finished the steps.
PRE_VISIT_REMINDER_HOURS = sorted(set(env_int_list("PRE_VISIT_REMINDER_HOURS", "48,24")), reverse=True)
# How long the link inside a reminder works (a signed reference to the visit's current link).
REMINDER_LINK_HOURS = env_int("REMINDER_LINK_HOURS", 72)

# Phone numbers are read as local to this region unless they start with + (ISO 3166 code).
CLINIC_PHONE_REGION = env_str("CLINIC_PHONE_REGION", "US").upper()
PHONENUMBER_DEFAULT_REGION = CLINIC_PHONE_REGION
PHONENUMBER_DB_FORMAT = "E164"
PHONENUMBER_DEFAULT_FORMAT = "INTERNATIONAL"

# The clinic, as shown on pages, emails and PDFs.
CLINIC_NAME = env_str("CLINIC_NAME", "Riverside Physiotherapy")
CLINIC_ADDRESS = env_str("CLINIC_ADDRESS", "12 River Street, Springfield")
CLINIC_PHONE = env_str("CLINIC_PHONE", "555-0100")
CLINIC_EMERGENCY_NUMBER = env_str("CLINIC_EMERGENCY_NUMBER", "911")
# The clinic's locale (language-REGION) decides its date order unless CLINIC_DATE_ORDER says otherwise.
CLINIC_LOCALE = env_str("CLINIC_LOCALE", "en-US")
_YMD_REGIONS = {"CN", "JP", "KR", "TW", "HU", "LT", "SE"}
_locale_region = (
    CLINIC_LOCALE.replace("_", "-").split("-")[-1].upper() if "-" in CLINIC_LOCALE.replace("_", "-") else ""
)
_locale_order = "MDY" if _locale_region in {"US", "PH"} else "YMD" if _locale_region in _YMD_REGIONS else "DMY"
CLINIC_DATE_ORDER = env_str("CLINIC_DATE_ORDER", _locale_order).upper()
if CLINIC_DATE_ORDER not in ("DMY", "MDY", "YMD"):
    raise ImproperlyConfigured("CLINIC_DATE_ORDER must be DMY, MDY or YMD")

# Aftercare advice that clinics differ on (wording for each choice in intake/aftercare.py).
AFTERCARE_EXERCISE = env_str("AFTERCARE_EXERCISE", "easy_24h")  # easy_24h | avoid_24_48h | no_restriction
AFTERCARE_HEAT_OR_ICE = env_str("AFTERCARE_HEAT_OR_ICE", "warmth")  # warmth | ice | either
for _name, _allowed in (
    ("AFTERCARE_EXERCISE", ("easy_24h", "avoid_24_48h", "no_restriction")),
    ("AFTERCARE_HEAT_OR_ICE", ("warmth", "ice", "either")),
):
    if globals()[_name] not in _allowed:
        raise ImproperlyConfigured(f"{_name} must be one of {', '.join(_allowed)}")

# Consent PDFs are sealed (PAdES) with the clinic's certificate. On a laptop a self-signed pair is
# created under var/ on first use (or by `manage.py make_clinic_certificate`); production sets the
# paths to a real certificate and turns the automatic creation off (it defaults to DEBUG).
CLINIC_SIGNING_CERT_PATH = env_str("CLINIC_SIGNING_CERT_PATH", str(BASE_DIR / "var" / "clinic-signing" / "cert.pem"))
CLINIC_SIGNING_KEY_PATH = env_str("CLINIC_SIGNING_KEY_PATH", str(BASE_DIR / "var" / "clinic-signing" / "key.pem"))
CLINIC_SIGNING_KEY_PASSWORD = env_str("CLINIC_SIGNING_KEY_PASSWORD")
CLINIC_SIGNING_AUTO_CREATE = env_bool("CLINIC_SIGNING_AUTO_CREATE", DEBUG)
# The issuing CA certificates of the seal (PEM bundle), embedded in every seal; and the trust anchors
# (PEM bundle) a seal and its timestamps must chain to. Without anchors, the seal certificate itself is
# the only one trusted (the self-signed laptop seal).
CLINIC_SIGNING_CHAIN_PATH = env_str("CLINIC_SIGNING_CHAIN_PATH")
CONSENT_TRUST_ROOTS_PATH = env_str("CONSENT_TRUST_ROOTS_PATH")
# Long-term seals (PAdES B-LT): an RFC 3161 timestamp authority. Empty: seals stay B-B (laptop default).
CONSENT_TSA_URL = env_str("CONSENT_TSA_URL")
CONSENT_TSA_USERNAME = env_str("CONSENT_TSA_USERNAME")
CONSENT_TSA_PASSWORD = env_str("CONSENT_TSA_PASSWORD")
# renew_archive_timestamps adds a document timestamp (B-LTA) when the newest timestamp's TSA
# certificate expires within this many days.
CONSENT_TIMESTAMP_RENEW_DAYS = env_int("CONSENT_TIMESTAMP_RENEW_DAYS", 365)

# Patient links: how long after the visit a link keeps working, and the date-of-birth lock.
ACCESS_LINK_DAYS_AFTER_VISIT = env_int("ACCESS_LINK_DAYS_AFTER_VISIT", 30)
# A signed consent covers the later sessions of its course for this many days; after that the patient signs again.
CONSENT_VALID_DAYS = env_int("CONSENT_VALID_DAYS", 365)
ACCESS_LINK_MAX_DOB_FAILURES = 5
PATIENT_SESSION_SECONDS = env_int("PATIENT_SESSION_SECONDS", 2 * 60 * 60)

# Retention (docs/records.md): an adult's record is kept this many years after the last visit; a
# record from a visit made as a minor is kept at least until the patient reaches this age.
RETENTION_ADULT_YEARS = env_int("RETENTION_ADULT_YEARS", 8)
RETENTION_MINOR_UNTIL_AGE = env_int("RETENTION_MINOR_UNTIL_AGE", 25)

# Transport and cookies. Production (DEBUG off) gets the strict values by default.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies stand in front of the app; the client address is read that many
# hops from the right of X-Forwarded-For, so a spoofed left-hand value is ignored.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
# "same-origin", not "no-referrer": with no-referrer browsers send `Origin: null` on form posts,
# which fails CSRF; same-origin still sends nothing (no token) to other sites.
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content Security Policy (django-csp 4): only the portal's own files; no inline script or style,
# no eval, no plugins, no framing by other sites. Inline PDFs are framed from the same origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
        **({} if DEBUG else {"upgrade-insecure-requests": True}),
    }
}

DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 400
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The whole request body, file uploads included (the largest legitimate one is a consent PDF to verify).
MAX_REQUEST_BYTES = env_int("MAX_REQUEST_BYTES", 25 * 1024 * 1024)

# The integration API (api/): body cap, calls per token per minute, webhook delivery.
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", 64 * 1024)
API_RATE_LIMIT_PER_MINUTE = env_int("API_RATE_LIMIT_PER_MINUTE", 600)
# Webhook URLs must be https unless this is off (only a laptop may turn it off; DEBUG on by default).
WEBHOOK_REQUIRE_HTTPS = env_bool("WEBHOOK_REQUIRE_HTTPS", not DEBUG)
if not DEBUG and not WEBHOOK_REQUIRE_HTTPS:
    raise ImproperlyConfigured("WEBHOOK_REQUIRE_HTTPS cannot be false when DEBUG is false.")
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10)
# Appointment import: the largest file, in rows, that one upload may hold.
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 5000)
# Days an unconfirmed import preview keeps its rows (names, dates of birth, phones) before they are
# cleared (docs/records.md); a confirmed import clears them at once. 0 clears them at the next sweep.
IMPORT_ROWS_KEEP_DAYS = env_int("IMPORT_ROWS_KEEP_DAYS", 1)
if IMPORT_ROWS_KEEP_DAYS < 0:
    raise ImproperlyConfigured("IMPORT_ROWS_KEEP_DAYS must be 0 or more days.")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Every line passes the token filter: a failing request's path could hold a patient link.
    "filters": {"redact_tokens": {"()": "portal.log_filters.RedactPatientTokens"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_tokens"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django logs the request path of every 4xx/5xx; patient paths carry a token, so
        # those lines are dropped and our own views log what they need without personal data.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        # WeasyPrint reports each PDF's progress at INFO (with stylesheet names): too chatty for production logs.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # Axes logs every attempt at INFO; the audit log already records them (without the username typed).
        "axes": {"level": "WARNING"},
        # The twilio library logs each request's parameters (the number and the text) at INFO.
        "twilio": {"level": "WARNING"},
    },
}
