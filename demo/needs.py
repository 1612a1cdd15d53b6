"""The demo's needs section: `demo.needs_data` walked through `need_act` by the real roles, in time order."""

import dataclasses
import datetime
import itertools

from django.contrib.auth.models import User
from django.utils import timezone

from demo import needs_data as nd
from demo.phones import RESIDENT, phone_prefix
from demo.photos import evidence_photo
from needs import deadlines
from needs.models import Category, Need
from needs.permissions import system_user
from needs.services import need_act
from people.models import Organisation, Person
from places.models import Place


@dataclasses.dataclass
class Step:
    at: datetime.datetime
    title: str
    action: str
    actor: str  # a username, or "system" for the deadline sweep
    fields: dict


class Clock:
    """Reads the times of needs_data: fixed ("2021-05-11 10:00"), working days before the loading day
    ("wd3 10:00"), or minutes before loading ("now-90")."""

    def __init__(self, now: datetime.datetime):
        self.now = timezone.localtime(now).replace(second=0, microsecond=0)

    def __call__(self, text: str) -> datetime.datetime:
        if text.startswith("now-"):
            return self.now - datetime.timedelta(minutes=int(text[4:]))
        day_part, clock = text.split(" ")
        if day_part.startswith("wd"):
            day = self.working_day_before(int(day_part[2:]))
        else:
            day = datetime.date.fromisoformat(day_part)
        hour, minute = map(int, clock.split(":"))
        return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone())

    def working_day_before(self, n: int) -> datetime.date:
        day = self.now.date()
        while n:
            day -= datetime.timedelta(days=1)
            n -= deadlines.is_workday(day)
        return day


def story_steps(spec: dict, when: Clock, staff: str) -> list[Step]:
    """The steps of one need after its submission, in the order the loop takes them."""
    title = spec["title"]
    if "steps" in spec:
        return [Step(when(at), title, action, actor, fields) for at, action, actor, fields in spec["steps"]]
    found = when(spec["found"])
    accepted = when(spec["accept"]) if "accept" in spec else found + datetime.timedelta(minutes=40)
    steps = [Step(accepted, title, "accept", staff, {"category": spec["category"], "concern_level": spec["concern"]})]
    if "dispatch" in spec:
        by, at, unit = spec["dispatch"]
        holder, taken = spec["holder"], when(at)
        steps.append(Step(taken, title, "dispatch", by, {"organisation": unit}))
    else:
        holder, at = spec["claim"]
        taken = when(at)
        steps.append(Step(accepted + datetime.timedelta(minutes=15), title, "publish", staff, {}))
        steps.append(Step(taken, title, "claim", holder, {}))
    steps += [Step(taken + datetime.timedelta(minutes=20), title, "add_collaborator", holder, {"organisation": unit})
              for unit in spec.get("collaborators", ())]
    steps.append(Step(taken + datetime.timedelta(minutes=60), title, "start", holder, {}))
    steps += [Step(when(at), title, "progress", actor, {"note": text}) for at, actor, text in spec.get("notes", ())]
    if "resolve" not in spec:
        # Still open years later: the system account flags it overdue once its resolve deadline has passed.
        # (The sweep would raise a community's need to the subdistrict instead; flagged, it stays with its
        # holder, and the sweep leaves an overdue need alone.)
        policy = deadlines.policy_for(Category.objects.get(name=spec["category"]), spec["concern"])
        due = deadlines.add_working_days(taken, policy["resolve_days"])
        return [*steps, Step(due + datetime.timedelta(minutes=5), title, "flag_overdue", "system", {})]
    at, note, evidence = spec["resolve"]
    steps.append(Step(when(at), title, "resolve", holder, {"note": note, "evidence": evidence}))
    at, action, actor, grade, comment = spec["rating"]
    fields = {"rate": {"rating": grade, "comment": comment}, "follow_up": {"rating": grade, "note": comment}}
    steps.append(Step(when(at), title, action, actor, fields.get(action, {})))
    steps += [Step(when(at), title, act, by, extra) for at, act, by, extra in spec.get("after", ())]
    return steps


class NeedsWalk:
    """Submit every demo need not yet on record and take its steps, all needs interleaved in time order."""

    def __init__(self, builder, now=None):
        self.builder = builder
        self.when = Clock(now or timezone.now())
        self.roles = {username: role for username, role, *_ in builder.accounts}
        self.users = {u.username: u for u in User.objects.filter(username__in=self.roles)}
        self.users["system"] = system_user()
        self.categories = {c.name: c for c in Category.objects.all()}
        self.organisations = Organisation.objects.in_bulk(field_name="name")
        self.specs = nd.NEEDS_2021 + nd.OTHER_NEEDS
        titles = [s["title"] for s in self.specs]
        assert len(titles) == len(set(titles)), "demo need titles are their keys: keep them unique"
        self.needs = {n.title: n for n in Need.objects.filter(title__in=titles)}

    def walk(self) -> int:
        """Take the steps of the needs not yet on record; return how many needs were submitted."""
        steps = []
        new = [(ordinal, spec) for ordinal, spec in enumerate(self.specs) if spec["title"] not in self.needs]
        for ordinal, spec in new:
            place = self.place(spec["place"])
            community = Place.objects.get(kind="community", code=place.code[:12])
            own = [Step(self.when(spec["found"]), spec["title"], "submit", spec["by"], self.submit_fields(
                spec, place, ordinal)), *story_steps(spec, self.when, nd.COMMUNITY_STAFF[community.name])]
            assert all(a.at <= b.at for a, b in itertools.pairwise(own)), f"steps out of order: {spec['title']}"
            steps += own
        # Stable sort: a need's own steps keep their order when two share a minute.
        for step in sorted(steps, key=lambda s: s.at):
            self.take(step)
        return len(new)

    def take(self, step: Step):
        fields = dict(step.fields)
        if "category" in fields:
            fields["category"] = self.categories[fields["category"]]
        if "organisation" in fields:
            fields["organisation"] = self.organisations[fields["organisation"]]
        if "into" in fields:
            fields["into"] = self.needs[fields["into"]]
        if step.action == "resolve":  # the holder photographs the signed acceptance sheet
            fields["photos"] = [evidence_photo(title=step.title, evidence=fields.get("evidence", ""), at=step.at)]
        need = None if step.action == "submit" else self.needs[step.title]
        self.needs[step.title] = need_act(actor=self.users[step.actor], need=need, action=step.action, at=step.at,
                                          **fields)

    def submit_fields(self, spec: dict, place: Place, ordinal: int) -> dict:
        fields = {"title": spec["title"], "description": spec["text"], "place": place, "channel": spec["channel"],
                  "affected": spec.get("affected", 1), "is_public": spec.get("public", True),
                  "show_name": spec.get("show_name", False)}
        if self.roles[spec["by"]] != "resident":  # staff and grid workers record needs for a resident
            fields["reporter"] = self.resident_near(place, ordinal)
        return fields

    def resident_near(self, place: Place, ordinal: int) -> Person:
        """A generated resident of the need's grid, or of its community when nobody generated lives there."""
        residents = Person.objects.filter(phone__startswith=phone_prefix(RESIDENT)).order_by("phone")
        nearby = list(residents.filter(home__code__startswith=place.code[:15])) or list(
            residents.filter(home__code__startswith=place.code[:12]))
        return nearby[ordinal % len(nearby)]

    def place(self, path: str) -> Place:
        """A place by name, or "compound/entrance" for an entrance of a compound."""
        area, _, entrance = path.partition("/")
        place = self.builder.by_name[area]
        if entrance:
            place = Place.objects.get(kind="entrance", name=entrance, code__startswith=place.code)
        return place
