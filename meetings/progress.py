"""A resolution's progress, computed from what it created — as Decidim's accountability results: a status and a
percentage, with the history behind it.

What counts: a need when resolved or closed (needs.workflow.DONE); a need merged into another counts as that one
(once, however many were merged into it); a rejected need leaves the total. An activity once it has ended and was
not cancelled; a cancelled one leaves the total. Status: proposed / rejected / withdrawn as decided; an adopted
resolution is done when everything counted is done (or, having created nothing, it was marked done), in progress
when something is counted and not all of it done, and stays adopted while nothing is counted.
"""

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import pgettext

from core.models import Event
from meetings.models import Resolution, ResolutionState
from needs import workflow as needs_workflow
from needs.models import Need, State
from volunteering.models import Activity

MERGE_DEPTH = 5  # a merged need's target is followed this far (merges into merged needs are rare)


@dataclass
class Progress:
    status: str  # proposed / adopted / rejected / withdrawn / in_progress / done
    label: str
    percent: int | None  # 0..100; None while nothing measures it
    done: int = 0
    total: int = 0
    items: list = field(default_factory=list)  # (kind "need" / "activity", the object, done)


def status_label(status: str) -> str:
    if status == "in_progress":
        return pgettext("resolution", "In progress")
    if status == "done":
        return pgettext("resolution", "Done")
    return str(ResolutionState(status).label)


def _targets(needs: list[Need]) -> dict[int, Need]:
    """Each need → the need it counts as (itself, or where it was merged), in one query per level of merging."""
    counted = {n.pk: n for n in needs}
    pending = {n.pk: n.merged_into_id for n in needs if n.state == State.MERGED and n.merged_into_id}
    for _level in range(MERGE_DEPTH):
        if not pending:
            break
        found = Need.objects.in_bulk(set(pending.values()))
        following = {}
        for pk, target in pending.items():
            need = found.get(target)
            if need is None:
                continue
            counted[pk] = need
            if need.state == State.MERGED and need.merged_into_id:
                following[pk] = need.merged_into_id
        pending = following
    return counted


def _compute(resolution: Resolution, needs: list[Need], activities: list, now) -> Progress:
    items, seen = [], set()
    for need in needs:
        if need.pk in seen or need.state in (State.REJECTED, State.MERGED):
            continue  # rejected (or a merge we could not follow): not part of the work
        seen.add(need.pk)
        items.append(("need", need, need.state in needs_workflow.DONE))
    for activity in activities:
        if not activity.is_cancelled:
            items.append(("activity", activity, activity.ends_at <= now))
    total, done = len(items), sum(1 for item in items if item[2])
    if resolution.state != ResolutionState.ADOPTED:
        status = resolution.state
    elif total:
        status = "done" if done == total else "in_progress"
    else:
        status = "done" if resolution.done_at else ResolutionState.ADOPTED
    if resolution.state != ResolutionState.ADOPTED:
        percent = None
    elif total:
        percent = done * 100 // total
    else:
        percent = 100 if resolution.done_at else None
    return Progress(status=str(status), label=status_label(str(status)), percent=percent, done=done, total=total,
                    items=items)


def progress_for(resolutions, *, now=None) -> dict[int, Progress]:
    """The progress of each resolution, by id: a fixed number of queries however many there are."""
    resolutions = list(resolutions)
    now = now or timezone.now()
    ids = [r.pk for r in resolutions]
    need_links = list(Resolution.needs.through.objects.filter(resolution_id__in=ids).select_related("need")
                      .order_by("need_id"))
    activity_links = list(Resolution.activities.through.objects.filter(resolution_id__in=ids)
                          .select_related("activity").order_by("activity__starts_at", "activity_id"))
    counted = _targets([link.need for link in need_links])
    needs, activities = {pk: [] for pk in ids}, {pk: [] for pk in ids}
    for link in need_links:
        needs[link.resolution_id].append(counted[link.need_id])
    for link in activity_links:
        activities[link.resolution_id].append(link.activity)
    return {r.pk: _compute(r, needs[r.pk], activities[r.pk], now) for r in resolutions}


def progress_of(resolution: Resolution, *, now=None) -> Progress:
    return progress_for([resolution], now=now)[resolution.pk]


def history_of(resolution: Resolution) -> list[Event]:
    """The events of the resolution and of what it created (the needs it raised — and those they were merged
    into —, its activities), oldest first."""
    need_ids = list(resolution.needs.values_list("pk", flat=True))
    targets = {n.pk for n in _targets(list(Need.objects.filter(pk__in=need_ids))).values()}
    activity_ids = list(resolution.activities.values_list("pk", flat=True))
    q = Q(subject_type=Resolution._meta.label_lower, subject_id=str(resolution.pk))
    if need_ids:
        q |= Q(subject_type=Need._meta.label_lower, subject_id__in=[str(pk) for pk in {*need_ids, *targets}])
    if activity_ids:
        q |= Q(subject_type=Activity._meta.label_lower, subject_id__in=[str(pk) for pk in activity_ids])
    return list(Event.objects.filter(q).select_related("actor").order_by("at", "id"))
