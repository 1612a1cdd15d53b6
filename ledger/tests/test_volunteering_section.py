"""The volunteering section: activities held, volunteers active and hours served, by team or unit, by kind of activity
and by community (volunteering.figures), counted from activities, check-ins and hours walked through
volunteering.services; by scope (the activity's place) and period (the activity's end). Every form of the ledger
carries it; no form names a volunteer, not even one who agreed to be named (name_public)."""

import datetime
import io
import re
import zoneinfo

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from core.fonts import cjk_font
from ledger import periods
from ledger.sections import figures_by_key, ledger_build
from people.services import person_account_link, person_create, team_create
from volunteering.models import HoursState, ServiceHours
from volunteering.services import (
    activity_cancel,
    activity_create,
    checkin,
    hours_certify,
    hours_correct,
    hours_propose,
    hours_query,
    signup_create,
    volunteer_register,
)

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
YEAR = periods.year(2021)
NAMES = ("志愿甲", "志愿乙", "志愿丙")
PHONES = ("13922220001", "13922220002", "13922220003")
KEYS = ("activities_held", "volunteers_active", "hours_served")


def at(text):
    return datetime.datetime.fromisoformat(text).replace(tzinfo=TZ)


class Service:
    def __init__(self, root, accounts, tree, unit):
        self.root, self.accounts, self.tree, self.unit = root, accounts, tree, unit
        self.team = team_create(actor=root, name="红色长城护卫队", community=tree["tqjy"])
        people = [person_create(actor=root, name=name, phone=phone, home=tree["entrance"], room="101",
                                is_resident=True) for name, phone in zip(NAMES, PHONES, strict=True)]
        self.volunteers = [volunteer_register(actor=root, person=p, name_public=i == 0, at=at("2021-06-01 10:00"))
                           for i, p in enumerate(people)]

    def organiser(self, activity):
        return self.accounts["unit_admin"] if activity.team_id is None else self.accounts["community_staff"]

    def activity(self, name, kind, place, start, end, *, by_unit=False):
        actor = self.accounts["unit_admin"] if by_unit else self.accounts["community_staff"]
        return activity_create(actor=actor, kind=kind, name=name, place=self.tree[place], starts_at=at(start),
                               ends_at=at(end), team=None if by_unit else self.team,
                               organisation=self.unit["organisation"] if by_unit else None, capacity=10,
                               at=at(start) - datetime.timedelta(days=7))

    def held(self, activity, who, *, certify=True):
        """Sign-ups, check-ins at the start (ticked by the organiser), hours proposed, certified."""
        organiser = self.organiser(activity)
        for i in who:
            signup_create(actor=organiser, activity=activity, volunteer=self.volunteers[i],
                          at=activity.starts_at - datetime.timedelta(days=2))
            checkin(actor=organiser, activity=activity, volunteer=self.volunteers[i], at=activity.starts_at)
        hours_propose(activity=activity, at=activity.ends_at + datetime.timedelta(hours=1))
        if certify:
            hours_certify(actor=organiser, entries_or_activity=activity,
                          at=activity.ends_at + datetime.timedelta(hours=2))
        return activity


@pytest.fixture
def service(root, accounts, tree, unit):
    """甲 and 乙 clean up in 天庆嘉园 (2 hours each, certified); 乙 and 丙 persuade at 五里铺东 for the unit (1.5 hours
    each); 丙's hours at a 天庆嘉园 talk are only proposed; a cancelled activity; 甲 on fire safety from New Year's
    Eve to 2022 (counts in 2022)."""
    s = Service(root, accounts, tree, unit)
    s.clean_up = s.held(s.activity("楼院卫生整治", "clean_up", "compound", "2021-07-03 09:00", "2021-07-03 11:00"),
                        (0, 1))
    s.traffic = s.held(s.activity("文明交通劝导", "traffic", "compound2", "2021-09-01 07:30", "2021-09-01 09:00",
                                  by_unit=True), (1, 2))
    s.talk = s.held(s.activity("防疫宣传", "epidemic", "tqjy", "2021-10-19 09:00", "2021-10-19 11:30"), (2,),
                    certify=False)
    called_off = s.activity("消防演练", "fire", "tqjy", "2021-11-06 09:00", "2021-11-06 11:00")
    activity_cancel(actor=accounts["community_staff"], activity=called_off, reason="疫情防控期间暂停",
                    at=at("2021-11-04 09:00"))
    s.eve = s.held(s.activity("跨年消防巡查", "fire", "tqjy", "2021-12-31 20:00", "2022-01-01 00:00"), (0,))
    return s


def figures(place, period=YEAR, public=True):
    return figures_by_key(ledger_build(place, period, public=public))


def table(place, key, period=YEAR, public=True):
    return next(t for b in ledger_build(place, period, public=public) for t in b.data.tables if t.key == key)


def values(place, period=YEAR):
    f = figures(place, period)
    return [f[k] for k in KEYS]


@pytest.mark.django_db
def test_it_counts_activities_by_their_place_and_end_and_only_certified_hours(service, tree):
    assert values(tree["tqjy"]) == [2, 2, 4.0]  # the clean-up and the talk held; the talk's hours not certified
    assert values(tree["wlpd"]) == [1, 2, 3.0]
    assert values(tree["subdistrict"]) == [3, 3, 7.0]
    assert values(tree["grid1"]) == [1, 2, 4.0]  # the talk was at the community, not in the grid
    assert values(tree["tqjy"], periods.year(2022)) == [1, 1, 4.0]  # New Year's Eve ended in 2022
    assert values(tree["tqjy"], periods.month(2021, 11)) == [0, 0, 0.0]  # cancelled: not held
    assert values(tree["tqjy"], periods.year(2020)) == [0, 0, 0.0]

    by_organiser = table(tree["subdistrict"], "volunteering_by_organiser").rows
    assert [(r["label"], r["held"], r["volunteers"], r["hours"], r["filter"]) for r in by_organiser] == [
        ("红色长城护卫队", 2, 2, 4.0, {"team": service.team.pk}),
        ("兰州电影制片厂", 1, 2, 3.0, {"unit": service.unit["organisation"].pk})]
    by_kind = table(tree["subdistrict"], "volunteering_by_kind").rows
    assert [(r["filter"]["kind"], r["held"], r["volunteers"], r["hours"]) for r in by_kind] == [
        ("clean_up", 1, 2, 4.0), ("traffic", 1, 2, 3.0), ("epidemic", 1, 0, 0.0)]
    by_community = table(tree["subdistrict"], "volunteering_by_community").rows
    assert [(r["label"], r["held"], r["volunteers"], r["hours"]) for r in by_community] == [
        ("天庆嘉园社区", 2, 2, 4.0), ("五里铺东社区", 1, 2, 3.0)]


@pytest.mark.django_db
def test_an_activity_not_over_yet_is_not_held(service, tree, accounts):
    now = timezone.now()
    ongoing = activity_create(actor=accounts["community_staff"], kind="clean_up", name="正在进行", place=tree["tqjy"],
                              team=service.team, starts_at=now - datetime.timedelta(minutes=30),
                              ends_at=now + datetime.timedelta(hours=1), at=now - datetime.timedelta(days=1))
    ends = timezone.localtime(ongoing.ends_at).date()
    assert figures(tree["tqjy"], periods.Period(ends, ends, "custom"))["activities_held"] == 0


@pytest.mark.django_db
def test_new_certified_hours_and_corrections_change_the_cached_ledger(service, tree, accounts):
    before = figures(tree["tqjy"])
    assert figures(tree["tqjy"]) == before  # from the cache
    hours_certify(actor=accounts["community_staff"], entries_or_activity=service.talk, at=at("2021-10-20 09:00"))
    after = figures(tree["tqjy"])
    assert (after["volunteers_active"], after["hours_served"]) == (3, 6.5)
    entry = ServiceHours.objects.get(activity=service.clean_up, volunteer=service.volunteers[0])
    hours_correct(actor=accounts["community_staff"], entry=entry, hours="1.5", reason="提前离开，按实际时间更正",
                  at=at("2021-07-05 09:00"))
    assert figures(tree["tqjy"])["hours_served"] == 6.0
    # A queried entry does not count until the organiser answers (here: confirms it as it is).
    queried = ServiceHours.objects.get(activity=service.traffic, volunteer=service.volunteers[1])
    own = User.objects.create_user("zhiyuan_yi", password="pass-12345")
    person_account_link(actor=service.root, person=queried.volunteer.person, user=own)
    hours_query(actor=own, entry=queried, reason="记录少了", at=at("2021-09-03 09:00"))
    assert ServiceHours.objects.get(pk=queried.pk).state == HoursState.QUERIED
    assert figures(tree["wlpd"])["hours_served"] == 1.5
    hours_certify(actor=accounts["unit_admin"], entries_or_activity=[queried], at=at("2021-09-04 09:00"))
    assert figures(tree["wlpd"])["hours_served"] == 3.0


def xlsx_text(content: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row)


def activities_list():
    try:
        return reverse("volunteering:list")
    except NoReverseMatch:
        return ""


@pytest.mark.django_db
def test_every_public_form_carries_the_figures_and_no_volunteer(client, service, tree):
    code = tree["tqjy"].code
    page = client.get(reverse("ledger:public", args=[code]), {"period": "2021"}).content.decode()
    assert 'data-figure="hours_served"' in page and "红色长城护卫队" in page
    assert '<span class="n">4 小时</span><span class="l">志愿服务时长</span>' in page
    assert "/ledger/records/" not in page
    if activities_list():  # the public follows the figures to the activities list of the community
        assert f'href="{activities_list()}?community={code}" data-figure="hours_served"' in page
        assert f'href="{activities_list()}?community={code}&amp;kind=clean_up"' in page
    forms = [page,
             client.get(reverse("ledger:csv", args=[code]), {"period": "2021"}).getvalue().decode(),
             xlsx_text(client.get(reverse("ledger:xlsx", args=[code]), {"period": "2021"}).getvalue()),
             client.get("/api/v1/ledger", {"place": code, "from": "2021-01-01", "to": "2021-12-31"}).content.decode()]
    if cjk_font():
        from pypdf import PdfReader

        pdf = client.get(reverse("ledger:pdf", args=[code]), {"period": "2021"}).content
        forms.append("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace("\n", ""))
        assert "志愿服务时长" in forms[-1]
    numbers = [v.number for v in service.volunteers]
    for text in forms:
        for secret in (*NAMES, *PHONES, *numbers):  # 志愿甲 agreed to be named: still not named here
            assert secret not in text
    data = client.get("/api/v1/ledger", {"place": code, "from": "2021-01-01", "to": "2021-12-31"}).json()
    assert {k: data["figures"][k] for k in KEYS} == {"activities_held": 2, "volunteers_active": 2, "hours_served": 4.0}
    assert "hours_served,志愿服务时长,4.0,小时" in forms[1].replace('"', "")
    assert "开展志愿活动" in forms[2] and "防疫宣传" in forms[2]  # the kinds table, in Chinese


@pytest.mark.django_db
def test_staff_follow_each_figure_to_its_activities_volunteers_and_hours(client, service, tree, accounts):
    client.force_login(accounts["subdistrict_admin"])
    page = client.get(reverse("ledger:dashboard"), {"period": "2021"}).content.decode()
    links = {figure: url.replace("&amp;", "&") for url, figure in re.findall(
        r'href="(/ledger/records/\?[^"]*figure=(activities_held|volunteers_active|hours_served))"', page)}
    assert set(links) == set(KEYS)
    held = client.get(links["activities_held"]).content.decode()
    assert all(name in held for name in ("楼院卫生整治", "文明交通劝导", "防疫宣传"))
    assert "消防演练" not in held and "跨年消防巡查" not in held
    active = client.get(links["volunteers_active"]).content.decode()
    assert all(v.number in active for v in service.volunteers) and "志愿甲" not in active  # masked
    entries = client.get(links["hours_served"]).content.decode()
    assert entries.count("楼院卫生整治") == 2 and entries.count("文明交通劝导") == 2 and "防疫宣传" not in entries
    # A row of a breakdown lists its own entries: the unit's persuasion.
    row = re.search(r'href="(/ledger/records/\?[^"]*unit=\d+[^"]*)"', page).group(1).replace("&amp;", "&")
    unit_rows = client.get(row).content.decode()
    assert unit_rows.count("文明交通劝导") == 2 and "楼院卫生整治" not in unit_rows
    team = client.get(reverse("ledger:records"), {"place": tree["subdistrict"].code, "period": "2021",
                                                  "figure": "activities_held", "team": service.team.pk})
    assert "文明交通劝导" not in team.content.decode() and "防疫宣传" in team.content.decode()
    community = client.get(reverse("ledger:records"), {"place": tree["subdistrict"].code, "period": "2021",
                                                       "figure": "hours_served", "community": tree["wlpd"].code})
    assert "楼院卫生整治" not in community.content.decode() and "文明交通劝导" in community.content.decode()
    assert client.get(reverse("ledger:records"), {"place": tree["subdistrict"].code, "period": "2021",
                                                  "figure": "hours_served", "team": "x"}).status_code == 400
