"""One definition per figure: the co-building units, members dual-reported and honours of a place are the
same number on the ledger, in the people selectors the home page reads, and on the home page itself
(people.selectors defines them; the ledger counts them at its period's end, the home page today).

The demo data set is loaded once for the module inside a transaction rolled back at the end (as
test_demo_ledger.py does), so no other test module sees it.
"""

import re

import pytest
from django.contrib.auth.models import User

from ledger import periods
from ledger.sections import figures_by_key, ledger_build
from people import selectors
from places.models import Place

YEAR = periods.year(2021)
# The article's figures (ledger/README.md), which every page must show alike.
ARTICLE = {"拱星墩街道": {"units": 28, "members": 614, "honours": 5},
           "天庆嘉园社区": {"units": 4, "members": 88, "honours": 5, "party_members": 226, "committee_members": 15}}
CARD = re.compile(r'<span class="n">(\d+)</span><span class="l">([^<]*)</span>')


@pytest.fixture
def demo(demo_db, db):
    return {name: Place.objects.get(name=name) for name in ARTICLE}


def home_selectors(place) -> dict[str, int]:
    """The figures as the home page reads them (minsheng.home): today, through people.selectors."""
    reports = selectors.report_state_counts(community=place)
    members = selectors.dual_reported_members(place).count()
    assert reports["reported"] + reports["placed"] == members
    return {"units": selectors.co_building_units(place).count(), "members": members,
            "honours": selectors.honours_of(place=place).count()}


def home_cards(client, username) -> list[tuple[int, str]]:
    client.force_login(User.objects.get(username=username))
    response = client.get("/")
    assert response.status_code == 200
    return [(int(n), label) for n, label in CARD.findall(response.content.decode())]


@pytest.mark.parametrize("name", list(ARTICLE))
def test_the_ledger_and_the_people_selectors_count_the_same(demo, name):
    place = demo[name]
    ledger = figures_by_key(ledger_build(place, YEAR, public=True))
    assert {key: ledger[key] for key in ARTICLE[name]} == ARTICLE[name]
    # The demo records nothing after 2021: today's figures are those at the end of 2021.
    assert home_selectors(place) == {key: ledger[key] for key in ("units", "members", "honours")}
    at_year_end = {"units": selectors.co_building_units(place, as_of=YEAR.end).count(),
                   "members": selectors.dual_reported_members(place, as_of=YEAR.end).count(),
                   "honours": selectors.honours_of(place=place, as_of=YEAR.end).count()}
    assert at_year_end == {key: ledger[key] for key in at_year_end}
    if place.kind == "community":
        assert selectors.community_party_members(place, as_of=YEAR.end).count() == ledger["party_members"]
        assert selectors.committee_of(place, as_of=YEAR.end).count() == ledger["committee_members"]


@pytest.mark.parametrize(("username", "name"), [("jiedao", "拱星墩街道"), ("tqjy", "天庆嘉园社区")])
def test_the_home_page_shows_the_ledgers_units_and_members(demo, client, username, name):
    cards = home_cards(client, username)
    units = [n for n, label in cards if "共建单位" in label]
    members = [n for n, label in cards if "双报到" in label]
    assert units == [ARTICLE[name]["units"]] and members == [ARTICLE[name]["members"]]


def test_the_committee_members_home_page_lists_the_ledgers_honours(demo, client):
    client.force_login(User.objects.get(username="shegongwei"))
    page = client.get("/").content.decode()
    honours = selectors.honours_of(place=demo["天庆嘉园社区"])
    assert len(honours) == ARTICLE["天庆嘉园社区"]["honours"]
    assert all(h.title in page for h in honours)

