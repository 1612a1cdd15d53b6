"""`make soak`: the embedded default (SQLite, gunicorn as bin/serve starts it, the huey consumer as bin/serve
runs it) under mixed load for a bounded time, while its processes are killed, then checked for lost data.

    .venv/bin/python -m bench.soak [--minutes 10] [--clients 8] [--huey-kills 4] [--worker-kills 4]

From a fresh demo database in a temporary VAR_DIR: anonymous submissions through the public form (answered
by a redirect to the tracking page), a grid worker's submissions through the API (201), community staff
accepting and publishing and a unit claiming and resolving through the API, and public reads. Meanwhile the
huey consumer is killed with SIGKILL and restarted, and a gunicorn worker is killed with SIGKILL (the master
starts another). Afterwards, with a drain period for the queue:

- every need answered 201 (by id) or with a redirect (by tracking reference) is in the database, and every
  action answered 200 has its event;
- `manage.py verify_events` passes; no response and no server log says "database is locked"; no 5xx, no
  unexpected status, no traceback in the logs;
- no notification is lost. A notification is *delivered* when the gateway (core.notify: `send(recipient,
  subject, text)`, here the demo's email gateway wrapped by RecordingGateway below) returned for it: for
  every inbox line in the database (core.InboxLine, of every app: one per recipient account, written in the
  action's transaction), a send to that account with its text; for every message to a contact without an account (the
  phone left on a public submission: its tracking reference, then each step the reporter hears of), a send
  to that phone. Each send is a line in VAR_DIR/soak-sent.jsonl.

Every client comes from 127.0.0.1, so the per-address limits of public submissions and look-ups are raised
(NEEDS_SUBMIT_BURST, NEEDS_TRACK_BURST); nothing else differs from the embedded default.

Prints a table and writes it to bench/SOAK.md; exits non-zero when a check fails.
"""

import argparse
import datetime
import http.client
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, deque
from pathlib import Path

from bench import load
from bench.run import commit, machine
from bench.servers import ROOT, Servers, gunicorn

PYTHON = str(ROOT / ".venv" / "bin" / "python")
MARK = "浸泡测试"  # in every title the load submits: its needs are told from the demo's
LOCKED = b"database is locked"
SENT = "soak-sent.jsonl"


class RecordingGateway:
    """The demo's gateway (core.notify.EmailGateway), and one line in VAR_DIR/soak-sent.jsonl per message it
    delivered (the send returned). Named by NEEDS_NOTIFY_GATEWAY in the servers this soak starts."""

    def send(self, recipient, subject: str, text: str) -> None:
        from django.conf import settings

        from core.notify import Contact, EmailGateway

        EmailGateway().send(recipient, subject, text)
        who = {"phone": recipient.phone} if isinstance(recipient, Contact) else {"user": recipient.pk}
        line = json.dumps({**who, "text": text}, ensure_ascii=False) + "\n"
        fd = os.open(Path(settings.VAR_DIR) / SENT, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode())  # one write with O_APPEND: lines of concurrent senders do not mix
        finally:
            os.close(fd)


# --- the processes ------------------------------------------------------------------------------

def manage(*args, log: Path):
    with open(log, "a") as out:
        subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, check=True, stdout=out, stderr=subprocess.STDOUT)


def huey_start(servers: Servers, var: Path) -> subprocess.Popen:
    """The consumer as bin/serve runs it on SQLite (two thread workers, periodic tasks on)."""
    log = open(var / "huey.log", "a")  # noqa: SIM115 (closed with the process)
    return servers.start([PYTHON, "manage.py", "run_huey", "--workers", "2", "--worker-type", "thread"], {},
                         stdout=log, stderr=subprocess.STDOUT)


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def queued(var: Path) -> int:
    """Tasks waiting in huey's SQLite queue."""
    db = sqlite3.connect(var / "huey.sqlite3", timeout=30)
    try:
        return db.execute("select count(*) from task").fetchone()[0]
    finally:
        db.close()


class Faults(threading.Thread):
    """Kills at evenly spread moments of the run: the huey consumer (SIGKILL, down for `down` seconds, then
    started again) and one gunicorn worker (SIGKILL; the master starts another)."""

    def __init__(self, servers, var, master, *, seconds, huey_kills, worker_kills, down):
        super().__init__(daemon=True)
        self.servers, self.var, self.master, self.down = servers, var, master, down
        self.huey = huey_start(servers, var)
        plan = [((i + 1 / 3) / huey_kills * seconds, "huey") for i in range(huey_kills)]
        plan += [((i + 2 / 3) / worker_kills * seconds, "worker") for i in range(worker_kills)]
        self.plan = sorted(plan)
        self.started = time.monotonic()  # again when the load starts (run)
        self.log: list[str] = []
        self.huey_kills = self.worker_kills = 0
        self.backlog: list[int] = []  # tasks waiting when the consumer came back
        self.respawn: list[float] = []  # seconds until the master had its workers again
        self.done = threading.Event()

    def run(self):
        self.started = time.monotonic()
        for at, kind in self.plan:
            if self.done.wait(max(0.0, self.started + at - time.monotonic())):
                return
            if kind == "huey":
                self.huey_kill()
            else:
                self.worker_kill()

    def huey_kill(self):
        at = self.now()
        os.kill(self.huey.pid, signal.SIGKILL)
        self.huey.wait()
        self.huey_kills += 1
        self.done.wait(self.down)
        self.backlog.append(queued(self.var))
        self.huey = huey_start(self.servers, self.var)
        self.note(at, f"huey consumer SIGKILLed; started again {self.now() - at:.0f} s later, {self.backlog[-1]} tasks "
                      f"waiting")

    def worker_kill(self):
        workers = children(self.master.pid)
        if not workers:
            self.note(self.now(), "no gunicorn worker to kill")
            return
        victim = random.choice(workers)
        at = self.now()
        os.kill(victim, signal.SIGKILL)
        self.worker_kills += 1
        while self.now() - at < 60:
            alive = children(self.master.pid)
            if victim not in alive and len(alive) >= len(workers):
                break
            time.sleep(0.1)
        self.respawn.append(self.now() - at)
        self.note(at, f"gunicorn worker {victim} SIGKILLed; the master had another {self.respawn[-1]:.1f} s later")

    def now(self) -> float:
        return time.monotonic() - self.started

    def note(self, at, text):
        line = f"at {at:.0f} s: {text}"
        self.log.append(line)
        print(line, flush=True)


# --- the load -----------------------------------------------------------------------------------

def fetch(port, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    return response.status, response.headers, response.read()


def api_token(port, username, password) -> str:
    status, _, body = fetch(port, "POST", "/api/v1/auth/token", json.dumps(
        {"username": username, "password": password}), {"Content-Type": "application/json"})
    if status != 200:
        raise RuntimeError(f"no API token for {username}: {status} {body[:200]!r}")
    return json.loads(body)["token"]


def csrf_pair(port) -> tuple[str, str]:
    """The public form's CSRF cookie and field, once: the same pair serves every anonymous submission."""
    status, headers, body = fetch(port, "GET", "/needs/submit/")
    cookie = re.search(r"csrftoken=([^;]+)", headers.get("Set-Cookie", ""))
    field = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or not cookie or not field:
        raise RuntimeError(f"the public form gave no CSRF token ({status})")
    return cookie[1], field[1].decode()


class Mix:
    """The requests of the run, chosen by weight from what can be done now: a need must be submitted, found on
    the staff's list, accepted, published and claimed before it can be resolved. The responses feed the
    queues and the record of what the server answered."""

    ACTIONS = {"accept": "publish", "publish": "claim", "claim": "resolve", "resolve": None}
    WEIGHTS = {"submit (public form)": 12, "submit (API, grid worker)": 8, "staff: list submitted (API)": 2,
               "staff: accept (API)": 10, "staff: publish (API)": 10, "unit: claim (API)": 10,
               "unit: resolve (API)": 10, "public: home": 5, "public: claim board": 7, "public: need page": 7,
               "public: tracking page": 4, "public: ledger page": 3, "public: ledger JSON": 3}
    ACTION_OF = {"staff: accept (API)": "accept", "staff: publish (API)": "publish", "unit: claim (API)": "claim",
                 "unit: resolve (API)": "resolve"}
    EXPECTED = {"submit (public form)": {302}, "submit (API, grid worker)": {201}}

    def __init__(self, fx, tokens, csrf):
        self.fx, self.csrf, self.rng, self.lock = fx, csrf, random.Random(12), threading.Lock()
        self.auth = {who: {"Authorization": f"Bearer {token}"} for who, token in tokens.items()}
        self.queues = {action: deque() for action in self.ACTIONS}
        self.seen: set[int] = set()  # needs put on the accept queue
        self.published: list[int] = []
        self.references: list[str] = []
        self.answered_ids: set[int] = set()  # 201
        self.answered_refs: set[str] = set()  # redirect to the tracking page
        self.acted: list[tuple[int, str]] = []  # (need, action) answered 200
        self.latencies: dict[str, list[float]] = {kind: [] for kind in self.WEIGHTS}
        self.statuses: dict[str, Counter] = {kind: Counter() for kind in self.WEIGHTS}
        self.locked = 0  # responses that say "database is locked"
        self.unexpected: Counter = Counter()  # (kind, status) that should not happen
        self.serial = 0

    def __iter__(self):
        while True:
            with self.lock:  # the responses change the queues from the clients' threads
                kinds = [k for k in self.WEIGHTS if self._possible(k)]
                kind = self.rng.choices(kinds, [self.WEIGHTS[k] for k in kinds])[0]
                self.serial += 1
                request = self._request(kind, self.serial)
            yield request

    def _possible(self, kind):
        if action := self.ACTION_OF.get(kind):
            return bool(self.queues[action])
        if kind == "public: need page":
            return bool(self.published)
        if kind == "public: tracking page":
            return bool(self.references)
        return True

    def _request(self, kind, n) -> load.Request:
        L, fx = load.Request, self.fx
        done = self._recorder(kind)
        if kind == "submit (public form)":
            phone = f"139{n:08d}"
            form = {"csrfmiddlewaretoken": self.csrf[1], "title": f"{MARK} {n} 楼道灯不亮",
                    "description": "晚上楼道太黑", "category": str(fx["category"]),
                    "place": self.rng.choice(fx["entrances"]), "affected": "3", "is_public": "on",
                    "contact_name": "张三", "contact_phone": phone}
            return L("POST", "/needs/submit/", urllib.parse.urlencode(form).encode(), headers={
                "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={self.csrf[0]}"},
                on_response=done(submitted=True))
        if kind == "submit (API, grid worker)":
            body = {"title": f"{MARK} {n} 垃圾桶满了", "place": self.rng.choice(fx["grid_places"]),
                    "category": fx["category"], "concern_level": "annoyance", "affected": 5}
            return L("POST", "/api/v1/needs", body, headers=self.auth["wangge"], on_response=done())
        if kind == "staff: list submitted (API)":
            return L("GET", f"/api/v1/needs?state=submitted&community={fx['community']}&limit=200",
                     headers=self.auth["tqjy"], on_response=done(listed=True))
        if action := self.ACTION_OF.get(kind):
            pk = self.queues[action].popleft()
            body = {"accept": {"category": fx["category"], "concern_level": "annoyance"},
                    "resolve": {"note": "已更换灯泡", "evidence": "居民签字确认"}}.get(action, {})
            who = "tqjy" if action in ("accept", "publish") else "dianying"
            return L("POST", f"/api/v1/needs/{pk}/actions/{action}", body, headers=self.auth[who],
                     on_response=done(need=pk, action=action))
        if kind == "public: need page":
            return L("GET", f"/needs/{self.rng.choice(self.published[-200:])}/", on_response=done())
        if kind == "public: tracking page":
            return L("GET", f"/needs/track/{self.rng.choice(self.references[-200:])}/", on_response=done())
        path = {"public: home": "/", "public: claim board": "/needs/",
                "public: ledger page": f"/ledger/{fx['subdistrict']}/",
                "public: ledger JSON": f"/api/v1/ledger?place={fx['community']}&from={fx['year']}-01-01"
                                       f"&to={fx['year']}-12-31"}[kind]
        return L("GET", path, on_response=done())

    def _recorder(self, kind):
        def done(*, submitted=None, listed=False, need=None, action=None):
            def on_response(status, headers, body, seconds):
                with self.lock:
                    self.latencies[kind].append(seconds)
                    self.statuses[kind][status or "connection"] += 1
                    self.locked += LOCKED in body
                    if status and status not in self.EXPECTED.get(kind, {200}) and not (
                            action and status == 409):  # the sweep may have moved the need on
                        self.unexpected[(kind, status)] += 1
                    if status == 302 and submitted:
                        reference = headers.get("Location", "").rstrip("/").rsplit("/", 1)[-1]
                        self.answered_refs.add(reference)
                        self.references.append(reference)
                    elif status == 201:
                        pk = json.loads(body)["id"]
                        self.answered_ids.add(pk)
                        self._to_accept(pk)
                    elif status == 200 and listed:
                        for item in json.loads(body)["items"]:
                            self._to_accept(item["id"])
                    elif status == 200 and action:
                        self.acted.append((need, action))
                        if action == "publish":
                            self.published.append(need)
                        if self.ACTIONS[action]:
                            self.queues[self.ACTIONS[action]].append(need)
            return on_response
        return done

    def _to_accept(self, pk):
        if pk not in self.seen:
            self.seen.add(pk)
            self.queues["accept"].append(pk)


# --- the checks ---------------------------------------------------------------------------------

def fixtures() -> dict:
    """The places, category and high-water marks of the fresh demo database (read before the servers start)."""
    from django.db.models import Max

    from core.models import Event
    from needs.models import Category, Need
    from places.models import Place

    community = Place.objects.get(name="天庆嘉园社区")
    grid = Place.objects.get(name="天庆嘉园第一网格")
    return {
        "community": community.code, "subdistrict": community.parent.code,
        "entrances": list(Place.objects.filter(kind="entrance", code__startswith=community.code)
                          .values_list("code", flat=True)),
        "grid_places": list(Place.objects.filter(kind__in=("building", "entrance"), code__startswith=grid.code)
                            .values_list("code", flat=True)),
        "category": Category.objects.get(name="设施维修").pk, "year": datetime.date.today().year,
        "need": Need.objects.aggregate(m=Max("id"))["m"] or 0,
        "event": Event.objects.aggregate(m=Max("id"))["m"] or 0,
    }


def sends(var: Path) -> tuple[Counter, Counter]:
    """What the gateway delivered: (account, text) and phone, counted."""
    users, phones = Counter(), Counter()
    path = var / SENT
    for line in path.read_text().splitlines() if path.exists() else []:
        sent = json.loads(line)
        if "user" in sent:
            users[(sent["user"], sent["text"])] += 1
        else:
            phones[sent["phone"]] += 1
    return users, phones


def expected_messages() -> tuple[Counter, Counter]:
    """What should have been delivered: every inbox line in the database (the demo's too: load_demo queued
    their messages, sent once the consumer runs), and per contact phone one message for each action on its
    need that tells the reporter (needs.notify.notify's rule)."""
    from core.models import Event, InboxLine
    from needs import workflow
    from needs.models import Need

    users = Counter(InboxLine.objects.values_list("user_id", "text"))
    phone_of = dict(Need.objects.exclude(contact_phone="").values_list("pk", "contact_phone"))
    phones = Counter()
    for subject, verb in Event.objects.filter(subject_type="needs.need", verb__startswith="need.") \
            .values_list("subject_id", "verb"):
        action = verb.removeprefix("need.")
        if int(subject) in phone_of and (action == "submit" or "reporter" in workflow.ACTIONS[action].audience):
            phones[phone_of[int(subject)]] += 1
    return users, phones


def delivery(var) -> dict:
    from django.db import connections

    from core.models import OutboxMessage

    want_users, want_phones = expected_messages()
    outbox = OutboxMessage.objects.count()
    connections.close_all()
    got_users, got_phones = sends(var)
    return {"inbox": (sum(want_users.values()), sum((want_users & got_users).values()),
                      sum((want_users - got_users).values()), sum((got_users - want_users).values())),
            "contact": (sum(want_phones.values()), sum((want_phones & got_phones).values()),
                        sum((want_phones - got_phones).values()), sum((got_phones - want_phones).values())),
            "queued": queued(var), "outbox": outbox}


def drain(var, seconds) -> tuple[dict, float]:
    """Wait (at most `seconds`) until every message is delivered and the queue and the outbox are empty."""
    started = time.monotonic()
    while True:
        state = delivery(var)
        if (state["inbox"][2] == 0 and state["contact"][2] == 0 and state["queued"] == 0 and state["outbox"] == 0) \
                or time.monotonic() - started > seconds:
            return state, time.monotonic() - started
        time.sleep(3)


def stored(fx, mix: Mix) -> dict:
    from django.db import connections

    from core.models import Event
    from needs.models import Need

    soak = Need.objects.filter(pk__gt=fx["need"], title__startswith=MARK)
    ids = set(soak.values_list("id", flat=True))
    refs = set(soak.values_list("reference", flat=True))
    events = set(Event.objects.filter(pk__gt=fx["event"], subject_type="needs.need")
                 .values_list("subject_id", "verb"))
    connections.close_all()
    return {"ids": len(mix.answered_ids & ids), "refs": len(mix.answered_refs & refs), "in_db": len(ids),
            "acted": sum((str(pk), f"need.{action}") in events for pk, action in mix.acted)}


def log_lines(var: Path, pattern: str) -> int:
    return sum(len(re.findall(pattern, (var / name).read_text(errors="replace"),
                                  re.IGNORECASE | re.MULTILINE))
               for name in ("gunicorn.log", "huey.log"))


# --- the run ------------------------------------------------------------------------------------

def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10, help="how long the load runs (default 10)")
    parser.add_argument("--clients", type=int, default=8, help="client threads with keep-alive connections")
    parser.add_argument("--huey-kills", type=int, default=4, help="SIGKILLs of the huey consumer")
    parser.add_argument("--huey-down", type=float, default=15, help="seconds the consumer stays down each time")
    parser.add_argument("--worker-kills", type=int, default=4, help="SIGKILLs of a gunicorn worker")
    parser.add_argument("--drain", type=float, default=300, help="seconds allowed for the queue to drain (a lost "
                        "task's messages are resent after core.notify's RESEND_AFTER, a dead sender's after LEASE)")
    parser.add_argument("--output", default=str(ROOT / "bench" / "SOAK.md"))
    parser.add_argument("--keep", action="store_true", help="keep the temporary VAR_DIR")
    args = parser.parse_args(argv)
    begun = time.perf_counter()

    var = Path(tempfile.mkdtemp(prefix="minsheng-soak-"))
    (var / "static").mkdir()
    for name in ("DATABASE_URL", "REDIS_URL", "SQLITE_PATH", "HUEY_IMMEDIATE", "HUEY_CLASS"):
        os.environ.pop(name, None)  # the embedded default, whatever this shell points at
    env = {"DJANGO_SETTINGS_MODULE": "minsheng.settings", "VAR_DIR": str(var),
           "NEEDS_NOTIFY_GATEWAY": "bench.soak.RecordingGateway", "NEEDS_SUBMIT_BURST": "1000000",
           "NEEDS_TRACK_BURST": "1000000"}
    os.environ.update(env)
    print(f"soak: fresh demo database in {var}", flush=True)
    for step in (("migrate", "--noinput", "-v0"), ("collectstatic", "--noinput", "-v0"), ("load_demo",)):
        manage(*step, log=var / "setup.log")

    import django

    django.setup()
    from django.db import connections

    from demo.data import DEMO_PASSWORD

    fx = fixtures()
    connections.close_all()  # this process holds no connection while the servers run

    servers = Servers()
    try:
        port = gunicorn(servers, env, log=var / "gunicorn.log", extra=("--access-logfile", "-"))
        master = servers.processes[-1]
        seconds = args.minutes * 60
        faults = Faults(servers, var, master, seconds=seconds, huey_kills=args.huey_kills,
                        worker_kills=args.worker_kills, down=args.huey_down)
        tokens = {who: api_token(port, who, DEMO_PASSWORD) for who in ("tqjy", "dianying", "wangge")}
        mix = Mix(fx, tokens, csrf_pair(port))
        print(f"soak: {args.minutes:g} min of load, {args.clients} clients, port {port}", flush=True)
        faults.start()
        result = load.run(port, mix, clients=args.clients, limit_seconds=seconds)
        faults.done.set()
        faults.join()
        if faults.huey.poll() is not None:  # stopped during its last down time: the drain needs it
            faults.huey = huey_start(servers, var)
        print("soak: load done, draining the queue", flush=True)
        delivered, drained = drain(var, args.drain)
        found = stored(fx, mix)
        verify = subprocess.run([PYTHON, "manage.py", "verify_events"], cwd=ROOT, capture_output=True, text=True)
    finally:
        servers.stop()

    report, ok = table(args, result, mix, faults, found, delivered, drained, verify, var)
    report = "\n".join([
        "# Soak test", "",
        f"- date: {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"- machine: {machine()}",
        f"- commit: {commit()}",
        f"- command: `python -m bench.soak --minutes {args.minutes:g} --clients {args.clients} --huey-kills "
        f"{args.huey_kills} --worker-kills {args.worker_kills}` (`make soak`)",
        "- servers: a fresh demo database (SQLite) in a temporary VAR_DIR; gunicorn gthread 2 workers × 4 threads "
        "as bin/serve starts it; `manage.py run_huey --workers 2 --worker-type thread` as bin/serve runs it",
        f"- whole run: {(time.perf_counter() - begun) / 60:.1f} min", "", report, ""])
    Path(args.output).write_text(report)
    print("\n" + report)
    if ok and not args.keep:
        shutil.rmtree(var, ignore_errors=True)
    else:
        print(f"VAR_DIR kept: {var}")
    sys.exit(0 if ok else 1)


def table(args, result, mix, faults, found, delivered, drained, verify, var) -> tuple[str, bool]:
    lines = ["## Requests", "", "| kind | requests | statuses | p50 ms | p95 ms |", "|---|---|---|---|---|"]
    for kind, latencies in mix.latencies.items():
        r = load.Result(latencies, mix.statuses[kind], result.seconds, 0)
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(mix.statuses[kind].items(), key=str))
        lines.append(f"| {kind} | {len(latencies)} | {statuses} | {r.percentile(50):.1f} | {r.percentile(95):.1f} |")
    every = load.Result([x for v in mix.latencies.values() for x in v], sum(mix.statuses.values(), Counter()),
                        result.seconds, 0)
    by_status = ", ".join(f"{s}: {n}" for s, n in sorted(every.statuses.items(), key=str))
    lines.append(f"| **all** ({len(every.latencies) / result.seconds:.1f} req/s over {result.seconds / 60:.1f} min) "
                 f"| {len(every.latencies)} | {by_status} | {every.percentile(50):.1f} | {every.percentile(95):.1f} |")

    lines += ["", "## Faults", "", *[f"- {line}" for line in faults.log]]

    failed_submits = mix.statuses["submit (public form)"]["connection"] + \
        mix.statuses["submit (API, grid worker)"]["connection"]
    connection = every.statuses["connection"]
    server_errors = sum(n for s, n in every.statuses.items() if isinstance(s, int) and s >= 500)
    locked_logs = log_lines(var, "database is locked")
    tracebacks = log_lines(var, r"^Traceback")
    resent = sum(int(n) for n in re.findall(r"resent (\d+) messages", (var / "huey.log").read_text(errors="replace")))
    inbox, contact = delivered["inbox"], delivered["contact"]
    answered = len(mix.answered_ids) + len(mix.answered_refs)
    checks = [
        ("needs answered 201 (API) found by id", f"{found['ids']} of {len(mix.answered_ids)}",
         found["ids"] == len(mix.answered_ids)),
        ("needs answered 302 (public form) found by tracking reference",
         f"{found['refs']} of {len(mix.answered_refs)}", found["refs"] == len(mix.answered_refs)),
        ("needs in the database without an answer (≤ submissions whose connection dropped)",
         f"{found['in_db'] - answered} (≤ {failed_submits})", 0 <= found["in_db"] - answered <= failed_submits),
        ("actions answered 200 found in the event log", f"{found['acted']} of {len(mix.acted)}",
         found["acted"] == len(mix.acted)),
        ("`manage.py verify_events`", (verify.stdout or verify.stderr).strip().splitlines()[-1][-90:],
         verify.returncode == 0),
        ("\"database is locked\" in responses / server logs", f"{mix.locked} / {locked_logs}",
         mix.locked == 0 and locked_logs == 0),
        ("5xx responses", str(server_errors), server_errors == 0),
        ("unexpected statuses", ", ".join(f"{k} {s}: {n}" for (k, s), n in mix.unexpected.items()) or "0",
         not mix.unexpected),
        ("tracebacks in the server logs", str(tracebacks), tracebacks == 0),
        (f"connections dropped (≤ clients × worker kills = {args.clients * faults.worker_kills})", str(connection),
         connection <= args.clients * faults.worker_kills),
        ("huey consumer SIGKILLs / gunicorn worker SIGKILLs", f"{faults.huey_kills} / {faults.worker_kills}",
         faults.huey_kills == args.huey_kills and faults.worker_kills == args.worker_kills),
        ("inbox notifications delivered (expected, delivered, lost, duplicates)",
         f"{inbox[0]}, {inbox[1]}, {inbox[2]}, {inbox[3]}", inbox[2] == 0),
        ("contact messages delivered (expected, delivered, lost, duplicates)",
         f"{contact[0]}, {contact[1]}, {contact[2]}, {contact[3]}", contact[2] == 0),
        ("messages resent because their task was lost (core.notify.messages_resend)", str(resent), True),
        ("tasks in the queue / messages in the outbox after the drain",
         f"{delivered['queued']} / {delivered['outbox']} (drained in {drained:.0f} s)",
         delivered["queued"] == 0 and delivered["outbox"] == 0),
    ]
    lines += ["", "## Checks", "", "| check | figure | passed |", "|---|---|---|"]
    lines += [f"| {name} | {figure} | {'yes' if passed else '**no**'} |" for name, figure, passed in checks]
    return "\n".join(lines), all(passed for *_, passed in checks)


if __name__ == "__main__":
    main()
