"""Offers in the claimant suggestions of a published need (needs.matching, through needs.hooks): the units and
members whose published offers fit the need's category and serve its community, each with the reason in words
("实事清单：免费接送（接送），服务五里铺东社区")."""

import re

from django.utils.translation import gettext as _

from offers.models import Offer, OfferKind

# Which kinds of offer can answer a need of each category, by the category's name or an ancestor's (a category
# added under 养老服务 inherits its kinds). Data rather than a rule in code: the categories are configurable (the
# needs admin; the demo's ten from needs' migration 0002), the offer kinds are fixed (offers.models.OfferKind),
# and which answers which is a judgement the subdistrict may revise. A category not listed (环境卫生, 交通秩序:
# work, not a deed a unit offers) gets no offer suggestions.
CATEGORY_OFFER_KINDS: dict[str, tuple[str, ...]] = {
    "加装电梯": (OfferKind.CONSULTATION,),  # the policy and the procedure explained
    "升学政策": (OfferKind.CONSULTATION, OfferKind.LECTURE),  # 教育局's Q&A sessions
    "出行困难": (OfferKind.TRANSPORT,),  # the taxi company's free rides
    "养老服务": (OfferKind.CLINIC, OfferKind.TRANSPORT, OfferKind.DONATION),
    "医疗健康": (OfferKind.CLINIC, OfferKind.LECTURE),  # 义诊, health talks
    "法律咨询": (OfferKind.CONSULTATION, OfferKind.LECTURE),
    "邻里纠纷": (OfferKind.CONSULTATION,),  # legal advice
    "设施维修": (OfferKind.DONATION,),  # funds or materials for a repair
}
# Offers of these kinds are about a subject (an advice session on 升学政策, a lecture on 婚姻家庭与继承, a collection
# for 重阳节): one fits only if its title or description names the category or one of its keywords (Category.
# keywords), else every consultation would be suggested for every need of 加装电梯. A ride or a clinic is a
# service the category itself asks for.
TOPICAL_KINDS = {OfferKind.CONSULTATION, OfferKind.LECTURE, OfferKind.TRAINING, OfferKind.DONATION}
SCORE = 3  # as much as a declared service that fits (needs.matching): an offer is a declared service, bookable
COMMUNITY_CODE = 12


def offer_kinds(category) -> set[str]:
    if category is None:
        return set()
    return {kind for c in category.lineage() for kind in CATEGORY_OFFER_KINDS.get(c.name, ())}


def topic_words(category) -> set[str]:
    """The category's names and keywords, its ancestors' too (养老服务: 养老, 老人, 义诊, 助餐)."""
    words = set()
    for c in category.lineage():
        words |= {c.name, *(w.strip() for w in re.split(r"[,，、;；\s]+", c.keywords or "") if w.strip())}
    return words


def fits(offer, kinds: set[str], words: set[str]) -> bool:
    if offer.kind not in kinds:
        return False
    text = f"{offer.name} {offer.description}"
    return offer.kind not in TOPICAL_KINDS or any(word in text for word in words)


def offer_suggestions(need) -> list[dict]:
    """Providers of published offers of the kinds that fit the need's category and serve its community: one
    suggestion per provider, every fitting offer named in its reason."""
    kinds = offer_kinds(need.category)
    if not kinds or need.place is None or len(need.place.code) < COMMUNITY_CODE:
        return []
    community = need.place.code[:COMMUNITY_CODE]
    offers = (Offer.objects.filter(is_published=True, kind__in=kinds, communities__code=community)
              .select_related("organisation", "person").prefetch_related("communities").order_by("kind", "name", "pk")
              .distinct())
    found: dict[tuple, dict] = {}
    words = topic_words(need.category)
    for offer in offers:
        if not fits(offer, kinds, words):
            continue
        kind, provider = ("organisation", offer.organisation) if offer.organisation_id else ("person", offer.person)
        served = next((c.name for c in offer.communities.all() if c.code == community), "")
        reason = _("on the offers list: %(offer)s (%(kind)s), serving %(community)s") % {
            "offer": offer.name, "kind": offer.get_kind_display(), "community": served}
        entry = found.setdefault((kind, provider.pk), {"kind": kind, "object": provider, "score": SCORE,
                                                       "reasons": []})
        entry["reasons"].append(reason)
    return list(found.values())
