"""Duplicate hints at intake and claimant suggestions at publication.

Chinese text has no spaces, so similarity is measured on character bigrams (Dice coefficient): 加装电梯
and 电梯加装 share 电梯, 加装. Needs are compared only within the same grid (neighbouring places), so the
candidates are few and no index is needed.
"""

import re

from django.db.models import Q
from django.utils.translation import gettext as _

from needs import workflow
from needs.hooks import suggesters
from needs.models import Need
from people.models import Organisation, Person
from places.models import Coverage
from places.selectors import within

DUPLICATE_THRESHOLD = 0.3
GRID_CODE_LENGTH = 15


def bigrams(text: str) -> set[str]:
    chars = re.sub(r"[\s\W_]+", "", text or "").lower()
    return {chars[i:i + 2] for i in range(len(chars) - 1)} or ({chars} if chars else set())


def similarity(a: str, b: str) -> float:
    x, y = bigrams(a), bigrams(b)
    return 2 * len(x & y) / (len(x) + len(y)) if x and y else 0.0


def likely_duplicates(*, title: str, description: str = "", place, exclude=None, limit: int = 5) -> list[tuple]:
    """Open needs in the same grid whose text is similar: [(need, score)], most similar first."""
    if place is None:
        return []
    area = place.code[:GRID_CODE_LENGTH]
    candidates = Need.objects.filter(within(area, "place"), state__in=workflow.OPEN).select_related("place")
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude.pk)
    text = f"{title} {description}"
    scored = []
    for need in candidates.order_by("-id")[:500]:
        # The title counts most; the description adds to it. Same exact place adds a little.
        score = max(similarity(title, need.title), similarity(text, f"{need.title} {need.description}"))
        if need.place_id == place.pk:
            score += 0.1
        if score >= DUPLICATE_THRESHOLD:
            scored.append((need, round(min(score, 1.0), 2)))
    return sorted(scored, key=lambda pair: -pair[1])[:limit]


def words(text: str) -> list[str]:
    """A list of words as staff type them (keywords, declared services): split at commas, 、, semicolons, spaces."""
    return [w.strip() for w in re.split(r"[,，、;；\s]+", text or "") if w.strip()]


def _offer_match(offers: str, need: Need) -> list[str]:
    """The declared services or skills that fit the need's category (by name or keyword)."""
    if need.category is None:
        return []
    keys = {need.category.name, *words(need.category.keywords)}
    return [offer for offer in words(offers) if any(k in offer or offer in k for k in keys)]


def claimant_suggestions(need: Need, limit: int = 8) -> list[dict]:
    """Units and members ranked by fit, each with the reasons shown to staff: coverage of the need's place
    (包抓), declared services or skills that fit its category, and what the apps above suggest (needs.hooks:
    offers' providers)."""
    prefixes = [need.place.code[:n] for n in (15, 18, 21) if len(need.place.code) >= n]
    coverages = Coverage.objects.filter(place__code__in=prefixes, until__isnull=True).select_related("place")
    covers = {}
    for c in coverages:
        covers.setdefault(("organisation", c.organisation_id) if c.organisation_id else ("person", c.person_id),
                          c.place.name)
    found = {}
    units = Organisation.objects.filter(Q(pk__in=[k[1] for k in covers if k[0] == "organisation"])
                                        | ~Q(service_categories=""))
    members = Person.objects.filter(Q(pk__in=[k[1] for k in covers if k[0] == "person"])
                                    | (~Q(skills="") & Q(memberships__isnull=False))).distinct()
    for kind, objects, offers_of in (("organisation", units, lambda o: o.service_categories),
                                     ("person", members, lambda p: p.skills)):
        for obj in objects:
            reasons, score = [], 0
            if (kind, obj.pk) in covers:
                reasons.append(_("covers %(place)s") % {"place": covers[(kind, obj.pk)]})
                score += 2
            offered = _offer_match(offers_of(obj), need)
            if offered:
                reasons.append(_("offers %(offers)s") % {"offers": "、".join(offered)})
                score += 3
            if score:
                found[(kind, obj.pk)] = {"kind": kind, "object": obj, "score": score, "reasons": reasons}
    for suggester in suggesters():  # the apps above: offers' providers whose offers fit (needs.hooks)
        for s in suggester(need):
            key = (s["kind"], s["object"].pk)
            if key in found:  # one suggestion per claimant, with every reason
                found[key]["score"] += s["score"]
                found[key]["reasons"] = [*found[key]["reasons"], *s["reasons"]]
            else:
                found[key] = {**s, "reasons": list(s["reasons"])}
    return sorted(found.values(), key=lambda s: (-s["score"], str(s["object"])))[:limit]
