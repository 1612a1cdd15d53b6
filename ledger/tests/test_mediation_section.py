"""The mediation section: disputes received, concluded and settled, the shares settled within the community and within
the subdistrict, the median days to settle, by kind, level, outcome and community (mediation.figures) — counted from
disputes walked through mediation.services, by scope (the dispute's place) and period (received_at for received,
concluded_at for the rest). Every form carries the counts; none names a party or links to a case for the public."""

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
from mediation.models import Outcome
from mediation.services import (
    building_pair_set,
    dispute_agree,
    dispute_assess,
    dispute_escalate,
    dispute_feed_back,
    dispute_follow_up,
    dispute_mediate,
    dispute_no_agreement,
    dispute_receive,
    dispute_withdraw,
)
from people.services import person_create

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
YEAR = periods.year(2021)
KEYS = ("disputes_received", "disputes_concluded", "disputes_settled", "community_settle_rate",
        "subdistrict_settle_rate", "median_days_to_settle")
NAMES = ("申请甲", "对方乙", "楼长丙", "物业丁")
PHONES = ("13811110001", "13811110002")


def at(text):
    return datetime.datetime.fromisoformat(text).replace(tzinfo=TZ)


class Cases:
    def __init__(self, root, tree, accounts):
        self.tree, self.a = tree, accounts
        head = person_create(actor=root, name="楼长丙", phone="13811110003", home=tree["entrance"], room="301",
                             is_resident=True)
        manager = person_create(actor=root, name="物业丁", phone="13811110004")
        building_pair_set(actor=accounts["community_staff"], building=tree["building"], head=head, manager=manager,
                          since=datetime.date(2020, 1, 1), at=at("2020-01-01 09:00"))

    def staff(self, place):
        return self.a["community_staff" if place.code.startswith(self.tree["tqjy"].code) else "other_community_staff"]

    def open(self, place, kind, received, title="邻里纠纷"):
        staff = self.staff(self.tree[place])
        d = dispute_receive(actor=staff, kind=kind, title=title, place=self.tree[place], at=at(received), parties=[
            {"role": "applicant", "name": NAMES[0], "phone": PHONES[0], "address": "2单元502"},
            {"role": "respondent", "name": NAMES[1], "phone": PHONES[1], "address": "2单元602"}])
        d = dispute_assess(actor=staff, dispute=d, note="属邻里纠纷，适宜调解", at=at(received))
        return dispute_mediate(actor=staff, dispute=d, at=at(received))

    def agree(self, d, when, actor=None):
        actor = actor or self.staff(d.place)
        dispute_agree(actor=actor, dispute=d, facts="楼上渗水", terms="修复防水，赔偿粉刷费用",
                      performance="一周内修复", perform_by=at(when).date() + datetime.timedelta(days=7),
                      signed_on=at(when).date(), at=at(when))
        return d

    def closed(self, d, when):
        """Fed back and followed up: the state moves, the figures do not."""
        later = at(when) + datetime.timedelta(days=1)
        d = dispute_feed_back(actor=self.staff(d.place), dispute=d, note="已告知双方", at=later)
        return dispute_follow_up(actor=self.staff(d.place), dispute=d, performed=True, note="已履行",
                                 at=later + datetime.timedelta(days=14))


@pytest.fixture
def cases(root, tree, accounts):
    """In 2021: a leak at the paired building settled there in 4 days (and closed after its follow-up); pets at the
    compound settled by the community in 10; noise at 五里铺东 raised to the subdistrict and settled there in 20; a
    parking dispute withdrawn; a boundary dispute referred to the court; a leak received on 12-20 and settled in 2022;
    an elevator dispute received in 2020 and settled by the community on 2021-01-03, in 6 days."""
    c = Cases(root, tree, accounts)
    c.closed(c.agree(c.open("entrance", "leak", "2021-03-01 09:00", "楼上漏水"), "2021-03-05 09:00"),
             "2021-03-05 09:00")
    c.agree(c.open("compound", "pet", "2021-04-01 10:00", "犬只扰民"), "2021-04-11 10:00")
    noise = c.open("compound2", "noise", "2021-05-01 10:00", "夜间噪音")
    noise = dispute_escalate(actor=accounts["other_community_staff"], dispute=noise, note="双方分歧大，请街道调解",
                             at=at("2021-05-03 10:00"))
    c.agree(noise, "2021-05-21 10:00", actor=accounts["subdistrict_admin"])
    dispute_withdraw(actor=accounts["community_staff"], dispute=c.open("compound", "parking", "2021-06-01 10:00"),
                     note="双方自行和解，申请撤回", at=at("2021-06-10 10:00"))
    dispute_no_agreement(actor=accounts["community_staff"], dispute=c.open("tqjy", "boundary", "2021-07-01 10:00"),
                         referred_to="人民法院", note="协商不成", at=at("2021-07-15 10:00"))
    c.agree(c.open("compound", "leak", "2021-12-20 10:00"), "2022-01-05 10:00")
    c.agree(c.open("tqjy", "elevator", "2020-12-28 10:00", "加装电梯"), "2021-01-03 10:00")
    return c


def figures(place, period=YEAR, public=True):
    return figures_by_key(ledger_build(place, period, public=public))


def section(place, period=YEAR, public=True):
    return next(b.data for b in ledger_build(place, period, public=public) if b.key == "mediation")


def values(place, period=YEAR):
    f = figures(place, period)
    return [f[k] for k in KEYS]


def rows(place, key, *columns, period=YEAR):
    table = next(t for t in section(place, period).tables if t.key == key)
    return [(r["label"], *(r[c] for c in columns)) for r in table.rows]


@pytest.mark.django_db
def test_it_counts_received_concluded_and_settled_by_scope_and_period(cases, tree):
    # 2021, the subdistrict: received 6 (the elevator in 2020); concluded 6 (the 12-20 leak in 2022), 4 settled,
    # 1 withdrawn: within the community 3 of 5 (building, community, community), within the subdistrict 4 of 5;
    # days to settle 4, 6, 10, 20: median 8.
    assert values(tree["subdistrict"]) == [6, 6, 4, 0.6, 0.8, 8.0]
    assert values(tree["tqjy"]) == [5, 5, 3, 0.75, 0.75, 6.0]
    assert values(tree["wlpd"]) == [1, 1, 1, 0.0, 1.0, 20.0]  # settled, but by the subdistrict
    assert values(tree["grid1"]) == [4, 3, 2, 1.0, 1.0, 7.0]  # the compound's and the building's only
    assert values(tree["tqjy"], periods.year(2022)) == [0, 1, 1, 1.0, 1.0, 16.0]
    assert values(tree["tqjy"], periods.month(2021, 6)) == [1, 1, 0, None, None, None]  # withdrawn: no share
    assert values(tree["tqjy"], periods.year(2020)) == [1, 0, 0, None, None, None]


@pytest.mark.django_db
def test_it_breaks_them_down_by_kind_level_outcome_and_community(cases, tree):
    sub = tree["subdistrict"]
    assert rows(sub, "disputes_by_kind", "received", "concluded", "settled", "community_settle_rate") == [
        ("漏水", 2, 1, 1, 1.0), ("噪音", 1, 1, 1, 0.0), ("宠物", 1, 1, 1, 1.0), ("停车", 1, 1, 0, None),
        ("公共空间", 1, 1, 0, 0.0), ("加装电梯", 0, 1, 1, 1.0)]
    assert rows(sub, "disputes_by_level", "settled") == [("楼栋", 1), ("社区", 2), ("街道", 1), ("街道以上", 0)]
    assert rows(sub, "disputes_by_outcome", "concluded") == [
        (str(Outcome.AGREEMENT.label), 4), (str(Outcome.NO_AGREEMENT.label), 1), (str(Outcome.WITHDRAWN.label), 1)]
    assert rows(sub, "disputes_by_community", "received", "settled", "community_settle_rate") == [
        ("天庆嘉园社区", 5, 3, 0.75), ("五里铺东社区", 1, 1, 0.0)]
    assert "disputes_by_community" not in [t.key for t in section(tree["tqjy"]).tables]
    assert rows(tree["tqjy"], "disputes_by_level", "settled", period=periods.year(2020)) == []


@pytest.mark.django_db
def test_a_reopened_dispute_has_no_outcome_until_concluded_again(cases, tree, accounts):
    from mediation.models import Dispute
    from mediation.services import dispute_reopen

    pets = Dispute.objects.get(kind="pet")
    pets = dispute_feed_back(actor=accounts["community_staff"], dispute=pets, note="已告知", at=at("2021-04-12 10:00"))
    dispute_reopen(actor=accounts["community_staff"], dispute=pets, note="未履行，重新调解", at=at("2021-04-26 10:00"))
    assert values(tree["tqjy"]) == [5, 4, 2, round(2 / 3, 4), round(2 / 3, 4), 5.0]


def xlsx_text(content: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row)


def disputes_list():
    try:
        return reverse("mediation:list")
    except NoReverseMatch:
        return ""


@pytest.mark.django_db
def test_every_public_form_carries_the_counts_and_no_party_nor_case(client, cases, tree):
    code = tree["tqjy"].code
    page = client.get(reverse("ledger:public", args=[code]), {"period": "2021"}).content.decode()
    assert '<span class="n">75.0%</span><span class="l">社区内化解率</span>' in page
    assert '<span class="n">6 天</span><span class="l">调解用时中位数</span>' in page
    assert "/mediation/" not in page and "/ledger/records/" not in page
    assert not re.search(r'<a [^>]*data-figure="disputes_', page)  # counts, not links
    forms = [page,
             client.get(reverse("ledger:csv", args=[code]), {"period": "2021"}).getvalue().decode(),
             xlsx_text(client.get(reverse("ledger:xlsx", args=[code]), {"period": "2021"}).getvalue()),
             client.get("/api/v1/ledger", {"place": code, "from": "2021-01-01", "to": "2021-12-31"}).content.decode(),
             client.get(reverse("ledger:screen"), {"place": code, "period": "2021"}).content.decode()]
    if cjk_font():
        from pypdf import PdfReader

        pdf = client.get(reverse("ledger:pdf", args=[code]), {"period": "2021"}).content
        forms.append("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace("\n", ""))
        assert "社区内化解率" in forms[-1]
    for text in forms:
        for secret in (*NAMES, *PHONES, "2单元502", "楼上漏水", "犬只扰民"):  # no party, no room, no case title
            assert secret not in text
    data = client.get("/api/v1/ledger", {"place": code, "from": "2021-01-01", "to": "2021-12-31"}).json()
    assert [data["figures"][k] for k in KEYS] == [5, 5, 3, 0.75, 0.75, 6.0]
    assert "community_settle_rate,社区内化解率,0.75,%" in forms[1].replace('"', "")
    assert "受理纠纷" in forms[2] and "加装电梯" in forms[2]  # the kinds table, in Chinese


@pytest.mark.django_db
def test_staff_follow_the_figures_to_their_list_of_cases(client, cases, tree, accounts):
    client.force_login(accounts["subdistrict_admin"])
    page = client.get(reverse("ledger:dashboard"), {"period": "2021"}).content.decode().replace("&amp;", "&")
    listed = disputes_list()
    if not listed:
        pytest.skip("the mediation pages are not there yet")
    sub = tree["subdistrict"].code
    assert f'href="{listed}?place={sub}" data-figure="disputes_received"' in page
    assert f'href="{listed}?place={sub}&kind=leak"' in page
    assert f'href="{listed}?place={sub}&level=subdistrict"' in page
    assert f'href="{listed}?place={tree["wlpd"].code}"' in page
    assert "/ledger/records/?" not in re.search(r'id="section-mediation".*?</section>', page, re.S).group(0)
