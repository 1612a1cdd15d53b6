"""A volunteer's record: training, commendations and evaluations added by those who keep it; the whole record as
Excel (basic information, services, corrections, training, commendations, evaluations, certificates), every text
cell safe from formulas; star levels from VOLUNTEER_STAR_HOURS."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.cells import FORMULA_STARTS
from core.models import Event
from volunteering import selectors
from volunteering.exports import record_xlsx
from volunteering.models import RecordEntry
from volunteering.services import (
    activity_update,
    certificate_issue,
    checkin,
    hours_certify,
    hours_correct,
    hours_propose,
    record_entry_add,
    signup_create,
    volunteer_register,
    volunteer_update,
)

pytestmark = pytest.mark.django_db
TITLE = '=HYPERLINK("http://evil.example/","点击")'


@pytest.fixture
def served(activity, accounts, volunteer, leader, unit):
    """The resident served at the clean-up (hours certified, then corrected), was trained, commended and
    evaluated, and has a certificate."""
    activity_update(actor=leader, activity=activity, name=TITLE)
    signup_create(actor=accounts["resident"], activity=activity)
    checkin(actor=accounts["resident"], activity=activity, code=activity.checkin_code, at=activity.starts_at)
    [entry] = hours_propose(activity=activity, at=activity.ends_at + datetime.timedelta(hours=1))
    hours_certify(actor=leader, entries_or_activity=activity)
    hours_correct(actor=leader, entry=entry, hours="1.5", reason="-提前离开")
    day = timezone.localtime(activity.starts_at).date()
    record_entry_add(actor=accounts["community_staff"], volunteer=volunteer, kind="training", title="垃圾分类培训",
                     on=timezone.localdate(), hours="2", by=unit["organisation"])
    record_entry_add(actor=accounts["unit_admin"], volunteer=volunteer, kind="commendation", title="+优秀志愿者",
                     on=timezone.localdate(), by=unit["organisation"])
    record_entry_add(actor=leader, volunteer=volunteer, kind="evaluation", title="服务认真，群众满意",
                     on=timezone.localdate())
    certificate_issue(actor=accounts["resident"], volunteer=volunteer, first_day=day, last_day=day,
                      issuer=unit["organisation"], person_in_charge="张主任", contact="0931-8123456",
                      at=activity.ends_at + datetime.timedelta(days=1))
    return entry


def test_the_record_exports_as_excel_with_every_part(served, volunteer):
    book = openpyxl.load_workbook(io.BytesIO(record_xlsx(volunteer)))
    assert book.sheetnames == ["基本信息", "服务记录", "时长更正", "培训", "表彰", "评价", "证明"]
    basic = dict(book["基本信息"].iter_rows(values_only=True))
    assert basic["姓名"] == "resident用户" and basic["志愿者编号"] == volunteer.number
    assert basic["已认定时长"] == 1.5 and basic["星级"] == 0
    services = list(book["服务记录"].iter_rows(values_only=True))
    assert services[0][:6] == ("活动", "类型", "地点", "开始时间", "结束时间", "时长（小时）")
    assert len(services) == 2
    assert services[1][0] == "'" + TITLE and services[1][1] == "环境清洁与垃圾分类" and services[1][2] == "天庆嘉园社区"
    assert services[1][5] == 1.5 and services[1][6] == "已认定"  # numbers stay numbers
    corrections = list(book["时长更正"].iter_rows(values_only=True))
    assert corrections[1][2:5] == (2.0, 1.5, "'-提前离开")
    training = list(book["培训"].iter_rows(values_only=True))
    assert training[1][1:] == ("垃圾分类培训", "兰州电影制片厂", 2.0)
    assert list(book["表彰"].iter_rows(values_only=True))[1][1] == "'+优秀志愿者"
    assert list(book["评价"].iter_rows(values_only=True))[1][1] == "服务认真，群众满意"
    certificate = list(book["证明"].iter_rows(values_only=True))[1]
    assert certificate[0].startswith("ZYZM-") and certificate[3] == 1.5 and certificate[5] == "兰州电影制片厂"


def test_no_cell_of_the_export_is_a_formula(served, volunteer):
    book = openpyxl.load_workbook(io.BytesIO(record_xlsx(volunteer)))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert not [c for c in cells if c.data_type == "f"]
    assert not [c.value for c in cells if isinstance(c.value, str) and c.value.startswith(FORMULA_STARTS)]


def test_an_empty_record_exports_too(volunteer):
    book = openpyxl.load_workbook(io.BytesIO(record_xlsx(volunteer)))
    assert [len(list(book[name].iter_rows())) for name in ("服务记录", "培训", "证明")] == [1, 1, 1]


def test_record_entries_are_kept_by_the_area_the_unit_or_the_team(volunteer, accounts, unit, leader, team, root):
    from people.services import team_member_add

    today, staff = timezone.localdate(), accounts["community_staff"]
    events = Event.objects.count()
    for who in ("party_member", "other_community_staff", "resident"):
        with pytest.raises(PermissionDenied):
            record_entry_add(actor=accounts[who], volunteer=volunteer, kind="commendation", title="自评", on=today)
    with pytest.raises(PermissionDenied):  # a team's leader, for someone not in the team
        record_entry_add(actor=leader, volunteer=volunteer, kind="evaluation", title="好", on=today)
    with pytest.raises(ValidationError, match="只有培训填写学时"):
        record_entry_add(actor=staff, volunteer=volunteer, kind="evaluation", title="好", on=today, hours=1)
    with pytest.raises(ValidationError, match="日期不能晚于今天"):
        record_entry_add(actor=staff, volunteer=volunteer, kind="training", title="培训",
                         on=today + datetime.timedelta(days=1))
    with pytest.raises(ValidationError, match="请选择培训、表彰或评价"):
        record_entry_add(actor=staff, volunteer=volunteer, kind="medal", title="奖章", on=today)
    assert RecordEntry.objects.count() == 0 and Event.objects.count() == events
    team_member_add(actor=root, team=team, person=volunteer.person)
    entry = record_entry_add(actor=leader, volunteer=volunteer, kind="training", title="消防培训", on=today,
                             hours="1.5")
    assert entry.hours == Decimal("1.5")
    assert Event.objects.get(verb="record_entry_add").data == {
        "volunteer": volunteer.pk, "kind": "training", "on": today.isoformat(), "hours": "1.5", "by": None}


def test_star_levels_follow_the_setting(settings):
    assert [selectors.star_level(h) for h in (0, 99.99, 100, 299, 300, 600, 1000, 1499, 1500, 9999)] == [
        0, 0, 1, 1, 2, 3, 4, 4, 5, 5]
    assert selectors.next_star(150) == 300 and selectors.next_star(1500) is None
    settings.VOLUNTEER_STAR_HOURS = (10, 20)
    assert [selectors.star_level(h) for h in (9, 10, 25)] == [0, 1, 2]


def test_registration_makes_the_number_and_refuses_twice(accounts, tree, volunteer, root):
    assert volunteer.number == f"ZY{tree['tqjy'].code}00001"
    with pytest.raises(ValidationError, match="已登记为志愿者，编号"):
        volunteer_register(actor=accounts["resident"], person=volunteer.person)
    from people import scopes

    second = volunteer_register(actor=accounts["community_staff"], person=scopes.person_of(accounts["party_member"]))
    assert second.number == f"ZY{tree['tqjy'].code}00002"
    with pytest.raises(PermissionDenied):
        volunteer_register(actor=accounts["resident"], person=scopes.person_of(accounts["party_member"]))


def test_an_id_card_number_is_checked(volunteer, accounts):
    with pytest.raises(ValidationError, match="不是有效的18位身份证号"):
        volunteer_update(actor=accounts["resident"], volunteer=volunteer, id_card_number="620102199001011234")
    volunteer_update(actor=accounts["resident"], volunteer=volunteer, id_card_number="11010519491231002x",
                     name_public=True)
    volunteer.refresh_from_db()
    assert volunteer.id_card_number == "11010519491231002X" and volunteer.name_public
    event = Event.objects.get(verb="volunteer_update")
    assert event.data == {"fields": ["id_card_number", "name_public"], "name_public": True}  # not the number itself
