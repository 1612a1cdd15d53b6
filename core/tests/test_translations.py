"""zh-hans is the first language: every string in every app's catalogue must be translated."""

import subprocess
from pathlib import Path

import pytest
from django.conf import settings

CATALOGUES = sorted(Path(settings.BASE_DIR).glob("*/locale/zh_Hans/LC_MESSAGES/django.po"))


def test_it_has_a_chinese_catalogue_for_each_app_with_text():
    apps = {p.parts[-5] for p in CATALOGUES}
    assert {"core", "places", "people", "sites", "rosters"} <= apps


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.parts[-5])
def test_it_translates_every_string(po):
    result = subprocess.run(["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)],
                            capture_output=True, text=True, check=True)
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr
