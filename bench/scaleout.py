"""Scale out, shown: the same requests served by one gunicorn process and by two (each 1 worker × 4 threads, on
its own port) behind the loopback balancer (bench/balancer.py), and the tasks those submits left queued on Redis
drained by one huey consumer and by two. Both sides go through the balancer, so the only difference is the
number of processes. On this machine the processes share its cores with the load clients and the balancer:
the gain is bounded by the cores, not by the app (a city puts each process on its own machine)."""

import datetime
import subprocess
import time
from pathlib import Path

import redis

from bench import load, scenarios
from bench.servers import ROOT, Servers, free_port, gunicorn, listening

PYTHON = str(ROOT / ".venv" / "bin" / "python")
QUEUE = "huey.redis.minsheng"  # huey's PriorityRedisHuey queue of the app (settings.HUEY "name")


def compare(table, servers: Servers, env: dict, fx: dict, args):
    """On PostgreSQL with huey on Redis, as a city runs (env has its REDIS_URL)."""
    # Messages sent into memory: no mail server, and nobody's address in a log.
    env = {**env, "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    queue = redis.Redis.from_url(env["REDIS_URL"])
    staff = {"Authorization": f"Bearer {fx['tokens']['community_staff']}"}
    worker = {"Authorization": f"Bearer {fx['tokens']['grid_worker']}"}
    listed = [load.Request("GET", scenarios.list_paths(fx)["api_list"], headers=staff)]
    web, drained = {}, {}
    for processes in (1, 2):
        queue.flushdb()
        backends = [gunicorn(servers, env, workers=1) for _ in range(processes)]
        port = free_port()
        servers.start([PYTHON, "-m", "bench.balancer", str(port), *map(str, backends)], env)
        listening(port, "the balancer")
        offset = 100_000 * processes  # titles of their own
        web[processes] = (
            load.measure(port, listed, count=args.requests),
            load.measure(port, [load.Request("POST", "/api/v1/needs", scenarios.submitted(fx, offset + i),
                                             headers=worker) for i in range(args.requests)], count=args.requests,
                         warmup=0))
        servers.stop()
        drained[processes] = drain(servers, env, queue, consumers=processes)
    for name, index in (("needs API list", 0), ("submit a need", 1)):
        one, two = web[1][index], web[2][index]
        table.add(f"scale out, {name}: 1 web process (balancer)", one)
        table.add("  same, 2 web processes behind the balancer", two, one,
                  target="more than 1 process", met=lambda result, ratio: ratio is not None and ratio > 1.05,
                  extra=f"p95 {one.percentile(95):.0f} → {two.percentile(95):.0f} ms")
    (one_tasks, one_s), (two_tasks, two_s) = drained[1], drained[2]
    table.add_figure("scale out, huey on Redis: the submits' tasks drained",
                     f"1 consumer {one_tasks} tasks in {one_s:.1f} s ({one_tasks / one_s:.0f}/s); 2 consumers "
                     f"{two_tasks} in {two_s:.1f} s ({two_tasks / two_s:.0f}/s): "
                     f"{(two_tasks / two_s) / (one_tasks / one_s):.2f}×",
                     target="more than 1 consumer", met=(two_tasks / two_s) > 1.05 * (one_tasks / one_s))


def drain(servers: Servers, env: dict, queue: redis.Redis, *, consumers: int) -> tuple[int, float]:
    """`consumers` huey consumers (1 worker each, polling every 10 ms) on the queued tasks: (tasks run, seconds from
    the first task started to the last one finished, read off the times in their logs). The queue is put aside
    until every consumer has started, so that none begins before the others."""
    tasks = queue.zcard(QUEUE)  # PriorityRedisHuey's queue is a sorted set
    if not tasks:
        raise RuntimeError("the submits queued no task: is huey on Redis?")
    queue.rename(QUEUE, f"{QUEUE}.held")
    logs = [Path(env["VAR_DIR"]) / f"huey-{consumers}-{i}.log" for i in range(consumers)]
    for log in logs:
        servers.start([PYTHON, "manage.py", "run_huey", "--workers", "1", "--worker-type", "thread", "--no-periodic",
                       "--delay", "0.01", "--max-delay", "0.01"],
                      env, stdout=open(log, "w"), stderr=subprocess.STDOUT)  # noqa: SIM115 (closed with the process)

    def lines():  # each line twice: huey's own, which starts with its time, and the project's logging's copy
        return [line for log in logs for line in log.read_text().splitlines() if line.startswith("[")]

    if not _until(lambda: sum("consumer started" in line for line in lines()) == consumers, 60):
        raise RuntimeError(f"the huey consumers did not start: see {logs[0]}")
    queue.rename(f"{QUEUE}.held", QUEUE)
    _until(lambda: sum(" executed in " in line for line in lines()) >= tasks, 300)
    servers.stop()
    started = [_moment(line) for line in lines() if "Executing " in line]
    finished = [_moment(line) for line in lines() if " executed in " in line]
    if len(finished) < tasks:
        raise RuntimeError(f"{consumers} consumer(s) ran {len(finished)} of {tasks} tasks in 300 s: see {logs[0]}")
    return tasks, (max(finished) - min(started)).total_seconds()


def _until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _moment(line: str) -> datetime.datetime:
    """The time a huey log line starts with: "[2026-12-06 23:10:01,123] INFO:huey…"."""
    return datetime.datetime.strptime(line[1:24], "%Y-%m-%d %H:%M:%S,%f")
