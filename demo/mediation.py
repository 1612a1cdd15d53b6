"""The demo's mediation (矛盾纠纷调解), walked through mediation.services with the times of 2021 (`at=`):

- 天庆嘉园's building pairs (社区楼院长 + 物业楼长): every building of A, B and C区 has a head — a party member of the
  community living in it, else a resident of it, else of its compound — and a building manager of the property
  company 天庆嘉园小区 (its branch's members, a few buildings each), since 家园帮扶队 was founded. The head of the
  building of `louzhang` (the demo's building head) is his.
- 东湖小区4号楼3单元: the elevator dispute — the ground floor's flower bed and the supermarket's compensation — that
  东湖物业's branch took up with 五里铺西社区: received, assessed, mediated at community level with 东湖物业 over
  three sessions, agreed, fed back, followed up (the works started).
- 天庆嘉园's leaks, pets and noise settled at building level by the building pairs and 家园帮扶队: the needs
  "天庆嘉园C区楼上漏水邻里纠纷" and the dog barking at 东侧家属院 turned into disputes (their needs unchanged, so the
  article's 26 / 26 / 16 stay exact), a noise dispute `louzhang` recorded and settled with his manager, a leak
  and a pet dispute; a noise dispute withdrawn (the neighbours made it up); a parking dispute raised from the
  building to the community and to the subdistrict, and settled there.

天庆嘉园社区's 2021 ledger: 7 concluded, 1 withdrawn, 5 settled within the community (83.3%), 6 within the
subdistrict (100%). A second run writes nothing (guarded by the elevator dispute and each building's pair).
"""

import datetime

from django.contrib.auth.models import User
from django.utils import timezone

from demo import data as d
from demo.phones import RESIDENT, RETIREE, phone_prefix
from mediation.models import BuildingPair, Dispute, MediatorKind
from mediation.permissions import building_code
from mediation.services import (
    building_pair_set,
    dispute_agree,
    dispute_assess,
    dispute_escalate,
    dispute_feed_back,
    dispute_follow_up,
    dispute_from_need,
    dispute_mediate,
    dispute_receive,
    dispute_record,
    dispute_withdraw,
    mediator_add,
    party_add,
)
from needs.models import Need
from people.models import Person, Team
from places.models import Place

PROPERTY_COMPANY = "天庆嘉园小区"
HELP_TEAM = "家园帮扶队"
PAIRS_SINCE = datetime.date(2021, 7, 1)  # with 家园帮扶队
ELEVATOR_TITLE = "4号楼3单元加装电梯协调"
LEAK_NEED = "天庆嘉园C区楼上漏水邻里纠纷"
DOG_NEED = "天庆嘉园东侧家属院犬只夜间吠叫扰民"


def at(text: str, days: int = 0) -> datetime.datetime:
    """A Beijing time of 2021 ("2021-08-16 14:30"), `days` later."""
    return (datetime.datetime.fromisoformat(text).replace(tzinfo=timezone.get_current_timezone())
            + datetime.timedelta(days=days))


class MediationWalk:
    def __init__(self, builder):
        self.b = builder
        self.users = {u.username: u for u in User.objects.filter(username__in=("tqjy", "wlpx", "jiedao", "donghu",
                                                                               "louzhang"))}
        self.tqjy = builder.by_name[d.TQJY]

    def walk(self):
        self.pairs()
        if Dispute.objects.filter(title=ELEVATOR_TITLE).exists():
            return
        self.elevator()
        self.tianqing()

    # --- 天庆嘉园's building pairs ---

    def buildings(self) -> list[Place]:
        areas = [self.b.by_name[f"天庆嘉园{x}区"] for x in "ABC"]
        return [p for code, p in sorted(self.b.places.items())
                if p.kind == "building" and any(code.startswith(a.code) for a in areas)]

    def pairs(self):
        buildings = self.buildings()
        if not buildings or BuildingPair.objects.filter(building=buildings[-1]).exists():
            return
        company = self.b.organisations[PROPERTY_COMPANY]
        managers = list(Person.objects.filter(memberships__party_organisation__name=f"{PROPERTY_COMPANY}党支部")
                        .order_by("phone"))
        people = list(Person.objects.filter(home__code__startswith=self.tqjy.code, is_resident=True,
                                            user__isnull=True).select_related("home").order_by("phone"))
        louzhang = Person.objects.get(user__username="louzhang")
        taken = {louzhang.pk}
        per_manager = -(-len(buildings) // len(managers))  # a manager looks after a few neighbouring buildings
        staff = self.users["tqjy"]
        for i, building in enumerate(buildings):
            if louzhang.home.code.startswith(building.code):
                head = louzhang
            else:
                head = self.head_of(building, people, taken)
            taken.add(head.pk)
            building_pair_set(actor=staff, building=building, head=head, manager=managers[i // per_manager],
                              property_company=company, since=PAIRS_SINCE, at=at("2021-07-01 10:00"))

    @staticmethod
    def head_of(building: Place, people: list[Person], taken: set[int]) -> Person:
        """A party member living in the building, else a resident of it, else of its compound."""
        free = [p for p in people if p.pk not in taken]
        inside = [p for p in free if p.home.code.startswith(building.code)]
        compound = [p for p in free if p.home.code.startswith(building.code[:-3])]
        for pool in (inside, compound):
            for prefix in (phone_prefix(RETIREE), phone_prefix(RESIDENT)):
                found = [p for p in pool if p.phone.startswith(prefix)]
                if found:
                    return found[0]
        return free[0]

    # --- Helpers ---

    def living_in(self, place: Place, n: int, *, skip=()) -> list[Person]:
        """n people at home in the place (else in its parent's area) without an account, not a building head."""
        people = list(Person.objects.filter(home__code__startswith=place.code, user__isnull=True).exclude(
            pk__in=[p.pk for p in skip]).exclude(buildings_headed__isnull=False).order_by("phone")[:n])
        if len(people) < n:
            return people + [p for p in self.living_in(place.parent, n, skip=skip) if p not in people][:n - len(people)]
        return people

    @staticmethod
    def party(role, person, address=""):
        return {"role": role, "person": person, "address": address}

    def settle(self, dispute, actor, *, agreed, facts, terms, performance, days_to_perform, fed_back=None,
               followed_up=None, follow_up_note="已回访，双方均表示协议已履行。"):
        """The agreement, the feedback (the next day unless given) and the follow-up (two weeks on unless given)."""
        dispute_agree(actor=actor, dispute=dispute, facts=facts, terms=terms, performance=performance,
                      signed_on=at(agreed).date(), perform_by=at(agreed, days_to_perform).date(), at=at(agreed))
        dispute = dispute_feed_back(actor=actor, dispute=dispute, note="已将调解结果和协议内容反馈双方当事人。",
                                    at=at(fed_back) if fed_back else at(agreed, 1))
        return dispute_follow_up(actor=actor, dispute=dispute, performed=True, note=follow_up_note,
                                 at=at(followed_up) if followed_up else at(agreed, 14))

    # --- 东湖小区4号楼3单元 ---

    def elevator(self):
        staff = self.users["wlpx"]
        entrance = Place.objects.get(kind="entrance", name="4号楼3单元",
                                     code__startswith=self.b.by_name["东湖小区"].code)
        upstairs, ground_floor, shop = self.living_in(entrance.parent.parent, 3)
        dispute = dispute_receive(
            actor=staff, kind="elevator", title=ELEVATOR_TITLE, place=entrance, at=at("2021-04-06 10:00"),
            description="4号楼3单元多数住户申请加装电梯。一楼住户担心电梯井占用楼前花坛、影响采光；楼下超市认为施工"
                        "期间围挡影响经营，要求补偿。东湖物业党支部认领加梯项目，联系街道和五里铺西社区协调。",
            parties=[self.party("applicant", upstairs, "4号楼3单元（加梯业主代表）"),
                     self.party("respondent", ground_floor, "4号楼3单元一楼"),
                     self.party("respondent", shop, "4号楼楼下超市")])
        mediator_add(actor=staff, dispute=dispute, kind=MediatorKind.PROPERTY_MANAGER, user=self.users["donghu"],
                     at=at("2021-04-06 10:30"))
        dispute = dispute_assess(actor=staff, dispute=dispute, at=at("2021-04-07 09:30"),
                                 note="涉及花坛改造和超市补偿两项，属社区层面可调解的邻里纠纷，由社区会同东湖物业调解。")
        dispute = dispute_mediate(actor=staff, dispute=dispute, at=at("2021-04-09 15:00"),
                                  note="第一次调解：走访一楼住户和超市，了解各方诉求。")
        dispute = dispute_record(actor=self.users["donghu"], dispute=dispute, at=at("2021-04-16 15:00"),
                                 note="第二次调解：东湖物业出具花坛改造方案，电梯井移出花坛，花坛就近重建并补种绿植。")
        dispute = dispute_record(actor=staff, dispute=dispute, at=at("2021-04-23 15:00"),
                                 note="第三次调解：商定施工围挡避开超市门口，施工期间按月补偿超市经营损失。")
        self.settle(dispute, staff, agreed="2021-04-28 16:00",
                    facts="4号楼3单元加装电梯，一楼住户对占用花坛有异议，楼下超市要求施工期间补偿经营损失。",
                    terms="一、电梯井移出花坛，由东湖物业在楼前就近重建花坛并补种绿植；二、施工围挡避开超市门口，"
                          "施工期间由加梯业主按月补偿超市经营损失；三、各方支持4号楼3单元加装电梯施工。",
                    performance="花坛在电梯完工后一个月内重建；补偿按月支付至完工。", days_to_perform=150,
                    fed_back="2021-04-29 10:00", followed_up="2021-05-20 10:00",
                    follow_up_note="已回访：4号楼加装电梯项目已开工，补偿按月支付，各方无异议。")

    # --- 天庆嘉园 ---

    def tianqing(self):
        """天庆嘉园's cases, in the order they were received (agreement numbers run in that order)."""
        self.help_team = {"kind": MediatorKind.HELP_TEAM, "team": Team.objects.get(name=HELP_TEAM)}
        self.withdrawn()
        self.building_case("B", "pet", "楼道饲养宠物", "2021-07-12 10:00", "2021-07-16 16:00",
                           "住户在楼道内饲养宠物，气味和卫生影响同单元住户。",
                           "宠物移回室内饲养，楼道由饲养户清洁消毒。")
        self.leak_from_need()
        self.dog_from_need()
        self.louzhang_noise()
        self.parking()
        self.building_case("A", "leak", "楼上暖气管漏水", "2021-11-08 10:00", "2021-11-10 16:00",
                           "供暖开始后楼上暖气管接口漏水，楼下墙面受损。",
                           "楼上住户更换暖气管接口，赔偿楼下墙面修复费用。")

    def leak_from_need(self):
        """The leak need of 2021-08-16, at 天庆嘉园C区: taken up at the building with its pair and 家园帮扶队."""
        staff = self.users["tqjy"]
        leak = dispute_from_need(actor=staff, need=Need.objects.get(title=LEAK_NEED), kind="leak",
                                 at=at("2021-08-16 14:30"))
        building = self.buildings_in(self.b.by_name["天庆嘉园C区"])[0]
        pair = BuildingPair.objects.get(building=building)
        downstairs_owner = leak.parties.get().person
        upstairs = self.living_in(building, 1, skip=[downstairs_owner])[0]
        party_add(actor=staff, dispute=leak, role="respondent", person=upstairs, at=at("2021-08-16 14:35"))
        for kind, person in ((MediatorKind.BUILDING_HEAD, pair.head), (MediatorKind.PROPERTY_MANAGER, pair.manager)):
            mediator_add(actor=staff, dispute=leak, kind=kind, person=person, at=at("2021-08-16 14:40"))
        mediator_add(actor=staff, dispute=leak, at=at("2021-08-16 14:40"), **self.help_team)
        leak = dispute_assess(actor=staff, dispute=leak, level="building", at=at("2021-08-16 15:00"),
                              note="楼上卫生间防水层老化渗水，属楼栋内邻里纠纷，由楼院长、物业楼长和家园帮扶队调解。")
        leak = dispute_mediate(actor=staff, dispute=leak, at=at("2021-08-17 10:00"),
                               note="物业楼长上门查看渗水点，楼院长和帮扶队员分别与两户沟通。")
        self.settle(leak, staff, agreed="2021-08-18 16:00", facts="楼上卫生间漏水至楼下，两户协商不成。",
                    terms="楼上住户修复卫生间防水，承担楼下顶棚粉刷费用；物业协助检修。",
                    performance="一周内修复防水，修复后两周内完成粉刷。", days_to_perform=21,
                    followed_up="2021-08-23 10:00")

    def dog_from_need(self):
        """The dog barking at 东侧家属院 (a courtyard without registered buildings): 家园帮扶队 and the association."""
        staff = self.users["tqjy"]
        dog = dispute_from_need(actor=staff, need=Need.objects.get(title=DOG_NEED), kind="pet",
                                at=at("2021-09-06 15:30"))
        neighbour = dog.parties.get().person
        owner = self.living_in(self.b.by_name["天庆嘉园东侧家属院"], 1, skip=[neighbour])[0]
        party_add(actor=staff, dispute=dog, role="respondent", person=owner, at=at("2021-09-06 15:35"))
        mediator_add(actor=staff, dispute=dog, at=at("2021-09-06 15:40"), **self.help_team)
        dog = dispute_assess(actor=staff, dispute=dog, level="building", at=at("2021-09-07 09:00"),
                             note="楼院内犬只扰民，由家园帮扶队在楼院调解。")
        dog = dispute_mediate(actor=staff, dispute=dog, at=at("2021-09-08 10:00"),
                              note="帮扶队员和协会志愿者上门与犬主人沟通。")
        self.settle(dog, staff, agreed="2021-09-09 11:00", facts="一户犬只夜间吠叫，影响邻居休息。",
                    terms="犬主人夜间将犬只关入室内并加装隔音帘，遛狗拴绳并及时清理粪便。",
                    performance="当日起执行，帮扶队两周后回访。", days_to_perform=14,
                    fed_back="2021-09-10 10:00", followed_up="2021-09-22 10:00")

    def louzhang_noise(self):
        """louzhang records a noise dispute in his own building and settles it with his manager."""
        head = self.users["louzhang"]
        home = Person.objects.get(user=head).home
        own = Place.objects.get(code=building_code(home))
        neighbours = self.living_in(own, 2, skip=[Person.objects.get(user=head)])
        noise = dispute_receive(actor=head, kind="noise", title="楼上夜间噪音", place=home, at=at("2021-10-11 19:30"),
                                description="楼下住户反映楼上夜间拖动桌椅、孩子跑跳，影响休息。",
                                parties=[self.party("applicant", neighbours[0]),
                                         self.party("respondent", neighbours[1])])
        noise = dispute_assess(actor=head, dispute=noise, at=at("2021-10-12 09:00"),
                               note="楼栋内噪音纠纷，楼院长调解。")
        noise = dispute_mediate(actor=head, dispute=noise, at=at("2021-10-13 19:00"),
                                note="楼院长和物业楼长约两户在楼门口面谈。")
        self.settle(noise, head, agreed="2021-10-15 19:30", facts="楼上夜间拖动桌椅、孩子跑跳，楼下无法休息。",
                    terms="楼上住户22:00后不拖动桌椅，给桌椅腿加装防滑垫，客厅铺设地垫；楼下有事先与楼上沟通。",
                    performance="一周内加装防滑垫和地垫。", days_to_perform=7,
                    fed_back="2021-10-16 10:00", followed_up="2021-10-30 10:00")

    def withdrawn(self):
        """A noise dispute the neighbours made up before mediation: withdrawn."""
        staff = self.users["tqjy"]
        building = self.buildings_in(self.b.by_name["天庆嘉园C区"])[2]
        applicant, respondent = self.living_in(building, 2)
        withdrawn = dispute_receive(actor=staff, kind="noise", title="装修噪音", place=building,
                                    at=at("2021-06-15 10:00"), parties=[self.party("applicant", applicant),
                                                                       self.party("respondent", respondent)])
        dispute_withdraw(actor=staff, dispute=withdrawn, at=at("2021-06-17 10:00"),
                         note="装修户调整施工时间，双方自行和解，申请人撤回调解申请。")

    def parking(self):
        """Parking: from the building to the community, then to the subdistrict, settled there."""
        staff = self.users["tqjy"]
        building = self.buildings_in(self.b.by_name["天庆嘉园B区"])[3]
        applicant, respondent = self.living_in(building, 2)
        parking = dispute_receive(actor=staff, kind="parking", title="地下车库车位占用", place=building,
                                  at=at("2021-10-25 10:00"), parties=[self.party("applicant", applicant),
                                                                     self.party("respondent", respondent)],
                                  description="业主的产权车位被他人长期占用，涉及开发商遗留的车位权属问题。")
        parking = dispute_escalate(actor=staff, dispute=parking, at=at("2021-10-27 10:00"),
                                   note="楼栋调解未果，车位权属需社区协调物业和开发商。")
        parking = dispute_assess(actor=staff, dispute=parking, at=at("2021-10-29 10:00"),
                                 note="车位权属涉及开发商，社区无法确认，需街道协调。")
        parking = dispute_escalate(actor=staff, dispute=parking, at=at("2021-11-01 10:00"),
                                   note="报请街道协调开发商、物业出具车位权属材料。")
        subdistrict = self.users["jiedao"]
        parking = dispute_mediate(actor=subdistrict, dispute=parking, at=at("2021-11-05 10:00"),
                                  note="街道约请开发商、物业和双方业主调解。")
        self.settle(parking, subdistrict, agreed="2021-11-19 15:00",
                    facts="产权车位被长期占用，占用人称车位系开发商口头承诺。",
                    terms="开发商出具车位权属证明，占用人一周内腾退车位；物业在车位加装地锁。",
                    performance="一周内腾退，物业两周内安装地锁。", days_to_perform=14,
                    fed_back="2021-11-20 10:00", followed_up="2021-12-06 10:00")

    def building_case(self, area, kind, title, received, agreed, facts, terms):
        """A dispute the community received at a building of 天庆嘉园's A or B区 (`area`), settled there by the
        building's pair and 家园帮扶队."""
        staff = self.users["tqjy"]
        building = self.buildings_in(self.b.by_name[f"天庆嘉园{area}区"])[1]
        applicant, respondent = self.living_in(building, 2)
        dispute = dispute_receive(actor=staff, kind=kind, title=title, place=building, at=at(received),
                                  parties=[self.party("applicant", applicant), self.party("respondent", respondent)])
        mediator_add(actor=staff, dispute=dispute, at=at(received), **self.help_team)
        dispute = dispute_assess(actor=staff, dispute=dispute, at=at(received) + datetime.timedelta(hours=2),
                                 note="楼栋内邻里纠纷，由楼院长、物业楼长和家园帮扶队调解。")
        dispute = dispute_mediate(actor=staff, dispute=dispute, at=at(received, 1),
                                  note="楼院长和物业楼长上门了解情况，分别做两户工作。")
        self.settle(dispute, staff, agreed=agreed, facts=facts, terms=terms, performance="一周内履行。",
                    days_to_perform=7)

    def buildings_in(self, area: Place) -> list[Place]:
        return [p for p in self.buildings() if p.code.startswith(area.code)]
