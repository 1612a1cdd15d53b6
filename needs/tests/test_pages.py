import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from needs.models import Category, Need, State
from needs.services import need_act, need_submit


def jpeg_bytes(size=(40, 30)):
    out = io.BytesIO()
    Image.new("RGB", size, "red").save(out, format="JPEG")
    return out.getvalue()


def test_it_shows_the_claim_board_to_the_public_without_personal_data(client, published):
    page = client.get(reverse("needs:board")).content.decode()
    assert "某楼某单元加装电梯" in page and "4号楼3单元" not in page  # the title as the public reads it
    assert "resident用户" not in page and "1390000000" not in page
    detail = client.get(reverse("needs:detail", args=[published.pk])).content.decode()
    assert "resident用户" not in detail and "居民" in detail  # "A resident", never the name
    assert "天庆嘉园社区 › 天庆嘉园第一网格" in detail and "1号楼" not in detail  # the place down to the grid


def test_it_shows_the_masked_surname_only_when_the_resident_agreed(client, accounts, tree):
    need = need_submit(actor=accounts["resident"], title="路灯不亮", place=tree["building"], show_name=True)
    need = need_act(actor=accounts["community_staff"], need=need, action="accept", concern_level="annoyance",
                    category=Category.objects.get_or_create(name="设施维修")[0])
    need_act(actor=accounts["community_staff"], need=need, action="publish")
    detail = client.get(reverse("needs:detail", args=[need.pk])).content.decode()
    assert "r*" in detail and "resident用户" not in detail


def test_it_filters_the_board_by_community(client, published, tree):
    url = reverse("needs:board")
    assert "某楼某单元加装电梯" in client.get(url, {"community": tree["tqjy"].code}).content.decode()
    assert "某楼某单元加装电梯" not in client.get(url, {"community": tree["wlpd"].code}).content.decode()


def test_the_board_searches_its_communities_instead_of_listing_them(client, published, tree, root):
    from places.services import place_create

    for i in range(30):
        place_create(actor=root, kind="community", name=f"东岗{i}号社区", code=f"620102010{100 + i}",
                     parent=tree["subdistrict"])
    url, title = reverse("needs:board"), "某楼某单元加装电梯"
    page = client.get(url).content.decode()
    assert 'name="community_q"' in page and not any(f"东岗{i}号社区" in page for i in range(30))  # none listed
    chosen = client.get(url, {"tab": "open", "community": tree["tqjy"].code, "before": published.pk + 1}
                        ).content.decode()  # the links' and the pager's parameter, as before
    assert title in chosen and f'value="{tree["tqjy"].code}" checked' in chosen and "全部社区" in chosen
    assert f'value="{tree["grid1"].code}"' in chosen and "东岗7号社区" not in chosen
    assert title not in client.get(url, {"community": "620102010107"}).content.decode()
    typed = client.get(url, {"community_q": "tqjysq"}).content.decode()  # a name typed, no radio chosen
    assert title in typed and f'value="{tree["tqjy"].code}" checked' in typed
    assert f'value="{tree["grid1"].code}"' in typed  # its grids offered
    assert title in client.get(url, {"community": "", "community_q": "五里铺东"}).content.decode()  # 全部社区 again
    wrong = client.get(url, {"community": "620102019999"})  # a code of no community: the board, unfiltered
    assert wrong.status_code == 200 and title in wrong.content.decode() and "该选项不可选" in wrong.content.decode()
    several = client.get(url, {"community_q": "东岗"}).content.decode()
    assert "有多个选项与“东岗”相符" in several and several.count('name="community" value="') == 8


def test_the_board_s_community_picker_answers_a_visitor(client, tree):
    body = client.get(reverse("places:pick", args=["community"]), {"name": "community", "community_q": "wlpd"})
    assert body.status_code == 200 and 'name="community" value="620102010002"' in body.content.decode()
    tqjy = client.get(reverse("places:pick", args=["community"]), {"name": "community", "community_q": "tqjy"})
    assert "天庆嘉园社区" in tqjy.content.decode() and "网格" not in tqjy.content.decode()  # communities only
    assert "天庆嘉园A区" not in tqjy.content.decode()


def test_it_hides_a_submitted_need_from_the_public(client, submitted):
    assert client.get(reverse("needs:detail", args=[submitted.pk])).status_code == 404


def test_it_lets_a_resident_submit_with_a_photo_from_a_qr_link(client, accounts, tree):
    client.force_login(accounts["resident"])
    page = client.get(reverse("needs:submit"), {"place": tree["building"].code}).content.decode()
    assert "1号楼" in page
    response = client.post(reverse("needs:submit") + f"?place={tree['building'].code}", {
        "title": "楼道堆物", "description": "消防通道被堵", "place": tree["building"].code, "affected": 3,
        "is_public": "on", "from_qr": "1",
        "photos": [SimpleUploadedFile("a.jpg", jpeg_bytes(), "image/jpeg")]})
    need = Need.objects.get(title="楼道堆物")
    assert response.status_code == 302 and need.channel == "qr" and need.photos.count() == 1
    assert need.reporter.user == accounts["resident"]
    assert "楼道堆物" in client.get(reverse("needs:mine")).content.decode()


def test_it_refuses_a_pdf_named_jpg_and_writes_nothing(client, accounts, tree):
    client.force_login(accounts["resident"])
    response = client.post(reverse("needs:submit"), {
        "title": "假照片", "place": tree["building"].code, "affected": 1,
        "photos": [SimpleUploadedFile("scan.jpg", b"%PDF-1.4 fake", "image/jpeg")]})
    assert response.status_code == 200 and "不是照片" in response.content.decode()
    assert not Need.objects.filter(title="假照片").exists()


def test_it_rate_limits_public_submissions(client, tree, settings):
    url = reverse("needs:submit")
    statuses = [client.post(url, {"title": f"问题{i}", "place": tree["building"].code, "affected": 1}).status_code
                for i in range(7)]
    assert statuses[:5] == [302] * 5 and statuses[5:] == [200, 200]
    assert Need.objects.count() == 5


def test_it_lets_staff_triage_and_a_unit_claim_through_the_pages(client, submitted, accounts, category):
    client.force_login(accounts["community_staff"])
    assert "4号楼3单元加装电梯" in client.get(reverse("needs:triage")).content.decode()
    act = lambda action: reverse("needs:act", args=[submitted.pk, action])  # noqa: E731
    response = client.post(act("reject"), {"reject-note": ""})
    assert response.status_code == 422 and Need.objects.get(pk=submitted.pk).state == State.SUBMITTED
    client.post(act("accept"), {"accept-category": category.pk, "accept-concern_level": "worry",
                                "accept-is_public": "on"})
    client.post(act("publish"))
    assert Need.objects.get(pk=submitted.pk).state == State.PUBLISHED
    client.force_login(accounts["unit_admin"])
    page = client.get(reverse("needs:detail", args=[submitted.pk])).content.decode()
    assert "认领" in page
    client.post(act("claim"), {"claim-organisation": accounts["unit_admin"].role_assignments.first().organisation_id})
    assert Need.objects.get(pk=submitted.pk).lead_organisation.name == "兰州电影制片厂"


def test_it_tells_the_second_claimant_who_holds_it(client, claimed, accounts):
    client.force_login(accounts["party_member"])
    response = client.post(reverse("needs:act", args=[claimed.pk, "claim"]), follow=True)
    assert "已被 兰州电影制片厂 认领" in response.content.decode()


@pytest.mark.parametrize("role", ["resident", "grid_worker", "unit_admin"])
def test_it_keeps_the_triage_list_for_staff(client, accounts, role):
    """A unit admin's worklist holds only the unit's claims (needs/tests/test_worklist.py)."""
    client.force_login(accounts[role])
    assert client.get(reverse("needs:triage")).status_code == (403 if role == "resident" else 200)


def test_it_filters_the_board_to_needs_near_my_coverage(client, root, tree, unit, accounts, category, today):
    """The film studio covers 天庆嘉园第一网格: "near my coverage" keeps its needs and drops 五里铺东's."""
    from needs.services import need_act, need_submit
    from places.services import coverage_create

    coverage_create(actor=root, place=tree["grid1"], organisation=unit["organisation"], since=today)
    staff = {"tqjy": accounts["community_staff"], "wlpd": accounts["other_community_staff"]}
    for title, place, community in (("A区路灯坏了", tree["compound"], "tqjy"),
                                     ("五里铺东垃圾清运", tree["compound2"], "wlpd")):
        need = need_submit(actor=root, title=title, description="请处理", place=place,
                           channel="field_visit")
        need = need_act(actor=staff[community], need=need, action="accept", category=category,
                        concern_level="worry")
        need_act(actor=staff[community], need=need, action="publish")
    client.force_login(accounts["unit_admin"])
    everything = client.get("/needs/").content.decode()
    near = client.get("/needs/?near=on").content.decode()
    assert "A区路灯坏了" in everything and "五里铺东垃圾清运" in everything
    assert "A区路灯坏了" in near and "五里铺东垃圾清运" not in near
    api = client.get("/api/v1/needs?near=true").json()
    assert [n["title"] for n in api["items"]] == ["A区路灯坏了"]


def test_it_masks_a_member_holders_name_on_public_pages_the_api_and_the_event_log(client, published, accounts):
    """A member's name is personal data: the board, the detail page, the API and the events show it masked."""
    from core.models import Event
    from needs.services import need_act

    member = accounts["party_member"]
    need_act(actor=member, need=published, action="claim")
    full_name = member.person.name
    pages = client.get("/needs/?tab=working").content.decode() + client.get(f"/needs/{published.pk}/").content.decode()
    assert "某楼某单元加装电梯" in pages and full_name not in pages and full_name[0] in pages
    client.force_login(accounts["unit_admin"])
    assert full_name not in client.get(f"/api/v1/needs/{published.pk}").content.decode()
    claim = Event.objects.filter(subject_type="needs.need", subject_id=str(published.pk), verb="need.claim").get()
    assert full_name not in str(claim.data)


def test_it_pages_the_board_by_keyset_without_counting(client, published):
    """Older needs are reached by ?before=<id>: page 100 costs what page 1 costs, and nothing is counted."""
    from needs import views

    older_link = f'href="/needs/?before={published.pk}"'
    title = "某楼某单元加装电梯"  # as the public reads it
    first = client.get("/needs/").content.decode()
    assert title in first and older_link not in first
    views.PAGE_SIZE, size = 1, views.PAGE_SIZE
    try:
        assert title not in client.get(f"/needs/?before={published.pk}").content.decode()
        newest = client.get(f"/needs/?before={published.pk + 1}").content.decode()
        assert title in newest and 'class="pager"' in newest and older_link not in newest
    finally:
        views.PAGE_SIZE = size


def test_the_board_offers_the_grids_of_the_chosen_community_only(client, tree):
    page = client.get(reverse("needs:board")).content.decode()
    assert "请先选择社区" in page or "Choose a community first" in page
    page = client.get(reverse("needs:board"), {"community": tree["tqjy"].code}).content.decode()
    assert f'value="{tree["grid1"].code}"' in page
    assert f'value="{tree["grid2"].code}"' not in page  # 五里铺东's grid
