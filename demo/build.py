"""Build the demo subdistrict by walking `demo.data` through the service layer, as staff would.

Every record is written by a service function (so each write is checked, validated and logged in the
event chain). The services that are not get-or-create are guarded here by the record's natural key
(place code, organisation name, party organisation name, person phone, site name), so a second run
writes nothing. People are generated from fixed seeds, so every run generates the same people.
"""

import datetime
import random

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User

from demo import data as d
from demo import needs_data as nd
from demo.mediation import MediationWalk
from demo.meetings import MeetingsWalk
from demo.needs import NeedsWalk
from demo.offers import OffersWalk
from demo.phones import IN_SERVICE, NAMED, RESIDENT, RETIREE, VETERAN, phone, phone_prefix
from demo.stations import StationsWalk
from demo.volunteering import VolunteeringWalk
from interop.models import Open311Client
from interop.services import open311_client_issue
from needs.models import Channel
from people.models import Organisation, PartyOrganisation, Person, TeamMember
from people.services import (
    agreement_sign,
    committee_member_add,
    honour_add,
    member_place,
    member_report,
    membership_create,
    organisation_create,
    organisation_report,
    party_organisation_create,
    person_account_link,
    person_create,
    role_grant,
    team_create,
    team_member_add,
)
from places.models import Place
from places.services import coverage_create, place_create
from sites.models import Site
from sites.services import site_create


def chinese_name(key: str) -> tuple[str, str]:
    """A plausible (name, gender) that depends only on `key`."""
    rng = random.Random(f"{d.SEED}:{key}")
    gender = rng.choice("MF")
    chars = d.GIVEN_MALE if gender == "M" else d.GIVEN_FEMALE
    given = "".join(rng.choice(chars) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(d.SURNAMES) + given, gender


def room_for(rng: random.Random) -> str:
    return f"{rng.randint(1, 11)}0{rng.randint(1, 4)}"


def short(community_name: str) -> str:
    return community_name.removesuffix("社区")


class DemoBuilder:
    def __init__(self, actor):
        self.actor = actor
        self.places = {p.code: p for p in Place.objects.all()}
        self.organisations = {o.name: o for o in Organisation.objects.all()}
        self.party_organisations = {p.name: p for p in PartyOrganisation.objects.all()}
        self.people = {p.phone: p for p in Person.objects.exclude(phone="")}
        self.sites = set(Site.objects.values_list("name", flat=True))
        self.by_name: dict[str, Place] = {}  # communities, grids, compounds, courtyards, unit sites
        self.homes: dict[str, list[Place]] = {}  # community code → entrances (or building-less courtyards)
        self.covered: list[Place] = []  # grids, compounds, courtyards, unit sites that are covered
        self.grid_branches: dict[str, PartyOrganisation] = {}  # grid code → grid party branch
        self.named: dict[str, Person] = {}  # people the accounts and the committee refer to

    def build(self):
        for section in (self.build_places, self.build_party_structure, self.build_units, self.build_members,
                        self.build_unit_coverage, self.build_tqjy, self.build_residents, self.build_sites,
                        self.build_accounts, self.build_needs, self.build_offers, self.build_stations,
                        self.build_volunteering, self.build_meetings, self.build_mediation, self.build_open311):
            section()  # each service call its own transaction, as on the site: its events in its record's chain

    # --- natural-key guards around the services that always create ---------------------------------

    def place(self, *, kind, name, code, parent, **fields) -> Place:
        if code not in self.places:
            self.places[code] = place_create(actor=self.actor, kind=kind, name=name, code=code, parent=parent,
                                             **fields)
        return self.places[code]

    def organisation(self, *, name, **fields) -> Organisation:
        if name not in self.organisations:
            self.organisations[name] = organisation_create(actor=self.actor, name=name, **fields)
        return self.organisations[name]

    def party_organisation(self, *, name, **fields) -> PartyOrganisation:
        if name not in self.party_organisations:
            self.party_organisations[name] = party_organisation_create(actor=self.actor, name=name, **fields)
        return self.party_organisations[name]

    def person(self, *, phone, **fields) -> Person:
        if phone not in self.people:
            self.people[phone] = person_create(actor=self.actor, phone=phone, **fields)
        return self.people[phone]

    def site(self, *, name, **fields):
        if name not in self.sites:
            site_create(actor=self.actor, name=name, **fields)
            self.sites.add(name)

    def named_person(self, key: str, index: int, *, name=None, gender="", home=None, rng=None,
                     skills="") -> Person:
        """A person the story needs by role (a secretary, a deputy, ...); name generated unless given."""
        if name is None:
            name, gender = chinese_name(key)
        self.named[key] = self.person(phone=phone(NAMED, index), name=name, gender=gender, home=home,
                                      room=room_for(rng) if home and rng else "", is_resident=home is not None,
                                      skills=skills)
        return self.named[key]

    # --- sections ----------------------------------------------------------------------------------

    def build_places(self):
        city = self.place(kind="city", name=d.CITY[1], code=d.CITY[0], parent=None)
        district = self.place(kind="district", name=d.DISTRICT[1], code=d.DISTRICT[0], parent=city)
        self.subdistrict = self.place(kind="subdistrict", name=d.SUBDISTRICT[1], code=d.SUBDISTRICT[0],
                                      parent=district)
        for column, spec in enumerate(d.COMMUNITIES):
            community = self.place(kind="community", name=spec["name"], code=d.SUBDISTRICT[0] + spec["suffix"],
                                   parent=self.subdistrict, **spec.get("figures", {}))
            self.by_name[community.name] = community
            self.homes[community.code] = []
            for row, grid_places in enumerate(spec["grids"], 1):
                grid = self.place(kind="grid", name=f"{short(community.name)}第{d.GRID_NUMERALS[row - 1]}网格",
                                  code=f"{community.code}{row:03d}", parent=community,
                                  geometry=grid_boundary(column, row))
                self.by_name[grid.name] = grid
                if (community.name, row) not in d.UNCOVERED_GRIDS:
                    self.covered.append(grid)
                for n, (kind, name, buildings, extra) in enumerate(grid_places, 1):
                    self.build_area(grid, n, kind, name, buildings, extra, community)

    def build_area(self, grid, n, kind, name, buildings, extra, community):
        """A compound, courtyard or unit site with its buildings and their entrances."""
        figures = {k: extra[k] for k in ("households", "residents") if k in extra}
        area = self.place(kind=kind, name=name, code=f"{grid.code}{n:03d}", parent=grid, **figures)
        self.by_name[name] = area
        if extra.get("covered", True):
            self.covered.append(area)
        if kind == "unit_site":
            return
        if buildings == 0:  # an old courtyard whose buildings are not registered: people live "in" it
            self.homes[community.code].append(area)
        entrances = extra.get("entrances") or (
            d.TQJY_ENTRANCES_PER_BUILDING if community.name == d.TQJY else d.ENTRANCES_PER_BUILDING[kind])
        for b in range(1, buildings + 1):
            building = self.place(kind="building", name=f"{b}号楼", code=f"{area.code}{b:03d}", parent=area)
            for e in range(1, entrances + 1):
                self.homes[community.code].append(self.place(
                    kind="entrance", name=f"{b}号楼{e}单元", code=f"{building.code}{e:02d}", parent=building))

    def build_party_structure(self):
        """街道党工委 → each community's party committee → a party branch per grid; and the offices."""
        working_committee = self.party_organisation(name=f"{d.SUBDISTRICT[1]}党工委", level="working_committee",
                                                    place=self.subdistrict)
        self.organisation(name=f"{d.SUBDISTRICT[1]}办事处", kind="subdistrict_office", place=self.subdistrict)
        for spec in d.COMMUNITIES:
            community = self.by_name[spec["name"]]
            committee = self.party_organisation(name=f"{community.name}党委", level="committee",
                                                place=community, parent=working_committee)
            self.organisation(name=f"{community.name}居民委员会", kind="community_office", place=community)
            for grid in self.grids_of(community):
                self.grid_branches[grid.code] = self.party_organisation(
                    name=f"{community.name}{grid.name.removeprefix(short(community.name))}党支部",
                    level="branch", place=grid, parent=committee)

    def build_units(self):
        """The 28 co-building units: agreement with the subdistrict, own party organisations, unit report."""
        self.units_by_community: dict[str, list[Organisation]] = {}
        self.unit_branches: list[PartyOrganisation] = []
        for i, (name, kind, branches, community_name, located_in, services) in enumerate(d.UNITS, 1):
            community = self.by_name[community_name]
            unit = self.organisation(name=name, kind=kind, place=self.by_name.get(located_in),
                                     contact_phone=f"0931-8{(i * 7927 + 410_000) % 10**6:06d}",
                                     service_categories=services)
            agreement_sign(actor=self.actor, organisation=unit, place=self.subdistrict,
                           signed_on=d.AGREEMENT_SIGNED_ON)
            self.units_by_community.setdefault(community.code, []).append(unit)
            for branch_name, _members in branches:
                branch = self.party_organisation(name=branch_name, level="branch", organisation=unit)
                organisation_report(actor=self.actor, party_organisation=branch, community=community,
                                    reported_on=d.UNIT_REPORTED_ON)
                self.unit_branches.append(branch)

    def build_members(self):
        """614 in-service members: each reports where they live, is placed in that grid's branch, and
        covers the compound or courtyard they live in when it is one the units cover."""
        rng = random.Random(d.SEED)
        communities = list(self.homes)
        covered = {p.code for p in self.covered}
        index = 0
        for _unit, _kind, branches, *_rest in d.UNITS:
            for branch_name, count in branches:
                branch = self.party_organisations[branch_name]
                for _ in range(count):
                    index += 1
                    home = rng.choice(self.homes[rng.choice(communities)])
                    name, gender = chinese_name(f"member-{index}")
                    person = self.person(phone=phone(IN_SERVICE, index), name=name, gender=gender, home=home,
                                         room=room_for(rng), is_resident=True)
                    self.named.setdefault(branch_name, person)  # each branch's first member
                    membership = membership_create(actor=self.actor, person=person, party_organisation=branch,
                                                   in_service=True, joined_on=d.MEMBER_REPORTED_ON)
                    report = member_report(actor=self.actor, membership=membership,
                                           community=self.places[home.code[:12]],
                                           reported_on=d.MEMBER_REPORTED_ON)
                    member_place(actor=self.actor, report=report, grid_branch=self.grid_branches[home.code[:15]],
                                 placed_on=d.MEMBER_PLACED_ON)
                    if home.code[:18] in covered:
                        coverage_create(actor=self.actor, place=self.places[home.code[:18]], person=person,
                                        since=d.COVERAGE_SINCE)

    def build_unit_coverage(self):
        """四进: each covered place is taken by one of the units reporting to its community, in turn;
        a unit that sits in a covered unit site also covers it."""
        taken: dict[str, int] = {}  # community code → places handed out so far
        for place in self.covered:
            community_code = place.code[:12]
            units = self.units_by_community[community_code]
            turn = taken[community_code] = taken.get(community_code, -1) + 1
            coverage_create(actor=self.actor, place=place, organisation=units[turn % len(units)],
                            since=d.COVERAGE_SINCE)
        for unit in self.organisations.values():
            if unit.place_id and unit.place.kind == "unit_site" and unit.place in self.covered:
                coverage_create(actor=self.actor, place=unit.place, organisation=unit, since=d.COVERAGE_SINCE)

    def build_tqjy(self):
        """天庆嘉园社区: its 226 members in 4 branches, its guard team, committee, honours and teams."""
        rng = random.Random(d.SEED + 1)
        tqjy = self.by_name[d.TQJY]
        homes = self.homes[tqjy.code]
        # The four branches are the grid branches; members are spread evenly over them.
        grid_homes = [[h for h in homes if h.code.startswith(g.code)] for g in self.grids_of(tqjy)]
        old_members = []
        for i in range(1, d.TQJY_COMMUNITY_MEMBERS + 1):
            home = rng.choice(grid_homes[i % len(grid_homes)])
            name, gender = chinese_name(f"retiree-{i}")
            person = self.person(phone=phone(RETIREE, i), name=name, gender=gender, home=home, room=room_for(rng),
                                 is_resident=True)
            membership_create(actor=self.actor, person=person, party_organisation=self.grid_branches[home.code[:15]],
                              in_service=False, joined_on=datetime.date(rng.randint(1965, 2008), rng.randint(1, 12), 1))
            old_members.append(person)
        veterans = []
        for i in range(1, d.GUARD_VETERANS + 3):
            name, gender = chinese_name(f"veteran-{i}")
            veterans.append(self.person(phone=phone(VETERAN, i), name=name, gender="M", home=rng.choice(homes),
                                        room=room_for(rng), is_resident=True, skills="退役军人"))

        name, founded_on, description = d.GUARD_TEAM
        guard = team_create(actor=self.actor, name=name, community=tqjy, founded_on=founded_on,
                            description=description)
        for i, person in enumerate(old_members[:d.GUARD_OLD_MEMBERS] + veterans[:d.GUARD_VETERANS]):
            team_member_add(actor=self.actor, team=guard, person=person, is_leader=i == 0, joined_on=founded_on)

        for title, awarded_on, awarded_by in d.HONOURS:
            honour_add(actor=self.actor, title=title, awarded_on=awarded_on, awarded_by=awarded_by, place=tqjy)

        self.build_tqjy_committee(tqjy, rng, old_members, veterans[d.GUARD_VETERANS:])

    def build_tqjy_committee(self, tqjy, rng, old_members, veterans):
        """The 15 社工委 members since 2021-09-10: party committee, residents' committee, two deputies and
        a CPPCC member, veterans, resident units and social organisations, residents."""
        homes = self.homes[tqjy.code]
        association = self.organisations["兰州市城关区爱心驿站公益协会"]
        ge = self.named_person("ge", 1, name="葛修琼", gender="F", home=rng.choice(homes), rng=rng,
                               skills="邻里调解")
        secretary = self.named_person("tqjy_secretary", 2, home=rng.choice(homes), rng=rng)
        residents_committee = self.organisations[f"{d.TQJY}居民委员会"]
        seats = [
            (ge, association, "社会组织"),
            (None, self.organisations["天庆嘉园小区"], "成员单位（物业）"),
            (secretary, None, "社区党委"),
            (old_members[0], None, "社区党委"),
            (self.named_person("tqjy_director", 3, home=rng.choice(homes), rng=rng), residents_committee, "居委会"),
            (self.named_person("tqjy_committee", 4, home=rng.choice(homes), rng=rng), None, "居委会"),
            (self.named_person("npc_deputy", 5, home=rng.choice(homes), rng=rng), None, "人大代表"),
            (self.named_person("party_deputy", 6, home=rng.choice(homes), rng=rng), None, "党代表"),
            (self.named_person("cppcc_member", 7, home=rng.choice(homes), rng=rng), None, "政协委员"),
            (veterans[0], None, "退役军人"),
            (veterans[1], None, "退役军人"),
            (None, self.organisations["城关区天庆嘉园幼儿园"], "驻区单位"),
            (None, self.organisations["中国移动兰州分公司东岗营业部"], "驻区单位"),
            (self.named_person("resident_rep", 8, home=rng.choice(homes), rng=rng), None, "居民代表"),
            (self.named_person("building_head", 9, home=rng.choice(homes), rng=rng), None, "楼院长"),
        ]
        for person, organisation, represents in seats:
            committee_member_add(actor=self.actor, community=tqjy, since=d.COMMITTEE_SINCE, person=person,
                                 organisation=organisation, represents=represents)

    def build_residents(self):
        """Residents of every community (高先生 of 天庆嘉园 among them), and the teams they form."""
        rng = random.Random(d.SEED + 2)
        index = 0
        by_community: dict[str, list[Person]] = {}
        for community_code, homes in self.homes.items():
            for _ in range(d.RESIDENTS_PER_COMMUNITY):
                index += 1
                name, gender = chinese_name(f"resident-{index}")
                by_community.setdefault(community_code, []).append(self.person(
                    phone=phone(RESIDENT, index), name=name, gender=gender, home=rng.choice(homes),
                    room=room_for(rng), is_resident=True))
        tqjy = self.by_name[d.TQJY]
        a_area = self.by_name["天庆嘉园A区"]
        self.named_person("gao", 10, name="高先生", gender="M", rng=rng,
                          home=rng.choice([h for h in self.homes[tqjy.code] if h.code.startswith(a_area.code)]))
        dangjiatan_east = self.by_name["段家滩东社区"]
        helpers = {
            "members": [p for p in self.people.values() if p.phone.startswith(phone_prefix(IN_SERVICE))
                        and p.home.code.startswith(dangjiatan_east.code)],
            "residents": by_community[tqjy.code],
        }
        for i, (name, community_name, founded_on, description, drawn_from) in enumerate(d.OTHER_TEAMS):
            team = team_create(actor=self.actor, name=name, community=self.by_name[community_name],
                               founded_on=founded_on, description=description)
            pool = sorted(helpers[drawn_from], key=lambda p: p.phone)
            for j, person in enumerate(pool[i * 10:i * 10 + 10]):
                team_member_add(actor=self.actor, team=team, person=person, is_leader=j == 0, joined_on=founded_on)

    def build_sites(self):
        """11 stations, 17 facilities and 15 micro-positions, each with its place, operator and hours."""
        for name, kind, place_name, operator_name, hours, description in d.SITES:
            place = self.by_name[place_name]
            operator = self.organisations[operator_name or f"{self.places[place.code[:12]].name}居民委员会"]
            self.site(name=name, kind=kind, place=place, operator=operator, opening_hours=hours,
                      description=description, opened_on=d.SITES_OPENED_ON)

    def build_accounts(self):
        """One demo account per role, and the accounts the needs walk acts as; each linked to its person."""
        rng = random.Random(d.SEED + 3)
        tqjy, wlpx = self.by_name[d.TQJY], self.by_name["五里铺西社区"]
        grid = self.by_name["天庆嘉园第一网格"]
        self.accounts = [
            ("jiedao", "subdistrict_admin", {"place": self.subdistrict},
             self.named_person("jiedao", 11)),
            ("tqjy", "community_staff", {"place": tqjy}, self.named["tqjy_secretary"]),
            ("wlpx", "community_staff", {"place": wlpx},
             self.named_person("wlpx", 12, home=rng.choice(self.homes[wlpx.code]), rng=rng)),
            ("wangge", "grid_worker", {"place": grid},
             self.named_person("wangge", 13, home=rng.choice(self.homes[tqjy.code]), rng=rng)),
            ("dianying", "unit_admin", {"organisation": self.organisations["兰州电影制片厂"]},
             self.named["兰州电影制片厂党支部"]),
            ("dangyuan", "party_member", {}, self.named["中电万维计算及安全事业部党支部"]),
            ("jumin", "resident", {}, self.named["gao"]),
            ("shegongwei", "committee_member", {"place": tqjy}, self.named["ge"]),
        ]
        taken = {person.pk for *_, person in self.accounts}
        for index, (username, role, scope, who) in enumerate(nd.NEEDS_ACCOUNTS, 21):
            if role == "unit_admin":
                scope = {"organisation": self.organisations[scope]}
            else:
                scope = {"place": self.by_name[scope]} if scope else {}
            person = self.account_person(username, index, who, taken, rng)
            taken.add(person.pk)
            self.accounts.append((username, role, scope, person))
        self.accounts.append(("laoren", "resident", {}, self.laoren()))
        # 楼院长 on the committee: the head of the building he lives in (demo.mediation's building pairs).
        self.accounts.append(("louzhang", "resident", {}, self.named["building_head"]))
        password = make_password(d.DEMO_PASSWORD)  # hashed once: one PBKDF2 run instead of one per account
        for username, role, scope, person in self.accounts:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User.objects.create(username=username, password=password)
            role_grant(actor=self.actor, user=user, role=role, **scope)
            person_account_link(actor=self.actor, person=person, user=user)

    def laoren(self) -> Person:
        """老人 of 五里铺东社区 who rides the taxi company's free rides (demo.offers: his eligibility and rides)."""
        rng = random.Random(d.SEED + 4)
        garden = self.by_name["五里铺花园"]
        homes = [h for h in self.homes[garden.code[:12]] if h.code.startswith(garden.code)]
        return self.named_person("laoren", d.LAOREN_PHONE_INDEX, name=d.LAOREN_NAME, gender="M", home=homes[0], rng=rng)

    def account_person(self, username, index, who, taken, rng) -> Person:
        """The person an account of the needs walk belongs to (see demo.needs_data.NEEDS_ACCOUNTS)."""
        kind, name = who
        if kind == "branch":
            person = self.named[name]
        elif kind == "team_leader":
            person = TeamMember.objects.get(team__name=name, is_leader=True).person
        elif kind == "member_in":
            members = Person.objects.filter(phone__startswith=phone_prefix(IN_SERVICE),
                                            home__code__startswith=self.by_name[name].code).order_by("phone")
            person = next(p for p in members if p.pk not in taken and p not in self.named.values())
        else:  # lives_in: a person generated for the account, at home in that place
            area, _, entrance = name.partition("/")
            code = self.by_name[area].code
            homes = [h for h in self.homes[code[:12]] if h.code.startswith(code) and h.name.endswith(entrance)]
            person = self.named_person(username, index, home=homes[0], rng=rng)
        assert person.pk not in taken, f"{username}: {person} already has a demo account"
        return person

    def build_needs(self):
        """The needs loop: the article's 26 needs of 2021 and a few recent ones (demo.needs_data)."""
        self.needs_created = NeedsWalk(self).walk()

    def build_offers(self):
        """The offers list: the taxi company's rides, the enrolment Q&A, the non-public units' deeds (demo.offers)."""
        OffersWalk(self).walk()

    def build_stations(self):
        """The 11 stations' items and their 2021 stock and loans (demo.stations)."""
        StationsWalk(self).walk()

    def build_volunteering(self):
        """The teams' volunteers, their 2021 activities and hours, a certificate; the coming Saturdays' clean-ups
        (demo.volunteering)."""
        VolunteeringWalk(self).walk()

    def build_meetings(self):
        """The 2021 joint party-building meeting of the 28 units, the founding meeting of 天庆嘉园's 社工委 and the
        resident councils that raised needs of 2021 (demo.meetings)."""
        MeetingsWalk(self).walk()

    def build_open311(self):
        """The city's 12345 hotline files its calls through Open311 (its api_key issued, never printed)."""
        if not Open311Client.objects.filter(name="兰州市12345热线").exists():
            open311_client_issue(actor=self.actor, name="兰州市12345热线", channel=Channel.HOTLINE,
                                 contact="兰州市12345政务服务便民热线")

    def build_mediation(self):
        """天庆嘉园's building pairs, the 东湖小区 elevator dispute, 天庆嘉园's leaks, pets and noise settled in their
        buildings, one raised to the subdistrict (demo.mediation)."""
        MediationWalk(self).walk()

    def grids_of(self, community):
        return [p for code, p in sorted(self.places.items())
                if p.kind == "grid" and code.startswith(community.code)]


def grid_boundary(column: int, row: int) -> dict:
    """A small rectangle in the lattice of demo grids: one column per community, one row per grid."""
    (x0, y0), (w, h) = d.ORIGIN, d.GRID_SIZE
    west, south = x0 + column * w, y0 + (row - 1) * h
    ring = [[west, south], [west + w, south], [west + w, south + h], [west, south + h], [west, south]]
    return {"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]}
