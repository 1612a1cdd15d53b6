"""The mediation pages: recording a dispute (a building head, their building preselected), the list (masked,
filtered), a case's page (a logged full view; 404 outside the case), every stage through its form to the follow-up,
the agreement's PDF, the logged phone reveal, a 邻里纠纷 need turned into a dispute, and a building's pair set from
its place page."""

import datetime

import pytest
from django.test import Client

from core.models import Event
from mediation.models import Dispute, DisputeState, Level, Party, Step
from needs.models import Category
from needs.services import need_submit

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def party_rows(neighbours):
    return {"p1-role": "applicant", "p1-name": "张三", "p1-phone": "13598765432", "p1-address": "2单元502",
            "p2-role": "respondent", "p2-person": str(neighbours["upstairs"].pk), "p2-address": "2单元602",
            "p3-role": "other"}


def test_a_building_head_records_a_dispute_at_their_building(pair, tree, neighbours):
    head = client_for(pair["head"])
    form = head.get("/mediation/new/")
    assert form.status_code == 200
    assert f'value="{tree["building"].code}"' in form.content.decode()  # their building, preselected
    got = head.post("/mediation/new/", {"kind": "leak", "title": "楼上漏水", "place": tree["entrance"].code,
                                        "description": "卫生间渗水", **party_rows(neighbours)})
    dispute = Dispute.objects.get()
    assert got.status_code == 302 and got["Location"] == f"/mediation/{dispute.pk}/"
    assert dispute.level == Level.BUILDING and dispute.parties.count() == 2
    assert {m.kind for m in dispute.mediators.all()} == {"building_head", "property_manager"}


def test_a_title_naming_someone_is_refused_in_words_and_nothing_written(pair, tree, neighbours):
    got = client_for(pair["head"]).post("/mediation/new/", {
        "kind": "leak", "title": "张三家楼上漏水", "place": tree["entrance"].code, **party_rows(neighbours)})
    assert got.status_code == 422 and "姓名" in got.content.decode()
    assert not Dispute.objects.exists()
    one_party = {k: v for k, v in party_rows(neighbours).items() if k.startswith("p1")}
    got = client_for(pair["head"]).post("/mediation/new/", {"kind": "leak", "title": "楼上漏水",
                                                            "place": tree["entrance"].code, **one_party})
    assert got.status_code == 422 and "请至少登记申请人和另一方当事人" in got.content.decode()
    assert not Dispute.objects.exists()


def test_the_list_shows_parties_masked_and_filters(dispute, pair, accounts):
    staff = client_for(accounts["community_staff"])
    page = staff.get("/mediation/").content.decode()
    assert dispute.title in page and "张*" in page and "张三" not in page and "上官明" not in page
    assert dispute.title in staff.get("/mediation/?state=open&kind=leak&level=building").content.decode()
    assert dispute.title not in staff.get("/mediation/?kind=pet").content.decode()
    assert dispute.title not in staff.get("/mediation/?state=closed").content.decode()
    assert client_for(accounts["other_community_staff"]).get("/mediation/").content.decode().count(
        f"/mediation/{dispute.pk}/") == 0


def test_a_case_page_is_a_logged_full_view_and_missing_to_anyone_else(dispute, pair, accounts):
    head = client_for(pair["head"])
    before = Event.objects.filter(verb="dispute_view").count()
    page = head.get(f"/mediation/{dispute.pk}/")
    text = page.content.decode()
    assert page.status_code == 200 and "张三" in text and "2单元502" in text
    assert "13598765432" not in text and "135****5432" in text  # the phone only through the reveal
    assert Event.objects.filter(verb="dispute_view").count() == before + 1
    for outsider in ("other_community_staff", "resident", "grid_worker"):
        assert client_for(accounts[outsider]).get(f"/mediation/{dispute.pk}/").status_code == 404
    assert client_for(accounts["other_community_staff"]).post(
        f"/mediation/{dispute.pk}/act/assess/", {"assess-note": "x"}).status_code == 404
    assert Dispute.objects.get(pk=dispute.pk).state == DisputeState.RECEIVED
    assert Client().get(f"/mediation/{dispute.pk}/")["Location"].startswith("/login/")
    assert head.get("/mediation/999999/").status_code == 404


def test_the_pair_takes_the_case_through_every_stage_to_the_follow_up(dispute, pair):
    head, manager = client_for(pair["head"]), client_for(pair["manager"])
    url = f"/mediation/{dispute.pk}/"
    # Skipping a stage: refused in words that name the stage first, nothing written.
    got = head.post(f"{url}act/mediate/", {"mediate-note": ""})
    assert got.status_code == 422 and "研判" in got.content.decode()
    assert Step.objects.filter(dispute=dispute).count() == 1
    got = head.post(f"{url}act/assess/", {"assess-note": ""})
    assert got.status_code == 422 and Step.objects.filter(dispute=dispute).count() == 1
    assert head.post(f"{url}act/assess/", {"assess-note": "楼上卫生间防水层老化，电话13598765432",
                                           "assess-level": ""}).status_code == 302
    assert "135****5432" in Step.objects.get(dispute=dispute, action="assess").note
    assert manager.post(f"{url}act/mediate/", {"mediate-note": "约双方到物业办公室"}).status_code == 302
    assert head.post(f"{url}act/record/", {"record-note": "双方同意由楼上维修防水"}).status_code == 302
    today = datetime.date.today()
    got = manager.post(f"{url}act/agree/", {"agree-facts": "楼上卫生间漏水至楼下",
                                            "agree-terms": "楼上负责维修防水，赔偿楼下500元",
                                            "agree-performance": "两周内修好，当面付清",
                                            "agree-perform_by": (today + datetime.timedelta(days=14)).isoformat(),
                                            "agree-signed_on": today.isoformat(), "agree-note": ""})
    assert got.status_code == 302
    page = head.get(url).content.decode()
    assert "调〔" in page and "/agreement.pdf" in page
    pdf = head.get(f"{url}agreement.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content[:4] == b"%PDF"
    assert head.post(f"{url}act/feed_back/", {"feed_back-note": "已告知双方"}).status_code == 302
    got = head.post(f"{url}act/follow_up/", {"follow_up-note": "已修好，楼下满意"})
    assert got.status_code == 422  # whether the terms were performed is asked
    assert head.post(f"{url}act/follow_up/", {"follow_up-performed": "yes",
                                              "follow_up-note": "已修好，楼下满意"}).status_code == 302
    dispute.refresh_from_db()
    assert dispute.state == DisputeState.CLOSED and dispute.settled_level == Level.BUILDING and dispute.performed
    assert head.post(f"{url}act/reopen/", {"reopen-note": "x"}).status_code == 422  # closed: no longer possible
    assert head.post(f"{url}act/nonsense/", {}).status_code == 404


def test_a_phone_is_shown_when_asked_and_logged(dispute, pair):
    party = Party.objects.get(dispute=dispute, name="张三")
    got = client_for(pair["head"]).post(f"/mediation/{dispute.pk}/parties/{party.pk}/phone/")
    assert got.status_code == 200 and "13598765432" in got.content.decode()
    assert Event.objects.filter(verb="party_phone_reveal").count() == 1


def test_parties_and_mediators_are_added_on_the_case_page(dispute, pair, accounts, root, tree):
    from people.services import team_create

    head = client_for(pair["head"])
    got = head.post(f"/mediation/{dispute.pk}/parties/", {"party-role": "other", "party-name": "物业公司代表"})
    assert got.status_code == 302 and dispute.parties.count() == 3
    assert head.post(f"/mediation/{dispute.pk}/parties/", {"party-role": "other"}).status_code == 422
    team = team_create(actor=root, name="家园帮扶队", community=tree["tqjy"])
    got = head.post(f"/mediation/{dispute.pk}/mediators/", {"mediator-kind": "help_team", "mediator-team": team.pk})
    assert got.status_code == 302 and dispute.mediators.filter(team=team).exists()
    again = head.post(f"/mediation/{dispute.pk}/mediators/", {"mediator-kind": "help_team", "mediator-team": team.pk})
    assert again.status_code == 422


def test_a_neighbour_dispute_need_is_turned_into_a_case(tree, accounts, pair):
    category = Category.objects.get_or_create(name="邻里纠纷")[0]
    need = need_submit(actor=accounts["resident"], title="楼上漏水", place=tree["entrance"], category=category,
                       description="楼上卫生间漏水")
    staff = client_for(accounts["community_staff"])
    need_page = staff.get(f"/needs/{need.pk}/").content.decode()
    assert f"/mediation/from-need/{need.pk}/" in need_page
    assert staff.get(f"/mediation/from-need/{need.pk}/").status_code == 200
    assert client_for(accounts["other_community_staff"]).get(f"/mediation/from-need/{need.pk}/").status_code == 404
    got = staff.post(f"/mediation/from-need/{need.pk}/", {"kind": "leak", "title": ""})
    dispute = Dispute.objects.get(need=need)
    assert got.status_code == 302 and got["Location"] == f"/mediation/{dispute.pk}/"
    assert staff.get(f"/mediation/from-need/{need.pk}/")["Location"] == f"/mediation/{dispute.pk}/"
    assert f"/mediation/{dispute.pk}/" in staff.get(f"/needs/{need.pk}/").content.decode()


def test_staff_set_a_buildings_pair_from_its_place_page(tree, accounts, root):
    from mediation.tests.conftest import person_with_account

    head, _user = person_with_account(root, "louzhang2", "楼长丙", "13900003333", tree["entrance"])
    staff = client_for(accounts["community_staff"])
    place_page = staff.get(f"/places/{tree['building'].code}/").content.decode()
    assert f"/mediation/pairs/{tree['building'].code}/" in place_page
    got = staff.post(f"/mediation/pairs/{tree['building'].code}/", {"pair-head": str(head.pk), "pair-head_q": "",
                                                                    "pair-since": "2021-01-01"})
    assert got.status_code == 302
    assert tree["building"].building_pair.head == head
    assert client_for(accounts["resident"]).get(f"/mediation/pairs/{tree['building'].code}/").status_code == 403
    assert client_for(accounts["community_staff"]).get(f"/mediation/pairs/{tree['entrance'].code}/").status_code == 404
