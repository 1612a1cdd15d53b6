"""The needs fixtures, for the query-count tests."""

from needs.tests.conftest import category  # noqa: F401
