"""The demo's volunteer service: the article's teams and activities of 2021, walked through volunteering.services by
the organisers (谁组织谁记录、谁记录谁证明) with the times of 2021 (`at=`) — sign-ups, check-ins (ticked by the
organiser, or by the QR code for the volunteers with a login), check-outs, hours proposed and certified, a few
corrections with their reasons — and, relative to the day the demo is loaded, the coming Saturdays' clean-ups with
places left.

- 红色长城护卫队 (天庆嘉园, 27 old party members and veterans, from June 2021): epidemic-prevention publicity every
  Tuesday in June–July and again in the autumn outbreak (October–November), two flood-emergency patrols in the
  rainy season, fire safety in June and on 11·9; their training and the leader's commendation on their records.
- 天庆嘉园社区居民委员会 with the property company and volunteers (社区+物业+志愿者): the clean-up and waste-sorting
  drive every Saturday morning (a weekly series; one Saturday called off in the outbreak), the summer 小志愿者 with
  it; 小志愿者's own summer mornings; 家园帮扶队's visits.
- 红马甲解答队 (段家滩东): the elevator Q&A once a month, with `dangyuan` (中电万维, whose branch explained the
  elevator procedures) — the demo's volunteer login, checking in by the QR code.
- 拱星墩街道办事处: civilised-traffic persuasion on Wednesday mornings in the communities, with nearly a hundred
  volunteers of the co-building units and in-service members.
- The guard's leader (over 100 hours, one star) has a certificate of 2021 issued by 天庆嘉园社区居民委员会; a
  veteran of the guard passes 100 hours too.

A second run writes nothing for 2021 (guarded by the first activity's name), and adds the coming clean-ups only
when none is coming.
"""

import datetime
import random

from django.contrib.auth.models import User
from django.utils import timezone

from demo import data as d
from demo.phones import IN_SERVICE, phone_prefix
from people.models import Person, Team, TeamMember
from volunteering.models import Activity, HoursState, ServiceHours, Volunteer
from volunteering.selectors import activities_upcoming
from volunteering.services import (
    activities_repeat,
    activity_cancel,
    activity_create,
    certificate_issue,
    checkin,
    checkout,
    hours_certify,
    hours_correct,
    hours_propose,
    hours_query,
    record_entry_add,
    signup_create,
    volunteer_register,
)

GUARD, HONGMAJIA, JIAYUAN, XIAO = "红色长城护卫队", "红马甲解答队", "家园帮扶队", "小志愿者"
TQJY_OFFICE = f"{d.TQJY}居民委员会"
SUBDISTRICT_OFFICE = f"{d.SUBDISTRICT[1]}办事处"
CLEAN_UP = "卫生环境集中整治和垃圾分类宣传"
CLEAN_UP_TEXT = ("社区+物业+志愿者：每周六上午在天庆嘉园A、B、C区开展卫生环境集中整治，清理楼道、绿化带和卫生死角，"
                 "在小区门口宣传垃圾分类，落实门前三包。工具由物业提供，请穿方便劳动的衣服。")
CLEAN_UP_TIME = (datetime.time(8, 30), datetime.time(11, 30))
CLEAN_UP_FROM, CLEAN_UP_TO = datetime.date(2021, 6, 5), datetime.date(2021, 12, 25)
CLEAN_UP_CALLED_OFF = (datetime.date(2021, 11, 6), "疫情防控期间暂停聚集性活动，本周整治活动取消。")
EPIDEMIC = "疫情防控政策宣传"
EPIDEMIC_TEXT = "红色长城护卫队在小区门口和楼院张贴宣传单、入户提醒，宣传疫苗接种、扫码测温和出行报备政策。"
EPIDEMIC_SPELLS = [(datetime.date(2021, 6, 8), datetime.date(2021, 7, 27)),
                   (datetime.date(2021, 10, 19), datetime.date(2021, 11, 30))]  # Tuesdays, 09:00–11:30
TRAFFIC = "文明交通劝导"
TRAFFIC_TEXT = ("巩固全国文明城市创建成果：身穿红色志愿服务马甲，在路口劝阻行人不走人行道、横穿马路、不走斑马线、"
                "不按指示灯行走和非机动车逆向行驶等交通违法行为。")
TRAFFIC_DAYS = ["2021-09-01", "2021-09-08", "2021-09-15", "2021-09-22", "2021-09-29", "2021-10-13",
                "2021-10-20", "2021-10-27", "2021-11-03", "2021-11-10"]  # Wednesdays, 07:30–09:00
TRAFFIC_VOLUNTEERS = 88  # in-service members of the co-building units, besides 红马甲解答队 and dangyuan
TRAFFIC_SHIFT = 12  # volunteers at each persuasion, taking turns
ELEVATOR = "加装电梯政策咨询解答"
ELEVATOR_TEXT = ("红马甲解答队为居民解答老旧楼院加装电梯需要办理的手续、整个流程、业主代表的选举及其职责等问题，"
                 "消除居民对电梯安装的顾虑。")
ELEVATOR_DAYS = ["2021-05-16", "2021-06-20", "2021-07-18", "2021-08-15", "2021-09-19", "2021-10-17",
                 "2021-11-21", "2021-12-19"]  # Sundays, 09:30–11:30
# (kind, name, description, team, place, day, start, end)
GUARD_ONCE = [
    ("fire", "消防安全宣传和楼道隐患排查", "检查楼道堆物、电动车充电和灭火器，向居民讲解家庭防火和逃生知识。",
     "天庆嘉园A区", "2021-06-17", "14:30", "16:30"),
    ("flood", "防汛应急巡查", "雨季巡查小区地下车库、低洼处和排水口，转移易涝点的物品，协助物业清理雨水篦子。",
     "天庆嘉园B区", "2021-07-15", "14:00", "17:00"),
    ("flood", "防汛应急巡查", "暴雨预警后巡查楼院和地下室，提醒居民关好门窗、不在低洼处停车。",
     "天庆嘉园C区", "2021-08-12", "14:00", "17:00"),
    ("fire", "“11·9”消防宣传日：消防安全进楼院", "与焦家湾消防救援站一起演示灭火器使用，讲解冬季用火用电安全。",
     "天庆嘉园A区", "2021-11-09", "14:30", "16:30"),
]
XIAO_DAYS = ["2021-07-21", "2021-07-28", "2021-08-04", "2021-08-11", "2021-08-18"]  # Wednesdays, 15:00–17:00
CARE_DAYS = ["2021-07-08", "2021-08-05", "2021-09-02", "2021-10-14", "2021-11-11", "2021-12-09"]  # Thu 14:30–17:00
CERTIFICATE_CONTACT = "0931-8102010"


def local(day, clock) -> datetime.datetime:
    if isinstance(day, str):
        day = datetime.date.fromisoformat(day)
    if isinstance(clock, str):
        clock = datetime.time.fromisoformat(clock)
    return datetime.datetime.combine(day, clock, tzinfo=timezone.get_current_timezone())


def minutes(n: int) -> datetime.timedelta:
    return datetime.timedelta(minutes=n)


class VolunteeringWalk:
    def __init__(self, builder):
        self.b = builder
        self.admin = builder.actor
        self.users = {u.username: u for u in User.objects.filter(username__in=("tqjy", "jiedao", "hongmajia",
                                                                                 "dangyuan"))}
        self.rng = random.Random(d.SEED + 30)
        self.volunteers: dict[int, Volunteer] = {v.person_id: v for v in Volunteer.objects.all()}

    def walk(self):
        if not Activity.objects.filter(name=CLEAN_UP).exists():
            self.year_2021()
        if not activities_upcoming(at=timezone.now()).filter(name=CLEAN_UP).exists():
            self.coming_saturdays()

    # --- helpers ---

    def volunteer(self, person: Person, *, name_public=False, at=None) -> Volunteer:
        if person.pk not in self.volunteers:
            self.volunteers[person.pk] = volunteer_register(actor=self.admin, person=person, name_public=name_public,
                                                            at=at)
        return self.volunteers[person.pk]

    def team(self, name: str) -> list[Volunteer]:
        """The team's volunteers, the leader first."""
        members = TeamMember.objects.filter(team__name=name).select_related("person").order_by("-is_leader", "pk")
        return [self.volunteer(m.person, name_public=i % 4 == 1,
                               at=local(m.joined_on or datetime.date(2021, 6, 1), "10:00"))
                for i, m in enumerate(members)]

    def hold(self, activity: Activity, organiser, volunteers: list[Volunteer], *, sure=0, early=0.1, own=(),
             late=None):
        """The activity as it went: sign-ups 1–6 days ahead (by the organiser, or `own` volunteers' users
        themselves), check-in on arrival (ticked by the organiser; the QR code for `own`; `late`: volunteer →
        minutes after the start), a few not coming and a few leaving early (checked out) — never the first
        `sure` — then the hours proposed after the end and certified the next day."""
        start, end = activity.starts_at, activity.ends_at
        own = {u.person.volunteer.pk: u for u in own}
        late = late or {}
        for v in volunteers:
            when = start - datetime.timedelta(days=self.rng.randint(1, 6), hours=self.rng.randint(0, 10))
            if v.pk in own:
                signup_create(actor=own[v.pk], activity=activity, at=when)
            else:
                signup_create(actor=organiser, activity=activity, volunteer=v, at=when)
        for i, v in enumerate(volunteers):
            if i >= sure and self.rng.random() < 0.05:
                continue  # signed up and did not come: no hours
            on_time = self.rng.randint(-20, 0) if self.rng.random() > 0.1 else self.rng.randint(5, 15)
            when = start + minutes(late.get(v, on_time))
            if v.pk in own:
                signup = checkin(actor=own[v.pk], activity=activity, code=activity.checkin_code, at=when)
            else:
                signup = checkin(actor=organiser, activity=activity, volunteer=v, at=when)
            if i >= sure and self.rng.random() < early:
                checkout(actor=organiser, signup=signup, at=end - minutes(self.rng.randrange(30, 75, 15)))
        if hours_propose(actor=organiser, activity=activity, at=end + minutes(30)):
            hours_certify(actor=organiser, entries_or_activity=activity, at=end + datetime.timedelta(hours=20))

    def create(self, organiser, *, kind, name, description, place, day, start, end, team=None, organisation=None,
               capacity=None) -> Activity:
        starts_at = local(day, start)
        return activity_create(actor=organiser, kind=kind, name=name, description=description,
                               place=self.b.by_name[place], starts_at=starts_at, ends_at=local(day, end), team=team,
                               organisation=organisation, capacity=capacity,
                               at=starts_at - datetime.timedelta(days=10))

    def entry(self, activity: Activity, volunteer: Volunteer) -> ServiceHours | None:
        return ServiceHours.objects.filter(activity=activity, volunteer=volunteer).first()

    # --- 2021 ---

    def year_2021(self):
        tqjy, jiedao, hongmajia, dangyuan = (self.users[k] for k in ("tqjy", "jiedao", "hongmajia", "dangyuan"))
        office = self.b.organisations[TQJY_OFFICE]
        teams = {t.name: t for t in Team.objects.all()}
        guard = self.team(GUARD)
        leader, veteran = guard[0], next(v for v in guard if "退役军人" in v.person.skills)
        rest = [v for v in guard if v not in (leader, veteran)]
        hmj, jiayuan, xiao = self.team(HONGMAJIA), self.team(JIAYUAN), self.team(XIAO)
        me = self.volunteer(dangyuan.person, name_public=True, at=local("2021-05-12", "20:00"))

        # 红色长城护卫队: training first, then its activities.
        fire_station = self.b.organisations["城关区焦家湾消防救援站"]
        for v in guard:
            record_entry_add(actor=tqjy, volunteer=v, kind="training", title="消防安全和应急救护知识培训",
                             on=datetime.date(2021, 6, 10), hours=2, by=fire_station)
        for first, last in EPIDEMIC_SPELLS:
            series = self.create(tqjy, kind="epidemic", name=EPIDEMIC, description=EPIDEMIC_TEXT, place=d.TQJY,
                                 day=first, start="09:00", end="11:30", team=teams[GUARD], capacity=15)
            copies = activities_repeat(actor=tqjy, activity=series, last_day=last, at=series.created_at)
            for activity in [series, *copies]:
                others = self.rng.sample(rest, self.rng.randint(4, 7))
                self.hold(activity, tqjy, [leader, veteran, *others], sure=2)
        for kind, name, text, place, day, start, end in GUARD_ONCE:
            activity = self.create(tqjy, kind=kind, name=name, description=text, place=place, day=day, start=start,
                                   end=end, team=teams[GUARD], capacity=20)
            others = self.rng.sample(rest, self.rng.randint(6, 10))
            self.hold(activity, tqjy, [leader, veteran, *others], sure=2)

        # The Saturday clean-up: the community office, the property company and volunteers, every week.
        first = self.create(tqjy, kind="clean_up", name=CLEAN_UP, description=CLEAN_UP_TEXT, place=d.TQJY,
                            day=CLEAN_UP_FROM, start=CLEAN_UP_TIME[0], end=CLEAN_UP_TIME[1], organisation=office,
                            capacity=30)
        saturdays = [first, *activities_repeat(actor=tqjy, activity=first, last_day=CLEAN_UP_TO,
                                                   at=first.created_at)]
        missed = set(self.rng.sample(range(len(saturdays)), 3))  # the veteran was away three Saturdays
        for i, activity in enumerate(saturdays):
            day = timezone.localtime(activity.starts_at).date()
            if day == CLEAN_UP_CALLED_OFF[0]:
                activity_cancel(actor=tqjy, activity=activity, reason=CLEAN_UP_CALLED_OFF[1],
                                at=activity.starts_at - datetime.timedelta(days=2))
                continue
            people = [leader] + ([] if i in missed else [veteran])
            people += self.rng.sample(jiayuan, self.rng.randint(2, 4)) + self.rng.sample(rest, 1)
            if datetime.date(2021, 7, 15) <= day <= datetime.date(2021, 8, 31):
                people += self.rng.sample(xiao, self.rng.randint(3, 5))  # the summer's little volunteers
            self.hold(activity, tqjy, people, sure=1 if i in missed else 2)

        # 小志愿者's summer mornings and 家园帮扶队's visits, both in 天庆嘉园.
        for day in XIAO_DAYS:
            activity = self.create(tqjy, kind="clean_up", name="暑期小志愿者：门前三包和垃圾分类宣传",
                                   description="小志愿者在商户门前宣传门前三包，在小区里教大家垃圾分类。",
                                   place="天庆嘉园商业街", day=day, start="15:00", end="17:00", team=teams[XIAO],
                                   capacity=12)
            self.hold(activity, tqjy, self.rng.sample(xiao, self.rng.randint(6, 10)), early=0.2)
        for day in CARE_DAYS:
            activity = self.create(tqjy, kind="care", name="家园帮扶队走访排摸",
                                   description="楼院长和物业楼长走访居民，排摸需求和邻里矛盾纠纷，小事不出社区。",
                                   place=d.TQJY, day=day, start="14:30", end="17:00", team=teams[JIAYUAN])
            self.hold(activity, tqjy, self.rng.sample(jiayuan, self.rng.randint(3, 5)))

        # 红马甲解答队: the elevator Q&A once a month, dangyuan among them (signing up and checking in himself).
        for day in ELEVATOR_DAYS:
            activity = self.create(hongmajia, kind="consultation", name=ELEVATOR, description=ELEVATOR_TEXT,
                                   place="段家滩东小区", day=day, start="09:30", end="11:30", team=teams[HONGMAJIA],
                                   capacity=10)
            people = hmj[:1] + self.rng.sample(hmj[1:], 4) + ([me] if day >= "2021-06-01" else [])
            self.hold(activity, hongmajia, people, own=[dangyuan] if me in people else ())

        # Civilised-traffic persuasion: the subdistrict office, in each community in turn.
        members = sorted((p for p in self.b.people.values() if p.phone.startswith(phone_prefix(IN_SERVICE))),
                         key=lambda p: p.phone)
        taken = {v.person_id for v in hmj} | {me.person_id}
        pool = [self.volunteer(p, at=local("2021-08-25", "10:00"))
                for p in [p for p in members if p.pk not in taken][:TRAFFIC_VOLUNTEERS]] + hmj
        subdistrict_office = self.b.organisations[SUBDISTRICT_OFFICE]
        communities = [c["name"] for c in d.COMMUNITIES]
        traffic = []
        for i, day in enumerate(TRAFFIC_DAYS):
            activity = self.create(jiedao, kind="traffic", name=f"{TRAFFIC}（{communities[i % len(communities)]}）",
                                   description=TRAFFIC_TEXT, place=communities[i % len(communities)], day=day,
                                   start="07:30", end="09:00", organisation=subdistrict_office, capacity=30)
            people = [pool[(i * TRAFFIC_SHIFT + j) % len(pool)] for j in range(TRAFFIC_SHIFT)]  # all in turn
            people += [me] if i % 2 == 0 else []
            self.hold(activity, jiedao, people, own=[dangyuan] if me in people else (),
                      late={me: 25} if i == 0 else None)
            traffic.append(activity)

        # Corrections, each with its reason (the old value kept).
        entry = ServiceHours.objects.filter(activity__name=CLEAN_UP, hours__lt=3).order_by("pk").first()
        hours_correct(actor=tqjy, entry=entry, hours="3",
                      reason="提前签退是误点，整治结束后还帮物业清运了垃圾，按活动全程补记",
                      at=entry.activity.ends_at + datetime.timedelta(days=2))
        epidemic = Activity.objects.filter(name=EPIDEMIC).order_by("starts_at")[3]
        entry = ServiceHours.objects.filter(activity=epidemic, state=HoursState.CERTIFIED).exclude(
            volunteer__in=(leader, veteran)).order_by("pk").first()
        hours_correct(actor=tqjy, entry=entry, hours="1.5", reason="中途离开接孩子，签退时忘记扫码，按实际服务时间更正",
                      at=epidemic.ends_at + datetime.timedelta(days=3))
        # dangyuan queried his hours of the first persuasion (he came early, the list had him late) and was heard.
        entry = self.entry(traffic[0], me)
        if entry is not None:
            hours_query(actor=dangyuan, entry=entry, reason="7:25就到路口开始劝导了，7:55才想起扫码签到，记录少了",
                        at=traffic[0].ends_at + datetime.timedelta(days=2))
            hours_correct(actor=jiedao, entry=entry, hours="1.5", reason="核对签到表和现场照片，按活动全程时长更正",
                          at=traffic[0].ends_at + datetime.timedelta(days=3))

        # The year's end: the leader's commendation and evaluation, and his certificate of 2021.
        record_entry_add(actor=tqjy, volunteer=leader, kind="commendation", title="天庆嘉园社区2021年度优秀志愿者",
                         on=datetime.date(2021, 12, 28), by=office)
        record_entry_add(actor=tqjy, volunteer=leader, kind="evaluation",
                         title="带领护卫队参加疫情防控、防汛和消防宣传，每周参加环境整治，服务认真负责，居民满意。",
                         on=datetime.date(2021, 12, 28), by=office)
        certificate_issue(actor=tqjy, volunteer=leader, first_day=datetime.date(2021, 6, 1),
                          last_day=datetime.date(2021, 12, 31), issuer=office,
                          person_in_charge=self.b.named["tqjy_secretary"].name, contact=CERTIFICATE_CONTACT,
                          at=local("2021-12-31", "16:00"))

    # --- relative to today ---

    def coming_saturdays(self):
        """The next four Saturdays' clean-ups, open for sign-up with places left (a few already taken)."""
        tqjy = self.users["tqjy"]
        office = self.b.organisations[TQJY_OFFICE]
        today = timezone.localdate()
        saturday = today + datetime.timedelta(days=(5 - today.weekday()) % 7 or 7)
        first = activity_create(actor=tqjy, kind="clean_up", name=CLEAN_UP, description=CLEAN_UP_TEXT,
                                place=self.b.by_name[d.TQJY], starts_at=local(saturday, CLEAN_UP_TIME[0]),
                                ends_at=local(saturday, CLEAN_UP_TIME[1]), organisation=office, capacity=20)
        coming = [first, *activities_repeat(actor=tqjy, activity=first, last_day=saturday + datetime.timedelta(
            weeks=3))]
        regulars = TeamMember.objects.filter(team__name__in=(GUARD, JIAYUAN), is_leader=True).select_related("person")
        for activity in coming:
            for member in regulars:
                signup_create(actor=tqjy, activity=activity, volunteer=self.volunteer(member.person))
