"""django-helpdesk (PyPI) as the comparison: installed in its own venv under var/bench/ (never committed),
on the same database engine, with as many tickets as the city has needs, served by the same gunicorn
configuration; its REST API's ticket list (a deep page of 20 closed tickets) and ticket creation are timed
like our needs API list and submit, as a signed-in staff user (session cookie, as its API expects)."""

import os
import subprocess
import sys

from bench import load
from bench.load import measure
from bench.servers import PG, ROOT, gunicorn

HOME = ROOT / "var" / "bench" / "helpdesk"
VENV = ROOT / "var" / "bench" / "helpdesk-venv"

PROJECT = {
    "hdsite/__init__.py": "",
    "hdsite/settings.py": '''import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "bench-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = ["django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
                  "django.contrib.sessions", "django.contrib.messages", "django.contrib.staticfiles",
                  "django.contrib.sites", "django.contrib.humanize", "rest_framework", "helpdesk"]
MIDDLEWARE = ["django.middleware.security.SecurityMiddleware", "django.contrib.sessions.middleware.SessionMiddleware",
              "django.middleware.common.CommonMiddleware", "django.middleware.csrf.CsrfViewMiddleware",
              "django.contrib.auth.middleware.AuthenticationMiddleware",
              "django.contrib.messages.middleware.MessageMiddleware"]
ROOT_URLCONF = "hdsite.urls"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
              "OPTIONS": {"context_processors": ["django.template.context_processors.request",
                                                 "django.contrib.auth.context_processors.auth",
                                                 "django.contrib.messages.context_processors.messages"]}}]
if os.environ.get("HD_PG"):
    DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": os.environ["HD_PG"],
                             "HOST": "127.0.0.1", "USER": "postgres", "CONN_MAX_AGE": 60}}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(BASE_DIR / "helpdesk.sqlite3"),
                             "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20,
                                         "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
SITE_ID = 1
USE_TZ = True
STATIC_URL = "/static/"
HELPDESK_API_ENABLED = True
HELPDESK_TEAMS_MODE_ENABLED = False  # teams need pinax-teams, which the comparison does not use
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
''',
    "hdsite/urls.py": '''from django.urls import include, path

urlpatterns = [path("helpdesk/", include("helpdesk.urls", namespace="helpdesk"))]
''',
    "hdsite/wsgi.py": '''import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hdsite.settings")
application = get_wsgi_application()
''',
    "manage.py": '''import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hdsite.settings")
from django.core.management import execute_from_command_line

execute_from_command_line(sys.argv)
''',
    # As many tickets as needs, a share of them closed; a staff user and a session for the clients.
    "populate.py": '''import datetime
import random
import sys

import django

django.setup()
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from helpdesk.models import Queue, Ticket

n = int(sys.argv[1])
admin = User.objects.create_superuser("bench", "bench@example.org", "bench-pass")
queue = Queue.objects.create(title="民生", slug="minsheng", email_address="q@example.org")
rng = random.Random(1)
start = timezone.now() - datetime.timedelta(days=365 * 5)
batch = []
for i in range(n):
    created = start + datetime.timedelta(seconds=i * 3000)
    batch.append(Ticket(queue=queue, title=f"路灯不亮{i}", description="晚上很黑", submitter_email="r@example.org",
                        status=rng.choice([1, 3, 4, 4, 4, 4]), priority=3, created=created, modified=created))
    if len(batch) == 5000:
        Ticket.objects.bulk_create(batch)
        batch = []
Ticket.objects.bulk_create(batch)
session = SessionStore()
session["_auth_user_id"] = str(admin.pk)
session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
session["_auth_user_hash"] = admin.get_session_auth_hash()
session.create()
print(session.session_key, queue.pk, Ticket.objects.filter(status=4).count())
''',
}


def install():
    if not (VENV / "bin" / "gunicorn").exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(VENV / "bin" / "pip"), "install", "--quiet", "django-helpdesk", "gunicorn",
                        "psycopg[binary]"], check=True)
    HOME.mkdir(parents=True, exist_ok=True)
    for name, text in PROJECT.items():
        path = HOME / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)


def compare(table, servers, args, fx, env, ours: dict):
    install()
    hd_env = {"DJANGO_SETTINGS_MODULE": "hdsite.settings", "PYTHONPATH": str(HOME)}
    (HOME / "helpdesk.sqlite3").unlink(missing_ok=True)
    if args.db == "postgresql":
        hd_env["HD_PG"] = "minsheng_bench_helpdesk"
        psql = ["psql", f"{PG}/postgres", "-q", "-c"]
        subprocess.run([*psql, 'DROP DATABASE IF EXISTS "minsheng_bench_helpdesk" WITH (FORCE)'], check=True)
        subprocess.run([*psql, 'CREATE DATABASE "minsheng_bench_helpdesk"'], check=True)
    run_env = {**os.environ, **hd_env}
    run_env.pop("DATABASE_URL", None)
    python = str(VENV / "bin" / "python")
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=HOME, env=run_env, check=True)
    out = subprocess.run([python, "populate.py", str(ours["needs"])], cwd=HOME, env=run_env, check=True,
                         capture_output=True, text=True).stdout.split()
    session, queue, closed = out[0], int(out[1]), int(out[2])
    port = gunicorn(servers, hd_env, app="hdsite.wsgi:application", python_bin=str(VENV / "bin"), cwd=HOME)
    csrf = "b" * 32
    headers = {"Cookie": f"sessionid={session}; csrftoken={csrf}", "X-CSRFToken": csrf,
               "Referer": f"http://127.0.0.1:{port}/"}
    page = min(closed // 20 // 2, 100) or 1
    L = load.Request
    count = max(args.requests // 10, 40)
    theirs_list = measure(port, [L("GET", f"/helpdesk/api/tickets/?status=4&page_size=20&page={page}",
                                   headers=headers)], count=count, warmup=2, limit=30)
    table.add(f"django-helpdesk API list, page {page} of closed tickets (ours ÷ theirs)", ours["list"],
              theirs_list, target="≥ 2× theirs", met=lambda r, ratio: ratio is not None and ratio >= 2,
              extra=f"theirs: p95 {theirs_list.percentile(95):.0f} ms, statuses {dict(theirs_list.statuses)}")
    theirs_create = measure(port, [L("POST", "/helpdesk/api/tickets/", {
        "queue": queue, "title": f"路灯不亮{i}", "description": "晚上很黑", "submitter_email": "r@example.org",
        "priority": 3}, headers=headers) for i in range(count)], count=count, warmup=0, limit=30)
    table.add("django-helpdesk API create (ours ÷ theirs)", ours["submit"], theirs_create, target="≥ 2× theirs",
              met=lambda r, ratio: ratio is not None and ratio >= 2,
              extra=f"theirs: p95 {theirs_create.percentile(95):.0f} ms, statuses {dict(theirs_create.statuses)}")
    servers.stop()
