"""The demo's councils and meetings of 2021, walked through meetings.services by the staff who would record them, with
the times of 2021 (`at=`): each meeting scheduled (every member invited), its attendance recorded, held, its
resolutions proposed and decided by show of hands, its minutes written, approved and published.

- 拱星墩街道党建联席会 (the joint meeting; its members the 28 co-building units): the meeting of 2021-03-26, the day the
  units signed their agreements with the subdistrict (demo.data.AGREEMENT_SIGNED_ON), called by the working
  committee. Its resolutions: the units' 四进 — the coverage the article reports, carried out once the coverage began
  (demo.data.COVERAGE_SINCE) —, the in-service members' 双报到 into the grid branches (carried out once they were
  placed, MEMBER_PLACED_ON), and 我为群众办实事 (adopted: its needs are the communities' own, found through every
  channel, so none is linked to it).
- 天庆嘉园社区社工委 (the committee; its 15 seats since 2021-09-10 join as members when it is founded): the founding
  and first meeting of 2021-09-10 (“社工委”成立暨第一次会议), all 15 present. Its resolutions: the committee's charter
  (in force from the day: carried out), the party-building brand 社区+物业打造精致幸福家园 and the co-building units'
  四进 in 天庆嘉园 (both adopted, in progress as the article says: 下一步…).
- 居民议事会 of 段家滩东, 五里铺东 and 焦家湾社区 (the residents' committee and eight resident representatives each): a
  meeting shortly before each 2021 need whose channel is the council (demo.needs_data), whose adopted resolution is
  linked to that need (`resolution_need_link`): the need's page names the meeting that raised it, and the resolution
  is done once the need is resolved.

Nothing here creates a need or an activity, so the article's figures stay as they are. A second run writes nothing:
each body is walked only when it is not on record (by its place and name).
"""

import datetime

from django.contrib.auth.models import User
from django.utils import timezone

from demo import data as d
from demo import needs_data as nd
from demo.phones import RESIDENT, phone_prefix
from meetings.models import Body, Presence
from meetings.services import (
    attendance_record,
    body_create,
    meeting_hold,
    meeting_schedule,
    member_add,
    minutes_approve,
    minutes_publish,
    minutes_write,
    resolution_decide,
    resolution_mark_done,
    resolution_need_link,
    resolution_propose,
)
from needs.models import Need
from people.models import Person

JOINT = f"{d.SUBDISTRICT[1]}党建联席会"
COMMITTEE = f"{d.TQJY}社工委"
COUNCIL_MEMBERS = 8  # resident representatives, besides the residents' committee

# (title, agenda, location, minutes, resolutions); agenda: item titles; resolutions: (agenda item's index, title,
# text, done: None, or (the day it was carried out, how)).
JOINT_MEETING = (
    f"{d.SUBDISTRICT[1]}2021年党建联席会", datetime.datetime(2021, 3, 26, 9, 30),
    datetime.datetime(2021, 3, 26, 11, 30),
    f"{d.SUBDISTRICT[1]}办事处会议室",
    ["通报各社区排摸的居民需求", "共驻共建单位“四进”：进网格、进小区、进楼院、进单位", "“双报到”党员加入社区网格党支部",
     "深入开展“我为群众办实事”实践活动", "签订共驻共建协议"],
    "{day}，街道党工委组织辖区28家共驻共建单位召开党建联席会，应到28家，实到{present}家。会议通报了各社区排摸的居民"
    "需求；共建单位党组织结合组织特色，牵手各社区，联动网格片区，进网格、进小区、进楼院、进单位，为共驻共建、服务居民"
    "提供互联互通的机会，把更多力量汇聚到助力“家门口”服务上来。会议议定：共驻共建单位“四进”包抓；“双报到”党员"
    "加入社区网格党支部，分别认领任务；深入开展“我为群众办实事”实践活动。会上各单位与街道签订共驻共建协议。",
    [(1, "共驻共建单位“四进”包抓网格、小区、楼院和单位",
      "28家共驻共建单位党组织牵手各社区，联动网格片区，与“双报到”在职党员一起包抓网格、小区、楼院和辖区单位。",
      (d.COVERAGE_SINCE, "包抓自2021年5月1日起落实：28个共建单位党组织和614名在职党员包抓网格20个、小区33个、"
                         "楼院14个、单位17个。")),
     (2, "“双报到”党员加入社区网格党支部，分别认领任务",
      "在职党员向居住地社区报到，加入所在网格的党支部，认领网格内的任务。",
      (d.MEMBER_PLACED_ON, "614名在职党员已向居住地社区报到，全部加入社区网格党支部。")),
     (3, "深入开展“我为群众办实事”实践活动",
      "通过实地走访、居民议事会、网络征求意见等渠道排摸居民需求，共建单位党组织和在职党员认领办理，着力解决居民身边的"
      "烦心事、忧心事和揪心事。", None)],
)
COMMITTEE_MEETING = (
    f"{d.TQJY}“社工委”成立暨第一次会议", datetime.datetime(2021, 9, 10, 9, 30), datetime.datetime(2021, 9, 10, 11, 30),
    f"{d.TQJY}会议室",
    ["宣布天庆嘉园社区“社工委”成立，介绍15名委员", "审议《天庆嘉园社区社工委章程》",
     "“社区+物业打造精致幸福家园”党建品牌", "共建单位“四进”在天庆嘉园落到实处"],
    "{day}，天庆嘉园社区“社工委”成立暨第一次会议举行，应到委员15名，实到{present}名。15名委员涵盖社区党组织和居委会、"
    "“两代表一委员”、退役军人、辖区驻区单位和社会组织。会议审议通过《天庆嘉园社区社工委章程》；确定“社区+物业打造精致"
    "幸福家园”党建品牌，为社区居民打造红色、美丽、和谐、文明的幸福社区家园；议定将共建单位进网格、进小区、进楼院、"
    "进单位解决问题、服务群众、开展志愿活动等进一步落到实处。",
    [(1, "通过《天庆嘉园社区社工委章程》", "“社工委”委员各司其职，以共同治理为出发点，推动社区治理多元共治。",
      (datetime.date(2021, 9, 10), "章程自通过之日起施行，15名委员按章程各司其职。")),
     (2, "确定“社区+物业打造精致幸福家园”党建品牌",
      "以党建引领为中心，结合社区自身特点，为社区居民打造红色、美丽、和谐、文明的幸福社区家园。", None),
     (3, "推动共建单位“四进”在天庆嘉园落到实处",
      "将共建单位进网格、进小区、进楼院、进单位解决问题、服务群众、开展志愿活动等进一步落到实处。", None)],
)
# The council meeting before each 2021 need of the council channel, by the need's title: (start, end, location,
# what the residents raised, the resolution's title, who is excused, who is absent — indexes of the members).
COUNCIL_MEETINGS = {
    "老旧楼院加装电梯政策咨询": (
        "2021-05-11 08:30", "2021-05-11 09:30", "段家滩东社区红色议事角",
        "老旧楼院的多位老人反映想加装电梯，但不了解要办哪些手续、流程怎么走、业主代表怎么选。",
        "请共建单位为老旧楼院居民讲解加装电梯政策", (5,), ()),
    "段家滩东路老楼院加装电梯意愿征询": (
        "2021-09-13 15:00", "2021-09-13 16:30", "段家滩东社区红色议事角",
        "段家滩东路老楼院两栋楼想加装电梯，需要逐户征询意愿，低楼层住户顾虑多。",
        "对段家滩东路老楼院两栋楼逐户征询加装电梯意愿", (), (7,)),
    "残疾人和行动不便的老人出行难": (
        "2021-07-06 09:30", "2021-07-06 11:00", "五里铺东社区会议室",
        "社区残疾人和行动不便的老年人看病、办事出行困难，打车难。",
        "请共建单位帮助残疾人和行动不便的老人解决出行难", (2,), ()),
    "焦家湾小区电动车堵塞楼道": (
        "2021-10-26 09:30", "2021-10-26 11:00", "焦家湾社区会议室",
        "电动车停在楼道里充电，堵塞通道，有火灾隐患。",
        "清理焦家湾小区楼道电动车，选址设置集中充电点", (4,), (6,)),
    "和平小区老年人防诈骗宣传": (
        "2021-12-06 15:00", "2021-12-06 16:30", "焦家湾社区会议室",
        "和平小区老人接到冒充“医保局”的诈骗电话，希望有人讲讲怎么防骗。",
        "为和平小区老年人开展防诈骗宣传", (), ()),
}
COUNCIL_MINUTES = ("{day}，{body}在{location}召开，应到{members}人，实到{present}人{missing}。居民代表反映：{raised}"
                   "会议议定：{resolution}。社区将议定事项录入需求清单，发布到认领大厅，由共建单位党组织和在职党员认领办理。")


def local(value) -> datetime.datetime:
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        value = datetime.datetime.combine(value, datetime.time(17, 0))
    return value.replace(tzinfo=timezone.get_current_timezone())


def day_words(moment: datetime.datetime) -> str:
    return f"{moment.year}年{moment.month}月{moment.day}日"


class MeetingsWalk:
    def __init__(self, builder):
        self.b = builder
        self.users = {u.username: u for u in User.objects.filter(username__in=(
            "jiedao", "tqjy", *nd.COMMUNITY_STAFF.values()))}

    def walk(self):
        done = set(Body.objects.values_list("place__code", "name"))
        subdistrict, tqjy = self.b.subdistrict, self.b.by_name[d.TQJY]
        if (subdistrict.code, JOINT) not in done:
            self.joint(subdistrict)
        if (tqjy.code, COMMITTEE) not in done:
            self.committee(tqjy)
        councils = {}
        for spec in nd.NEEDS_2021:
            if spec["channel"] == "council":
                community = self.b.places[self.b.by_name[spec["place"].partition("/")[0]].code[:12]]
                councils.setdefault(community, []).append(spec)
        for community, specs in councils.items():
            if (community.code, f"{community.name}居民议事会") not in done:
                self.council(community, specs)

    # --- one meeting, as it went ---

    def meeting(self, actor, body, *, title, start, end, location, agenda, excused=(), absent=()):
        """Scheduled a week ahead (every member invited), attendance recorded at the start, held."""
        meeting = meeting_schedule(actor=actor, body=body, title=title, starts_at=start, ends_at=end,
                                   location=location, agenda=agenda, at=start - datetime.timedelta(days=7))
        invited = list(meeting.attendances.order_by("member__since", "member_id").values_list("member_id", flat=True))
        presence = {member: Presence.PRESENT for member in invited}
        presence |= {invited[i]: Presence.EXCUSED for i in excused} | {invited[i]: Presence.ABSENT for i in absent}
        attendance_record(actor=actor, meeting=meeting, presence=presence, at=start + datetime.timedelta(minutes=5))
        return meeting_hold(actor=actor, meeting=meeting, at=start + datetime.timedelta(minutes=5)), len(invited) - len(
            excused) - len(absent)

    def decide(self, actor, meeting, present, *, number, title, text, at, agenda_item=None):
        """Proposed and adopted by show of hands, every member present for."""
        resolution = resolution_propose(actor=actor, meeting=meeting, title=title, text=text, agenda_item=agenda_item,
                                        at=at)
        return resolution_decide(actor=actor, resolution=resolution, votes_for=present, votes_against=0,
                                 votes_abstain=0, at=at + datetime.timedelta(minutes=5 * number))

    def minutes(self, actor, meeting, text, end):
        """Written after the meeting, approved the next working morning and published."""
        minutes = minutes_write(actor=actor, meeting=meeting, text=text, at=end + datetime.timedelta(hours=2))
        next_morning = (end + datetime.timedelta(days=1)).replace(hour=9, minute=0)
        minutes_approve(actor=actor, minutes=minutes, at=next_morning)
        minutes_publish(actor=actor, minutes=minutes, at=next_morning + datetime.timedelta(minutes=30))

    def walk_meeting(self, actor, body, spec):
        title, start, end, location, agenda, text, resolutions = spec
        start, end = local(start), local(end)
        meeting, present = self.meeting(actor, body, title=title, start=start, end=end, location=location,
                                        agenda=agenda)
        items = list(meeting.agenda_items.order_by("order"))
        for number, (item, r_title, r_text, done) in enumerate(resolutions, 1):
            resolution = self.decide(actor, meeting, present, number=number, title=r_title, text=r_text,
                                     agenda_item=items[item], at=start + datetime.timedelta(minutes=30 * number))
            if done:
                on, how = done
                resolution_mark_done(actor=actor, resolution=resolution, note=how, at=local(on))
        self.minutes(actor, meeting, text.format(day=day_words(start), present=present), end)

    # --- the bodies ---

    def joint(self, subdistrict):
        actor = self.users["jiedao"]
        body = body_create(actor=actor, kind="joint", name=JOINT, place=subdistrict,
                           description="街道党工委组织辖区共驻共建单位召开的党建联席会，统筹党建资源，推动“四进”。",
                           at=local(JOINT_MEETING[1]) - datetime.timedelta(days=10))
        since = d.AGREEMENT_SIGNED_ON
        for name, *_rest in d.UNITS:
            member_add(actor=actor, body=body, organisation=self.b.organisations[name], since=since,
                       represents="共驻共建单位", at=local(JOINT_MEETING[1]) - datetime.timedelta(days=10))
        self.walk_meeting(actor, body, JOINT_MEETING)

    def committee(self, tqjy):
        actor = self.users["tqjy"]
        body = body_create(actor=actor, kind="committee", name=COMMITTEE, place=tqjy, founded_on=d.COMMITTEE_SINCE,
                           description="社区建设工作委员会：社区党组织和居委会、“两代表一委员”、退役军人、辖区驻区单位"
                                       "和社会组织共同参与社区治理。",
                           at=local(COMMITTEE_MEETING[1]) - datetime.timedelta(hours=1))
        self.walk_meeting(actor, body, COMMITTEE_MEETING)

    def council(self, community, specs):
        """The residents' committee and eight resident representatives of the community, one meeting per need."""
        actor = self.users[nd.COMMUNITY_STAFF[community.name]]
        first = min(local(COUNCIL_MEETINGS[s["title"]][0]) for s in specs)
        name = f"{community.name}居民议事会"
        body = body_create(actor=actor, kind="council", name=name, place=community,
                           description="居民代表和居委会共同商议小区、楼院的公共事务，把居民的需求提到需求清单上。",
                           at=first - datetime.timedelta(days=30))
        since = (first - datetime.timedelta(days=30)).date()
        office = self.b.organisations[f"{community.name}居民委员会"]
        member_add(actor=actor, body=body, organisation=office, since=since, represents="居委会",
                   at=first - datetime.timedelta(days=30))
        residents = Person.objects.filter(phone__startswith=phone_prefix(RESIDENT),
                                          home__code__startswith=community.code).order_by("phone")[:COUNCIL_MEMBERS]
        for person in residents:
            member_add(actor=actor, body=body, person=person, since=since, represents="居民代表",
                       at=first - datetime.timedelta(days=30))
        for spec in sorted(specs, key=lambda s: COUNCIL_MEETINGS[s["title"]][0]):
            start, end, location, raised, title, excused, absent = COUNCIL_MEETINGS[spec["title"]]
            start, end = local(start), local(end)
            meeting, present = self.meeting(actor, body, title=f"{start.year}年{start.month}月议事会", start=start,
                                            end=end, location=location, agenda=[spec["title"]], excused=excused,
                                            absent=absent)
            resolution = self.decide(actor, meeting, present, number=1, title=title, text=raised,
                                     agenda_item=meeting.agenda_items.get(), at=start + datetime.timedelta(minutes=30))
            need = Need.objects.get(title=spec["title"])
            resolution_need_link(actor=actor, resolution=resolution, need=need,
                                 at=need.accepted_at + datetime.timedelta(minutes=5))
            self.minutes(actor, meeting, COUNCIL_MINUTES.format(
                day=day_words(start), body=name, location=location, members=COUNCIL_MEMBERS + 1, present=present,
                missing="".join(f"，{len(who)}人{word}" for who, word in ((excused, "请假"), (absent, "缺席")) if who),
                raised=raised, resolution=title), end)
