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


def test_no_two_catalogues_translate_one_string_differently():
    """Django merges every app's catalogue into one: the app listed first wins a msgid, silently, in every other
    app too ("Overdue" as 逾期未还 for a loan turned a need's 逾期 into it). A string that needs other words in one
    place takes a context (`{% translate "Overdue" context "loan" %}`, pgettext) or a msgid of its own. Django's own
    catalogue counts too: an app that translates "This field is required." differently changes every form."""
    import gettext

    import django

    django_mo = Path(django.__file__).parent / "conf/locale/zh_Hans/LC_MESSAGES/django.mo"
    catalogues = {"django": django_mo, **{p.parts[-5]: p.with_suffix(".mo") for p in CATALOGUES}}
    seen: dict[str, tuple[str, str]] = {}
    conflicts = []
    for app, mo in catalogues.items():
        with open(mo, "rb") as f:
            catalog = gettext.GNUTranslations(f)._catalog
        for msgid, msgstr in catalog.items():
            if not msgid or isinstance(msgid, tuple):  # the header; plural forms are checked by their singular
                continue
            if msgid in seen and seen[msgid][1] != msgstr:
                conflicts.append(f"{msgid!r}: {seen[msgid][0]} {seen[msgid][1]!r} ≠ {app} {msgstr!r}")
            seen.setdefault(msgid, (app, msgstr))
    assert not conflicts, "\n".join(conflicts)
