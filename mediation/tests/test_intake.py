"""Recording a dispute: by the building's pair or the area's staff; at building level where the building has a
pair (who mediate it), else at community level with the staff who received it; parties (at least an applicant and
another party), a title in general terms; from a need of the category 邻里纠纷 (the need unchanged). Refused:
words, nothing written."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import Event, InboxLine
from mediation.models import BuildingPair, Dispute, Party
from mediation.services import building_pair_set, dispute_from_need, dispute_receive, party_add
from mediation.tests.conftest import NOW, parties_of
from needs.models import Category
from needs.services import need_submit

pytestmark = pytest.mark.django_db


def nothing_written(counts):
    return counts == (Dispute.objects.count(), Party.objects.count(), Event.objects.count())


def counts():
    return Dispute.objects.count(), Party.objects.count(), Event.objects.count()


def test_the_building_head_records_a_leak_mediated_by_the_pair(dispute, pair):
    assert dispute.state == "received" and dispute.level == "building"
    assert dispute.due_at == NOW + datetime.timedelta(days=30) and dispute.recorded_by == pair["head"]
    assert {(m.kind, m.person.user_id) for m in dispute.mediators.all()} == {
        ("building_head", pair["head"].pk), ("property_manager", pair["manager"].pk)}
    assert dispute.description == "卫生间渗水，电话135****5432"  # a phone in the text, masked as stored
    assert dispute.steps.get().action == "receive"
    # The manager hears of it (the head recorded it).
    assert InboxLine.objects.filter(user=pair["manager"], verb="dispute.receive").count() == 1
    assert not InboxLine.objects.filter(user=pair["head"]).exists()


def test_the_settle_by_date_is_the_setting(pair, tree, neighbours, settings):
    settings.MEDIATION_SETTLE_DAYS = 10
    d = dispute_receive(actor=pair["head"], kind="pet", title="犬只扰民", place=tree["building"],
                        parties=parties_of(neighbours), at=NOW)
    assert d.due_at == NOW + datetime.timedelta(days=10)


def test_without_a_pair_the_community_staff_mediate(accounts, tree, neighbours):
    d = dispute_receive(actor=accounts["community_staff"], kind="parking", title="车位占用", place=tree["compound"],
                        parties=parties_of(neighbours), at=NOW)
    assert d.level == "community"
    assert [(m.kind, m.user_id) for m in d.mediators.all()] == [("community", accounts["community_staff"].pk)]


@pytest.mark.parametrize("who", ["grid_worker", "resident", "other_community_staff", "unit_admin"])
def test_only_staff_of_the_area_and_the_pair_record_a_dispute(accounts, pair, tree, neighbours, who):
    before = counts()
    with pytest.raises(PermissionDenied, match="只有辖区工作人员和该楼的楼院长、物业楼长"):
        dispute_receive(actor=accounts[who], kind="leak", title="楼上漏水", place=tree["entrance"],
                        parties=parties_of(neighbours))
    assert nothing_written(before)


def test_a_building_head_records_only_in_their_own_building(pair, tree, neighbours):
    with pytest.raises(PermissionDenied):
        dispute_receive(actor=pair["head"], kind="leak", title="楼上漏水", place=tree["compound2"],
                        parties=parties_of(neighbours))


@pytest.mark.parametrize("parties", [
    [], [{"role": "applicant", "name": "张三"}], [{"role": "respondent", "name": "李四"}],
    [{"role": "applicant", "name": "张三"}, {"role": "respondent"}],
    [{"role": "applicant", "name": "张三"}, {"role": "respondent", "name": "李四", "phone": "12"}],
    [{"role": "applicant", "name": "张三"}, {"role": "judge", "name": "李四"}],
    "张三和李四",
])
def test_parties_are_an_applicant_and_another_party(pair, tree, parties):
    before = counts()
    with pytest.raises(ValidationError) as refused:
        dispute_receive(actor=pair["head"], kind="leak", title="楼上漏水", place=tree["entrance"], parties=parties)
    assert "parties" in refused.value.message_dict
    assert nothing_written(before)


def test_no_parties_says_so_in_chinese(pair, tree):
    with pytest.raises(ValidationError) as refused:
        dispute_receive(actor=pair["head"], kind="leak", title="楼上漏水", place=tree["entrance"], parties=[])
    assert refused.value.message_dict == {"parties": ["请至少登记申请人和另一方当事人。"]}


@pytest.mark.parametrize("title", ["张三家漏水", "王阿姨家的狗", "2单元502漏水", "602室漏水", "1-2-602漏水",
                                   "漏水请打13598765432", ""])
def test_the_title_is_in_general_terms(pair, tree, neighbours, title):
    before = counts()
    with pytest.raises(ValidationError) as refused:
        dispute_receive(actor=pair["head"], kind="leak", title=title, place=tree["entrance"],
                        parties=parties_of(neighbours))
    assert list(refused.value.message_dict) == ["title"]
    assert nothing_written(before)


def test_a_building_or_entrance_in_the_title_is_a_place_not_a_household(accounts, tree, neighbours):
    d = dispute_receive(actor=accounts["community_staff"], kind="elevator", title="4号楼3单元加装电梯",
                        place=tree["entrance"], parties=parties_of(neighbours))
    assert d.title == "4号楼3单元加装电梯"


def test_a_building_pair_is_recorded_by_the_areas_staff(accounts, tree, neighbours):
    with pytest.raises(PermissionDenied):
        building_pair_set(actor=accounts["other_community_staff"], building=tree["building"],
                          head=neighbours["upstairs"], since=datetime.date(2021, 1, 1))
    with pytest.raises(ValidationError):
        building_pair_set(actor=accounts["community_staff"], building=tree["compound"],
                          head=neighbours["upstairs"], since=datetime.date(2021, 1, 1))
    with pytest.raises(ValidationError):
        building_pair_set(actor=accounts["community_staff"], building=tree["building"],
                          since=datetime.date(2021, 1, 1))  # nobody named
    assert not BuildingPair.objects.exists()
    pair = building_pair_set(actor=accounts["community_staff"], building=tree["building"],
                             head=neighbours["upstairs"], since=datetime.date(2021, 1, 1))
    again = building_pair_set(actor=accounts["community_staff"], building=tree["building"], head=None,
                              manager=neighbours["upstairs"], since=datetime.date(2021, 3, 1))
    assert again.pk == pair.pk and again.head is None and BuildingPair.objects.count() == 1
    assert Event.objects.filter(verb="building_pair_set").count() == 2


@pytest.fixture
def dispute_need(accounts, tree):
    category = Category.objects.get_or_create(name="邻里纠纷")[0]
    return need_submit(actor=accounts["community_staff"], title="楼上漏水邻里纠纷", place=tree["entrance"],
                       category=category, contact_name="赵六", contact_phone="13811112222", at=NOW)


def test_a_neighbour_dispute_need_becomes_a_dispute_and_stays_as_it_was(dispute_need, accounts, neighbours):
    before = dispute_need.__class__.objects.filter(pk=dispute_need.pk).values().get()
    d = dispute_from_need(actor=accounts["community_staff"], need=dispute_need, kind="leak", at=NOW)
    assert d.need == dispute_need and d.title == "楼上漏水邻里纠纷" and d.level == "community"
    assert [(p.role, p.name, p.phone) for p in d.parties.all()] == [("applicant", "赵六", "13811112222")]
    assert dispute_need.__class__.objects.filter(pk=dispute_need.pk).values().get() == before
    with pytest.raises(ValidationError, match="已转人民调解"):
        dispute_from_need(actor=accounts["community_staff"], need=dispute_need, kind="leak")
    # The other party is added before the agreement.
    party = party_add(actor=accounts["community_staff"], dispute=d, role="respondent", person=neighbours["upstairs"])
    assert party.dispute == d and Event.objects.filter(verb="party_add").count() == 1


def test_only_a_neighbour_dispute_need_becomes_a_dispute(accounts, tree):
    need = need_submit(actor=accounts["community_staff"], title="路灯不亮", place=tree["entrance"],
                       category=Category.objects.get_or_create(name="设施维修")[0])
    with pytest.raises(ValidationError, match="邻里纠纷"):
        dispute_from_need(actor=accounts["community_staff"], need=need, kind="other")
    assert not Dispute.objects.exists()


def test_a_need_titled_with_a_name_gives_the_kinds_words(accounts, tree):
    need = need_submit(actor=accounts["community_staff"], title="赵六家楼上漏水", place=tree["entrance"],
                       category=Category.objects.get_or_create(name="邻里纠纷")[0], contact_name="赵六",
                       contact_phone="13811112222")
    d = dispute_from_need(actor=accounts["community_staff"], need=need, kind="leak")
    assert d.title == "漏水"
