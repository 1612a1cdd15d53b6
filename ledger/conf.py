"""The ledger's settings, read at call time so that a deployment (or a test) can change them.

LEDGER_WEIGHTS: the weights of the composite score over the response, resolution and satisfaction rates,
as three numbers that add up to 1 (default 0.1,0.45,0.45, the proportions Beijing's 接诉即办 uses);
set in Django settings or, failing that, in the environment variable of the same name.
"""

import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULT_WEIGHTS = "0.1,0.45,0.45"
FAIRLY_SATISFIED_WEIGHT = 0.9  # SPEC §8: satisfaction = (很满意 + 满意 + 0.9 × 基本满意) / rated


def composite_weights() -> tuple[float, float, float]:
    raw = getattr(settings, "LEDGER_WEIGHTS", None) or os.environ.get("LEDGER_WEIGHTS") or DEFAULT_WEIGHTS
    try:
        weights = tuple(float(w) for w in str(raw).split(","))
    except ValueError:
        weights = ()
    if len(weights) != 3 or any(w < 0 for w in weights) or abs(sum(weights) - 1) > 1e-9:
        raise ImproperlyConfigured(f"LEDGER_WEIGHTS must be three non-negative numbers adding up to 1, got {raw!r}")
    return weights
