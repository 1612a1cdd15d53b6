"""Bulk writes for the two big rosters, members and residents.

Why not the services: a members row is up to four service calls (person_create, membership_create,
member_report, member_place), each a transaction with its own permission queries, full_clean (one query
per unique constraint and foreign key) and an event appended to the hash chain (a read of the last hash
and an insert). A city's 100,000-row roster would take tens of minutes and write 400,000 events.

So the roster's check (rosters.specs) makes, once per chunk of rows and with batched lookups, the same
permission checks as those services (people.scopes: can_change_organisation, can_change_place,
persons_visible_to, covers_place) and the same validation (the models' clean_fields: lengths, choices,
phone format; the keys are looked up so unique constraints hold), and rejects the rows that fail them.
This module then writes the accepted rows of the chunk with bulk_create / bulk_update inside the
engine's transaction, sets `pinyin` as PinyinSearchable.save() would, and rosters.services appends ONE
`roster_import` event for the whole import (roster, counts, SHA-256 of the file) instead of one per
write. The file is identified by its hash, so the event still says exactly what was imported.

Community staff may register the membership of a member who reports to their community in the same
row, as membership_create(reporting_to=community) allows.
"""

from itertools import islice

from django.utils import timezone

from core.pinyin import pinyin_key
from people.models import MemberReport, MemberReportState, PartyMembership, Person


def persons_write(rows) -> None:
    """Create the rows' new persons and apply the changes to existing ones; row.plan["person"] is saved after."""
    new = [row.plan["person"] for row in rows if row.plan["person"].pk is None]
    for person in new:
        person.pinyin = pinyin_key(person.name)
    Person.objects.bulk_create(new)
    changed, fields = [], set()
    for row in rows:
        person, changes = row.plan["person"], row.plan["changes"]
        if person.pk is not None and changes:
            for field, value in changes.items():
                setattr(person, field, value)
            if "name" in changes:
                person.pinyin = pinyin_key(person.name)
                fields.add("pinyin")
            fields |= changes.keys()
            changed.append(person)
    if changed:
        Person.objects.bulk_update(changed, sorted(fields))


def members_write(rows) -> None:
    """Persons, then their branch memberships, then dual reports and grid-branch placements."""
    today = timezone.localdate()
    persons_write(rows)
    new_memberships = []
    for row in rows:
        plan = row.plan
        if plan["membership"] is None:
            plan["membership"] = PartyMembership(person=plan["person"], party_organisation=plan["branch"],
                                                 in_service=True)
            new_memberships.append(plan["membership"])
    PartyMembership.objects.bulk_create(new_memberships)
    new_reports, placed = [], []
    for row in rows:
        plan = row.plan
        report = plan["report"]
        if plan["community"] is not None:
            report = MemberReport(membership=plan["membership"], community=plan["community"],
                                  reported_on=plan["reported_on"] or today)
            new_reports.append(report)
        if plan["grid_branch"] is not None:
            report.state, report.grid_branch, report.placed_on = MemberReportState.PLACED, plan["grid_branch"], today
            if report.pk is not None:
                placed.append(report)
    MemberReport.objects.bulk_create(new_reports)
    if placed:
        MemberReport.objects.bulk_update(placed, ["state", "grid_branch", "placed_on"])


def members_export(memberships):
    """Each in-service membership with its open report, read in chunks: two queries per 2,000 members."""
    rows = memberships.order_by("pk").values_list(
        "pk", "person__name", "person__phone", "person__gender", "person__skills", "party_organisation__name")
    iterator = rows.iterator(chunk_size=2000)
    while chunk := list(islice(iterator, 2000)):
        reports = {m: (community, reported_on, grid_branch) for m, community, reported_on, grid_branch in
                   MemberReport.objects.filter(membership__in=[r[0] for r in chunk]).exclude(
                       state=MemberReportState.WITHDRAWN).values_list(
                       "membership_id", "community__name", "reported_on", "grid_branch__name")}
        for pk, name, phone, gender, skills, branch in chunk:
            community, reported_on, grid_branch = reports.get(pk, (None, None, None))
            yield {"name": name, "phone": phone, "gender": gender, "skills": skills, "branch": branch,
                   "community": community, "reported_on": reported_on, "grid_branch": grid_branch}
