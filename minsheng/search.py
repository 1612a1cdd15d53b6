"""The header's search box (/search/): needs by number or title, places by name or pinyin, and — for staff, in
their scope — people by name, pinyin or whole phone number, masked as in the directories (the full record is
opened, and its view logged, on the person's page). It reads several apps, so it lives at the top."""

import re

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import render

from needs import selectors as need_selectors
from needs.public import list_views
from people import public, scopes
from people.models import Person
from places.selectors import place_paths, place_search

LIMIT = 10  # of each kind; "more" leads to the kind's own list with the same words
PHONE = re.compile(r"\d{7,11}")


def _needs(user, q: str) -> list:
    """Needs the user may open, newest first, each with what the user reads of it (its title and place path:
    needs.public's rule)."""
    found = list(need_selectors.with_labels(need_selectors.needs_visible_to(user).filter(
        need_selectors.number_or_text(q))).order_by("-id")[:LIMIT + 1])
    views = list_views(found, user)
    kept = []
    for need in found:
        need.view = views[need.pk]
        # Whoever reads the title in general terms (某楼某单元) must not learn by searching what it hides.
        if need.view.as_typed or q.removeprefix("#") == str(need.pk) or q.lower() in need.view.title.lower():
            kept.append(need)
    return kept


def _places(user, q: str) -> list:
    """Places by name, pinyin or initials, each with its path from the user's own area down."""
    found = list(place_search(q, limit=LIMIT + 1))
    paths = place_paths(found, scopes=scopes.place_prefixes(user))
    for place in found:
        place.path = public.SEPARATOR.join(paths[place.pk][:-1])
    return found


def _people(user, q: str) -> list:
    """A phone is matched whole (digits only): a part of it would let anyone probe the digits that are masked."""
    digits = re.sub(r"[\s-]", "", q)
    matches = Person.search_q(q) | Q(phone=digits) if PHONE.fullmatch(digits) else Person.search_q(q)
    return list(scopes.persons_visible_to(user, Person.objects.filter(matches))
                .select_related("home__parent__parent").order_by("name", "id")[:LIMIT + 1])


@login_required
def search(request):
    q = request.GET.get("q", "").strip()[:100]
    user = request.user
    results = {}
    if q:
        results = {"needs": _needs(user, q), "places": _places(user, q),
                   "people": _people(user, q) if scopes.is_staff_user(user) else None}
    return render(request, "minsheng/search.html", {"q": q, "header_q": q, "limit": LIMIT, **results})
