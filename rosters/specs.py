"""The five rosters: their columns, natural key, who may use them, and how their rows are checked,
written and exported. The engine (rosters.engine) does everything they have in common.

Places, units and sites are written row by row through the services (they are hundreds of rows, rarely
thousands). Members and residents come by the hundred thousand, so they are written in bulk by
rosters.writers after the same checks the services make; see that module for why.
"""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from people import scopes
from people.models import (
    MemberReport,
    MemberReportState,
    Organisation,
    OrganisationReport,
    PartyMembership,
    PartyOrganisation,
    Person,
    Role,
    validate_phone,
)
from people.services import (
    organisation_create,
    organisation_report,
    organisation_update,
    party_organisation_create,
)
from places.models import Place, validate_place_code
from places.selectors import within
from places.services import place_create, place_update
from rosters import writers
from rosters.engine import (
    Choice,
    Column,
    Context,
    Roster,
    Row,
    date,
    decimal_number,
    digits,
    integer,
    lookup,
    text,
    validator,
    write_each,
)
from sites.models import Site
from sites.services import site_create, site_update

ADMINS = frozenset({Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_STAFF})
OUTSIDE = gettext_lazy("This is outside your area: you may only import records of the places you administer.")

PLACE_KINDS = Choice({"城市": "city", "区县": "district", "街道": "subdistrict", "社区": "community",
                      "网格": "grid", "小区": "compound", "楼院": "courtyard", "辖区单位": "unit_site",
                      "楼栋": "building", "单元": "entrance"})
ORGANISATION_KINDS = Choice({"共建单位": "co_building_unit", "非公企业": "non_public_enterprise",
                             "社会组织": "social_organisation", "物业公司": "property_company",
                             "政府部门": "government_department", "街道办事处": "subdistrict_office",
                             "社区居委会": "community_office"})
PARTY_LEVELS = Choice({"党支部": "branch", "党总支": "general_branch", "党委": "committee",
                       "党工委": "working_committee"})
SITE_KINDS = Choice({"便民驿站": "station", "便民服务点": "station", "便民设施": "facility",
                     "党建微阵地": "micro_position"})
GENDERS = Choice({"女": "F", "男": "M"})
phone = validator(validate_phone)


def one_of(choice: Choice):
    return format_lazy("{}{}", gettext_lazy("One of: "), "、".join(choice.labels))


def changes_of(record, candidate, row: Row, fields) -> dict:
    """The fields whose cell was filled in and differs from the record (empty cells change nothing)."""
    if record is None:
        return {}
    return {f: getattr(candidate, f) for f in fields if f in row.data and getattr(record, f) != getattr(candidate, f)}


def clean_candidate(row: Row, candidate, *, exclude, fields=None) -> None:
    """The model's own field validation (lengths, choices, phone format), without its database queries."""
    try:
        candidate.clean_fields(exclude=exclude)
    except ValidationError as e:
        row.fail_validation(e, fields or {})


def places_by_code(codes) -> dict:
    return {p.code: p for p in Place.objects.filter(code__in=codes)}


def by_name(model, **related):
    def load(names):
        return {o.name: o for o in model.objects.filter(name__in=names).select_related(*related.get("with", ()))}
    return load


def community_find(ctx: Context, row: Row, column: str):
    """The community in `column`, by code or by name (a name is looked for in the user's area first)."""
    value = row.data.get(column)
    if not value:
        return None
    if "communities" not in ctx.cache:
        ctx.cache["communities"] = list(Place.objects.filter(kind="community"))
    communities = ctx.cache["communities"]
    found = [c for c in communities if value in (c.code, c.name)]
    if len(found) > 1:
        found = [c for c in found if scopes.covers_place(ctx.actor, c)] or found
    if len(found) == 1:
        return found[0]
    if found:
        row.fail(column, _("Several communities are called “%(name)s”; enter its code instead.") % {"name": value})
    else:
        row.fail(column, _("No community is called “%(name)s” (or has this code).") % {"name": value})
    return None


class PlacesRoster(Roster):
    slug = "places"
    title = pgettext_lazy("roster", "Places")
    description = gettext_lazy("Communities, grids, compounds, courtyards, unit sites, buildings and entrances, "
                               "identified by their code.")
    roles = ADMINS
    key = "code"
    columns = (
        Column("编码", "code", True, digits, gettext_lazy(
            "Division code: community 12 digits, grid 15, compound / courtyard / unit site 18, building 21, "
            "entrance 23; it starts with the code of the place above it."), "620102010009001", 20, True),
        Column("名称", "name", True, text, gettext_lazy("Name of the place."), "示例网格"),
        Column("类型", "kind", True, PLACE_KINDS, one_of(PLACE_KINDS), "网格", 10),
        Column("上级编码", "parent", False, digits, gettext_lazy(
            "Code of the place above it. It may be in the system already or in an earlier row of this file. "
            "Needed for a new place (except a city)."), "620102010009", 20, True),
        Column("面积（平方公里）", "area_km2", False, decimal_number, gettext_lazy("Area in km², e.g. 0.45."), "0.12"),
        Column("楼栋数", "buildings", False, integer, gettext_lazy("Number of buildings."), "8", 10),
        Column("户数", "households", False, integer, gettext_lazy("Number of households."), "320", 10),
        Column("人口", "residents", False, integer, gettext_lazy("Number of residents."), "960", 10),
    )
    FIELDS = ("name", "kind", "area_km2", "buildings", "households", "residents")

    def check(self, ctx, rows):
        places = lookup(ctx, "place", {r.data.get(f) for r in rows for f in ("code", "parent")}, places_by_code)
        in_file = ctx.cache.setdefault("place_in_file", {})   # valid earlier rows: parents of later rows
        for row in rows:
            d = row.data
            existing = places.get(d.get("code"))
            parent = existing.parent if existing else None
            if d.get("parent"):
                parent = places.get(d["parent"]) or in_file.get(d["parent"])
                if parent is None:
                    row.fail("parent", _("No place has the code %(code)s, neither in the system nor in an earlier "
                                         "row of this file.") % {"code": d["parent"]})
                    continue
            if not row.errors:
                for field, message in validate_place_code(kind=d["kind"], code=d["code"], parent=parent).items():
                    row.fail(field, message)
            allowed = (ctx.actor.has_perm("places.change_place", existing) if existing
                       else ctx.actor.has_perm("places.add_place", parent))
            if not allowed:
                row.fail("code", OUTSIDE)
            candidate = Place(code=d.get("code", ""), parent=parent,
                              **{f: d.get(f, getattr(existing, f, None)) for f in self.FIELDS})
            clean_candidate(row, candidate, exclude=["parent", "geometry", "pinyin", "code"])
            if row.errors:
                continue
            changes = changes_of(existing, candidate, row, self.FIELDS)
            if existing and existing.parent_id != (parent and parent.pk):
                changes["parent"] = parent
            row.action = "create" if existing is None else "update" if changes else "unchanged"
            row.plan = {"existing": existing, "changes": changes, "candidate": candidate}
            in_file[d["code"]] = existing or candidate

    def write(self, ctx, rows):
        places = ctx.cache["place"]

        def write_row(row):
            plan = row.plan
            if plan["existing"] is None:
                c = plan["candidate"]
                # The parent may have been written a moment ago, earlier in this file.
                parent = c.parent and places.get(c.parent.code)
                places[c.code] = place_create(actor=ctx.actor, kind=c.kind, name=c.name, code=c.code,
                                              parent=parent, **{f: getattr(c, f) for f in self.FIELDS[2:]})
            else:
                place_update(actor=ctx.actor, place=plan["existing"], **plan["changes"])
        write_each(rows, write_row)

    def export(self, user):
        qs = Place.objects.select_related("parent").order_by("code")
        if not scopes.is_superuser(user):
            prefixes = scopes.place_prefixes(user, ADMINS)
            qs = qs.filter(within(prefixes))
        for place in qs.iterator(chunk_size=2000):
            yield {"parent": place.parent and place.parent.code, "code": place.code,
                   **{f: getattr(place, f) for f in self.FIELDS}}


class UnitsRoster(Roster):
    slug = "units"
    title = pgettext_lazy("roster", "Units")
    description = gettext_lazy("Co-building units and other organisations, each with its party organisation "
                               "and the community it reports to.")
    roles = frozenset({Role.SUBDISTRICT_ADMIN})
    key = "name"
    columns = (
        Column("单位名称", "name", True, text, gettext_lazy("Full name of the unit; it identifies the unit."),
               "示例科技有限公司", 28),
        Column("单位类型", "kind", True, ORGANISATION_KINDS,
               one_of(ORGANISATION_KINDS), "共建单位", 12),
        Column("所在地编码", "place", False, digits, gettext_lazy("Code of the place where the unit is located."),
               "620102010001001", 20, True),
        Column("地址", "address", False, text, gettext_lazy("Street address."), "拱星墩路1号", 24),
        Column("联系电话", "contact_phone", False, phone, gettext_lazy(
            "Mobile (11 digits) or landline with area code, e.g. 0931-8123456."), "0931-8123456", 16, True),
        Column("服务内容", "service_categories", False, text, gettext_lazy(
            "What the unit offers residents, separated by commas."), "法律咨询, 义诊", 24),
        Column("党组织名称", "party_organisation", False, text, gettext_lazy(
            "The unit's own party organisation; created if new."), "示例科技有限公司党支部", 28),
        Column("党组织级别", "party_level", False, PARTY_LEVELS, format_lazy("{} {}", gettext_lazy(
            "Used when the party organisation is new; default 党支部."), one_of(PARTY_LEVELS)), "党支部", 12),
        Column("报到社区", "community", False, text, gettext_lazy(
            "The community the party organisation reports to (双报到): its name or code."), "天庆嘉园社区", 16),
    )
    FIELDS = ("kind", "address", "contact_phone", "service_categories")

    def check(self, ctx, rows):
        actor = ctx.actor
        orgs = lookup(ctx, "organisation", {r.data.get("name") for r in rows}, by_name(Organisation))
        places = lookup(ctx, "place", {r.data.get("place") for r in rows}, places_by_code)
        party_orgs = lookup(ctx, "party_organisation", {r.data.get("party_organisation") for r in rows},
                            by_name(PartyOrganisation, **{"with": ["organisation"]}))
        reported = set(OrganisationReport.objects.filter(
            party_organisation__in=[p for p in party_orgs.values() if p]).values_list(
            "party_organisation_id", "community_id"))
        named_in_file = ctx.cache.setdefault("party_organisation_in_file", {})
        for row in rows:
            d = row.data
            existing = orgs.get(d.get("name"))
            place = places.get(d["place"]) if d.get("place") else getattr(existing, "place", None)
            if d.get("place") and place is None:
                row.fail("place", _("No place has the code %(code)s.") % {"code": d["place"]})
            candidate = Organisation(name=d.get("name", ""), place=place,
                                     **{f: d.get(f, getattr(existing, f, "")) for f in self.FIELDS})
            if not actor.has_perm("people.change_organisation" if existing else "people.add_organisation",
                                  existing):
                row.fail("name", _("You may not register or change this unit."))
            clean_candidate(row, candidate, exclude=["place", "pinyin", "name"])
            party_org, po_name = None, d.get("party_organisation")
            if po_name:
                party_org = party_orgs.get(po_name)
                owner = named_in_file.setdefault(po_name, d.get("name"))
                if party_org and (existing is None or party_org.organisation_id != existing.pk):
                    row.fail("party_organisation", _("“%(name)s” is already the party organisation of %(owner)s.")
                             % {"name": po_name, "owner": party_org.organisation or party_org.place})
                elif owner != d.get("name"):
                    row.fail("party_organisation", _("“%(name)s” is also given for %(owner)s in this file.")
                             % {"name": po_name, "owner": owner})
            community = community_find(ctx, row, "community")
            if community is not None and not po_name:
                row.fail("party_organisation", _("Fill in the party organisation that reports to the community."))
            if community is not None and not (actor.has_perm("people.change_organisation", existing or candidate)
                                              or actor.has_perm("places.change_place", community)):
                row.fail("community", OUTSIDE)
            if row.errors:
                continue
            changes = changes_of(existing, candidate, row, self.FIELDS)
            if existing and d.get("place") and existing.place_id != place.pk:
                changes["place"] = place
            new_party_org = bool(po_name) and party_org is None
            new_report = community is not None and (new_party_org or (party_org.pk, community.pk) not in reported)
            row.action = ("create" if existing is None else
                          "update" if changes or new_party_org or new_report else "unchanged")
            row.plan = {"existing": existing, "candidate": candidate, "changes": changes, "party_org": party_org,
                        "new_party_org": new_party_org, "community": community, "new_report": new_report}

    def write(self, ctx, rows):
        actor, today = ctx.actor, timezone.localdate()

        def write_row(row):
            plan, d = row.plan, row.data
            c = plan["candidate"]
            if plan["existing"] is None:
                organisation = organisation_create(actor=actor, name=c.name, place=c.place,
                                                   **{f: getattr(c, f) for f in self.FIELDS})
            else:
                organisation = organisation_update(actor=actor, organisation=plan["existing"], **plan["changes"])
            party_org = plan["party_org"]
            if plan["new_party_org"]:
                party_org = party_organisation_create(actor=actor, level=d.get("party_level", "branch"),
                                                      name=d["party_organisation"], organisation=organisation)
            if plan["new_report"]:
                organisation_report(actor=actor, party_organisation=party_org, community=plan["community"],
                                    reported_on=today)
        write_each(rows, write_row)

    def export(self, user):
        qs = Organisation.objects.select_related("place").prefetch_related(
            "party_organisations__reports__community").order_by("name")
        for org in qs:
            party_org = min(org.party_organisations.all(), key=lambda p: p.pk, default=None)
            report = party_org and min(party_org.reports.all(), key=lambda r: r.pk, default=None)
            yield {"name": org.name, "place": org.place and org.place.code,
                   **{f: getattr(org, f) for f in self.FIELDS},
                   "party_organisation": party_org and party_org.name, "party_level": party_org and party_org.level,
                   "community": report and report.community.name}


class SitesRoster(Roster):
    slug = "sites"
    title = pgettext_lazy("roster", "Sites")
    description = gettext_lazy("Convenience stations, facilities and party-building micro-positions.")
    roles = ADMINS
    key = "name"
    columns = (
        Column("名称", "name", True, text, gettext_lazy("Name of the site; it identifies the site."),
               "示例便民驿站", 24),
        Column("类型", "kind", True, SITE_KINDS, one_of(SITE_KINDS), "便民驿站", 12),
        Column("所在地编码", "place", True, digits, gettext_lazy("Code of the place where the site is."),
               "620102010001001001", 20, True),
        Column("运营单位", "operator", False, text, gettext_lazy("Name of the unit that runs it (registered "
                                                                  "already)."), "兰州电影制片厂", 20),
        Column("开放时间", "opening_hours", False, text, gettext_lazy("e.g. 周一至周五 9:00–17:00"),
               "周一至周五 9:00–17:00", 20),
        Column("启用日期", "opened_on", False, date, gettext_lazy("Date it opened, e.g. 2021-06-01."),
               "2021-06-01", 12),
        Column("简介", "description", False, text, gettext_lazy("What it offers."), "雨伞、针线、血压计", 30),
    )
    FIELDS = ("kind", "opening_hours", "opened_on", "description")

    def check(self, ctx, rows):
        actor = ctx.actor
        sites = lookup(ctx, "site", {r.data.get("name") for r in rows}, by_name(Site, **{"with": ["place"]}))
        places = lookup(ctx, "place", {r.data.get("place") for r in rows}, places_by_code)
        orgs = lookup(ctx, "organisation", {r.data.get("operator") for r in rows}, by_name(Organisation))
        for row in rows:
            d = row.data
            existing = sites.get(d.get("name"))
            place = places.get(d.get("place"))
            if d.get("place") and place is None:
                row.fail("place", _("No place has the code %(code)s.") % {"code": d["place"]})
            elif place is not None and not actor.has_perm("places.change_place", place):
                row.fail("place", OUTSIDE)
            if existing is not None and not actor.has_perm("sites.change_site", existing):
                row.fail("name", _("A site with this name exists outside your area; choose another name."))
            operator = orgs.get(d["operator"]) if d.get("operator") else getattr(existing, "operator", None)
            if d.get("operator") and operator is None:
                row.fail("operator", _("No unit is called “%(name)s”. Import the units roster first or check "
                                       "the name.") % {"name": d["operator"]})
            candidate = Site(name=d.get("name", ""), place=place, operator=operator,
                             **{f: d.get(f, getattr(existing, f, "" if f != "opened_on" else None))
                                for f in self.FIELDS})
            clean_candidate(row, candidate, exclude=["place", "operator", "photo", "pinyin", "name"])
            if row.errors:
                continue
            changes = changes_of(existing, candidate, row, (*self.FIELDS, "place", "operator"))
            row.action = "create" if existing is None else "update" if changes else "unchanged"
            row.plan = {"existing": existing, "candidate": candidate, "changes": changes}

    def write(self, ctx, rows):
        def write_row(row):
            plan, c = row.plan, row.plan["candidate"]
            if plan["existing"] is None:
                site_create(actor=ctx.actor, name=c.name, place=c.place, operator=c.operator,
                            **{f: getattr(c, f) for f in self.FIELDS})
            else:
                site_update(actor=ctx.actor, site=plan["existing"], **plan["changes"])
        write_each(rows, write_row)

    def export(self, user):
        qs = Site.objects.select_related("place", "operator").order_by("place__code", "name")
        if not scopes.is_superuser(user):
            qs = qs.filter(within(scopes.place_prefixes(user, ADMINS), "place"))
        for site in qs.iterator(chunk_size=2000):
            yield {"name": site.name, "place": site.place.code, "operator": site.operator and site.operator.name,
                   **{f: getattr(site, f) for f in self.FIELDS}}


PERSON_COLUMNS = (
    Column("姓名", "name", True, text, gettext_lazy("Full name."), "张示例", 10),
    Column("手机号", "phone", True, phone, gettext_lazy(
        "11-digit mobile number (or landline with area code); it identifies the person."), "13800000000", 14, True),
    Column("性别", "gender", False, GENDERS, gettext_lazy("男 or 女."), "女", 6),
)
PERSON_SKILLS = Column("专长", "skills", False, text, gettext_lazy(
    "What the person can help with, separated by commas."), "法律咨询", 20)


class PersonRoster(Roster):
    """What members and residents share: a person keyed by phone, checked in batches per chunk."""

    key = "phone"
    PERSON_FIELDS: tuple[str, ...]

    def persons(self, ctx, rows) -> tuple[dict, set]:
        """The chunk's existing persons by phone, and which of them the actor may already see."""
        persons = {p.phone: p for p in Person.objects.filter(phone__in={r.data.get("phone") for r in rows} - {None})}
        visible = set(scopes.persons_visible_to(ctx.actor, Person.objects.filter(
            pk__in=[p.pk for p in persons.values()])).values_list("pk", flat=True))
        return persons, visible

    def person_candidate(self, row, existing, **extra) -> Person:
        d = row.data
        candidate = Person(phone=d.get("phone", ""), **extra,
                           **{f: d.get(f, getattr(existing, f, "")) for f in self.PERSON_FIELDS})
        clean_candidate(row, candidate, exclude=["home", "user", "pinyin"])
        return candidate


class ResidentsRoster(PersonRoster):
    slug = "residents"
    title = pgettext_lazy("roster", "Residents")
    description = gettext_lazy("Residents with their home (compound, building or entrance), room and phone.")
    roles = ADMINS
    columns = (
        *PERSON_COLUMNS,
        Column("住址编码", "home", True, digits, gettext_lazy(
            "Code of the compound, building or entrance where the person lives."), "62010201000100100100102", 26,
            True),
        Column("房号", "room", False, text, gettext_lazy("Room number, e.g. 301."), "301", 8),
        PERSON_SKILLS,
    )
    PERSON_FIELDS = ("name", "gender", "room", "skills")

    def check(self, ctx, rows):
        persons, visible = self.persons(ctx, rows)
        homes = lookup(ctx, "place", {r.data.get("home") for r in rows}, places_by_code)
        for row in rows:
            d = row.data
            existing = persons.get(d.get("phone"))
            home = homes.get(d.get("home"))
            if d.get("home") and home is None:
                row.fail("home", _("No place has the code %(code)s.") % {"code": d["home"]})
            elif home is not None and not scopes.covers_place(ctx.actor, home):
                row.fail("home", OUTSIDE)
            if existing is not None and existing.pk not in visible:
                row.fail("phone", _("This phone number belongs to a person registered outside your area; ask the "
                                    "subdistrict to move the record."))
            candidate = self.person_candidate(row, existing, home=home, is_resident=True)
            if row.errors:
                continue
            changes = changes_of(existing, candidate, row, self.PERSON_FIELDS)
            if existing is not None:
                changes.update({f: getattr(candidate, f) for f in ("home", "is_resident")
                                if getattr(existing, f) != getattr(candidate, f)})
            row.action = "create" if existing is None else "update" if changes else "unchanged"
            row.plan = {"person": existing or candidate, "changes": changes}

    def write(self, ctx, rows):
        writers.persons_write(rows)

    def export(self, user):
        qs = Person.objects.filter(is_resident=True)
        if not scopes.is_superuser(user):
            qs = scopes.persons_visible_to(user, qs).filter(
                within(scopes.place_prefixes(user, ADMINS), "home"))
        rows = qs.order_by("home__code", "room", "pk").values_list(
            "name", "phone", "gender", "home__code", "room", "skills")
        for name, phone_, gender, home, room, skills in rows.iterator(chunk_size=2000):
            yield {"name": name, "phone": phone_, "gender": gender, "home": home, "room": room, "skills": skills}


class MembersRoster(PersonRoster):
    slug = "members"
    title = pgettext_lazy("roster", "Party members")
    description = gettext_lazy("In-service party members: their unit's branch, the community they report to "
                               "(双报到) and the grid branch they are placed in.")
    roles = frozenset({Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_STAFF, Role.UNIT_ADMIN})
    columns = (
        *PERSON_COLUMNS,
        Column("所在党支部", "branch", True, text, gettext_lazy(
            "The party organisation of the member's work unit, as registered (import the units roster first)."),
            "兰州电影制片厂党支部", 24),
        Column("报到社区", "community", False, text, gettext_lazy(
            "The community where the member lives and reports (双报到): its name or code."), "天庆嘉园社区", 16),
        Column("报到日期", "reported_on", False, date, gettext_lazy("e.g. 2021-06-01; default today."),
               "2021-06-01", 12),
        Column("网格党支部", "grid_branch", False, text, gettext_lazy(
            "The grid party branch of that community the member is placed in (community staff only)."),
            "天庆嘉园第一网格党支部", 24),
        PERSON_SKILLS,
    )
    PERSON_FIELDS = ("name", "gender", "skills")

    def check(self, ctx, rows):
        actor = ctx.actor
        persons, visible = self.persons(ctx, rows)
        party_orgs = lookup(ctx, "party_organisation", {r.data.get(f) for r in rows for f in ("branch", "grid_branch")},
                            by_name(PartyOrganisation, **{"with": ["organisation", "place"]}))
        memberships = {(m.person_id, m.party_organisation_id): m for m in PartyMembership.objects.filter(
            person__in=persons.values())}
        open_reports = {r.membership_id: r for r in MemberReport.objects.filter(
            membership__in=memberships.values()).exclude(state=MemberReportState.WITHDRAWN).select_related("community")}
        units = set(scopes.unit_ids(actor))
        for row in rows:
            d = row.data
            existing = persons.get(d.get("phone"))
            branch = party_orgs.get(d.get("branch"))
            if d.get("branch") and (branch is None or branch.organisation_id is None):
                row.fail("branch", _("No unit's party branch is called “%(name)s”. Import the units roster first "
                                     "or check the name.") % {"name": d["branch"]})
            community = community_find(ctx, row, "community")
            grid_branch = party_orgs.get(d.get("grid_branch"))
            if d.get("grid_branch"):
                if community is None and not d.get("community"):
                    row.fail("community", _("Fill in the community whose grid branch the member is placed in."))
                elif grid_branch is None or not grid_branch.is_grid_branch:
                    row.fail("grid_branch", _("No grid party branch is called “%(name)s”.")
                             % {"name": d["grid_branch"]})
                elif community is not None and not grid_branch.place.code.startswith(community.code):
                    row.fail("grid_branch", _("Choose a grid party branch of %(community)s.")
                             % {"community": community.name})
            candidate = self.person_candidate(row, existing)
            if row.errors:
                continue
            membership = existing and memberships.get((existing.pk, branch.pk))
            report = membership and open_reports.get(membership.pk)
            community_staff = community is not None and scopes.can_change_place(actor, community)
            # The checks people.services makes, in the order a row's writes would make them; community
            # staff may register the membership of a member reporting to their community (reporting_to).
            if membership is None and not (scopes.can_change_organisation(actor, branch.organisation)
                                           or community_staff):
                row.fail("branch", _("You may only register members of your own party organisation."))
            elif membership is not None and not membership.in_service:
                row.fail("branch", _("Only in-service party members take part in dual reporting."))
            if report is not None and community is not None and report.community_id != community.pk:
                row.fail("community", _("This member has already reported to %(community)s.")
                         % {"community": report.community.name})
            new_report = community is not None and report is None
            new_place = grid_branch is not None and (report is None or report.grid_branch_id != grid_branch.pk)
            if new_place and not community_staff:
                row.fail("grid_branch", _("Only the community's staff may place a member in a grid branch."))
            # change_person, as person_update and member_report ask it once the row's membership exists.
            sees_person = ((existing is not None and existing.pk in visible) or branch.organisation_id in units
                           or community_staff)
            if existing is not None and not sees_person:
                row.fail("phone", _("This phone number belongs to a person registered outside your area; ask the "
                                    "subdistrict to move the record."))
            elif new_report and not sees_person:
                row.fail("community", OUTSIDE)
            if row.errors:
                continue
            changes = changes_of(existing, candidate, row, self.PERSON_FIELDS)
            row.action = ("create" if existing is None else
                          "update" if changes or membership is None or new_report or new_place else "unchanged")
            row.plan = {"person": existing or candidate, "changes": changes, "branch": branch,
                        "membership": membership, "report": report, "community": community if new_report else None,
                        "reported_on": d.get("reported_on"), "grid_branch": grid_branch if new_place else None}

    def write(self, ctx, rows):
        writers.members_write(rows)

    def export(self, user):
        memberships = PartyMembership.objects.filter(in_service=True)
        if not scopes.is_superuser(user):
            memberships = memberships.filter(person__in=scopes.persons_visible_to(user))
            if not scopes.roles(user) & ADMINS:
                memberships = memberships.filter(party_organisation__organisation__in=scopes.unit_ids(user))
        return writers.members_export(memberships)


ROSTERS: dict[str, Roster] = {r.slug: r for r in (
    PlacesRoster(), UnitsRoster(), MembersRoster(), ResidentsRoster(), SitesRoster())}
