"""The needs and offers fixtures the interfaces' tests build on (a need claimed or sent to a department, a
session to book), shared rather than copied."""

from needs.tests.conftest import category, claimed, department, published, submitted  # noqa: F401
from offers.tests.conftest import now, offer, provider, session  # noqa: F401
