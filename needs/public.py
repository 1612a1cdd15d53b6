"""What a viewer reads of a need: the rule of people.public applied to needs. The need's page, the claim board's
cards, the API and the ledger's deeds all read a need through here, so a need shows one place and one title
to the public wherever it appears.

- The place: the whole path for staff whose area covers it and for those who work on or reported the need
  (they go there or live there); community › grid for everyone else.
- The text as typed (title, description, notes, comments, evidence) for staff of the area and the need's
  reporters; everyone else reads people.public.public_text, checked against the names of the people on record
  linked to the need (names_on_record). A title is checked against the people it may name when it is written
  — its reporters, the member holding it, the people living in its place and its contact — found for a whole
  list in one or two queries (title_names), so that a card, the page and the ledger show the same title.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q

from needs.models import Need, NeedReporter
from needs.permissions import relations_to
from people import public, scopes
from people.models import PartyMembership, Person
from places.models import Place
from places.selectors import within

STAFF = {"staff_subdistrict", "staff_community", "grid_worker"}
AS_TYPED = STAFF | {"reporter"}  # relations_to's relations that read the need's text as typed
FULL_PLACE = AS_TYPED | {"holder", "collaborator", "department"}  # … and its whole place
# Below this many code digits the place is a community or above: its people are too many to list, and a need
# placed there names no neighbours in particular.
NEIGHBOURS_FROM = public.PUBLIC_DEPTHS[1]  # the grid


@dataclass
class NeedView:
    """A need as one viewer reads it."""

    full_place: bool
    as_typed: bool
    place: str
    title: str
    names: frozenset[str] = field(default_factory=frozenset)  # what published text is checked against

    def text(self, value: str) -> str:
        return value if self.as_typed else public.public_text(value, self.names)


def names_on_record(need: Need) -> frozenset[str]:
    """The names a need's published text is checked against, in one query: its reporter and the reporters of
    the needs merged into it, the member holding it and the members of the units that hold it or help, and the
    people who live in its place when that is a grid or below (a grid's few hundred people; the city's million
    are never read); and the contact name someone without an account left on it."""
    units = [Q(party_organisation__organisation__in=Need.collaborators.through.objects.filter(
        need_id=need.pk).values("organisation"))]
    if need.lead_organisation_id:
        units.append(Q(party_organisation__organisation=need.lead_organisation_id))
    parts = [Q(pk__in={pk for pk in (need.reporter_id, need.lead_person_id) if pk}),
             Q(pk__in=NeedReporter.objects.filter(need_id=need.pk).values("person")),
             *(Q(pk__in=PartyMembership.objects.filter(unit).values("person")) for unit in units)]
    if len(need.place.code) >= NEIGHBOURS_FROM:
        parts.append(Q(home__in=Place.objects.filter(within(need.place))))
    # A UNION of the parts, each read from its indexes: an OR of them made PostgreSQL read every person (1.7 s in
    # a city of a million).
    first, *others = [Person.objects.filter(q).order_by().values_list("name", flat=True) for q in parts]
    names = frozenset(first.union(*others))
    return names | ({need.contact_name} if need.contact_name else set())


def title_names(needs: Iterable[tuple]) -> dict[int, frozenset[str]]:
    """For each need — (pk, title, place code, the names of its reporter, holding member and contact) — the names
    on record its title is checked against: those given, and those of the reporters of the needs merged into it
    and of the people living in its place when that is a grid or below that the title holds. Its words are
    looked up by name (people.public.named_in) and the merged needs' reporters read only when one was found:
    one or two queries for a list, never a grid's people."""
    needs = list(needs)
    found = public.named_in([title for _pk, title, *_rest in needs], Person.objects.all(), "pk", "name",
                            "home__code")
    merged = {}
    if found:
        for need_id, person in NeedReporter.objects.filter(need_id__in=[n[0] for n in needs]).values_list(
                "need_id", "person_id"):
            merged.setdefault(need_id, set()).add(person)
    names = {}
    for pk, _title, code, given in needs:
        names[pk] = frozenset({n for n in given if n} | {name for person, name, home in found if person in merged.get(
            pk, ()) or (home and len(code) >= NEIGHBOURS_FROM and home.startswith(code))})
    return names


def _view(need: Need, relations: set[str], path: str | None, names) -> NeedView:
    full_place, as_typed = bool(relations & FULL_PLACE), bool(relations & AS_TYPED)
    title = need.title if as_typed else public.public_text(need.title, names)
    if path is None:
        path = public.place_path(need.place, full=full_place)
    return NeedView(full_place, as_typed, path, title)


def need_view(need: Need, viewer) -> NeedView:
    """The need as the viewer reads it (its page, the API's need), in a few queries."""
    relations = relations_to(viewer, need)
    if relations & AS_TYPED:
        return _view(need, relations, None, ())
    given = [p.name for p in (need.reporter, need.lead_person) if p is not None] + [need.contact_name]
    view = _view(need, relations, None, title_names([(need.pk, need.title, need.place.code, given)])[need.pk])
    view.names = names_on_record(need)
    return view


def list_views(needs, viewer) -> dict[int, NeedView]:
    """The needs of a list (cards, the API's pages, by pk) as the viewer reads them, in four queries whatever the
    list's length: the names of the places on their paths (two), their reporters' names, and the names on record
    their titles hold (title_names; one more when a title holds one). On a list the viewer's relations are read
    from the need's own columns (area, holder, reporter), without the two queries per need that collaborators
    and merged reporters take: they read the card as the public does, and the need's page in full."""
    needs = list(needs)
    person, units = scopes.person_of(viewer), set(scopes.unit_ids(viewer))
    relations = {}
    for need in needs:
        r = {"staff_community"} if scopes.covers_place(viewer, need.place) else set()
        if (need.lead_organisation_id and need.lead_organisation_id in units) or (
                person is not None and need.lead_person_id == person.pk):
            r.add("holder")
        if person is not None and need.reporter_id == person.pk:
            r.add("reporter")
        relations[need.pk] = r
    full = {n.pk for n in needs if relations[n.pk] & FULL_PLACE}
    whole = [n.place for n in needs if n.pk in full]
    paths = {True: public.place_paths_shown(whole, full=[p.pk for p in whole]),
             False: public.place_paths_shown([n.place for n in needs if n.pk not in full])}
    masked = [n for n in needs if not relations[n.pk] & AS_TYPED]
    reporters = dict(Person.objects.filter(pk__in={n.reporter_id for n in masked if n.reporter_id})
                     .values_list("pk", "name")) if masked else {}
    names = title_names((n.pk, n.title, n.place.code, (reporters.get(n.reporter_id), n.contact_name,
                                                        n.lead_person.name if n.lead_person_id else None))
                        for n in masked)
    return {need.pk: _view(need, relations[need.pk], paths[need.pk in full][need.place.pk], names.get(need.pk, ()))
            for need in needs}
