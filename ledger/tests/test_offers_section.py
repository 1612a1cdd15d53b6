"""The offers section: bookings fulfilled, residents served, no-shows and the no-show rate, by kind of offer and
by provider (offers.figures), counted from bookings made and marked through offers.services; by scope (the
booked person's home, else the communities the offer serves) and period (the session's start). Every form of
the ledger carries it; the public forms carry counts and unit names only."""

import datetime
import io
import re
import zoneinfo

import openpyxl
import pytest
from django.urls import reverse

from core.fonts import cjk_font
from ledger import periods
from ledger.sections import figures_by_key, ledger_build
from offers.services import (
    booking_cancel,
    booking_fulfil,
    booking_mark_no_show,
    booking_request,
    offer_create,
    session_create,
)
from people.scopes import person_of
from people.services import person_create

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
YEAR = periods.year(2021)
NAMES = ("住户甲", "住户乙", "住户丙", "过路丁")
PHONES = ("13911110001", "13911110002", "13911110003", "13911110004")


def at(text):
    return datetime.datetime.fromisoformat(text).replace(tzinfo=TZ)


class Bookings:
    def __init__(self, root, accounts, tree, unit):
        self.root, self.accounts = root, accounts
        member = person_of(accounts["party_member"])
        self.rides = offer_create(actor=accounts["unit_admin"], kind="transport", name="免费接送",
                                  organisation=unit["organisation"], communities=[tree["tqjy"], tree["wlpd"]],
                                  residents_only=False, horizon_days=60, is_published=True)
        self.clinic = offer_create(actor=accounts["party_member"], kind="clinic", name="义诊", person=member,
                                   communities=[tree["tqjy"]], residents_only=False, is_published=True)
        homes = (tree["entrance"], tree["entrance"], tree["compound2"], None)
        self.people = [person_create(actor=root, name=name, phone=phone, home=home, room="101" if home else "",
                                     is_resident=home is not None)
                       for name, phone, home in zip(NAMES, PHONES, homes, strict=True)]

    def session(self, offer, start):
        actor = self.accounts["unit_admin"] if offer == self.rides else self.accounts["party_member"]
        return session_create(actor=actor, offer=offer, starts_at=at(start),
                              ends_at=at(start) + datetime.timedelta(hours=2), capacity=5)

    def book(self, session, who, outcome="fulfil"):
        booking = booking_request(actor=self.root, session=session, person=self.people[who],
                                  at=session.starts_at - datetime.timedelta(days=2))
        provider = self.accounts["unit_admin"] if session.offer == self.rides else self.accounts["party_member"]
        after = session.starts_at + datetime.timedelta(hours=1)
        if outcome == "fulfil":
            return booking_fulfil(actor=provider, booking=booking, at=after)
        if outcome == "no_show":
            return booking_mark_no_show(actor=provider, booking=booking, at=after)
        if outcome == "cancel":
            return booking_cancel(actor=self.root, booking=booking, at=session.starts_at - datetime.timedelta(days=1))
        return booking


@pytest.fixture
def bookings(root, accounts, tree, unit):
    """甲 and 乙 live in 天庆嘉园, 丙 in 五里铺东, 丁 nowhere on record (counts where the offer serves)."""
    b = Bookings(root, accounts, tree, unit)
    july, eve, january = (b.session(b.rides, "2021-07-10 09:00"), b.session(b.rides, "2021-12-31 20:00"),
                          b.session(b.rides, "2022-01-05 09:00"))
    clinic = b.session(b.clinic, "2021-08-01 09:00")
    b.book(july, 0)
    b.book(eve, 0)  # 甲 twice: two bookings, one resident served
    b.book(july, 1, "no_show")
    b.book(july, 2)
    b.book(july, 3)
    b.book(clinic, 1)
    b.book(january, 0)  # 2022
    b.book(eve, 2, "cancel")  # cancelled: neither fulfilled nor a no-show
    b.book(eve, 1, "keep")  # confirmed, not yet marked
    b.sessions = {"july": july, "eve": eve, "january": january, "clinic": clinic}
    return b


def figures(place, period=YEAR, public=True):
    return figures_by_key(ledger_build(place, period, public=public))


def table(place, key, period=YEAR, public=True):
    return next(t for b in ledger_build(place, period, public=public) for t in b.data.tables if t.key == key)


KEYS = ("bookings_fulfilled", "residents_served", "no_shows", "no_show_rate")


@pytest.mark.django_db
def test_it_counts_bookings_by_the_home_of_the_person_booked_and_the_session_start(bookings, tree):
    assert [figures(tree["tqjy"])[k] for k in KEYS] == [4, 3, 1, 0.2]
    assert [figures(tree["wlpd"])[k] for k in KEYS] == [2, 2, 0, 0.0]
    # 丁 (no home on record) counts once in the subdistrict, though the offer serves two of its communities.
    assert [figures(tree["subdistrict"])[k] for k in KEYS] == [5, 4, 1, round(1 / 6, 4)]
    assert [figures(tree["grid2"])[k] for k in KEYS] == [1, 1, 0, 0.0]  # 丁 counts in communities, not grids
    assert [figures(tree["tqjy"], periods.month(2021, 12))[k] for k in KEYS] == [1, 1, 0, 0.0]
    assert [figures(tree["tqjy"], periods.year(2022))[k] for k in KEYS] == [1, 1, 0, 0.0]
    assert [figures(tree["tqjy"], periods.year(2020))[k] for k in KEYS] == [0, 0, 0, None]

    by_kind = table(tree["tqjy"], "bookings_by_kind").rows
    assert [(r["filter"]["kind"], r["fulfilled"], r["residents"], r["no_show"], r["no_show_rate"])
            for r in by_kind] == [("transport", 3, 2, 1, 0.25), ("clinic", 1, 1, 0, 0.0)]
    assert "接送" in by_kind[0]["label"]
    by_provider = table(tree["tqjy"], "bookings_by_provider").rows
    assert [(r["label"], r["fulfilled"], r["no_show"]) for r in by_provider][0] == ("兰州电影制片厂", 3, 1)
    member = person_of(bookings.accounts["party_member"])
    assert by_provider[1]["label"] != member.name and by_provider[1]["fulfilled"] == 1  # masked for the public
    assert table(tree["tqjy"], "bookings_by_provider", public=False).rows[1]["label"] == member.name


@pytest.mark.django_db
def test_a_new_booking_fulfilled_changes_the_cached_ledger(bookings, tree):
    before = figures(tree["tqjy"])
    assert figures(tree["tqjy"]) == before  # from the cache
    bookings.book(bookings.sessions["clinic"], 0)
    after = figures(tree["tqjy"])
    assert (after["bookings_fulfilled"], after["residents_served"]) == (before["bookings_fulfilled"] + 1, 3)
    kept = next(b for b in bookings.sessions["eve"].bookings.all() if b.state == "confirmed")
    booking_mark_no_show(actor=bookings.accounts["unit_admin"], booking=kept,
                         at=bookings.sessions["eve"].starts_at + datetime.timedelta(hours=1))
    assert figures(tree["tqjy"])["no_shows"] == before["no_shows"] + 1


def xlsx_text(content: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row)


@pytest.mark.django_db
def test_every_public_form_carries_the_figures_and_no_name(client, bookings, tree):
    code = tree["tqjy"].code
    member = person_of(bookings.accounts["party_member"])
    page = client.get(reverse("ledger:public", args=[code]), {"period": "2021"}).content.decode()
    assert 'data-figure="bookings_fulfilled"' in page and "兰州电影制片厂" in page
    # The public follows the figures to the offers list of the community, a row to its kind's or unit's offers.
    listed = f'href="/offers/?community={code}" data-figure="bookings_fulfilled"'
    assert listed in page and "/ledger/records/" not in page
    assert f'href="/offers/?community={code}&amp;kind=transport"' in page
    assert client.get(f"/offers/?community={code}&kind=transport").content.decode().count("免费接送") >= 1
    forms = [page,
             client.get(reverse("ledger:csv", args=[code]), {"period": "2021"}).getvalue().decode(),
             xlsx_text(client.get(reverse("ledger:xlsx", args=[code]), {"period": "2021"}).getvalue()),
             client.get("/api/v1/ledger", {"place": code, "from": "2021-01-01", "to": "2021-12-31"}).content.decode()]
    if cjk_font():
        from pypdf import PdfReader

        pdf = client.get(reverse("ledger:pdf", args=[code]), {"period": "2021"}).content
        forms.append("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace("\n", ""))
        assert "已完成预约" in forms[-1]
    for text in forms:
        for secret in (*NAMES, *PHONES, member.name, member.phone):
            assert secret not in text
    data = client.get("/api/v1/ledger", {"place": code, "from": "2021-01-01", "to": "2021-12-31"}).json()
    assert {k: data["figures"][k] for k in KEYS} == {"bookings_fulfilled": 4, "residents_served": 3, "no_shows": 1,
                                                     "no_show_rate": 0.2}
    assert "bookings_fulfilled,已完成预约,4," in forms[1].replace('"', "")


@pytest.mark.django_db
def test_staff_follow_each_figure_to_its_bookings(client, bookings, tree, accounts):
    client.force_login(accounts["community_staff"])
    page = client.get(reverse("ledger:dashboard"), {"period": "2021"}).content.decode()
    links = {figure: url.replace("&amp;", "&") for url, figure in re.findall(
        r'href="(/ledger/records/\?[^"]*figure=(bookings_fulfilled|residents_served|no_shows|no_show_rate))"', page)}
    assert set(links) == set(KEYS)
    fulfilled = client.get(links["bookings_fulfilled"]).content.decode()
    assert fulfilled.count("免费接送") == 3 and fulfilled.count("义诊") == 1
    assert reverse("offers:detail", args=[bookings.rides.pk]) in fulfilled
    assert "住户甲" not in fulfilled  # masked: 住*甲 or the like
    no_shows = client.get(links["no_shows"]).content.decode()
    assert no_shows.count("免费接送") == 1
    # A row of a breakdown lists its own bookings: the clinic's member.
    row = re.search(r'href="(/ledger/records/\?[^"]*member=\d+[^"]*)"', page).group(1).replace("&amp;", "&")
    assert client.get(row).content.decode().count("义诊") == 1
    kind = client.get(reverse("ledger:records"), {"place": tree["tqjy"].code, "period": "2021",
                                                  "figure": "bookings_fulfilled", "kind": "clinic"}).content.decode()
    assert kind.count("免费接送") == 0 and kind.count("义诊") == 1
