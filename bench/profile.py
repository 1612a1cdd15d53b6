"""Where a scenario's time goes: each request of `make bench` served in-process (Django's test client, no
HTTP, no concurrency) against the city the last `make bench` generated, timed, its queries counted, and
profiled with pyinstrument.

    .venv/bin/python -m bench.profile [--profile default] [--db sqlite|postgresql] [scenario ...]

Prints one line per scenario (ms per request, queries, bytes) and writes each profile to
var/bench/profiles/<scenario>.txt. With no scenario named, every one below.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

from bench import scenarios as shared

ROOT = Path(__file__).resolve().parent.parent


def scenarios(fx: dict) -> dict:
    staff = {"HTTP_AUTHORIZATION": "Bearer " + fx["tokens"]["community_staff"]}
    worker = {"HTTP_AUTHORIZATION": "Bearer " + fx["tokens"]["grid_worker"]}
    need, year, city = fx["details"][0], fx["ledger_year"], fx["scopes"]["city"]
    counter = iter(range(10**9))
    paths, apps = shared.list_paths(fx), shared.apps_paths(fx)

    def submit():
        return shared.submitted(fx, next(counter))

    return {
        "bare_list": ("get", paths["bare_list"], None, {}),
        "api_list": ("get", paths["api_list"], None, staff),
        "board": ("get", paths["board"], None, {}),
        "bare_detail": ("get", f"/bare/needs/{need}", None, {}),
        "api_detail": ("get", f"/api/v1/needs/{need}", None, staff),
        "page_detail": ("get", f"/needs/{need}/", None, {}),
        "bare_submit": ("post", "/bare/needs", submit, {}),
        "submit": ("post", "/api/v1/needs", submit, worker),
        **{name: ("get", path, None, {}) for name, path in apps.items()},
        **({"booking_api": ("get", f"/api/v1/bookings/{fx['bookings'][0]}", None, staff)}
           if fx.get("bookings") else {}),
        "ledger_page_city_year": ("get", f"/ledger/{city}/?period={year}", None, {}),
        "ledger_json_city_year": ("get", f"/api/v1/ledger?place={city}&from={year}-01-01&to={year}-12-31", None, {}),
        "bare_ledger_city_year": ("get", f"/bare/ledger?place={city}&from={year}-01-01&to={year}-12-31", None, {}),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="default")
    parser.add_argument("--name", help="the database's name, as given to bench.run (default: the profile's)")
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--requests", type=int, default=30, help="requests timed (and profiled) per scenario")
    parser.add_argument("names", nargs="*")
    args = parser.parse_args(argv)
    var = ROOT / "var" / "bench" / "var"
    (var / "static").mkdir(parents=True, exist_ok=True)  # the settings make no directory themselves
    os.environ.update(DJANGO_SETTINGS_MODULE="bench.settings", VAR_DIR=str(var))
    if args.db == "postgresql":
        name = args.name or args.profile
        os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/minsheng_bench_{name}")
    else:
        os.environ["SQLITE_PATH"] = str(ROOT / "var" / "bench" / f"{args.name or args.profile}.sqlite3")
        if not Path(os.environ["SQLITE_PATH"]).exists():
            sys.exit(f"no city at {os.environ['SQLITE_PATH']}: run `make bench PROFILE={args.profile}` first")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from pyinstrument import Profiler

    from bench import fixtures

    settings.ALLOWED_HOSTS = ["*"]
    out = Path(ROOT / "var" / "bench" / "profiles")
    out.mkdir(parents=True, exist_ok=True)
    fx = fixtures.read(claims=1)
    client = Client()
    table = scenarios(fx)
    for name in args.names or table:
        method, path, body, headers = table[name]

        def call(method=method, path=path, body=body, headers=headers, name=name):
            data = {"data": json.dumps(body()), "content_type": "application/json"} if body else {}
            response = getattr(client, method)(path, **data, **headers)
            assert response.status_code in (200, 201), (name, response.status_code, response.content[:300])
            return response

        size = len(call().content)  # warm: imports, caches
        with CaptureQueriesContext(connection) as queries:
            call()
        count = len(queries.captured_queries)  # now: the log goes with the connection
        started = time.perf_counter()
        for _ in range(args.requests):
            call()
        ms = (time.perf_counter() - started) / args.requests * 1000
        profiler = Profiler(interval=0.0005)
        with profiler:
            for _ in range(args.requests):
                call()
        (out / f"{name}.txt").write_text(profiler.output_text(unicode=True, color=False))
        print(f"{name:24s} {ms:7.2f} ms/request  {count:3d} queries  {size:7d} bytes",
              flush=True)
    print(f"profiles: {out}/<scenario>.txt")


if __name__ == "__main__":
    main()
