"""`make bench`: generate the synthetic city into a fresh database, serve it with gunicorn as in production
(gthread, 2 workers × 4 threads) on a free loopback port, drive bounded load at it, and print one table —
also written to bench/RESULTS.md with the date, the machine and the commit.

    .venv/bin/python -m bench.run [--profile default|subdistrict|city] [--db sqlite|postgresql] [--needs N]

Every scenario is measured against a baseline served by the same gunicorn in the same run (bench/views.py,
or another program for the django-helpdesk rows), and the ratio is ours ÷ baseline in throughput.
"""

import argparse
import datetime
import os
import platform
import re
import resource
import subprocess
import time
from collections import Counter
from pathlib import Path

from bench import helpdesk, load, scaleout, scenarios
from bench.city import PROFILES
from bench.load import measure_paired
from bench.servers import PG, ROOT, Servers, ensure_services, gunicorn

PYTHON = str(ROOT / ".venv" / "bin" / "python")
REDIS = "redis://127.0.0.1:6379/14"


# --- the machine and the database -----------------------------------------------------------------

def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())[1]) / 2**20
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB memory, Python {platform.python_version()}"


def commit() -> str:
    out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                           capture_output=True, text=True).stdout.strip()
    return out.stdout.strip() + (" (with uncommitted changes)" if dirty else "")


def database_env(name: str, database: str) -> dict:
    """The environment of the bench's database of this name (never the app's own). var/bench/var: the bench's
    own huey queue, media and static files, never the app's var/ (one per --name)."""
    var = ROOT / "var" / "bench" / ("var" if name in PROFILES else f"var-{name}")
    env = {"DJANGO_SETTINGS_MODULE": "bench.settings", "AXES_FAILURE_LIMIT": "1000000", "VAR_DIR": str(var)}
    if database == "postgresql":
        env.update(DATABASE_URL=f"{PG}/minsheng_bench_{name}", REDIS_URL=REDIS)
    else:
        env["SQLITE_PATH"] = str(ROOT / "var" / "bench" / f"{name}.sqlite3")
    return env


def fresh_database(name: str, database: str) -> dict:
    """The environment of a new, empty database for this run, named after the profile or `--name`."""
    env = database_env(name, database)
    Path(env["VAR_DIR"], "static").mkdir(parents=True, exist_ok=True)  # the settings make no directory themselves
    if database == "postgresql":
        psql = ["psql", f"{PG}/postgres", "-q", "-v", "ON_ERROR_STOP=1", "-c"]
        subprocess.run([*psql, f'DROP DATABASE IF EXISTS "minsheng_bench_{name}" WITH (FORCE)'], check=True,
                       env={**os.environ, "PGOPTIONS": "--client-min-messages=warning"})
        subprocess.run([*psql, f'CREATE DATABASE "minsheng_bench_{name}"'], check=True)
    else:
        path = Path(env["SQLITE_PATH"])
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    return env


def manage(env: dict, *args, capture=False) -> str:
    result = subprocess.run([PYTHON, "manage.py", *args], env={**os.environ, **env}, cwd=ROOT, check=True,
                            capture_output=capture, text=True)
    return result.stdout if capture else ""


# --- the table ------------------------------------------------------------------------------------

class Table:
    def __init__(self):
        self.rows: list[list[str]] = []
        self.notes: list[str] = []

    def add(self, scenario: str, result: load.Result, baseline: load.Result | None = None, *, target="",
            met=None, extra=""):
        ratio = result.throughput / baseline.throughput if baseline and baseline.throughput else None
        self.rows.append([
            scenario, str(len(result.latencies)), f"{result.percentile(50):.1f}", f"{result.percentile(95):.1f}",
            f"{result.percentile(99):.1f}", f"{result.throughput:.1f}",
            f"{baseline.throughput:.1f}" if baseline else "", f"{ratio:.2f}" if ratio is not None else "",
            str(result.errors), target, {True: "yes", False: "**no**", None: ""}[met(result, ratio) if met else None],
            extra])
        print(" | ".join(self.rows[-1]), flush=True)

    def add_figure(self, scenario: str, extra: str, target="", met=None):
        self.rows.append([scenario, "", "", "", "", "", "", "", "", target,
                          {True: "yes", False: "**no**", None: ""}[met], extra])
        print(scenario, extra, flush=True)

    def markdown(self) -> str:
        head = ["scenario", "requests", "p50 ms", "p95 ms", "p99 ms", "req/s", "baseline req/s", "ratio",
                "errors", "target", "met", "notes"]
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        return "\n".join(lines)


def ratio_at_least(x):
    return lambda result, ratio: ratio is not None and ratio >= x and result.errors == 0


def p95_at_most(ms):
    return lambda result, ratio: result.percentile(95) <= ms and result.errors == 0


# --- the scenarios --------------------------------------------------------------------------------

def setup_fixtures(env: dict, claims: int) -> dict:
    """Tokens and the ids the scenarios use, read from the generated city (in a child process, so that this
    process never holds a database connection)."""
    out = manage(env, "shell", "-c", f"from bench.fixtures import main; main({claims})", capture=True)
    import json

    return json.loads(out.strip().splitlines()[-1])


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def needs_scenarios(table: Table, port: int, fx: dict, args):
    L = load.Request
    count, is_sqlite = args.requests, args.db == "sqlite"
    staff = bearer(fx["tokens"]["community_staff"])
    sqlite_target = ("p95 ≤ 50 ms", p95_at_most(50)) if is_sqlite else None

    paths = scenarios.list_paths(fx)
    bare_list = [L("GET", paths["bare_list"])]
    api_list, bare = measure_paired(port, [L("GET", paths["api_list"], headers=staff)], bare_list, count=count)
    table.add("needs API list: 20 rows, community + state, keyset deep", api_list, bare,
              target="≥ 0.5 × bare", met=ratio_at_least(0.5))
    board, bare = measure_paired(port, [L("GET", paths["board"])], bare_list, count=count)
    table.add("claim board page (HTML): tab done, community, keyset deep", board, bare,
              target="≥ 0.35 × bare", met=ratio_at_least(0.35))
    if sqlite_target:
        table.add("  same, SQLite page target", board, target=sqlite_target[0], met=sqlite_target[1])

    details = fx["details"]
    bare_detail = [L("GET", f"/bare/needs/{pk}") for pk in details]
    api_detail, bare = measure_paired(port, [L("GET", f"/api/v1/needs/{pk}", headers=staff) for pk in details],
                                      bare_detail, count=count)
    table.add("need detail with timeline (API)", api_detail, bare, target="≥ 0.5 × bare",
              met=ratio_at_least(0.5))
    page_detail, bare = measure_paired(port, [L("GET", f"/needs/{pk}/") for pk in details], bare_detail, count=count)
    table.add("need detail with timeline (HTML page, public)", page_detail, bare,
              target="≥ 0.35 × bare", met=ratio_at_least(0.35))
    if sqlite_target:
        table.add("  same, SQLite page target", page_detail, target=sqlite_target[0], met=sqlite_target[1])

    submit_count = max(count // 2, 80)
    worker = bearer(fx["tokens"]["grid_worker"])
    submit, bare = measure_paired(
        port, [L("POST", "/api/v1/needs", scenarios.submitted(fx, i), headers=worker) for i in range(submit_count)],
        [L("POST", "/bare/needs", scenarios.submitted(fx, i)) for i in range(submit_count)], count=submit_count,
        warmup=0)
    table.add("submit a need (API: validation, deadline, event, notification)", submit, bare,
              target="≥ 0.4 × bare", met=ratio_at_least(0.4),
              extra=f"statuses {dict(submit.statuses)}")

    # Claims: 32 clients, each going through every published need in the same order.
    clients = 32
    ours, bare = fx["published"][: len(fx["published"]) // 2], fx["published"][len(fx["published"]) // 2:]
    units = fx["units"][:clients]
    per_client = [[L("POST", f"/api/v1/needs/{pk}/actions/claim", {}, headers=bearer(token)) for pk in ours]
                  for token, _org in units]
    claim = load.run(port, [], clients=clients, limit_seconds=args.claim_limit, per_client=per_client)
    per_client = [[L("POST", f"/bare/needs/{pk}/claim?organisation={org}") for pk in bare] for _token, org in units]
    bare_claim = load.run(port, [], clients=clients, limit_seconds=args.claim_limit, per_client=per_client)
    wins, lost = claim.statuses.get(200, 0), claim.statuses.get(409, 0)
    others = sum(v for k, v in claim.statuses.items() if k not in (200, 409))
    claim.errors += others
    exact = wins == len(ours) and claim.errors == 0
    table.add(f"claim under contention: {clients} clients × {len(ours)} published needs", claim, bare_claim,
              target="≥ 0.5 × bare, 1 winner per need, 0 errors",
              met=lambda result, ratio: ratio is not None and ratio >= 0.5 and exact,
              extra=f"wins {wins} = needs {len(ours)}, lost {lost}, errors {claim.errors}; bare wins "
                    f"{bare_claim.statuses.get(200, 0)}")
    return {"list": api_list, "submit": submit}


def apps_scenarios(table: Table, port: int, fx: dict, args):
    """The new apps' hot reads in the first community (bench.city_apps wrote them): its offers and activities as a
    resident opens them (page) and as a partner system asks (API), and its bookings as its staff opens them."""
    L, count = load.Request, args.requests
    paths = scenarios.apps_paths(fx)
    bare_list = [L("GET", scenarios.list_paths(fx)["bare_list"])]
    page_target = (("≥ 0.35 × bare", ratio_at_least(0.35)), ("≥ 0.5 × bare", ratio_at_least(0.5)))
    rows = [("offers list (HTML page, public): one community", [L("GET", paths["offers_page"])], 0),
            ("offers list (API): one community", [L("GET", paths["offers_api"])], 1),
            ("activities list (HTML page, public): one community, to come", [L("GET", paths["activities_page"])], 0),
            ("activities list (API): one community, to come", [L("GET", paths["activities_api"])], 1)]
    staff = bearer(fx["tokens"]["community_staff"])
    if fx.get("bookings"):
        rows.append(("a booking with its events (API, the community's staff)",
                     [L("GET", f"/api/v1/bookings/{pk}", headers=staff) for pk in fx["bookings"]], 1))
    for name, requests, api in rows:
        ours, bare = measure_paired(port, requests, bare_list, count=count)
        target, met = page_target[api]
        table.add(name, ours, bare, target=target, met=met)
        if args.db == "sqlite" and not api:
            table.add("  same, SQLite page target", ours, target="p95 ≤ 50 ms", met=p95_at_most(50))


def chains_scenario(table: Table, port: int, fx: dict, args):
    """Claims raced within one subdistrict's chain vs in two subdistricts' chains at once: the same 32 clients in two
    groups of 16, each group racing its own needs in order; the groups' needs both in the first subdistrict, then
    one group's in each. Same requests, same winners: only whether the two races share a chain's lock differs.
    Rounds alternate (one, two, one, two) as the machine's speed drifts."""
    L = load.Request
    if len(fx["published_in"]) < 2:
        return
    (first, needs_a), (second, needs_b) = fx["published_in"].items()
    size = min(args.claims // 2, len(needs_a) // 3, len(needs_b)) // 2 * 2
    groups = [fx["units"][:16], fx["units"][16:32]]

    def race(lists):
        per_client = [[L("POST", f"/api/v1/needs/{pk}/actions/claim", {}, headers=bearer(token)) for pk in needs]
                      for needs, units in zip(lists, groups, strict=True) for token, _org in units]
        return load.run(port, [], clients=len(per_client), limit_seconds=args.claim_limit, per_client=per_client)

    runs = {"one": [], "two": []}
    for part in (slice(0, size // 2), slice(size // 2, size)):
        runs["one"].append(race([needs_a[:size][part], needs_a[size:2 * size][part]]))
        runs["two"].append(race([needs_a[2 * size:3 * size][part], needs_b[:size][part]]))
    results = {name: load.Result.combined(r) for name, r in runs.items()}
    for result in results.values():
        result.errors += sum(v for k, v in result.statuses.items() if k not in (200, 409))

    def exact(result):
        return result.statuses.get(200, 0) == 2 * size and result.errors == 0

    def outcome(result):
        return f"wins {result.statuses.get(200, 0)} = needs {2 * size}, errors {result.errors}"

    one, two = results["one"], results["two"]
    table.add(f"claims raced in one subdistrict: 2 × 16 clients, 2 × {size} needs of {first}", one,
              extra=outcome(one))
    target = ("≥ 1.6 × one subdistrict" if args.db == "postgresql" else
              "SQLite: one writer for every chain, so bounded by ~1 × one")
    table.add(f"claims raced in two subdistricts at once: {size} needs of {first} + {size} of {second} "
              f"(÷ one subdistrict)", two, one, target=target,
              met=(lambda result, ratio: ratio is not None and ratio >= 1.6 and exact(result) and exact(one))
              if args.db == "postgresql" else None, extra=outcome(two))


def cache_scenario(table: Table, port: int, fx: dict, args, log: Path):
    """The ledger's cache under a mixed load: 8 clients read the ledger pages (a month, a year) of both
    subdistricts while a grid worker of the first submits needs there (a write to its chain every 4 reads);
    the hit rate of each subdistrict's ledger, from the counting cache (bench.cache) after a warm-up."""
    L = load.Request
    if len(fx["published_in"]) < 2:
        return
    written, untouched = list(fx["published_in"])
    year = fx["ledger_year"]
    reads = [L("GET", f"/ledger/{code}/?period={period}") for code in (written, untouched)
             for period in (f"{year}-06", str(year))]
    load.run(port, reads * 4, clients=8, limit_seconds=60)  # warm: each worker's first read of each misses
    start = log.stat().st_size if log.exists() else 0
    worker = bearer(fx["tokens"]["grid_worker"])
    mix = []
    for i in range(args.requests):
        mix.append(reads[i % len(reads)])
        if i % 4 == 3:
            mix.append(L("POST", "/api/v1/needs", scenarios.submitted(fx, 100_000 + i), headers=worker))
    result = load.run(port, mix, clients=8, limit_seconds=120)
    with open(log) as lines:
        lines.seek(start)
        counts = Counter(tuple(line.split()) for line in lines)

    def rate(code):
        hits, misses = counts[(code, "hit")], counts[(code, "miss")]
        return hits / (hits + misses) if hits + misses else 0.0, f"{hits} of {hits + misses}"

    kept, kept_n = rate(untouched)
    moved, moved_n = rate(written)
    writes = result.statuses.get(201, 0)
    table.add(f"ledger cache, mixed load: both subdistricts' ledgers read, {writes} needs written in {written}",
              result, target="untouched subdistrict's hit rate ≥ 95 %",
              met=lambda result, ratio: kept >= 0.95 and result.errors == 0,
              extra=f"hit rate: {untouched} (untouched) {kept:.0%} ({kept_n}), {written} (written) {moved:.0%} "
                    f"({moved_n}); statuses {dict(result.statuses)}")


def append_scenario(table: Table, env: dict):
    out = subprocess.run([PYTHON, "-m", "bench.append"], env={**os.environ, **env}, cwd=ROOT, capture_output=True,
                         text=True)
    if out.returncode != 0:
        table.add_figure("event append", "failed: " + out.stderr.strip()[-300:], met=False)
        return
    f = dict(item.split("=") for item in out.stdout.split())
    table.add_figure("event append (µs per event, rolled back: no commit): now, a chain per subdistrict; before, "
                     "the one global chain (b0cfa1a's append, bench/append.py)",
                     f"1 event per transaction: now {f['now_one_us']} µs, before {f['before_one_us']} µs; "
                     f"1,000 in one transaction: now {f['now_many_us']} µs, before {f['before_many_us']} µs")
    one, two = int(f["race_one_per_s"]), int(f["race_two_per_s"])
    table.add_figure("event appends raced, committed (8 processes, bench/append.py): one subdistrict's chain vs two "
                     "subdistricts'", f"one chain {one}/s, two chains {two}/s: {two / max(one, 1):.2f}×",
                     target="two ≥ 1.6 × one (PostgreSQL)", met=two >= 1.6 * one if "DATABASE_URL" in env else None)


def ledger_scenarios(table: Table, port: int, fx: dict, args):
    L = load.Request
    count = max(args.requests // 10, 16)  # 40: a p95 of fewer requests is one slow request
    year = fx["ledger_year"]
    periods = {"month": (f"{year}-06-01", f"{year}-06-30", f"{year}-06"), "year": (f"{year}-01-01",
                                                                                    f"{year}-12-31", str(year))}
    # At city scale (issue 19) a view must also be ≥ 20× the naive GROUP BY: the roll-ups are what makes it fast.
    if args.profile == "city":
        target, met = "p95 ≤ 200 ms, ≥ 20 × naive", lambda result, ratio: p95_at_most(200)(result, ratio) and (
            ratio is not None and ratio >= 20)
    else:
        target, met = "p95 ≤ 200 ms", p95_at_most(200)
    for scope, code in fx["scopes"].items():
        for kind, (start, end, token) in periods.items():
            naive = [L("GET", f"/bare/ledger?place={code}&from={start}&to={end}")]
            page, bare = measure_paired(port, [L("GET", f"/ledger/{code}/?period={token}")], naive, rounds=2,
                                        count=count, warmup=2, limit=20)
            table.add(f"ledger page: {scope}, {kind}", page, bare, target=target, met=met,
                      extra=f"naive GROUP BY p95 {bare.percentile(95):.1f} ms")
            data, bare = measure_paired(port, [L("GET", f"/api/v1/ledger?place={code}&from={start}&to={end}")],
                                        naive, rounds=2, count=count, warmup=2, limit=20)
            table.add(f"ledger JSON: {scope}, {kind}", data, bare, target=target, met=met)


def export_scenario(table: Table, env: dict, fx: dict):
    out = subprocess.run([PYTHON, "-m", "bench.export", fx["scopes"]["city"], str(fx["ledger_year"])],
                         env={**os.environ, **env}, cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        table.add_figure("Excel export of a city-year of deeds", "failed: " + out.stderr.strip()[-300:],
                         met=False)
        return
    figures = dict(item.split("=") for item in out.stdout.split())
    rows_s, rss = float(figures["rows_per_s"]), float(figures["peak_rss_mb"])
    table.add_figure("Excel export of a city-year of deeds",
                     f"{figures['rows']} deeds in {figures['seconds']} s: {rows_s:,.0f} rows/s, peak RSS {rss:.0f} MB",
                     target="≥ 30,000 rows/s, ≤ 300 MB", met=rows_s >= 30_000 and rss <= 300)


def roster_scenario(table: Table, rows: int):
    started = time.perf_counter()
    out = subprocess.run([PYTHON, "-m", "bench.roster_import", "--rows", str(rows)], cwd=ROOT, capture_output=True,
                         text=True, env={k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"})
    if out.returncode != 0:
        table.add_figure(f"roster import of {rows:,} members", "failed: " + out.stderr.strip()[-300:], met=False)
        return
    text = out.stdout
    preview = re.search(r"preview: ([\d.]+) s, ([\d,]+) rows/s.*?peak RSS (\d+) MB", text)
    confirm = re.search(r"confirm: ([\d.]+) s, ([\d,]+) rows/s.*?peak RSS (\d+) MB", text)
    seconds = float(preview[1]) + float(confirm[1])
    rss = max(int(preview[3]), int(confirm[3]))
    table.add_figure(f"roster import of {rows:,} members (upload + check + confirm)",
                     f"{seconds:.1f} s ({rows / seconds:,.0f} rows/s; check {preview[2]} rows/s, write {confirm[2]} "
                     f"rows/s), peak RSS {rss} MB; whole script {time.perf_counter() - started:.0f} s",
                     target="≤ 60 s" if rows == 100_000 else "≤ 60 s at 100,000", met=seconds <= 60 * rows / 100_000)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", choices=[p for p in PROFILES if p != "small"], default="default")
    parser.add_argument("--db", choices=["sqlite", "postgresql"])
    parser.add_argument("--needs", type=int, help="override the profile's number of needs")
    parser.add_argument("--name", help="the database's name (default: the profile's), for runs side by side")
    parser.add_argument("--requests", type=int, default=400, help="requests per scenario (8 clients)")
    parser.add_argument("--claims", type=int, default=250, help="published needs the 32 claimants race over")
    parser.add_argument("--claim-limit", type=float, default=180.0, help="time limit of each claim race (s)")
    parser.add_argument("--roster-rows", type=int, default=100_000)
    parser.add_argument("--skip", default="",
                        help="comma-separated: apps,chains,ledger,scaleout,export,roster,helpdesk,append")
    parser.add_argument("--output", default=str(ROOT / "bench" / "RESULTS.md"))
    parser.add_argument("--generate-only", action="store_true", help="generate the city, measure nothing")
    parser.add_argument("--reuse", action="store_true",
                        help="measure the city generated before under this name (its published needs not yet "
                             "claimed: generate with --claims at least twice the runs' own)")
    args = parser.parse_args(argv)
    profile = PROFILES[args.profile]
    args.db = args.db or profile.database
    skip = set(filter(None, args.skip.split(",")))
    started = time.perf_counter()
    ensure_services(args.db)
    name = args.name or args.profile
    env = database_env(name, args.db) if args.reuse else fresh_database(name, args.db)
    record = ROOT / "var" / "bench" / f"{name}.generated"  # the generator's last line, for --reuse
    servers = Servers()
    table = Table()
    try:
        if args.reuse:
            Path(env["VAR_DIR"], "static").mkdir(parents=True, exist_ok=True)
            manage(env, "migrate", "--noinput", "-v0")  # what was added to the schema since it was generated
            generated = record.read_text().strip() + " (generated before, reused)"
        else:
            manage(env, "migrate", "--noinput", "-v0")
            # Published needs: 2 × claims for the contended claim and its baseline, 4 × claims more (half in each
            # subdistrict, at random) for the races within one chain and two (3 × claims / 2 of the first's).
            gen = subprocess.run([PYTHON, "-m", "bench.city", "--profile", args.profile, "--published",
                                  str(6 * args.claims), *(["--needs", str(args.needs)] if args.needs else [])],
                                 env={**os.environ, **env}, cwd=ROOT, capture_output=True, text=True)
            if gen.returncode != 0:
                raise RuntimeError(f"the city generator failed:\n{gen.stderr[-3000:]}")
            *phases, generated = gen.stdout.strip().splitlines()
            print("\n".join(phases), flush=True)  # the generator's phases and their times
            record.write_text(generated)
        print(f"city ({args.profile}, {args.db}): {generated}", flush=True)
        if args.generate_only:
            return
        fx = setup_fixtures(env, args.claims)
        cache_log = Path(env["VAR_DIR"]) / "cache.log"
        cache_log.unlink(missing_ok=True)
        port = gunicorn(servers, {**env, "BENCH_CACHE_LOG": str(cache_log)})
        print(" | ".join(["scenario", "requests", "p50", "p95", "p99", "req/s", "baseline", "ratio", "errors"]))
        ours = needs_scenarios(table, port, fx, args)
        ours["needs"] = int(re.search(r"needs=(\d+)", generated)[1])
        if "apps" not in skip:
            apps_scenarios(table, port, fx, args)
        if "chains" not in skip:
            chains_scenario(table, port, fx, args)
        if "ledger" not in skip and fx.get("scopes"):
            ledger_scenarios(table, port, fx, args)
            cache_scenario(table, port, fx, args, cache_log)
        servers.stop()
        if "scaleout" not in skip and args.db == "postgresql":  # a city's set-up (SQLite is one writing process)
            scaleout.compare(table, servers, env, fx, args)
        if "append" not in skip:
            append_scenario(table, env)
        if "export" not in skip and fx.get("scopes"):
            export_scenario(table, env, fx)
        if "roster" not in skip:
            roster_scenario(table, args.roster_rows)
        if "helpdesk" not in skip:
            helpdesk.compare(table, servers, args, fx, env, ours)
    finally:
        servers.stop()
    took = time.perf_counter() - started
    report = "\n".join([
        "# Benchmark results", "",
        f"- date: {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"- machine: {machine()}",
        f"- commit: {commit()}",
        f"- profile: `{args.profile}` on {args.db}: {generated}",
        f"- server: gunicorn gthread, 2 workers × 4 threads, loopback; load: bench/load.py, 8 clients "
        f"(claims: 32), {args.requests} requests per scenario",
        f"- whole run: {took / 60:.1f} min", "",
        "ratio = our throughput ÷ the baseline's, measured in the same run. Latencies in milliseconds.", "",
        table.markdown(), "", *table.notes, ""])
    Path(args.output).write_text(report)
    print("\n" + report)
    print(f"peak RSS of the runner: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
