"""The meetings section: meetings held, the attendance rate, resolutions adopted and carried out (meetings.figures),
needs raised by councils and the joint meeting and of them resolved (the roll-ups by channel) — counted from bodies,
meetings and resolutions walked through meetings.services, by scope (the body's place) and period (held_at,
decided_at; a need by the day it was found). Every form carries the counts; none names a member."""

import datetime
import io
import re
import zoneinfo

import openpyxl
import pytest
from django.urls import NoReverseMatch, reverse

from core.fonts import cjk_font
from ledger import periods
from ledger.sections import figures_by_key, ledger_build
from meetings.models import BodyKind
from meetings.services import (
    attendance_record,
    body_create,
    meeting_cancel,
    meeting_hold,
    meeting_schedule,
    member_add,
    resolution_decide,
    resolution_mark_done,
    resolution_need_create,
    resolution_need_link,
    resolution_propose,
)
from needs.services import need_act, need_submit
from people.services import committee_member_add, person_create

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
YEAR = periods.year(2021)
KEYS = ("meetings_held", "attendance_rate", "resolutions_adopted", "resolutions_done", "council_needs",
        "council_needs_resolved")
NAMES = ("委员甲", "委员乙", "议事丙", "议事丁")
PHONES = ("13733330001", "13733330002", "13733330003", "13733330004")


def at(text):
    return datetime.datetime.fromisoformat(text).replace(tzinfo=TZ)


class Bodies:
    """天庆嘉园's 社工委 (two people and the unit on its seats), a council of 五里铺东小区 (two residents) and the
    subdistrict's joint meeting (the unit)."""

    def __init__(self, root, tree, accounts, unit):
        self.tree, self.a = tree, accounts
        people = [person_create(actor=root, name=name, phone=phone, home=tree["entrance"], room="101",
                                is_resident=True) for name, phone in zip(NAMES, PHONES, strict=True)]
        since = datetime.date(2021, 9, 1)
        for person, represents in zip(people[:2], ("社区党委", "居民代表"), strict=True):
            committee_member_add(actor=root, community=tree["tqjy"], since=since, person=person, represents=represents)
        committee_member_add(actor=root, community=tree["tqjy"], since=since, organisation=unit["organisation"],
                             represents="驻区单位")
        staff, other, jiedao = accounts["community_staff"], accounts["other_community_staff"], accounts[
            "subdistrict_admin"]
        self.committee = body_create(actor=staff, kind="committee", name="天庆嘉园社区社工委", place=tree["tqjy"],
                                     founded_on=datetime.date(2021, 9, 10), at=at("2021-09-01 09:00"))
        self.council = body_create(actor=other, kind="council", name="五里铺东小区居民议事会", place=tree["compound2"],
                                   at=at("2021-06-01 09:00"))
        for person in people[2:]:
            member_add(actor=other, body=self.council, person=person, since=datetime.date(2021, 6, 1),
                       represents="居民代表", at=at("2021-06-01 09:00"))
        self.joint = body_create(actor=jiedao, kind="joint", name="拱星墩街道党建联席会", place=tree["subdistrict"],
                                 at=at("2021-03-01 09:00"))
        member_add(actor=jiedao, body=self.joint, organisation=unit["organisation"], since=datetime.date(2021, 3, 1),
                   represents="共驻共建单位", at=at("2021-03-01 09:00"))

    def held(self, actor, body, start, *, away=()):
        """Scheduled a week ahead, attendance recorded (the members at `away` excused), held."""
        meeting = meeting_schedule(actor=actor, body=body, title=f"{body.name}会议", starts_at=at(start),
                                   agenda=["议题"], at=at(start) - datetime.timedelta(days=7))
        invited = list(meeting.attendances.order_by("member_id").values_list("member_id", flat=True))
        attendance_record(actor=actor, meeting=meeting, presence={
            m: "excused" if i in away else "present" for i, m in enumerate(invited)}, at=at(start))
        return meeting_hold(actor=actor, meeting=meeting, at=at(start))

    def resolution(self, actor, meeting, title, *, votes_for, against=0):
        resolution = resolution_propose(actor=actor, meeting=meeting, title=title, at=meeting.held_at)
        return resolution_decide(actor=actor, resolution=resolution, votes_for=votes_for, votes_against=against,
                                 votes_abstain=0, at=meeting.held_at + datetime.timedelta(minutes=30))


@pytest.fixture
def bodies(root, tree, accounts, unit, category):
    """天庆嘉园 2021-09-10: 2 of 3 present (one excused); a resolution that creates a need (accepted, resolved: done),
    one adopted that created nothing, one rejected. 五里铺东小区 2021-07-06: 2 of 2; a resolution linked to the need the
    council raised (found, still open). The joint meeting 2021-03-26: 1 of 1; a resolution marked done. 天庆嘉园
    2022-01-05: held (counts in 2022); a cancelled meeting and one only scheduled count nowhere."""
    b = Bodies(root, tree, accounts, unit)
    staff, other, jiedao = accounts["community_staff"], accounts["other_community_staff"], accounts["subdistrict_admin"]
    founding = b.held(staff, b.committee, "2021-09-10 09:30", away=(2,))
    created = b.resolution(staff, founding, "在A区增设休息座椅", votes_for=2)
    b.need = resolution_need_create(actor=staff, resolution=created, title="A区增设休息座椅", place=tree["compound"],
                                    at=at("2021-09-10 11:00"))
    need_act(actor=staff, need=b.need, action="accept", category=category, concern_level="annoyance",
             at=at("2021-09-10 11:30"))
    need_act(actor=staff, need=b.need, action="dispatch", organisation=unit["organisation"], at=at("2021-09-10 12:00"))
    need_act(actor=accounts["unit_admin"], need=b.need, action="resolve", note="已安装座椅6张", evidence="照片",
             at=at("2021-09-20 16:00"))
    b.resolution(staff, founding, "通过社工委章程", votes_for=2)
    b.resolution(staff, founding, "取消周末活动", votes_for=0, against=2)

    council = b.held(other, b.council, "2021-07-06 09:30")
    linked = b.resolution(other, council, "解决老人出行难", votes_for=2)
    b.council_need = need_submit(actor=other, title="老人出行难", place=tree["compound2"], channel="council",
                                 at=at("2021-07-06 15:00"))
    need_act(actor=other, need=b.council_need, action="accept", category=category, concern_level="worry",
             at=at("2021-07-06 15:30"))
    resolution_need_link(actor=other, resolution=linked, need=b.council_need, at=at("2021-07-06 15:35"))

    joint = b.held(jiedao, b.joint, "2021-03-26 09:30")
    coverage = b.resolution(jiedao, joint, "共建单位四进包抓", votes_for=1)
    resolution_mark_done(actor=jiedao, resolution=coverage, note="包抓已落实", at=at("2021-05-01 09:00"))

    b.held(staff, b.committee, "2022-01-05 09:30")
    called_off = meeting_schedule(actor=staff, body=b.committee, title="取消的会议", starts_at=at("2021-11-05 09:30"),
                                  at=at("2021-11-01 09:00"))
    meeting_cancel(actor=staff, meeting=called_off, reason="疫情防控", at=at("2021-11-04 09:00"))
    meeting_schedule(actor=staff, body=b.committee, title="未召开的会议", starts_at=at("2021-12-20 09:30"),
                     at=at("2021-12-01 09:00"))
    return b


def figures(place, period=YEAR, public=True):
    return figures_by_key(ledger_build(place, period, public=public))


def values(place, period=YEAR):
    f = figures(place, period)
    return [f[k] for k in KEYS]


def table(place, key, period=YEAR, public=True):
    return next(t for b in ledger_build(place, period, public=public) for t in b.data.tables if t.key == key)


@pytest.mark.django_db
def test_it_counts_meetings_by_their_bodys_place_and_the_moment_they_were_held(bodies, tree):
    assert values(tree["tqjy"]) == [1, round(2 / 3, 4), 2, 1, 1, 1]  # the rejected resolution is not adopted
    assert values(tree["wlpd"]) == [1, 1.0, 1, 0, 1, 0]  # linked to a need still open: in progress
    assert values(tree["subdistrict"]) == [3, round(5 / 6, 4), 4, 2, 2, 1]
    # The 社工委 sits at the community, not in its grid; the need it raised lies in the grid.
    assert values(tree["grid1"]) == [0, None, 0, 0, 1, 1]
    assert values(tree["tqjy"], periods.year(2022)) == [1, 1.0, 0, 0, 0, 0]
    assert values(tree["tqjy"], periods.month(2021, 11)) == [0, None, 0, 0, 0, 0]  # cancelled: not held
    assert values(tree["subdistrict"], periods.quarter(2021, 1)) == [1, 1.0, 1, 1, 0, 0]  # the joint meeting
    assert values(tree["tqjy"], periods.quarter(2021, 1)) == [0, None, 0, 0, 0, 0]  # not the community's

    by_kind = table(tree["subdistrict"], "meetings_by_kind").rows
    assert [(r["label"], r["held"], r["attendance_rate"], r["adopted"], r["done"]) for r in by_kind] == [
        (str(BodyKind.COMMITTEE.label), 1, round(2 / 3, 4), 2, 1), (str(BodyKind.COUNCIL.label), 1, 1.0, 1, 0),
        (str(BodyKind.JOINT.label), 1, 1.0, 1, 1)]
    by_community = table(tree["subdistrict"], "meetings_by_community").rows
    assert [(r["label"], r["held"], r["adopted"], r["done"]) for r in by_community] == [  # the joint meeting's: the
        ("天庆嘉园社区", 1, 2, 1), ("拱星墩街道", 1, 1, 1), ("五里铺东社区", 1, 1, 0)]  # subdistrict's own row
    assert "meetings_by_community" not in [t.key for b in ledger_build(tree["tqjy"], YEAR, public=True)
                                           for t in b.data.tables]


@pytest.mark.django_db
def test_a_resolution_is_done_once_what_it_raised_is_resolved(bodies, tree, accounts):
    before = figures(tree["wlpd"])
    assert figures(tree["wlpd"]) == before  # from the cache
    need_act(actor=accounts["other_community_staff"], need=bodies.council_need, action="publish",
             at=at("2021-07-07 09:00"))
    need_act(actor=accounts["unit_admin"], need=bodies.council_need, action="claim", at=at("2021-07-07 10:00"))
    need_act(actor=accounts["unit_admin"], need=bodies.council_need, action="resolve", note="已安排免费接送",
             evidence="预约台账", at=at("2021-07-12 16:00"))
    assert values(tree["wlpd"]) == [1, 1.0, 1, 1, 1, 1]


def xlsx_text(content: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row)


def url_of(name):
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


@pytest.mark.django_db
def test_every_public_form_carries_the_figures_and_no_member(client, bodies, tree):
    code = tree["tqjy"].code
    page = client.get(reverse("ledger:public", args=[code]), {"period": "2021"}).content.decode()
    assert '<span class="n">1</span><span class="l">召开会议</span>' in page
    assert '<span class="n">66.7%</span><span class="l">出席率</span>' in page
    assert "/ledger/records/" not in page
    if url_of("meetings:public"):  # the public follows the figures to the published minutes and resolutions
        assert f'href="{url_of("meetings:public")}?community={code}&amp;year=2021" data-figure="meetings_held"' in page
    forms = [page,
             client.get(reverse("ledger:csv", args=[code]), {"period": "2021"}).getvalue().decode(),
             xlsx_text(client.get(reverse("ledger:xlsx", args=[code]), {"period": "2021"}).getvalue()),
             client.get("/api/v1/ledger", {"place": code, "from": "2021-01-01", "to": "2021-12-31"}).content.decode()]
    if cjk_font():
        from pypdf import PdfReader

        pdf = client.get(reverse("ledger:pdf", args=[code]), {"period": "2021"}).content
        forms.append("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace("\n", ""))
        assert "召开会议" in forms[-1] and "议事会提出需求" in forms[-1]
    for text in forms:
        for secret in (*NAMES, *PHONES):
            assert secret not in text
    data = client.get("/api/v1/ledger", {"place": code, "from": "2021-01-01", "to": "2021-12-31"}).json()
    assert {k: data["figures"][k] for k in KEYS} == {
        "meetings_held": 1, "attendance_rate": round(2 / 3, 4), "resolutions_adopted": 2, "resolutions_done": 1,
        "council_needs": 1, "council_needs_resolved": 1}
    assert "meetings_held,召开会议,1" in forms[1].replace('"', "")
    assert "通过决议" in forms[2] and "决议已落实" in forms[2]  # the table by kind of body, in Chinese


@pytest.mark.django_db
def test_staff_follow_the_figures_to_the_meetings_and_the_needs(client, bodies, tree, accounts):
    client.force_login(accounts["subdistrict_admin"])
    page = client.get(reverse("ledger:dashboard"), {"place": tree["subdistrict"].code, "period": "2021"})
    page = page.content.decode()
    if url_of("meetings:list"):
        assert (f'href="{url_of("meetings:list")}?place={tree["subdistrict"].code}&amp;state=held&amp;year=2021" '
                f'data-figure="meetings_held"') in page
    links = {figure: url.replace("&amp;", "&") for url, figure in re.findall(
        r'href="(/ledger/records/\?[^"]*figure=(council_needs|council_needs_resolved))"', page)}
    assert set(links) == {"council_needs", "council_needs_resolved"}
    raised = client.get(links["council_needs"]).content.decode()
    assert "A区增设休息座椅" in raised and "老人出行难" in raised
    resolved = client.get(links["council_needs_resolved"]).content.decode()
    assert "A区增设休息座椅" in resolved and "老人出行难" not in resolved
