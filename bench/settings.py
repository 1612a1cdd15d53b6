"""The app's settings with the benchmark's urlconf: the app's URLs plus the bare baseline views, so that
production URLs stay untouched."""

from minsheng.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

from bench.cache import counted  # noqa: E402 (after the app's settings, which it changes)

CACHES["default"]["BACKEND"] = counted(CACHES["default"]["BACKEND"])  # noqa: F405
