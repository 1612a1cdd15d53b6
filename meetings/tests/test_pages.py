"""The meetings pages as each kind of user opens them: the list with its filters (and the ledger's links), a body's
page (members, rules in words; adding a member), scheduling, a meeting's page (attendance in one form, minutes
written, approved, a new version with a reason, resolutions proposed, decided, raising a need), the refusals in the
services' words with what was typed kept and nothing written, the need's page linking back, and the public pages
without names or phones."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import Event
from meetings import services
from meetings.models import Meeting, Minutes, Resolution
from needs.models import Channel, Need
from people.services import committee_member_add, person_create

pytestmark = pytest.mark.django_db

NAMES = ("张建国", "李秀英", "王志强")
PHONES = ("13911112222", "13933334444", "13955556666")


def events():
    return Event.objects.count()


@pytest.fixture
def staff(accounts):
    return accounts["community_staff"]


@pytest.fixture
def committee(root, tree, staff, unit):
    """天庆嘉园社区社工委: three residents and a unit on the community's committee seats."""
    since = datetime.date(2021, 9, 10)
    for name, phone, what in zip(NAMES, PHONES, ("社区党委", "居委会", "退役军人"), strict=True):
        person = person_create(actor=root, name=name, phone=phone, home=tree["entrance"], room="502",
                               is_resident=True)
        committee_member_add(actor=root, community=tree["tqjy"], since=since, person=person, represents=what)
    committee_member_add(actor=root, community=tree["tqjy"], since=since, organisation=unit["organisation"],
                         represents="驻区单位")
    return services.body_create(actor=staff, kind="committee", name="天庆嘉园社区社工委", place=tree["tqjy"],
                                founded_on=since)


@pytest.fixture
def meeting(committee, staff):
    start = timezone.now().replace(microsecond=0) - datetime.timedelta(hours=2)
    return services.meeting_schedule(actor=staff, body=committee, title="社工委第一次全体会议", starts_at=start,
                                     location="社区二楼会议室", agenda=["通过社工委章程", "加装电梯议题"])


def present_all(meeting, staff, n_present=None):
    members = list(meeting.attendances.values_list("member_id", flat=True))
    n = len(members) if n_present is None else n_present
    services.attendance_record(actor=staff, meeting=meeting, presence={
        m: "present" if i < n else "absent" for i, m in enumerate(members)})


@pytest.fixture
def held(meeting, staff):
    present_all(meeting, staff)
    services.meeting_hold(actor=staff, meeting=meeting)
    return meeting


def test_the_list_filters_and_takes_the_ledgers_links(client, staff, meeting, tree):
    client.force_login(staff)
    page = client.get(reverse("meetings:list"))
    assert page.status_code == 200 and "社工委第一次全体会议" in page.content.decode()
    year = meeting.starts_at.year
    linked = client.get(reverse("meetings:list"), {"place": tree["tqjy"].code, "state": "scheduled", "year": year,
                                                   "kind": "committee", "unknown": "x"})
    assert "社工委第一次全体会议" in linked.content.decode()
    other = client.get(reverse("meetings:list"), {"place": tree["wlpd"].code})
    assert "社工委第一次全体会议" not in other.content.decode()
    bad = client.get(reverse("meetings:list"), {"year": "长" * 50})
    assert bad.status_code == 400 and "已忽略：年" in bad.content.decode()


def test_a_visitor_is_sent_to_sign_in_and_a_stranger_finds_nothing(client, accounts, meeting):
    assert client.get(reverse("meetings:meeting", args=[meeting.pk])).status_code == 302
    client.force_login(accounts["other_community_staff"])
    assert client.get(reverse("meetings:meeting", args=[meeting.pk])).status_code == 404
    assert client.get(reverse("meetings:body", args=[meeting.body_id])).status_code == 404


def test_the_body_page_shows_members_with_affiliation_and_rules_in_words(client, staff, committee):
    client.force_login(staff)
    text = client.get(reverse("meetings:body", args=[committee.pk])).content.decode()
    assert "兰州电影制片厂" in text and "驻区单位" in text and "张建国" in text
    assert "过半数" in text
    assert "13911112222" not in text


def test_scheduling_keeps_what_was_typed_when_refused(client, staff, committee):
    client.force_login(staff)
    before = Meeting.objects.count()
    answer = client.post(reverse("meetings:meeting_create", args=[committee.pk]), {
        "title": "社工委第二次会议", "day": "2021-10-10", "start": "15:00", "end": "14:00", "location": "会议室",
        "agenda": "一\n二", "is_public": "on"})
    assert answer.status_code == 422
    text = answer.content.decode()
    assert "社工委第二次会议" in text and "结束时间须晚于开始时间" in text
    assert Meeting.objects.count() == before
    answer = client.post(reverse("meetings:meeting_create", args=[committee.pk]), {
        "title": "社工委第二次会议", "day": "2021-10-10", "start": "14:00", "end": "16:00", "location": "会议室",
        "agenda": "一\n二", "is_public": "on"})
    assert answer.status_code == 302
    made = Meeting.objects.get(title="社工委第二次会议")
    assert list(made.agenda_items.values_list("title", flat=True)) == ["一", "二"]


def test_a_meeting_is_recorded_held_minuted_and_decided_from_its_page(client, staff, meeting, tree):
    client.force_login(staff)
    url = reverse("meetings:meeting", args=[meeting.pk])
    page = client.get(url)
    assert page.status_code == 200 and "通过社工委章程" in page.content.decode()
    ids = list(meeting.attendances.values_list("member_id", flat=True))
    answer = client.post(reverse("meetings:attendance", args=[meeting.pk]),
                         {f"m{m}": "present" for m in ids})
    assert answer.status_code == 302
    assert client.post(reverse("meetings:meeting_hold", args=[meeting.pk])).status_code == 302
    assert client.post(reverse("meetings:minutes_write", args=[meeting.pk]),
                       {"text": "会议审议通过社工委章程。"}).status_code == 302
    minutes = Minutes.objects.get(meeting=meeting)
    assert client.post(reverse("meetings:minutes_approve", args=[minutes.pk])).status_code == 302
    assert client.post(reverse("meetings:minutes_publish", args=[minutes.pk])).status_code == 302

    # Approved minutes are not edited in place: the refusal in words, the text typed kept, nothing written.
    before = events()
    answer = client.post(reverse("meetings:minutes_write", args=[meeting.pk]), {"text": "改过的纪要"})
    assert answer.status_code == 422 and "改过的纪要" in answer.content.decode()
    assert events() == before
    answer = client.post(reverse("meetings:minutes_revise", args=[meeting.pk]),
                         {"text": "会议审议通过社工委章程（修订）。", "reason": "补充列席单位"})
    assert answer.status_code == 302
    assert client.get(reverse("meetings:minutes_version", args=[meeting.pk, 1])).status_code == 200

    answer = client.post(reverse("meetings:resolution_propose", args=[meeting.pk]),
                         {"title": "加装3号楼电梯", "text": "由社区牵头", "vote_mode": "counts"})
    assert answer.status_code == 302
    resolution = Resolution.objects.get(meeting=meeting)
    key = f"r{resolution.pk}"
    answer = client.post(reverse("meetings:resolution_decide", args=[resolution.pk]),
                         {f"{key}-votes_for": "4", f"{key}-votes_against": "0", f"{key}-votes_abstain": "0"})
    assert answer.status_code == 302
    resolution.refresh_from_db()
    assert resolution.state == "adopted"

    form = client.get(reverse("meetings:need_create", args=[resolution.pk]))
    assert "加装3号楼电梯" in form.content.decode()  # prefilled
    answer = client.post(reverse("meetings:need_create", args=[resolution.pk]), {
        "title": "加装3号楼电梯", "place": tree["compound"].code, "place_q": "", "description": "由社区牵头",
        "affected": "30"})
    assert answer.status_code == 302, answer.content.decode()[:3000]
    need = Need.objects.get(title="加装3号楼电梯")
    assert need.channel == Channel.COUNCIL and resolution in need.resolutions.all()
    text = client.get(reverse("needs:detail", args=[need.pk])).content.decode()
    assert reverse("meetings:meeting", args=[meeting.pk]) in text  # the need links back


def test_a_decision_without_quorum_is_refused_in_words(client, staff, meeting):
    present_all(meeting, staff, n_present=1)
    services.meeting_hold(actor=staff, meeting=meeting)
    resolution = services.resolution_propose(actor=staff, meeting=meeting, title="通过社工委章程")
    client.force_login(staff)
    before = events()
    key = f"r{resolution.pk}"
    answer = client.post(reverse("meetings:resolution_decide", args=[resolution.pk]),
                         {f"{key}-votes_for": "1", f"{key}-votes_against": "0", f"{key}-votes_abstain": "0"})
    assert answer.status_code == 422
    assert "出席1人" in answer.content.decode()
    assert events() == before


def test_a_need_outside_the_bodys_area_is_refused(client, staff, held, tree):
    resolution = services.resolution_propose(actor=staff, meeting=held, title="五里铺东小区绿化")
    services.resolution_decide(actor=staff, resolution=resolution, votes_for=4, votes_against=0, votes_abstain=0)
    client.force_login(staff)
    answer = client.post(reverse("meetings:need_create", args=[resolution.pk]), {
        "title": "五里铺东小区绿化", "place": tree["compound2"].code, "place_q": "", "affected": "1"})
    assert answer.status_code in (403, 422)
    assert not Need.objects.filter(title="五里铺东小区绿化").exists()
    assert "五里铺东小区绿化" in answer.content.decode()


def test_a_non_member_cannot_vote(client, accounts, held, staff):
    resolution = services.resolution_propose(actor=staff, meeting=held, title="通过社工委章程", vote_mode="members")
    client.force_login(accounts["resident"])
    answer = client.post(reverse("meetings:vote", args=[resolution.pk]), {f"r{resolution.pk}o-choice": "for"})
    assert answer.status_code == 404  # a resident outside the body does not see the meeting
    assert not resolution.votes.exists()


def test_the_public_pages_show_no_name_or_phone(client, staff, held):
    services.minutes_write(actor=staff, meeting=held, text="张建国主持会议，电话13911112222。")
    minutes = Minutes.objects.get(meeting=held)
    services.minutes_approve(actor=staff, minutes=minutes)
    services.minutes_publish(actor=staff, minutes=minutes)
    listing = client.get(reverse("meetings:public"))
    assert listing.status_code == 200 and "天庆嘉园社区社工委" in listing.content.decode()
    text = client.get(reverse("meetings:public_detail", args=[held.pk])).content.decode()
    assert "社工委第一次全体会议" in text
    for name in NAMES:
        assert name not in text
    for phone in PHONES:
        assert phone not in text
    assert client.get(reverse("meetings:public"), {"year": "x"}).status_code == 400
    assert client.get(reverse("meetings:public_detail", args=[999999])).status_code == 404


def test_the_public_list_searches_the_communities_instead_of_listing_them(client, root, staff, held, tree):
    from places.services import place_create

    minutes = services.minutes_write(actor=staff, meeting=held, text="会议通过社工委章程。")
    services.minutes_approve(actor=staff, minutes=minutes)
    services.minutes_publish(actor=staff, minutes=minutes)
    for i in range(30):
        place_create(actor=root, kind="community", name=f"东岗{i}号社区", code=f"620102010{100 + i}",
                     parent=tree["subdistrict"])
    url = reverse("meetings:public")
    page = client.get(url).content.decode()
    assert 'name="community_q"' in page and not any(f"东岗{i}号社区" in page for i in range(30))
    assert "<option" not in page.split('name="year"')[0]  # no list of the communities before the year
    # community=<code> as the ledger's links send it; typed, or picked from the matches
    assert "天庆嘉园社区社工委" in client.get(url, {"community": tree["tqjy"].code}).content.decode()
    assert "天庆嘉园社区社工委" not in client.get(url, {"community": "620102010107"}).content.decode()
    typed = client.get(url, {"community_q": "五里铺东"}).content.decode()
    assert "天庆嘉园社区社工委" not in typed and 'value="620102010002" checked' in typed
    chosen = client.get(url, {"community_q": "tqjy", "year": held.starts_at.year}).content.decode()
    assert "天庆嘉园社区社工委 ·" in chosen and 'value="620102010001" checked' in chosen
    # the empty radio (全部社区) chooses none again, whatever the box still says
    assert "天庆嘉园社区社工委 ·" in client.get(url, {"community": "", "community_q": "wlpd"}).content.decode()
    # a code or a name that names none: the filter left out, said so, and no 500
    for bad in ({"community": "x" * 40}, {"community": "620102010999"}, {"community_q": "没有这个社区"},
                {"community_q": "东岗"}):
        answer = client.get(url, bad)
        assert answer.status_code == 400 and "已忽略：社区" in answer.content.decode(), bad
        assert "天庆嘉园社区社工委 ·" in answer.content.decode()
    several = client.get(url, {"community_q": "东岗"}).content.decode()
    assert "有多个选项与“东岗”相符" in several and several.count('type="radio" name="community"') == 8
