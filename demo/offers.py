"""The demo's offers list (实事清单): the article's deeds as offers with sessions and bookings, walked through
offers.services by the real roles, with the times of 2021 (`at=`) — and a few upcoming sessions relative to the
day the demo is loaded, so that the pages have something to book.

- 大桥出租车公司: free rides (接送) for the disabled and the elderly with mobility difficulties of 五里铺东社区,
  booked at least 24 hours ahead, confirmed at once; two slots every weekday from 2021-07-13 (the day after the
  need "残疾人和行动不便的老人出行难" was resolved); the riders registered by the community's staff (eligibility),
  most rides booked by the staff for a resident who phoned; fulfilled, a few no-shows and cancellations.
- 兰州市教育局 with 城关区教育局招生办: the 升学政策 Q&A of 2021-06-26 (咨询).
- The non-public and social organisations' own lists (非公党支部: 捐款、义诊、培训、专业讲座).
- `laoren`: an elderly resident of 五里铺东社区 on record as elderly + mobility, with rides in 2021 and one upcoming.

A second run writes nothing: each offer is guarded by its name and provider.
"""

import datetime
import random

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import timezone

from demo import data as d
from demo.phones import RESIDENT, phone_prefix
from offers.models import Offer
from offers.services import (
    booking_cancel,
    booking_fulfil,
    booking_mark_no_show,
    booking_request,
    eligibility_record,
    offer_create,
    session_create,
    sessions_repeat,
)
from people.models import Person

WLPD = "五里铺东社区"
TAXI = "大桥出租车公司"
RIDES = "免费接送：残疾人、行动不便的老年人"
RIDES_TEXT = ("大桥出租车公司党支部认领任务：五里铺东社区的残疾人、行动不便的老年人看病、办事出行困难，"
              "居民只需要提前24小时预约，就可以享受免费接送服务。预约时请说明上车地点和去哪里；"
              "每个时段由司机电话联系约定出发时间。")
RIDE_SLOTS = [(datetime.time(8, 30), datetime.time(11, 30), "上午"),
              (datetime.time(14, 0), datetime.time(17, 0), "下午")]
RIDES_FROM, RIDES_TO = datetime.date(2021, 7, 13), datetime.date(2021, 12, 31)
RIDERS = 20  # residents of 五里铺东社区 registered by the community's staff, besides laoren
RIDES_PER_SLOT = ((0, 0.62), (1, 0.33), (2, 0.05))  # how many bookings a 2021 slot had, and how often
OUTCOMES = (("fulfil", 0.84), ("no_show", 0.09), ("cancel", 0.07))
LAOREN_RIDES = ["2021-07-20", "2021-08-17", "2021-09-14", "2021-10-19", "2021-11-16", "2021-12-14"]

# (provider, kind, name, description, communities ("*": all), place name, session (day, start, end), capacity,
#  bookings in 2021 (fulfilled, no-shows), residents only, bookable, booked by)
OTHERS = [
    ("兰州市教育局", "consultation", "在职党员进社区，现场答疑升学政策",
     "暑假来临之际，“幼升小”“小升初”报名季到来。兰州市教育局党支部邀请城关区教育局招生办工作人员来到社区，"
     "开展“在职党员进社区，现场答疑升学政策”宣传咨询志愿服务活动，现场解答报名政策、所需材料和时间节点。",
     "*", "拱星墩小区", ("2021-06-26", "09:30", "11:30"), 80, (12, 2), True, True, "jiaoyuju"),
    ("兰州市城关区爱心驿站公益协会", "clinic", "爱心义诊：量血压、测血糖、健康咨询",
     "协会党支部组织志愿医生在社区开展义诊，为居民测量血压、血糖，提供健康咨询，行动不便的老人可预约上门。",
     [d.TQJY], "天庆嘉园C区", ("2021-09-18", "09:00", "11:30"), 30, (6, 1), True, True, "aixin"),
    ("甘肃众信会计师事务所", "training", "小微企业和个体工商户财税知识培训",
     "事务所党支部发挥行业优势，为辖区小微企业、个体工商户和居民讲解发票、纳税申报和减税降费政策。",
     ["段家滩西社区", "段家滩东社区"], "段家滩西小区", ("2021-10-23", "14:30", "16:30"), 40, (4, 1), False, True,
     None),
    ("甘肃金城律师事务所", "lecture", "法律知识专题讲座：婚姻家庭与继承",
     "律师事务所党支部的律师来到社区，结合案例讲解婚姻家庭、遗嘱继承和赡养纠纷中的法律问题，讲座后现场答疑。",
     ["段家滩西社区", "段家滩东社区"], "段家滩西小区", ("2021-11-13", "09:30", "11:00"), 50, (6, 1), True, True,
     "lvsuo"),
    ("五里铺农贸市场管理有限公司", "donation", "重阳节爱心捐款献爱心",
     "市场党支部和商户在重阳节开展爱心捐款，所得款项用于慰问社区困难老人，无需预约，现场参加。",
     [WLPD], "五里铺花园", ("2021-10-14", "09:00", "11:00"), 100, (0, 0), True, False, None),
]


def local(day: datetime.date | str, clock: datetime.time | str) -> datetime.datetime:
    if isinstance(day, str):
        day = datetime.date.fromisoformat(day)
    if isinstance(clock, str):
        clock = datetime.time.fromisoformat(clock)
    return datetime.datetime.combine(day, clock, tzinfo=timezone.get_current_timezone())


def weighted(rng: random.Random, choices):
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights)[0]


class OffersWalk:
    def __init__(self, builder):
        self.b = builder
        self.admin = builder.actor
        self.users = {u.username: u for u in User.objects.filter(username__in=(
            "wlpd", "daqiao", "jiedao", "jiaoyuju", "aixin", "lvsuo", "laoren"))}
        self.rng = random.Random(d.SEED + 10)
        self.now = timezone.localtime()

    def walk(self):
        self.rides()
        for spec in OTHERS:
            self.other(*spec)

    # --- helpers ---

    def residents_of(self, community_name: str) -> list[Person]:
        code = self.b.by_name[community_name].code
        return sorted((p for p in self.b.people.values() if p.phone.startswith(phone_prefix(RESIDENT))
                       and p.home.code.startswith(code)), key=lambda p: p.phone)

    def book(self, session, person, *, by, outcome, provider, booked_at=None):
        """One booking of a past session, made `booked_at` (default: 1–5 days ahead) and ended as `outcome`;
        None when the rules refuse it (the per-person or no-show limit)."""
        booked_at = booked_at or session.starts_at - datetime.timedelta(days=self.rng.randint(1, 5),
                                                                        hours=self.rng.randint(0, 8))
        try:
            booking = booking_request(actor=by, session=session, person=person, at=booked_at)
        except ValidationError:
            return None
        if outcome == "fulfil":
            booking_fulfil(actor=provider, booking=booking, at=session.ends_at)
        elif outcome == "no_show":
            booking_mark_no_show(actor=provider, booking=booking, at=session.starts_at + datetime.timedelta(hours=1))
        elif outcome == "cancel":
            booking_cancel(actor=by, booking=booking, reason="身体不适，改天再约", at=booked_at + datetime.timedelta(
                hours=self.rng.randint(1, 12)))
        return booking

    # --- 大桥出租车公司's rides ---

    def rides(self):
        taxi = self.b.organisations[TAXI]
        if Offer.objects.filter(organisation=taxi, name=RIDES).exists():
            return
        wlpd_place = self.b.by_name[WLPD]
        staff, daqiao, laoren = self.users["wlpd"], self.users["daqiao"], self.users["laoren"]
        offer = offer_create(actor=daqiao, kind="transport", name=RIDES, description=RIDES_TEXT, organisation=taxi,
                             communities=[wlpd_place], eligibility=["disabled", "mobility"], min_notice_hours=24,
                             horizon_days=14, cancel_notice_hours=2, per_person_limit=8, per_person_days=30,
                             confirmation="automatic", no_show_limit=3, is_published=True)
        # The riders: registered by the community's staff (the disability certificate, or a visit).
        riders = self.residents_of(WLPD)[:RIDERS]
        for i, person in enumerate(riders):
            if i % 3 == 0:
                eligibility_record(actor=staff, person=person, group="disabled", note="查验残疾人证")
            else:
                eligibility_record(actor=staff, person=person, group="elderly", note="查验身份证")
                eligibility_record(actor=staff, person=person, group="mobility", note="入户走访确认行动不便")
        old = laoren.person
        eligibility_record(actor=staff, person=old, group="elderly", note="查验身份证，78岁")
        eligibility_record(actor=staff, person=old, group="mobility", note="入户走访：腿脚不便，需拄拐")

        slots = {}
        for start, end, note in RIDE_SLOTS:
            for session in sessions_repeat(actor=daqiao, offer=offer, weekdays=[0, 1, 2, 3, 4], start=start, end=end,
                                           first_day=RIDES_FROM, last_day=RIDES_TO, capacity=3, note=note):
                slots[timezone.localtime(session.starts_at).date(), note] = session
        for _key, session in sorted(slots.items()):
            for person in self.rng.sample(riders, weighted(self.rng, RIDES_PER_SLOT)):
                self.book(session, person, by=staff, outcome=weighted(self.rng, OUTCOMES), provider=daqiao)
        for i, day in enumerate(LAOREN_RIDES):  # to the hospital once a month; he booked some himself
            self.book(slots[datetime.date.fromisoformat(day), "上午"], old, by=laoren if i % 2 else staff,
                      outcome="fulfil", provider=daqiao)

        # The coming two weeks' slots, from the day the demo is loaded; bookings for today and tomorrow (the
        # driver's list) and laoren's next ride, booked by himself now, at least 24 hours ahead.
        today = self.now.date()
        upcoming = []
        for start, end, note in RIDE_SLOTS:
            upcoming += sessions_repeat(actor=daqiao, offer=offer, weekdays=[0, 1, 2, 3, 4], start=start, end=end,
                                        first_day=today, last_day=today + datetime.timedelta(days=13), capacity=3,
                                        note=note)
        upcoming.sort(key=lambda s: s.starts_at)
        soon = [s for s in upcoming if timezone.localtime(s.starts_at).date() <= today + datetime.timedelta(days=1)]
        for session, person in zip(soon, riders[1::3], strict=False):
            booking_request(actor=staff, session=session, person=person,
                            at=session.starts_at - datetime.timedelta(days=2))
        later = next(s for s in upcoming if s.starts_at >= self.now + datetime.timedelta(hours=48))
        booking_request(actor=laoren, session=later, note="五里铺花园东门上车，去省二院复查")

    # --- the other offers ---

    def other(self, provider, kind, name, description, communities, place, session_at, capacity, counts,
              residents_only, bookable, by):
        unit = self.b.organisations[provider]
        if Offer.objects.filter(organisation=unit, name=name).exists():
            return
        served = ([self.b.by_name[s["name"]] for s in d.COMMUNITIES] if communities == "*"
                  else [self.b.by_name[c] for c in communities])
        actor = self.users.get(by, self.admin)
        offer = offer_create(actor=actor, kind=kind, name=name, description=description, organisation=unit,
                             communities=served, place=self.b.by_name[place], residents_only=residents_only,
                             bookable=bookable, min_notice_hours=2, horizon_days=30, cancel_notice_hours=2,
                             confirmation="automatic", is_published=True)
        day, start, end = session_at
        session = session_create(actor=actor, offer=offer, starts_at=local(day, start), ends_at=local(day, end),
                                 capacity=capacity)
        fulfilled, no_shows = counts
        people = [p for c in served for p in self.residents_of(c.name)]
        booker = self.users["jiedao"]
        for i, person in enumerate(self.rng.sample(people, fulfilled + no_shows)):
            self.book(session, person, by=booker, outcome="fulfil" if i < fulfilled else "no_show", provider=actor)
        # And the next one, three weeks from the day the demo is loaded, open for booking.
        next_day = self.now.date() + datetime.timedelta(days=21)
        session_create(actor=actor, offer=offer, starts_at=local(next_day, start), ends_at=local(next_day, end),
                       capacity=capacity)
