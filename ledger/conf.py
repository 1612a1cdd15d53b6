"""The ledger's settings, read at call time so that a deployment (or a test) can change them.

LEDGER_WEIGHTS: the weights of the composite score over the response, resolution and satisfaction rates,
three numbers that add up to 1 (default 0.1,0.45,0.45, the proportions Beijing's 接诉即办 uses). It is
declared, read from the environment and checked in minsheng/settings.py; a value set in code (a test's
override, e.g. "0.2,0.3,0.5") is checked again here, since it did not pass through the settings file.
"""

import math

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

FAIRLY_SATISFIED_WEIGHT = 0.9  # docs/product.md §8: satisfaction = (很满意 + 满意 + 0.9 × 基本满意) / rated


def composite_weights() -> tuple[float, float, float]:
    raw = settings.LEDGER_WEIGHTS
    try:
        weights = tuple(float(w) for w in (raw.split(",") if isinstance(raw, str) else raw))
    except (TypeError, ValueError):
        weights = ()
    if (len(weights) != 3 or not all(math.isfinite(w) and w >= 0 for w in weights)
            or abs(sum(weights) - 1) > 1e-9):
        raise ImproperlyConfigured(f"LEDGER_WEIGHTS must be three non-negative numbers adding up to 1, got {raw!r}")
    return weights
