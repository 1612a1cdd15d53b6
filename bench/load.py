"""A small bounded load generator: N client threads on loopback, each with its own keep-alive connection,
sending a fixed number of requests or stopping at a time limit, whichever comes first.

Each client takes its next request from a shared iterator, so the mix is what the caller yields.
Latency is measured from sending the request to reading the whole response.
"""

import dataclasses
import http.client
import json
import math
import threading
import time
from collections import Counter
from collections.abc import Callable


@dataclasses.dataclass
class Request:
    method: str
    path: str
    body: dict | bytes | None = None  # a dict is sent as JSON; bytes as they are (a form: give its Content-Type)
    headers: dict = dataclasses.field(default_factory=dict)
    # Called after the request with (status, headers, body, seconds); status 0 when the connection failed.
    on_response: Callable | None = None


@dataclasses.dataclass
class Result:
    latencies: list[float]  # seconds, of every completed request
    statuses: Counter
    seconds: float  # wall time of the whole run
    errors: int  # connection failures and 5xx

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)] * 1000  # nearest rank

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    @classmethod
    def combined(cls, results: list["Result"]) -> "Result":
        """Several runs of one scenario as one: their requests, statuses, wall times and errors added up."""
        return cls([x for r in results for x in r.latencies], sum((r.statuses for r in results), Counter()),
                   sum(r.seconds for r in results), sum(r.errors for r in results))


def run(port: int, requests, *, clients: int, limit_seconds: float, per_client=None) -> Result:
    """Send `requests` (an iterable shared by all clients, or with `per_client` one iterable per client)."""
    if per_client is not None:
        clients = len(per_client)
    shared = iter(requests) if per_client is None else None
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: Counter = Counter()
    errors = [0]
    deadline = time.monotonic() + limit_seconds
    barrier = threading.Barrier(clients)

    def next_request(source):
        with lock if source is shared else _nolock:
            return next(source, None)

    def client(index):
        source = shared if per_client is None else iter(per_client[index])
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine, codes, failed = [], Counter(), 0
        barrier.wait(timeout=60)
        while time.monotonic() < deadline:
            request = next_request(source)
            if request is None:
                break
            if isinstance(request.body, bytes):
                body, headers = request.body, request.headers
            else:
                body = json.dumps(request.body).encode() if request.body is not None else None
                headers = {**request.headers, **({"Content-Type": "application/json"} if body else {})}
            started = time.perf_counter()
            try:
                connection.request(request.method, request.path, body=body, headers=headers)
                response = connection.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException):
                failed += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                if request.on_response:
                    request.on_response(0, {}, b"", time.perf_counter() - started)
                continue
            mine.append(time.perf_counter() - started)
            if request.on_response:
                request.on_response(response.status, response.headers, data, mine[-1])
            codes[response.status] += 1
            if response.status >= 500:
                failed += 1
        connection.close()
        with lock:
            latencies.extend(mine)
            statuses.update(codes)
            errors[0] += failed

    # Daemon threads: an interrupted run exits without waiting for its clients.
    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return Result(latencies, statuses, time.perf_counter() - started, errors[0])


def measure(port, requests, *, clients=8, count=400, limit=60.0, per_client=None, warmup=16):
    """One scenario: first `warmup` requests that are not counted, then `count` requests taken in turn from
    `requests` (or, with `per_client`, each client's own)."""
    requests = list(requests) if per_client is None else None
    if requests is not None and warmup:
        run(port, requests[:warmup], clients=min(clients, warmup), limit_seconds=limit)
    if requests is not None:
        requests = [requests[i % len(requests)] for i in range(count)]
    return run(port, requests or [], clients=clients, limit_seconds=limit, per_client=per_client)


def measure_paired(port, ours, bare, *, rounds=4, count=400, **kwargs) -> tuple[Result, Result]:
    """A scenario and its baseline in alternating rounds (ours, bare, ours, bare, ...), each round a share
    of `count`: the machine is a shared virtual one whose speed drifts within minutes, and a drift then
    falls on both sides of the ratio alike."""
    share = max(count // rounds, 1)
    ours_runs, bare_runs = [], []
    for _ in range(rounds):
        ours_runs.append(measure(port, ours, count=share, **kwargs))
        bare_runs.append(measure(port, bare, count=share, **kwargs))
    return Result.combined(ours_runs), Result.combined(bare_runs)


class _NoLock:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


_nolock = _NoLock()
