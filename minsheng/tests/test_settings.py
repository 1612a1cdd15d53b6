"""minsheng/settings.py: every setting from the environment with its default; a value that cannot be read
stops the start with ImproperlyConfigured naming the variable; importing the settings touches no disk.

The helpers are tested directly (monkeypatched environment); the whole file is imported in a subprocess
with a modified environment, so that this process's settings are never reloaded."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from minsheng.settings import env_bool, env_float, env_int, env_weights

ROOT = Path(__file__).resolve().parent.parent.parent

# The defaults README.md's "Configuration" table states, as the settings hold them.
README_DEFAULTS = {
    "DEBUG": False,
    "ALLOWED_HOSTS": ["127.0.0.1", "localhost", "testserver"],
    "CSRF_TRUSTED_ORIGINS": [],
    "SESSION_COOKIE_SECURE": False,
    "SECURE_HSTS_SECONDS": 0,
    "SESSION_COOKIE_AGE": 12 * 3600,
    "AXES_FAILURE_LIMIT": 5,
    "AXES_COOLOFF_TIME": 0.5,
    "API_TOKEN_DAYS": 30,
    "IMPORT_MAX_ROWS": 100_000,
    "PHOTO_MAX_BYTES": 8 * 1024 * 1024,
    "PHOTO_MAX_PIXELS": 40_000_000,
    "NEEDS_RATE_DAYS": 7,
    "NEEDS_AFFECTED_MAX": 100_000,
    "NEEDS_SUBMIT_BURST": 5,
    "NEEDS_SUBMIT_PER_HOUR": 10,
    "NEEDS_NOTIFY_GATEWAY": "core.notify.EmailGateway",
    "NEEDS_TRACK_BURST": 20,
    "NEEDS_TRACK_PER_HOUR": 60,
    "NEEDS_CALLBACK_DAYS": 30,
    "OFFERS_PLACE_HOLD_HOURS": 12,
    "OFFERS_REMIND_HOURS": 24,
    "VOLUNTEER_STAR_HOURS": [100, 300, 600, 1000, 1500],
    "VOLUNTEER_QUERY_DAYS": 30,
    "VOLUNTEER_RECORD_YEARS": 10,
    "VOLUNTEER_CHECKIN_EARLY_MINUTES": 30,
    "MEDIATION_SETTLE_DAYS": 30,
    "MEDIATION_FOLLOW_UP_DAYS": 14,
    "SMS_BACKEND": "console",
    "SMS_HTTP_URL": "",
    "SMS_HTTP_TOKEN": "",
    "SMS_HTTP_TIMEOUT": 10,
    "SMS_SIGNATURE": "【民生】",
    "OPEN311_JURISDICTION": "gongxingdun.lanzhou",
    "OPEN311_BURST": 60,
    "OPEN311_PER_HOUR": 600,
    "WEBHOOKS_ALLOW_PRIVATE": False,
    "WEBHOOKS_TIMEOUT": 10,
    "POSTERS_BASE_URL": "",
    "MEDIA_ACCEL_REDIRECT": "",
    "LEDGER_WEIGHTS": [0.1, 0.45, 0.45],
    "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
    "DEFAULT_FROM_EMAIL": "minsheng@localhost",
    "DATABASE_ENGINE": "core.sqlite",
    "HUEY_CLASS": "huey.SqliteHuey",
    "HUEY_IMMEDIATE": False,
    "LOG_LEVEL": "WARNING",
    "BACKUP_ENABLED": True,
    "BACKUP_HOUR": 3,
    "BACKUP_KEEP": 14,
    "CHECKPOINT_KEY": "",
    "CHECKPOINT_EVERY_MINUTES": 60,
}

PROBE = """
import json, minsheng.settings as s
print(json.dumps({
    "DEBUG": s.DEBUG, "ALLOWED_HOSTS": s.ALLOWED_HOSTS, "CSRF_TRUSTED_ORIGINS": s.CSRF_TRUSTED_ORIGINS,
    "SESSION_COOKIE_SECURE": s.SESSION_COOKIE_SECURE, "AXES_FAILURE_LIMIT": s.AXES_FAILURE_LIMIT,
    "SECURE_HSTS_SECONDS": s.SECURE_HSTS_SECONDS, "SECURE_HSTS_INCLUDE_SUBDOMAINS": s.SECURE_HSTS_INCLUDE_SUBDOMAINS,
    "SESSION_COOKIE_AGE": s.SESSION_COOKIE_AGE,
    "AXES_COOLOFF_TIME": s.AXES_COOLOFF_TIME, "API_TOKEN_DAYS": s.API_TOKEN_DAYS,
    "IMPORT_MAX_ROWS": s.IMPORT_MAX_ROWS, "PHOTO_MAX_BYTES": s.PHOTO_MAX_BYTES,
    "PHOTO_MAX_PIXELS": s.PHOTO_MAX_PIXELS,
    "NEEDS_RATE_DAYS": s.NEEDS_RATE_DAYS, "NEEDS_AFFECTED_MAX": s.NEEDS_AFFECTED_MAX,
    "NEEDS_SUBMIT_BURST": s.NEEDS_SUBMIT_BURST,
    "NEEDS_SUBMIT_PER_HOUR": s.NEEDS_SUBMIT_PER_HOUR, "NEEDS_NOTIFY_GATEWAY": s.NEEDS_NOTIFY_GATEWAY,
    "LEDGER_WEIGHTS": s.LEDGER_WEIGHTS, "EMAIL_BACKEND": s.EMAIL_BACKEND,
    "NEEDS_TRACK_BURST": s.NEEDS_TRACK_BURST, "NEEDS_TRACK_PER_HOUR": s.NEEDS_TRACK_PER_HOUR,
    "NEEDS_CALLBACK_DAYS": s.NEEDS_CALLBACK_DAYS, "MEDIA_ACCEL_REDIRECT": s.MEDIA_ACCEL_REDIRECT,
    "DEFAULT_FROM_EMAIL": s.DEFAULT_FROM_EMAIL, "DATABASE_ENGINE": s.DATABASES["default"]["ENGINE"],
    "DATABASE_NAME": s.DATABASES["default"]["NAME"], "HUEY_CLASS": s.HUEY["huey_class"],
    "HUEY_IMMEDIATE": s.HUEY.get("immediate"), "LOG_LEVEL": s.LOGGING["root"]["level"],
    "STATIC_ROOT": str(s.STATIC_ROOT), "MEDIA_ROOT": str(s.MEDIA_ROOT),
    "BACKUP_DIR": str(s.BACKUP_DIR), "BACKUP_ENABLED": s.BACKUP_ENABLED, "BACKUP_HOUR": s.BACKUP_HOUR,
    "BACKUP_KEEP": s.BACKUP_KEEP,
    "CHECKPOINT_KEY": s.CHECKPOINT_KEY, "CHECKPOINT_KEY_FILE": str(s.CHECKPOINT_KEY_FILE),
    "CHECKPOINT_EVERY_MINUTES": s.CHECKPOINT_EVERY_MINUTES,
    "OFFERS_PLACE_HOLD_HOURS": s.OFFERS_PLACE_HOLD_HOURS, "OFFERS_REMIND_HOURS": s.OFFERS_REMIND_HOURS,
    "POSTERS_BASE_URL": s.POSTERS_BASE_URL,
    "VOLUNTEER_STAR_HOURS": s.VOLUNTEER_STAR_HOURS, "VOLUNTEER_QUERY_DAYS": s.VOLUNTEER_QUERY_DAYS,
    "VOLUNTEER_RECORD_YEARS": s.VOLUNTEER_RECORD_YEARS,
    "VOLUNTEER_CHECKIN_EARLY_MINUTES": s.VOLUNTEER_CHECKIN_EARLY_MINUTES,
    "MEDIATION_SETTLE_DAYS": s.MEDIATION_SETTLE_DAYS, "MEDIATION_FOLLOW_UP_DAYS": s.MEDIATION_FOLLOW_UP_DAYS,
    "OPEN311_JURISDICTION": s.OPEN311_JURISDICTION, "OPEN311_BURST": s.OPEN311_BURST,
    "OPEN311_PER_HOUR": s.OPEN311_PER_HOUR,
    "WEBHOOKS_ALLOW_PRIVATE": s.WEBHOOKS_ALLOW_PRIVATE, "WEBHOOKS_TIMEOUT": s.WEBHOOKS_TIMEOUT,
    "SMS_BACKEND": s.SMS_BACKEND, "SMS_FILE_DIR": str(s.SMS_FILE_DIR), "SMS_HTTP_URL": s.SMS_HTTP_URL,
    "SMS_HTTP_TOKEN": s.SMS_HTTP_TOKEN, "SMS_HTTP_TIMEOUT": s.SMS_HTTP_TIMEOUT, "SMS_SIGNATURE": s.SMS_SIGNATURE,
}))
"""

# Every variable the settings read: cleared for the subprocess, so that the machine's own do not leak in.
VARIABLES = ["DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "SECURE_COOKIES", "SESSION_HOURS",
             "BEHIND_PROXY",
             "DATABASE_URL", "SQLITE_PATH", "VAR_DIR", "MEDIA_ROOT", "REDIS_URL", "HUEY_IMMEDIATE",
             "AXES_FAILURE_LIMIT", "AXES_COOLOFF_HOURS", "API_TOKEN_DAYS", "IMPORT_MAX_ROWS", "PHOTO_MAX_BYTES",
             "PHOTO_MAX_PIXELS",
             "NEEDS_RATE_DAYS", "NEEDS_AFFECTED_MAX", "NEEDS_SUBMIT_BURST", "NEEDS_SUBMIT_PER_HOUR",
             "NEEDS_NOTIFY_GATEWAY",
             "LEDGER_WEIGHTS", "EMAIL_BACKEND", "DEFAULT_FROM_EMAIL", "LOG_LEVEL",
             "NEEDS_TRACK_BURST", "NEEDS_TRACK_PER_HOUR", "NEEDS_CALLBACK_DAYS", "MEDIA_ACCEL_REDIRECT",
             "BACKUP_DIR", "BACKUP_ENABLED", "BACKUP_HOUR", "BACKUP_KEEP",
             "CHECKPOINT_KEY", "CHECKPOINT_KEY_FILE", "CHECKPOINT_EVERY_MINUTES",
             "OFFERS_PLACE_HOLD_HOURS", "OFFERS_REMIND_HOURS", "POSTERS_BASE_URL",
             "VOLUNTEER_STAR_HOURS", "VOLUNTEER_QUERY_DAYS", "VOLUNTEER_RECORD_YEARS",
             "VOLUNTEER_CHECKIN_EARLY_MINUTES", "MEDIATION_SETTLE_DAYS", "MEDIATION_FOLLOW_UP_DAYS",
             "OPEN311_JURISDICTION", "OPEN311_BURST", "OPEN311_PER_HOUR",
             "WEBHOOKS_ALLOW_PRIVATE", "WEBHOOKS_TIMEOUT",
             "SMS_BACKEND", "SMS_FILE_DIR", "SMS_HTTP_URL", "SMS_HTTP_TOKEN", "SMS_HTTP_TIMEOUT", "SMS_SIGNATURE"]


def import_settings(**env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in VARIABLES and k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run([sys.executable, "-c", PROBE], env={**clean, **env}, cwd=ROOT, capture_output=True,
                          text=True, timeout=60)


def test_it_has_the_defaults_the_readme_states(tmp_path):
    var = tmp_path
    result = import_settings(VAR_DIR=str(var))
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert {k: values[k] for k in README_DEFAULTS} == README_DEFAULTS
    assert values["DATABASE_NAME"] == str(var / "minsheng.sqlite3")
    assert values["STATIC_ROOT"] == str(var / "static") and values["MEDIA_ROOT"] == str(var / "media")
    assert values["BACKUP_DIR"] == str(var / "backups")
    assert values["SMS_FILE_DIR"] == str(var / "sms")
    assert values["CHECKPOINT_KEY_FILE"] == str(var / "checkpoint-key.pem")


def test_the_readme_table_lists_every_variable():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in VARIABLES if f"| `{name}` |" not in readme]
    assert missing == []


def test_the_list_of_variables_is_every_one_the_settings_read():
    source = (ROOT / "minsheng" / "settings.py").read_text(encoding="utf-8")
    assert set(re.findall(r'env_[a-z]+\("([A-Z0-9_]+)"', source)) == set(VARIABLES)  # OPEN311_…: digits too


def test_importing_the_settings_makes_no_directory(tmp_path):
    # On PostgreSQL and Redis nothing in VAR_DIR is opened at start, so it may be missing (collectstatic and
    # the roster imports make their folders).
    var = tmp_path / "not-yet"
    result = import_settings(VAR_DIR=str(var), DATABASE_URL="postgres://u@127.0.0.1:5432/x",
                             REDIS_URL="redis://127.0.0.1:6379/0")
    assert result.returncode == 0, result.stderr
    assert not var.exists()


@pytest.mark.parametrize("env", [{}, {"DATABASE_URL": "postgres://u@127.0.0.1:5432/x"},
                                 {"REDIS_URL": "redis://127.0.0.1:6379/0"}])
def test_it_names_the_missing_directory_of_the_sqlite_files(tmp_path, env):
    var = tmp_path / "not-yet"
    result = import_settings(VAR_DIR=str(var), **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and str(var) in result.stderr and "mkdir -p" in result.stderr
    assert not var.exists()


def test_it_names_the_missing_directory_of_sqlite_path(tmp_path):
    path = tmp_path / "elsewhere" / "minsheng.sqlite3"
    result = import_settings(VAR_DIR=str(tmp_path), SQLITE_PATH=str(path))
    assert result.returncode != 0 and str(path.parent) in result.stderr


def test_it_reads_each_variable(tmp_path):
    result = import_settings(VAR_DIR=str(tmp_path), DEBUG="Yes", SECURE_COOKIES="ON", AXES_FAILURE_LIMIT="9",
                             AXES_COOLOFF_HOURS="2", NEEDS_RATE_DAYS="10", NEEDS_SUBMIT_BURST="3",
                             NEEDS_SUBMIT_PER_HOUR="0.5", PHOTO_MAX_BYTES="1048576", PHOTO_MAX_PIXELS="12000000",
                             NEEDS_NOTIFY_GATEWAY="x.Sms", LEDGER_WEIGHTS="0.2, 0.3, 0.5", HUEY_IMMEDIATE="1",
                             NEEDS_TRACK_BURST="4", NEEDS_TRACK_PER_HOUR="2.5", NEEDS_CALLBACK_DAYS="14",
                             MEDIA_ACCEL_REDIRECT="/protected-media/", NEEDS_AFFECTED_MAX="500",
                             BACKUP_DIR="/srv/backups", BACKUP_ENABLED="off", BACKUP_HOUR="23", BACKUP_KEEP="30",
                             OFFERS_PLACE_HOLD_HOURS="6", OFFERS_REMIND_HOURS="2",
                             POSTERS_BASE_URL="https://minsheng.example.cn/", VOLUNTEER_STAR_HOURS="50, 150",
                             VOLUNTEER_QUERY_DAYS="7", VOLUNTEER_RECORD_YEARS="15",
                             VOLUNTEER_CHECKIN_EARLY_MINUTES="0", SMS_BACKEND="http", SMS_FILE_DIR="/srv/sms",
                             SMS_HTTP_URL="https://sms.example.cn/send", SMS_HTTP_TOKEN="t0ken",
                             SMS_HTTP_TIMEOUT="2.5", SMS_SIGNATURE="【天庆】", CHECKPOINT_KEY="a2V5",
                             CHECKPOINT_KEY_FILE="/srv/keys/checkpoint.pem", CHECKPOINT_EVERY_MINUTES="0")
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert (values["DEBUG"], values["SESSION_COOKIE_SECURE"], values["HUEY_IMMEDIATE"]) == (True, True, True)
    assert (values["AXES_FAILURE_LIMIT"], values["AXES_COOLOFF_TIME"], values["NEEDS_RATE_DAYS"]) == (9, 2.0, 10)
    assert (values["NEEDS_SUBMIT_BURST"], values["NEEDS_SUBMIT_PER_HOUR"]) == (3, 0.5)
    assert (values["PHOTO_MAX_BYTES"], values["NEEDS_NOTIFY_GATEWAY"]) == (1048576, "x.Sms")
    assert values["PHOTO_MAX_PIXELS"] == 12_000_000
    assert values["LEDGER_WEIGHTS"] == [0.2, 0.3, 0.5]
    assert (values["NEEDS_TRACK_BURST"], values["NEEDS_TRACK_PER_HOUR"], values["NEEDS_CALLBACK_DAYS"]) == (4, 2.5, 14)
    assert values["MEDIA_ACCEL_REDIRECT"] == "/protected-media/"
    assert values["NEEDS_AFFECTED_MAX"] == 500
    assert (values["BACKUP_DIR"], values["BACKUP_ENABLED"], values["BACKUP_HOUR"], values["BACKUP_KEEP"]) == (
        "/srv/backups", False, 23, 30)
    assert (values["OFFERS_PLACE_HOLD_HOURS"], values["OFFERS_REMIND_HOURS"]) == (6, 2)
    assert values["POSTERS_BASE_URL"] == "https://minsheng.example.cn"  # the trailing slash dropped
    assert (values["VOLUNTEER_STAR_HOURS"], values["VOLUNTEER_QUERY_DAYS"], values["VOLUNTEER_RECORD_YEARS"],
            values["VOLUNTEER_CHECKIN_EARLY_MINUTES"]) == ([50, 150], 7, 15, 0)
    assert (values["SMS_BACKEND"], values["SMS_FILE_DIR"], values["SMS_HTTP_URL"], values["SMS_HTTP_TOKEN"],
            values["SMS_HTTP_TIMEOUT"], values["SMS_SIGNATURE"]) == (
        "http", "/srv/sms", "https://sms.example.cn/send", "t0ken", 2.5, "【天庆】")
    assert (values["CHECKPOINT_KEY"], values["CHECKPOINT_KEY_FILE"], values["CHECKPOINT_EVERY_MINUTES"]) == (
        "a2V5", "/srv/keys/checkpoint.pem", 0)


@pytest.mark.parametrize("value", ["minsheng.example.cn", "ftp://x.cn", "https://x.cn/?a=1", "https:// x.cn"])
def test_a_posters_base_url_that_is_not_an_address_stops_the_start(tmp_path, value):
    result = import_settings(VAR_DIR=str(tmp_path), POSTERS_BASE_URL=value)
    assert result.returncode != 0 and "ImproperlyConfigured" in result.stderr and "POSTERS_BASE_URL" in result.stderr


def test_https_brings_hsts_and_sessions_last_session_hours(tmp_path):
    """HSTS for a year (subdomains too) only where cookies are HTTPS-only: a development server on http:// must
    never be remembered by a browser as HTTPS-only."""
    result = import_settings(VAR_DIR=str(tmp_path), SECURE_COOKIES="true", SESSION_HOURS="2")
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert (values["SECURE_HSTS_SECONDS"], values["SECURE_HSTS_INCLUDE_SUBDOMAINS"]) == (365 * 24 * 3600, True)
    assert values["SESSION_COOKIE_AGE"] == 2 * 3600


@pytest.mark.parametrize(("name", "value"), [
    ("SESSION_HOURS", "0"), ("SESSION_HOURS", "12h"),
    ("DEBUG", "ture"), ("SECURE_COOKIES", "enabled"), ("AXES_FAILURE_LIMIT", "5x"), ("API_TOKEN_DAYS", "0"),
    ("AXES_COOLOFF_HOURS", "half"), ("NEEDS_SUBMIT_PER_HOUR", "nan"), ("LEDGER_WEIGHTS", "0.5,0.5,0.5"),
    ("NEEDS_AFFECTED_MAX", "0"), ("NEEDS_AFFECTED_MAX", "4611686018427387904"),
    ("BACKUP_HOUR", "24"), ("BACKUP_KEEP", "0"), ("BACKUP_ENABLED", "nightly"),
    ("VOLUNTEER_STAR_HOURS", "300,100"), ("VOLUNTEER_STAR_HOURS", "0,100"), ("VOLUNTEER_STAR_HOURS", "a,b"),
    ("VOLUNTEER_QUERY_DAYS", "0"), ("VOLUNTEER_RECORD_YEARS", "5"), ("VOLUNTEER_CHECKIN_EARLY_MINUTES", "-1"),
    ("MEDIATION_SETTLE_DAYS", "0"), ("MEDIATION_FOLLOW_UP_DAYS", "x"),
    ("CHECKPOINT_EVERY_MINUTES", "-1"), ("CHECKPOINT_EVERY_MINUTES", "1441"), ("CHECKPOINT_EVERY_MINUTES", "hourly"),
])
def test_it_refuses_a_bad_value_naming_the_variable(tmp_path, name, value):
    result = import_settings(VAR_DIR=str(tmp_path), **{name: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and f"{name}={value!r}" in result.stderr


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "Yes", "on", " On "])
def test_env_bool_reads_true(monkeypatch, value):
    monkeypatch.setenv("MINSHENG_TEST_FLAG", value)
    assert env_bool("MINSHENG_TEST_FLAG", False) is True


@pytest.mark.parametrize("value", ["0", "false", "False", "NO", "off"])
def test_env_bool_reads_false(monkeypatch, value):
    monkeypatch.setenv("MINSHENG_TEST_FLAG", value)
    assert env_bool("MINSHENG_TEST_FLAG", True) is False


def test_env_bool_takes_the_default_when_unset_or_empty(monkeypatch):
    monkeypatch.delenv("MINSHENG_TEST_FLAG", raising=False)
    assert env_bool("MINSHENG_TEST_FLAG", True) is True
    monkeypatch.setenv("MINSHENG_TEST_FLAG", "")
    assert env_bool("MINSHENG_TEST_FLAG", True) is True and env_bool("MINSHENG_TEST_FLAG", False) is False


def test_env_bool_refuses_a_typo_naming_the_variable_and_the_accepted_values(monkeypatch):
    monkeypatch.setenv("MINSHENG_TEST_FLAG", "ture")
    with pytest.raises(ImproperlyConfigured) as refused:
        env_bool("MINSHENG_TEST_FLAG", False)
    message = str(refused.value)
    assert "MINSHENG_TEST_FLAG='ture'" in message
    assert all(word in message for word in ("1", "true", "yes", "on", "0", "false", "no", "off"))


def test_env_int_reads_a_whole_number_or_the_default(monkeypatch):
    monkeypatch.setenv("MINSHENG_TEST_NUMBER", " 42 ")
    assert env_int("MINSHENG_TEST_NUMBER", 5) == 42
    monkeypatch.setenv("MINSHENG_TEST_NUMBER", "")
    assert env_int("MINSHENG_TEST_NUMBER", 5) == 5


@pytest.mark.parametrize("value", ["5x", "1.5", "five"])
def test_env_int_refuses_what_is_not_a_whole_number(monkeypatch, value):
    monkeypatch.setenv("MINSHENG_TEST_NUMBER", value)
    with pytest.raises(ImproperlyConfigured, match="MINSHENG_TEST_NUMBER"):
        env_int("MINSHENG_TEST_NUMBER", 5)


def test_env_int_refuses_a_value_below_the_minimum(monkeypatch):
    monkeypatch.setenv("MINSHENG_TEST_NUMBER", "0")
    with pytest.raises(ImproperlyConfigured, match="MINSHENG_TEST_NUMBER='0' must be at least 1"):
        env_int("MINSHENG_TEST_NUMBER", 5, minimum=1)


def test_env_int_refuses_a_value_above_the_maximum(monkeypatch):
    monkeypatch.setenv("MINSHENG_TEST_NUMBER", "101")
    with pytest.raises(ImproperlyConfigured, match="MINSHENG_TEST_NUMBER='101' must be at most 100"):
        env_int("MINSHENG_TEST_NUMBER", 5, maximum=100)


@pytest.mark.parametrize("value", ["half", "inf", "nan"])
def test_env_float_refuses_what_is_not_a_finite_number(monkeypatch, value):
    monkeypatch.setenv("MINSHENG_TEST_NUMBER", value)
    with pytest.raises(ImproperlyConfigured, match="MINSHENG_TEST_NUMBER"):
        env_float("MINSHENG_TEST_NUMBER", 0.5)


def test_env_float_reads_a_number(monkeypatch):
    monkeypatch.setenv("MINSHENG_TEST_NUMBER", "2.5")
    assert env_float("MINSHENG_TEST_NUMBER", 0.5) == 2.5


def test_env_weights_reads_three_numbers_adding_up_to_one(monkeypatch):
    monkeypatch.delenv("MINSHENG_TEST_WEIGHTS", raising=False)
    assert env_weights("MINSHENG_TEST_WEIGHTS", "0.1,0.45,0.45") == (0.1, 0.45, 0.45)
    monkeypatch.setenv("MINSHENG_TEST_WEIGHTS", "0.2,0.3,0.5")
    assert env_weights("MINSHENG_TEST_WEIGHTS", "0.1,0.45,0.45") == (0.2, 0.3, 0.5)


@pytest.mark.parametrize("value", ["0.5,0.5,0.5", "0.5,0.5", "1,0,0,0", "a,b,c", "-0.5,0.5,1", "nan,0.5,0.5"])
def test_env_weights_refuses_bad_weights_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv("MINSHENG_TEST_WEIGHTS", value)
    with pytest.raises(ImproperlyConfigured, match="MINSHENG_TEST_WEIGHTS"):
        env_weights("MINSHENG_TEST_WEIGHTS", "0.1,0.45,0.45")
