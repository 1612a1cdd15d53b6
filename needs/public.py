"""What a viewer reads of a need: the rule of people.public applied to needs. The need's page, the claim board's
cards, the API and the ledger's deeds all read a need through here, so a need shows one place and one title
to the public wherever it appears.

- The place: the whole path for staff whose area covers it and for those who work on or reported the need
  (they go there or live there); community › grid for everyone else.
- The text as typed (title, description, notes, comments, evidence) for staff of the area and the need's
  reporters; everyone else reads people.public.public_text, checked against the names of the people on record
  linked to the need (names_on_record). A title is checked against its reporter's and holder's names only —
  what a list of needs reads in one query — so that a card, the page and the ledger show the same title.
"""

from dataclasses import dataclass, field

from needs.models import Need, NeedReporter
from needs.permissions import relations_to
from people import public, scopes
from people.models import Person
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
    the needs merged into it, the member holding it, and the people who live in its place when that is a grid
    or below (a grid's few hundred people; the city's million are never read); and the contact name someone
    without an account left on it."""
    linked = {pk for pk in (need.reporter_id, need.lead_person_id) if pk}
    q = Person.objects.filter(pk__in=linked) | Person.objects.filter(
        pk__in=NeedReporter.objects.filter(need_id=need.pk).values("person"))
    if len(need.place.code) >= NEIGHBOURS_FROM:
        q |= Person.objects.filter(within(need.place, "home"))
    return frozenset(q.values_list("name", flat=True)) | ({need.contact_name} if need.contact_name else set())


def _view(need: Need, relations: set[str], path: str | None, title_names) -> NeedView:
    full_place, as_typed = bool(relations & FULL_PLACE), bool(relations & AS_TYPED)
    title = need.title if as_typed else public.public_text(need.title, title_names)
    if path is None:
        path = public.place_path(need.place, full=full_place)
    return NeedView(full_place, as_typed, path, title)


def need_view(need: Need, viewer) -> NeedView:
    """The need as the viewer reads it (its page, the API's need), in a few queries."""
    relations = relations_to(viewer, need)
    if relations & AS_TYPED:
        return _view(need, relations, None, ())
    view = _view(need, relations, None, {p.name for p in (need.reporter, need.lead_person) if p is not None})
    view.names = names_on_record(need)
    return view


def list_views(needs, viewer) -> dict[int, NeedView]:
    """The needs of a list (cards, the API's pages, by pk) as the viewer reads them, in two queries whatever
    the list's length: the names of the places on their paths (two), and their reporters' names. On a list the
    viewer's relations are read from the need's own columns (area, holder, reporter), without the two queries
    per need that collaborators and merged reporters take: they read the card as the public does, and the
    need's page in full."""
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
    views = {}
    for need in needs:
        title_names = {reporters.get(need.reporter_id), need.lead_person.name if need.lead_person_id else None}
        views[need.pk] = _view(need, relations[need.pk], paths[need.pk in full][need.place.pk], title_names - {None})
    return views
