import pytest


@pytest.fixture(autouse=True)
def imports_in_tmp(settings, tmp_path):
    """Uploaded files and outcomes go to a fresh directory per test."""
    settings.VAR_DIR = tmp_path
