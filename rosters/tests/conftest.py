import pytest
from huey.contrib.djhuey import HUEY


@pytest.fixture(autouse=True)
def imports_in_tmp(settings, tmp_path):
    """Uploaded files and outcomes go to a fresh directory per test."""
    settings.VAR_DIR = tmp_path


@pytest.fixture(autouse=True)
def tasks_run_at_once():
    """Big files go to a huey task; in tests the task runs within the request, on the test's database."""
    immediate = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = immediate
