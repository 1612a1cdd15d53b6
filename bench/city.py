"""The synthetic city: places, units, members, residents and years of needs, written fast but exactly as the
services would have written them, event log and hash chain included.

    .venv/bin/python -m bench.city --profile small|default|subdistrict|city [--needs N] [--seed 1]

It expects a freshly migrated, otherwise empty database (`bench/run.py` makes one). Everything is drawn
from one seeded random generator, so a profile and a seed always give the same city.

Each need lives its life action by action (submit → accept → publish → claim → start → resolve → rate …,
with rejections, merges, dispatches, escalations to a department, returns and reopenings in realistic
shares); every action sets the fields `needs.services` sets, computes deadlines with `needs.deadlines`,
writes the same progress notes, reporters and inbox lines, and one event with the same data. Needs whose
next step would fall after the end of the history stay where they are, so the last weeks hold open needs.
`bench/tests/test_city.py` replays generated needs through `need_act` and compares what both wrote.
The deadline sweep (reminders, overdue flags) is not simulated.
"""

import argparse
import contextlib
import dataclasses
import datetime
import functools
import heapq
import multiprocessing
import os
import random
import sys
import time
from collections import defaultdict
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from people.masking import mask_name

TZ = ZoneInfo("Asia/Shanghai")
END = datetime.datetime(2025, 12, 31, 18, 0, tzinfo=TZ)


@dataclasses.dataclass(frozen=True)
class Profile:
    districts: int
    subdistricts: int  # per district
    communities: int  # per subdistrict
    grids: int  # per community (~300 households each)
    compounds: int  # per grid
    buildings: int  # per compound
    units: int  # co-building units per community
    members: int  # party members per unit
    residents: int  # residents on record per grid
    needs: int
    years: int
    database: str = "sqlite"


PROFILES = {
    "small": Profile(1, 2, 1, 2, 1, 2, 2, 3, 12, 400, 2),
    # Two subdistricts of 3 communities (two event chains, raced at once), 48 grids (~14,000 households) in all,
    # 36 units; 10,000 needs a year.
    "default": Profile(1, 2, 3, 8, 3, 4, 6, 20, 150, 50_000, 5),
    "subdistrict": Profile(1, 1, 6, 8, 3, 4, 6, 20, 150, 200_000, 20),
    # Lanzhou: 8 districts × 10 subdistricts × 10 communities × 6 grids = 4,800 grids, 2,400 units,
    # 192,000 party members, 960,000 residents on record, 10 million needs over 10 years.
    "city": Profile(8, 10, 10, 6, 2, 5, 3, 80, 200, 10_000_000, 10, database="postgresql"),
}

DISTRICTS = ["城关区", "七里河区", "西固区", "安宁区", "红古区", "永登县", "皋兰县", "榆中县"]
DEPARTMENTS = ["教育局招生办", "住建局", "城管局", "卫健局"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "建国秀英志强桂兰海燕德明玉梅丽华文军红霞永刚淑珍晓东春生金凤小平国庆振华"
CHANNELS = [("field_visit", 30), ("council", 10), ("online", 18), ("walk_in", 10), ("hotline", 22), ("qr", 8),
            ("api", 2)]
SELF_CHANNELS = {"online", "qr", "api"}  # the resident submits from their own account
PHRASES = {
    "加装电梯": ["加装电梯", "电梯加装意见征集"], "环境卫生": ["垃圾清运不及时", "楼道堆放杂物"],
    "交通秩序": ["乱停车堵塞通道", "路口缺少红绿灯"], "升学政策": ["子女入学政策咨询", "学区划分咨询"],
    "出行困难": ["老人就医出行困难", "残疾人出行需要接送"], "设施维修": ["路灯不亮", "下水道堵塞"],
    "邻里纠纷": ["楼上漏水纠纷", "养狗扰民"], "养老服务": ["独居老人需要助餐", "老人需要上门照护"],
    "法律咨询": ["劳动合同纠纷咨询", "房屋继承法律咨询"], "医疗健康": ["希望社区开展义诊", "慢性病随访"],
}
RATINGS = [("very_satisfied", 55), ("satisfied", 30), ("fairly_satisfied", 10), ("unsatisfied", 5)]
LEVELS = [("annoyance", 60), ("worry", 30), ("anguish", 10)]
MINUTE = datetime.timedelta(minutes=1)
RESOLVE_NOTE, EVIDENCE = "已办结：现场处理完毕，居民签字确认", "居民签字的验收单"


def chain_of_code(code: str) -> str:
    """The event chain of a record placed at the place with this code (places.models.chain_of's rule)."""
    from places.models import chain_of

    return chain_of(SimpleNamespace(code=code))


def weighted(rng, pairs):
    return rng.choices([v for v, _w in pairs], [w for _v, w in pairs])[0]


class City:
    def __init__(self, profile: Profile, *, seed: int = 1, needs: int | None = None, published: int = 0, log=print):
        from bench.sink import Chain, Sink

        self.p = dataclasses.replace(profile, needs=needs) if needs is not None else profile
        self.rng = random.Random(seed)
        self.seed = seed
        self.parts = 1
        self.log = log
        self.sink = Sink()
        self.chain = Chain(self.sink)
        self.start = END - datetime.timedelta(days=365 * self.p.years)
        self.clock = self.start - datetime.timedelta(days=60)  # the records exist before the first need
        self._pinyin: dict[str, str] = {}
        self.counts: dict[str, int] = {}
        self.published = published  # extra needs at the end of the history, left on the claim board

    # --- helpers -------------------------------------------------------------------------------------
    def pinyin(self, name: str) -> str:
        from core.pinyin import pinyin_key

        if name not in self._pinyin:
            self._pinyin[name] = pinyin_key(name)
        return self._pinyin[name]

    @functools.lru_cache(maxsize=200_000)  # noqa: B019 (one city per process, kept to the end)
    def notice(self, action: str, title: str, holder: str, state: str) -> str:
        """needs.notify's notice of an action: titles and holders repeat, and each text took several lookups of
        the active language."""
        from needs.models import State
        from needs.notify import notice_text

        return notice_text(action, title=title, holder=holder, state_label=State(state).label)

    def tick(self) -> datetime.datetime:
        self.clock += datetime.timedelta(seconds=1)
        return self.clock

    def event(self, *, verb, subject_type, subject_id, data, actor_id=None, at=None, chain=None):
        """One service's event: in the city's chain unless the subject is placed in a subdistrict (`chain`).
        Each service mirrored here writes one event, or several of one subject, so each lands in the chain
        of its transaction's first event as core.events puts it."""
        from core.events import CITY_CHAIN

        self.chain.append(chain=chain or CITY_CHAIN, at=at or self.tick(),
                          actor_id=self.root if actor_id is None else actor_id, verb=verb,
                          subject_type=subject_type, subject_id=subject_id, data=data)

    def user(self, username, *, usable=True, superuser=False, active=True) -> int:
        from django.contrib.auth.hashers import make_password
        from django.contrib.auth.models import User

        if usable and not hasattr(self, "_password"):
            self._password = make_password("bench-pass-2025")
        return self.sink.add(User, {
            "username": username, "password": self._password if usable else make_password(None),
            "is_superuser": superuser, "is_staff": superuser, "is_active": active, "first_name": "",
            "last_name": "", "email": "", "date_joined": self.clock, "last_login": None})

    def role(self, user_id, role, *, place=None, organisation=None):
        from people.models import RoleAssignment

        pk = self.sink.add(RoleAssignment, {"user_id": user_id, "role": role, "place_id": place and place[0],
                                            "organisation_id": organisation})
        self.event(verb="role_grant", subject_type="people.roleassignment", subject_id=pk,
                   data={"user": user_id, "role": role, "place": place and place[1], "organisation": organisation})
        return pk

    def place(self, kind, name, code, parent, **extra) -> tuple[int, str]:
        from places.models import Place

        pk = self.sink.add(Place, {"kind": kind, "name": name, "code": code, "parent_id": parent and parent[0],
                                   "pinyin": self.pinyin(name), "updated_at": self.clock, **extra})
        self.event(verb="place_create", subject_type="places.place", subject_id=pk,
                   data={"code": code, "kind": kind, "name": name}, chain=chain_of_code(code))
        return pk, code

    def person(self, *, name, phone, home, user=None, room="", resident=False, skills="", gender="") -> int:
        from people.models import Person

        pk = self.sink.add(Person, {"name": name, "phone": phone, "gender": gender, "home_id": home, "room": room,
                                    "is_resident": resident, "skills": skills, "user_id": user,
                                    "pinyin": self.pinyin(name)})
        self.event(verb="person_create", subject_type="people.person", subject_id=pk, data={})
        return pk

    def name(self) -> str:
        given = self.rng.randrange(len(GIVEN) // 2) * 2
        return self.rng.choice(SURNAMES) + GIVEN[given:given + self.rng.choice((1, 2))]

    # --- the records -------------------------------------------------------------------------------
    def build_records(self):
        from needs.models import Category
        from needs.permissions import SYSTEM_USERNAME
        from people.models import (
            CoBuildingAgreement,
            MemberReport,
            Organisation,
            PartyMembership,
            PartyOrganisation,
        )

        p, rng = self.p, self.rng
        self.root = None
        self.root = self.user("bench-root", superuser=True)
        self.system = self.user(SYSTEM_USERNAME, usable=False, active=False)
        self.categories = list(Category.objects.filter(parent=None).values_list("pk", "name"))
        self.grids = []  # dicts: pk, code, community, subdistrict, district, buildings, residents, worker
        self.community_staff: dict[str, int] = {}
        self.subdistrict_admin: dict[str, int] = {}
        self.units_by_community: dict[str, list[int]] = {}
        self.unit_admins: dict[int, list[int]] = {}
        self.org_names: dict[int, str] = {}
        self.departments: dict[str, list[int]] = {}
        self.members_with_account: dict[str, list[tuple[int, int]]] = {}  # community → (person, user)
        self.person_names: dict[int, str] = {}
        self.person_users: dict[int, int] = {}
        phone = iter(range(13_000_000_000, 19_999_999_999))

        def resident(*, name, home, username, role, **fields):
            """person_create, then (for some) an account: role_grant and person_account_link."""
            user_id = self.user(username) if username else None
            person = self.person(name=name, phone=str(next(phone)), home=home, user=user_id, **fields)
            self.person_names[person] = name
            if user_id:
                self.role(user_id, role)
                self.person_users[person] = user_id
                self.event(verb="person_account_link", subject_type="people.person", subject_id=person,
                           data={"user": user_id})
            return person, user_id

        city = self.place("city", "兰州市", "6201", None)
        x0, y0, size = 103.6, 35.9, 0.004
        grid_index = 0
        for d in range(p.districts):
            dname = DISTRICTS[d % len(DISTRICTS)] + ("" if d < len(DISTRICTS) else str(d))
            district = self.place("district", dname, f"6201{d + 2:02d}", city)
            self.departments[district[1]] = []
            for k, dept in enumerate(DEPARTMENTS):
                org = self.sink.add(Organisation, {"kind": "government_department", "name": f"{dname}{dept}",
                                                   "place_id": None, "address": "", "contact_phone": "",
                                                   "service_categories": "", "pinyin": self.pinyin(f"{dname}{dept}")})
                self.event(verb="organisation_create", subject_type="people.organisation", subject_id=org,
                           data={"name": f"{dname}{dept}", "kind": "government_department"})
                admin = self.user(f"dept-{district[1]}-{k}")
                self.role(admin, "unit_admin", organisation=org)
                self.departments[district[1]].append(org)
                self.unit_admins[org] = [admin]
                self.org_names[org] = f"{dname}{dept}"
            for s in range(p.subdistricts):
                sname = f"{dname}第{s + 1}街道"
                sub = self.place("subdistrict", sname, f"{district[1]}{s + 1:03d}", district)
                self.subdistrict_admin[sub[1]] = admin = self.user(f"jd-{sub[1]}")
                self.role(admin, "subdistrict_admin", place=sub)
                for c in range(p.communities):
                    cname = f"{sname}第{c + 1}社区"
                    community = self.place("community", cname, f"{sub[1]}{c + 1:03d}", sub)
                    staff = self.community_staff[community[1]] = self.user(f"sq-{community[1]}")
                    self.role(staff, "community_staff", place=community)
                    committee = self.sink.add(PartyOrganisation, {
                        "level": "committee", "name": f"{cname}党委", "organisation_id": None,
                        "place_id": community[0], "parent_id": None, "pinyin": self.pinyin(f"{cname}党委")})
                    self.event(verb="party_organisation_create", subject_type="people.partyorganisation",
                               subject_id=committee, data={"name": f"{cname}党委", "level": "committee"})
                    community_grids = []
                    for g in range(p.grids):
                        gx, gy = x0 + (grid_index % 80) * size, y0 + (grid_index // 80) * size
                        grid_index += 1
                        gname = f"{cname}第{g + 1}网格"
                        geometry = {"type": "Polygon", "coordinates": [[[gx, gy], [gx + size, gy],
                                                                        [gx + size, gy + size], [gx, gy + size],
                                                                        [gx, gy]]]}
                        grid = self.place("grid", gname, f"{community[1]}{g + 1:03d}", community, households=300,
                                          geometry=geometry)
                        worker = self.user(f"wg-{grid[1]}")
                        self.role(worker, "grid_worker", place=grid)
                        branch = self.sink.add(PartyOrganisation, {
                            "level": "branch", "name": f"{gname}党支部", "organisation_id": None,
                            "place_id": grid[0], "parent_id": committee, "pinyin": self.pinyin(f"{gname}党支部")})
                        self.event(verb="party_organisation_create", subject_type="people.partyorganisation",
                                   subject_id=branch, data={"name": f"{gname}党支部", "level": "branch"})
                        buildings = []
                        for k in range(p.compounds):
                            compound = self.place("compound", f"{gname}{k + 1}号小区", f"{grid[1]}{k + 1:03d}", grid)
                            for b in range(p.buildings):
                                buildings.append(self.place("building", f"{b + 1}号楼", f"{compound[1]}{b + 1:03d}",
                                                            compound))
                        entry = {"pk": grid[0], "code": grid[1], "community": community[1], "subdistrict": sub[1],
                                 "district": district[1], "buildings": buildings, "worker": worker,
                                 "branch": branch, "residents": [], "self_residents": []}
                        community_grids.append(entry)
                        for r in range(p.residents):
                            home = rng.choice(buildings)
                            username = f"jm-{home[1]}-{r}" if rng.random() < 0.3 else None
                            person, user_id = resident(name=self.name(), home=home[0], username=username,
                                                       role="resident", resident=True, gender=rng.choice("FM"),
                                                       room=f"{rng.randint(1, 6)}0{rng.randint(1, 4)}")
                            entry["residents"].append((person, home))
                            if user_id:
                                entry["self_residents"].append((person, home))
                    self.grids.extend(community_grids)
                    self.units_by_community[community[1]] = []
                    self.members_with_account[community[1]] = []
                    for u in range(p.units):
                        category = rng.choice(self.categories)[1]
                        uname = f"{cname}共建单位{u + 1}"
                        unit_grid = rng.choice(community_grids)
                        org = self.sink.add(Organisation, {
                            "kind": "co_building_unit", "name": uname, "place_id": unit_grid["pk"], "address": "",
                            "contact_phone": "", "service_categories": PHRASES[category][0],
                            "pinyin": self.pinyin(uname)})
                        self.event(verb="organisation_create", subject_type="people.organisation", subject_id=org,
                                   data={"name": uname, "kind": "co_building_unit"})
                        self.org_names[org] = uname
                        branch = self.sink.add(PartyOrganisation, {
                            "level": "branch", "name": f"{uname}党支部", "organisation_id": org, "place_id": None,
                            "parent_id": None, "pinyin": self.pinyin(f"{uname}党支部")})
                        self.event(verb="party_organisation_create", subject_type="people.partyorganisation",
                                   subject_id=branch, data={"name": f"{uname}党支部", "level": "branch"})
                        signed = (self.clock - datetime.timedelta(days=400)).date()
                        agreement = self.sink.add(CoBuildingAgreement, {
                            "organisation_id": org, "place_id": community[0], "signed_on": signed, "state": "active"})
                        self.event(verb="agreement_sign", subject_type="people.cobuildingagreement",
                                   subject_id=agreement,
                                   data={"organisation": uname, "place": community[1], "signed_on": str(signed)})
                        admin = self.user(f"dw-{org}")
                        self.role(admin, "unit_admin", organisation=org)
                        self.unit_admins[org] = [admin]
                        self.units_by_community[community[1]].append(org)
                        for _m in range(p.members):
                            home_grid = rng.choice(community_grids)
                            home = rng.choice(home_grid["buildings"])
                            username = f"dy-{org}-{_m}" if rng.random() < 0.5 else None
                            person, user_id = resident(name=self.name(), home=home[0], username=username,
                                                       role="party_member", resident=True,
                                                       skills=PHRASES[category][0], gender=rng.choice("FM"))
                            joined = signed
                            membership = self.sink.add(PartyMembership, {
                                "person_id": person, "party_organisation_id": branch, "in_service": True,
                                "joined_on": joined})
                            self.event(verb="membership_create", subject_type="people.partymembership",
                                       subject_id=membership, data={"party_organisation": branch, "in_service": True})
                            # member_report, then member_place: the row is written as it ends up, placed.
                            report = self.sink.add(MemberReport, {
                                "membership_id": membership, "community_id": community[0], "reported_on": joined,
                                "state": "placed", "grid_branch_id": home_grid["branch"], "placed_on": joined})
                            self.event(verb="member_report", subject_type="people.memberreport", subject_id=report,
                                       data={"community": community[1], "reported_on": str(joined)})
                            self.event(verb="member_place", subject_type="people.memberreport", subject_id=report,
                                       data={"grid_branch": home_grid["branch"], "placed_on": str(joined)})
                            if user_id:
                                self.members_with_account[community[1]].append((person, user_id))
        self.counts.update(grids=len(self.grids), persons=len(self.person_names))

    # --- the needs ---------------------------------------------------------------------------------
    def build_part(self, part: int, parts: int) -> dict:
        """The needs of one share of the subdistricts, in a transaction of their own (one process each on
        PostgreSQL, one after another on SQLite): the i-th need of the history is this share's when
        i % parts == part, placed in one of its grids. Shares write disjoint chains and roll-up rows up to
        their subdistricts (the rows above go to the shared tables `generate` sums) and take interleaved ids
        (bench.sink), so their rows are what one process would have written."""
        from django.db import transaction

        from bench.sink import Chain, Sink

        subdistricts = sorted({g["subdistrict"] for g in self.grids})
        mine = set(subdistricts[part::parts])
        self.need_grids = [g for g in self.grids if g["subdistrict"] in mine]
        # The needs left on the claim board go to the first two subdistricts (the fixtures' races within one chain
        # and two): spread over a city's 80 they left 6 in each.
        self.board_grids = [g for g in self.need_grids if g["subdistrict"] in subdistricts[:2]] or self.need_grids
        if parts > 1:
            self.rng = random.Random(self.seed * 1000 + part)
        self.parts = parts
        with transaction.atomic():
            self.sink = Sink(bases=self.bases, stride=parts, offset=part)
            self.chain = Chain(self.sink)
            self.build_needs(part, parts)
            self.sink.flush()
            self.chain.finish()
        return {"events": self.chain.count}

    def build_needs(self, part: int, parts: int):
        from django.utils import translation

        from needs.models import Need

        p = self.p
        span = (END - self.start).total_seconds()
        pending: list = []  # heap of (at, order, event kwargs): events are appended in time order
        batch: list[NeedLife] = []
        order = 0
        batch_end = self.start
        first_id = self.bases[Need]  # ids are given in submission order below
        self.open_by_grid: dict[str, list[dict]] = {}
        self.tallies, self.holders = defaultdict(lambda: defaultdict(int)), defaultdict(lambda: defaultdict(int))
        with translation.override("zh-hans"), calendar_read_once(self.start, END):
            for i in range(part, p.needs + self.published, parts):
                fresh = i >= p.needs
                if fresh:
                    at = END - datetime.timedelta(hours=12) + datetime.timedelta(seconds=i - p.needs)
                else:
                    at = self.start + datetime.timedelta(seconds=int((i + self.rng.random()) * span / p.needs))
                if at >= batch_end:
                    self._write_batch(batch, pending, at)
                    batch = []
                    batch_end = at + datetime.timedelta(days=7)
                life = NeedLife(self, first_id + i, at, only_publish=fresh)
                life.live()
                batch.append(life)
                for step in life.events:
                    order += 1
                    heapq.heappush(pending, (step["at"], order, step))
            self._write_batch(batch, pending, None)

    def _write_batch(self, lives, pending, until):
        """Write the needs submitted before `until` (their rows are final: merge targets are needs still in memory),
        their contributions to the ledger, the roll-up rows no later need can add to, and the events before it."""
        from ledger.models import Contribution
        from ledger.rollups import _add, contribution, deed_fields
        from needs.models import Need

        for life in lives:
            self.sink.add(Need, life.need)
            need = SimpleNamespace(**life.need, place=SimpleNamespace(code=life.code))
            data = contribution(need, reopened=any(e["verb"] == "need.reopen" for e in life.events))
            if data:
                self.sink.add(Contribution, {"need_id": life.pk, "data": data, **deed_fields(data)})
                _add(self.tallies, self.holders, data, +1)
        self.open_by_grid.clear()
        # A later need is found (or turned away) on its submission's day or after: the days before are complete.
        self._write_rollups(local_day(until) if until else None)
        while pending and (until is None or pending[0][0] < until):
            _at, _order, step = heapq.heappop(pending)
            self.chain.append(**step)

    def _write_rollups(self, before: datetime.date | None):
        """The roll-up rows of days (and months) before `before`, or all: those above a subdistrict to the shared
        tables when shares are generated at once."""
        from ledger.models import HolderTally, Tally
        from ledger.rollups import HOLDER_KEY, TALLY_KEY
        from places.models import PLACE_RULES, PlaceKind

        subdistrict_code = PLACE_RULES[PlaceKind.SUBDISTRICT][1]
        for rows, model, fields in ((self.tallies, Tally, TALLY_KEY), (self.holders, HolderTally, HOLDER_KEY)):
            done = [key for key in rows if before is None or (
                key[3] < before if key[2] == "d" else next_month(key[3]) <= before)]
            for key in done:
                counts = rows.pop(key)
                if any(counts.values()):
                    shared = self.parts > 1 and len(key[0]) < subdistrict_code
                    self.sink.add(model, {**dict(zip(fields, key, strict=True)), **counts},
                                  table=shared_table(model) if shared else "")

    def generate(self, jobs: int = 1):
        """Records in one transaction, then the needs in `jobs` shares of the subdistricts (processes at once on
        PostgreSQL), then the shared roll-up rows summed, sequences moved and statistics gathered."""
        from django.db import connection, connections, transaction

        from bench.city_apps import build_apps
        from bench.sink import Sink, id_bases
        from core.models import Event

        started = time.perf_counter()
        with transaction.atomic():
            self.build_records()
            self.sink.finish()
            self.chain.finish()
        self.log(f"records: {time.perf_counter() - started:.1f} s")
        events = self.chain.count
        subdistricts = len({g["subdistrict"] for g in self.grids})
        parts = max(1, min(jobs, subdistricts))
        models_ = need_models()
        self.bases = id_bases([m for m in models_ if m._meta.pk.attname == "id"])
        with connection.cursor() as cursor:
            for model in models_[-2:] if parts > 1 else ():
                cursor.execute(f"CREATE TABLE {shared_table(model)} AS SELECT * FROM {model._meta.db_table} "
                               "WHERE 1 = 0")
        if parts > 1 and connection.vendor == "postgresql":
            global _CITY
            _CITY = self
            with checks_after_the_load(models_, log=self.log):
                connections.close_all()  # each process opens its own connection
                with multiprocessing.get_context("fork").Pool(parts) as pool:
                    results = pool.starmap(_build_part, [(part, parts) for part in range(parts)])
                self.log(f"needs: {time.perf_counter() - started:.1f} s")
                with transaction.atomic():
                    references_redrawn()
                    sum_shared(models_[-2:])
        else:
            results = [self.build_part(part, parts) for part in range(parts)]
            with transaction.atomic():
                if parts > 1:
                    sum_shared(models_[-2:])
        with transaction.atomic():
            Sink().finish(models_)
        self.log(f"needs done: {time.perf_counter() - started:.1f} s")
        last_event = Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        self.counts.update(build_apps())
        apps_events = Event.objects.filter(pk__gt=last_event).count()
        self.log(f"done (offers, bookings, activities through the services): {time.perf_counter() - started:.1f} s")
        self.counts["needs"] = self.p.needs + self.published
        self.counts["events"] = events + sum(r["events"] for r in results) + apps_events
        self.counts["jobs"] = parts
        self.counts["seconds"] = round(time.perf_counter() - started, 1)
        return self.counts


_CITY: City | None = None  # the city a worker process was forked with


def _build_part(part: int, parts: int) -> dict:
    return _CITY.build_part(part, parts)


def need_models() -> list:
    """The tables the needs' shares write; the roll-up tables last (their shared rows are summed)."""
    from core.models import Event, InboxLine
    from ledger.models import Contribution, HolderTally, Tally
    from needs.models import Need, NeedReporter, ProgressNote

    return [Need, Event, InboxLine, ProgressNote, NeedReporter, Contribution, Tally, HolderTally]


def shared_table(model) -> str:
    return f"bench_shared_{model._meta.db_table}"


def sum_shared(models_):
    """The roll-up rows above a subdistrict, written by several shares: summed into one row per key (keeping the
    least of their ids, all unique), then the shared tables dropped."""
    from django.db import connection

    from ledger.rollups import HOLDER_KEY, TALLY_KEY

    with connection.cursor() as cursor:
        for model, key in zip(models_, (TALLY_KEY, HOLDER_KEY), strict=True):
            counters = [f.column for f in model._meta.local_concrete_fields if f.column not in (*key, "id")]
            columns = ", ".join(("id", *key, *counters))
            cursor.execute(f"INSERT INTO {model._meta.db_table} ({columns}) SELECT MIN(id), {', '.join(key)}, "
                           f"{', '.join(f'SUM({c})' for c in counters)} FROM {shared_table(model)} "
                           f"GROUP BY {', '.join(key)}")
            cursor.execute(f"DROP TABLE {shared_table(model)}")


def references_redrawn() -> int:
    """Tracking references are drawn at random (needs.models.reference_new), and shares drawing at once cannot see
    each other's: the later of two needs that drew the same one (a few in millions) draws again, before the unique
    key is made."""
    from django.db import connection

    from needs.models import Need, reference_new

    table = Need._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY reference ORDER BY id) AS n "
                       f"FROM {table} WHERE reference IN (SELECT reference FROM {table} GROUP BY reference "
                       f"HAVING COUNT(*) > 1)) drawn WHERE n > 1")
        later = [row[0] for row in cursor.fetchall()]
        for pk in later:
            cursor.execute(f"UPDATE {table} SET reference = %s WHERE id = %s", [reference_new(), pk])
    return len(later)


@contextlib.contextmanager
def checks_after_the_load(models_, log=print):
    """PostgreSQL: the tables' foreign keys, unique constraints and secondary indexes dropped for the load and made
    again after it, as pg_restore loads a dump: each row's checks and index entries would cost more than one pass
    over the table (the keys checked and each index sorted, in parallel) — and the keys are checked all the same."""
    from django.db import connection

    tables = [m._meta.db_table for m in models_]
    with connection.cursor() as cursor:
        cursor.execute("SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                       "WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('f', 'u')", [tables])
        constraints = cursor.fetchall()
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) AND indexname NOT IN "
                       "(SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))", [tables])
        indexes = cursor.fetchall()
        for table, name, _definition in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    yield
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in constraints:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    log(f"indexes and constraints made again: {time.perf_counter() - started:.1f} s")


@contextlib.contextmanager
def calendar_read_once(first: datetime.datetime, last: datetime.datetime):
    """The administrators' calendar days (needs.deadlines) read once for the whole history rather than once per
    deadline (which was most of the generator's time): nobody edits them while the city is generated."""
    from needs import deadlines

    stated = deadlines.calendar_days(first.date(), last.date() + datetime.timedelta(days=400))
    read = deadlines.calendar_days
    deadlines.calendar_days = lambda a, b: {day: work for day, work in stated.items() if a <= day <= b}
    try:
        yield
    finally:
        deadlines.calendar_days = read


def local_day(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(TZ).date()


def next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


class NeedLife:
    """One need from submission on, each action applied as `needs.services` applies it."""

    def __init__(self, city: City, pk: int, at: datetime.datetime, only_publish=False):
        self.city, self.rng, self.pk = city, city.rng, pk
        self.only_publish = only_publish  # submit, accept, publish: a need left waiting on the claim board
        self.at = at
        self.events: list[dict] = []
        self.need: dict = {}

    # Each step: returns False when its time falls after the end of the history (the need stops there).
    def step(self, action, actor, gap_minutes, fields_fn):
        at = self.at + gap_minutes * MINUTE
        if at > END:
            return False
        self.at = at.astimezone(datetime.UTC)
        before = self.need.get("state", "")
        data = fields_fn(self.at) or {}
        from needs.workflow import next_state

        after = next_state(before, action)
        assert after is not None, (before, action)
        self.need["state"] = after
        self.need["updated_at"] = self.at
        # The next action re-reads the need from the database, which gives its times back in UTC.
        for key, value in self.need.items():
            if isinstance(value, datetime.datetime):
                self.need[key] = value.astimezone(datetime.UTC)
        self.events.append({"chain": self.chain, "at": self.at, "actor_id": actor, "verb": f"need.{action}",
                            "subject_type": "needs.need", "subject_id": self.pk,
                            "data": {"from": before or None, "to": after, **data}})
        self.notify(action, actor)
        return True

    def notify(self, action, actor):
        from core.models import InboxLine
        from needs.notify import sms_audience, sms_text
        from needs.workflow import ACTIONS

        n, city = self.need, self.city
        users, texted = set(), set()
        need = SimpleNamespace(level=n["level"], report_in_due=n["report_in_due"])  # what needs.notify's SMS asks
        by_sms = sms_audience(need, action)
        for who in ACTIONS[action].audience:
            if who == "reporter":
                found = {u for u in (city.person_users.get(n["reporter_id"]), *self.extra_reporter_users) if u}
            elif who == "holder":
                found = set(city.unit_admins.get(n["lead_organisation_id"], ())) if n["lead_organisation_id"] else set()
                if n["lead_person_id"] and n["lead_person_id"] in city.person_users:
                    found.add(city.person_users[n["lead_person_id"]])
            elif who == "community_staff":
                found = {city.community_staff[self.grid["community"]]}
            elif who == "subdistrict_admin":
                found = {city.subdistrict_admin[self.grid["subdistrict"]]}
            else:
                found = set()
            users |= found
            if who in by_sms:
                texted |= found
        users.discard(actor)
        if not users:
            return
        text = city.notice(action, n["title"], self.holder_name(), n["state"])
        for user in sorted(users):  # as core.notify writes them (the bench's messages count as sent)
            said = (sms_text(need, action, text) if user in texted else text)[:300]
            city.sink.add(InboxLine, {"user_id": user, "text": said, "link": f"/needs/{self.pk}/",
                                      "subject": f"needs.need:{self.pk}", "verb": action, "at": self.at,
                                      "read_at": None})

    def holder_name(self) -> str:
        n = self.need
        if n["lead_organisation_id"]:
            return self.city.org_names[n["lead_organisation_id"]]
        if n["lead_person_id"]:  # a member's name is personal data: masked, as Need.holder_label masks it
            return mask_name(self.city.person_names[n["lead_person_id"]])
        return ""

    def note(self, action, text, actor):
        from needs.models import ProgressNote

        if text:
            self.city.sink.add(ProgressNote, {"need_id": self.pk, "author_id": actor, "action": action,
                                              "text": text, "at": self.at})

    def deadline(self, kind):
        from needs import deadlines

        key = (self.need["category_id"], self.need["concern_level"])
        cache = self.city.__dict__.setdefault("_policies", {})
        if key not in cache:
            from needs.models import Category

            category = Category.objects.filter(pk=key[0]).first() if key[0] else None
            cache[key] = deadlines.policy_for(category, key[1])
        return cache[key][kind]

    def working_days(self, kind):
        from needs import deadlines

        return deadlines.add_working_days(self.at, self.deadline(kind))

    def live(self):
        from needs import deadlines

        city, rng = self.city, self.rng
        self.grid = grid = rng.choice(city.board_grids if self.only_publish else city.need_grids)
        self.extra_reporter_users: list[int] = []
        channel = weighted(rng, CHANNELS)
        if channel in SELF_CHANNELS and not grid["self_residents"]:
            channel = "hotline"
        if channel in SELF_CHANNELS:
            reporter, home = rng.choice(grid["self_residents"])
            submitter = city.person_users[reporter]
        else:
            reporter, home = rng.choice(grid["residents"])
            submitter = grid["worker"] if channel in ("field_visit", "council") else city.community_staff[
                grid["community"]]
        self.chain, self.code = chain_of_code(home[1]), home[1]
        category_id, category = rng.choice(city.categories)
        phrase = rng.choice(PHRASES[category])
        staff = city.community_staff[grid["community"]]
        if self.only_publish and category == "邻里纠纷":
            category_id, category = next(c for c in city.categories if c[1] != "邻里纠纷")
        private = category == "邻里纠纷"
        n = self.need = {
            "id": self.pk, "title": f"{phrase}（{home[1][-6:-3]}小区{int(home[1][-3:])}号楼）"[:100],
            "description": f"居民反映：{phrase}，希望尽快解决。", "category_id": None,
            "concern_level": "annoyance", "channel": channel, "place_id": home[0], "reporter_id": reporter,
            "show_name": rng.random() < 0.3, "affected": rng.choice((1, 1, 1, 2, 3, 5, 10, 30)),
            "is_public": not private, "state": "", "level": "community", "lead_organisation_id": None,
            "lead_person_id": None, "merged_into_id": None, "recorded_by_id": submitter, "resolution_note": "",
            "contact_name": "", "contact_phone": "", "evidence": "", "rating": "", "rating_comment": "",
            "rated_by_follow_up": False, "submitted_at": None,
            "accepted_at": None, "published_at": None, "claimed_at": None, "reported_in_at": None,
            "resolved_at": None, "closed_at": None, "rated_at": None, "accept_due": None, "claim_due": None,
            "report_in_due": None, "resolve_due": None, "resolved_on_time": None, "overdue": False,
            "reminded_due": None}
        staff_records = channel not in SELF_CHANNELS
        if staff_records and rng.random() < 0.5:
            n["category_id"] = category_id
        if staff_records:
            n["concern_level"] = weighted(rng, LEVELS)

        def submit(at):
            n["submitted_at"] = at
            n["accept_due"] = deadlines.add_working_minutes(at, float(self.deadline("accept_hours")) * 60)
            return {"channel": channel, "place": home[1], "contact": False, "accept_due": n["accept_due"].isoformat()}

        self.at = self.at - MINUTE  # step adds the gap
        self.step("submit", submitter, 1, submit)

        # Triage: a few are turned away or merged into an earlier need of the same grid.
        roll = 1.0 if self.only_publish else rng.random()
        open_needs = city.open_by_grid.setdefault(grid["code"], [])
        if roll < 0.03:
            self.step("reject", staff, rng.randint(10, 300), lambda at: self.reject(at, staff))
            return
        # Only reporters without an account are merged: a merged reporter with an account would also hear
        # of the target's later actions, which were simulated before the merge.
        if roll < 0.05 and open_needs and reporter not in city.person_users:
            target = rng.choice(open_needs)
            self.step("merge", staff, rng.randint(10, 300), lambda at: self.merge(at, target))
            return
        open_needs.append(n)
        if len(open_needs) > 20:
            open_needs.pop(0)

        def accept(at):
            n["category_id"] = category_id
            n["concern_level"] = weighted(rng, LEVELS)
            n["accepted_at"] = at
            n["claim_due"] = self.working_days("claim_days")
            n["overdue"], n["reminded_due"] = False, None
            return {"category": category, "concern_level": n["concern_level"], "claim_due": n["claim_due"].isoformat()}

        if not self.step("accept", staff, rng.randint(5, 240), accept):
            return
        roll = 1.0 if self.only_publish else rng.random()
        if roll < 0.02:
            self.escalate_to_department(staff)
            return
        if private or roll < 0.10:
            unit = rng.choice(city.units_by_community[grid["community"]])
            if not self.step("dispatch", staff, rng.randint(30, 600), lambda at: self.take(at, unit, None)):
                return
        else:
            if not self.step("publish", staff, rng.randint(1, 120), self.publish) or self.only_publish:
                return
            if not self.claim(rng.randint(10, 2880)):
                return
            if rng.random() < 0.04:
                if not self.step("return", self.holder_user(), rng.randint(60, 2880),
                                 lambda at: self.give_back(at)):
                    return
                if not self.claim(rng.randint(10, 2880)):
                    return
        self.work_and_close()

    def holder_user(self):
        n, city = self.need, self.city
        if n["lead_person_id"]:
            return city.person_users[n["lead_person_id"]]
        return city.unit_admins[n["lead_organisation_id"]][0]

    def take(self, at, organisation, person):
        n = self.need
        n["lead_organisation_id"], n["lead_person_id"] = organisation, person
        n["claimed_at"] = at
        n["reported_in_at"] = None
        n["resolve_due"] = self.working_days("resolve_days")
        n["overdue"], n["reminded_due"] = False, None
        return {"holder": self.holder_name(), "organisation": organisation, "person": person,
                "resolve_due": n["resolve_due"].isoformat()}

    def claim(self, gap):
        city, rng = self.city, self.rng
        members = city.members_with_account[self.grid["community"]]
        if members and rng.random() < 0.3:
            person, user = rng.choice(members)
            return self.step("claim", user, gap, lambda at: self.take(at, None, person))
        unit = rng.choice(city.units_by_community[self.grid["community"]])
        return self.step("claim", city.unit_admins[unit][0], gap, lambda at: self.take(at, unit, None))

    def publish(self, at):
        n = self.need
        n["published_at"] = n["published_at"] or at
        n["lead_organisation_id"] = n["lead_person_id"] = None
        return {"claim_due": n["claim_due"].isoformat() if n["claim_due"] else None}

    def give_back(self, at):
        n = self.need
        text = "人手不足，退回认领栏"
        previous = self.holder_name()
        self.note("return", text, self.holder_user())
        n["lead_organisation_id"] = n["lead_person_id"] = None
        n["claimed_at"] = n["resolve_due"] = n["report_in_due"] = None
        n["claim_due"] = self.working_days("claim_days")
        n["overdue"], n["reminded_due"] = False, None
        return {"note": text, "holder": previous, "claim_due": n["claim_due"].isoformat()}

    def reject(self, at, staff):
        text = "不属于社区受理范围，已告知居民向相关部门反映"
        self.note("reject", text, staff)
        self.need["closed_at"] = at
        return {"note": text}

    def merge(self, at, target):
        from needs.models import NeedReporter

        n = self.need
        added = 0
        if n["reporter_id"] != target["reporter_id"]:
            added = 1
            key = (target["id"], n["reporter_id"])
            seen = self.city.__dict__.setdefault("_need_reporters", set())
            if key not in seen:
                seen.add(key)
                self.city.sink.add(NeedReporter, {"need_id": target["id"], "person_id": n["reporter_id"],
                                                  "from_need_id": self.pk})
        n["merged_into_id"] = target["id"]
        n["closed_at"] = at
        target["affected"] += n["affected"]
        target["updated_at"] = max(target["updated_at"], at)
        return {"into": target["id"], "reporters_added": added}

    def escalate_to_department(self, staff):
        from needs import deadlines

        city, rng, n = self.city, self.rng, self.need
        text = "涉及多个部门，社区无法独立解决"

        def escalate(at):
            n["level"] = "subdistrict"
            n["overdue"] = False
            n["claim_due"] = self.working_days("claim_days")
            n["reminded_due"] = None
            self.note("escalate", text, staff)
            return {"note": text, "level": "subdistrict", "overdue": False, "from_holder": self.holder_name(),
                    "claim_due": n["claim_due"].isoformat()}

        if not self.step("escalate", staff, rng.randint(30, 600), escalate):
            return
        department = rng.choice(city.departments[self.grid["district"]])

        def dispatch(at):
            data = self.take(at, department, None)
            n["level"] = "department"
            n["report_in_due"] = deadlines.add_working_minutes(at, self.deadline("report_in_minutes"))
            data["report_in_due"] = n["report_in_due"].isoformat()
            return data

        if not self.step("dispatch", city.subdistrict_admin[self.grid["subdistrict"]], rng.randint(30, 600),
                         dispatch):
            return

        def report_in(at):
            n["reported_in_at"] = at
            return {"on_time": n["report_in_due"] is None or at <= n["report_in_due"]}

        if not self.step("report_in", city.unit_admins[department][0], rng.randint(5, 60), report_in):
            return
        self.work_and_close(started=True)

    def work_and_close(self, started=False):
        city, rng, n = self.city, self.rng, self.need
        if not started and rng.random() < 0.7:
            if not self.step("start", self.holder_user(), rng.randint(30, 1440), lambda at: {}):
                return
        reopened = False
        while True:
            urgent = n["concern_level"] == "anguish"
            gap = rng.randint(60, 2 * 1440) if urgent else rng.randint(120, 12 * 1440)
            def resolve(at):
                self.note("resolve", RESOLVE_NOTE, self.holder_user())
                n["resolution_note"], n["evidence"] = RESOLVE_NOTE, EVIDENCE
                n["resolved_at"] = at
                n["resolved_on_time"] = n["resolve_due"] is None or at <= n["resolve_due"]
                n["overdue"] = False
                return {"note": RESOLVE_NOTE, "evidence": EVIDENCE, "on_time": n["resolved_on_time"]}

            if not self.step("resolve", self.holder_user(), gap, resolve):
                return
            reporter_user = city.person_users.get(n["reporter_id"])
            roll = rng.random()
            rating = weighted(rng, RATINGS)

            def grade(at, comment="", rating=rating):
                n["rating"], n["rating_comment"], n["rated_at"] = rating, comment, at
                n["closed_at"] = n["closed_at"] or at

            if reporter_user and roll < 0.6:
                def rate(at, rating=rating):
                    grade(at, "感谢社区" if rating != "unsatisfied" else "问题没有彻底解决")
                    return {"rating": n["rating"], "comment": n["rating_comment"]}

                if not self.step("rate", reporter_user, rng.randint(60, 5 * 1440), rate):
                    return
                if rating == "unsatisfied" and not reopened and rng.random() < 0.6:
                    reopened = True
                    if not self.step("reopen", reporter_user, rng.randint(60, 3 * 1440), self.reopen):
                        return
                    continue
            elif roll < 0.8:
                def follow_up(at):
                    grade(at)
                    n["rated_by_follow_up"] = True
                    self.note("follow_up", "电话回访", self.grid["worker"])
                    return {"rating": n["rating"], "note": "电话回访"}

                self.step("follow_up", self.grid["worker"], rng.randint(60, 6 * 1440), follow_up)
            elif roll < 0.9:
                def verify(at):
                    n["closed_at"] = n["closed_at"] or at
                    return {"note": ""}

                self.step("verify", city.community_staff[self.grid["community"]], rng.randint(60, 3 * 1440), verify)
            else:
                def close_unrated(at):
                    n["closed_at"] = n["closed_at"] or at
                    return {}

                self.step("close_unrated", city.system, 7 * 1440 + rng.randint(60, 1440), close_unrated)
            return

    def reopen(self, at):
        n = self.need
        text = "问题没有彻底解决"
        self.note("reopen", text, self.city.person_users[n["reporter_id"]])
        n["closed_at"] = n["resolved_at"] = n["resolved_on_time"] = None
        n["rating"], n["rating_comment"], n["rated_at"], n["rated_by_follow_up"] = "", "", None, False
        n["resolve_due"] = self.working_days("resolve_days")
        n["overdue"], n["reminded_due"] = False, None
        return {"note": text, "resolve_due": n["resolve_due"].isoformat()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", choices=sorted(PROFILES), default="small")
    parser.add_argument("--needs", type=int, help="override the profile's number of needs")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--published", type=int, default=0, help="extra needs left on the claim board at the end")
    parser.add_argument("--jobs", type=int, default=os.cpu_count(),
                        help="processes writing the needs at once, each a share of the subdistricts (PostgreSQL)")
    args = parser.parse_args(argv)
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minsheng.settings")
    import django

    django.setup()
    counts = City(PROFILES[args.profile], seed=args.seed, needs=args.needs,
                  published=args.published).generate(jobs=args.jobs)
    print(" ".join(f"{k}={v}" for k, v in counts.items()))


if __name__ == "__main__":
    main()
