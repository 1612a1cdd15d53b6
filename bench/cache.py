"""The app's cache backends, counting the ledger's hits and misses (bench.settings): with BENCH_CACHE_LOG set,
every get of a ledger key (ledger.sections.ledger_build) appends "<place code> hit|miss" to that file. One short
line per get, opened for appending: the lines of the two gunicorn workers interleave whole."""

import os

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

LOG = os.environ.get("BENCH_CACHE_LOG", "")


class LedgerCounting:
    def get(self, key, default=None, version=None):
        value = super().get(key, default, version)
        if LOG and key.startswith("ledger:"):
            code = key.split(":")[4]  # ledger:<chains>:<date>:<language>:<place code>:…
            with open(LOG, "a") as log:
                log.write(f"{code} {'miss' if value is default else 'hit'}\n")
        return value


class CountingLocMemCache(LedgerCounting, LocMemCache):
    pass


class CountingRedisCache(LedgerCounting, RedisCache):
    pass


def counted(backend: str) -> str:
    """The counting twin of a configured backend."""
    return {"django.core.cache.backends.locmem.LocMemCache": "bench.cache.CountingLocMemCache",
            "django.core.cache.backends.redis.RedisCache": "bench.cache.CountingRedisCache"}[backend]
