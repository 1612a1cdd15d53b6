"""Every write to organisations, people, dual reporting, teams, committees, honours and accounts."""

import datetime
import secrets

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.events import event_append, verbs_declare
from core.services import ValidationError, require, validated
from people import scopes
from people.models import (
    ApiToken,
    CallerVersion,
    CoBuildingAgreement,
    CommitteeMember,
    Honour,
    MemberReport,
    MemberReportState,
    Organisation,
    OrganisationReport,
    PartyMembership,
    PartyOrganisation,
    Person,
    PersonalDataAccess,
    RoleAssignment,
    Team,
    TeamMember,
    token_hash,
)
from people.signals import committee_seat_added

verbs_declare({
    "organisation_create": "an organisation registered",
    "organisation_update": "an organisation's details changed",
    "party_organisation_create": "a party organisation (党委 / 党总支 / 党支部) registered",
    "agreement_sign": "a co-building agreement signed with the subdistrict or a community",
    "person_create": "a person recorded",
    "person_update": "a person's record changed (the fields' names, never their values)",
    "person_account_link": "a person's record linked to a sign-in account",
    "membership_create": "a party membership recorded",
    "organisation_report": "a unit's party organisation reported to a community (双报到)",
    "member_report": "a party member reported to the community where they live (双报到)",
    "member_place": "a reported member placed in a grid party branch",
    "team_create": "a volunteer team formed",
    "team_member_add": "a person joined a team",
    "committee_member_add": "a seat on a community's committee (社工委) taken",
    "honour_add": "an honour awarded to a place or a unit",
    "role_grant": "a role given to an account",
    "api_token_issue": "an API token issued to an account",
    "api_token_revoke": "an API token revoked: by its owner, by an administrator, or with all of an account's "
                        "when its password changed",
})


def _require_subdistrict_staff(actor):
    require(scopes.is_superuser(actor) or bool(scopes.roles(actor) & {"subdistrict_admin", "community_staff"}),
            _("Only subdistrict and community staff may do this."))


@transaction.atomic
def organisation_create(*, actor, kind: str, name: str, place=None, address: str = "",
                        contact_phone: str = "", service_categories: str = "") -> Organisation:
    require(actor.has_perm("people.add_organisation", None), _("You may not register organisations."))
    organisation = validated(Organisation(kind=kind, name=name, place=place, address=address,
                                          contact_phone=contact_phone, service_categories=service_categories))
    organisation.save()
    event_append(actor=actor, verb="organisation_create", subject=organisation, data={"name": name, "kind": kind})
    return organisation


@transaction.atomic
def organisation_update(*, actor, organisation: Organisation, **changes) -> Organisation:
    require(actor.has_perm("people.change_organisation", organisation),
            _("You may only change your own organisation or those in your area."))
    changed = {f: v for f, v in changes.items() if getattr(organisation, f) != v}
    if not changed:
        return organisation
    for field, value in changed.items():
        setattr(organisation, field, value)
    validated(organisation).save()
    event_append(actor=actor, verb="organisation_update", subject=organisation, data=changed)
    return organisation


@transaction.atomic
def party_organisation_create(*, actor, level: str, name: str, organisation=None, place=None,
                              parent=None) -> PartyOrganisation:
    require(actor.has_perm("people.change_organisation", organisation) if organisation else
            actor.has_perm("places.change_place", place),
            _("You may not register party organisations here."))
    if organisation is None and place is None:
        raise ValidationError(_("A party organisation belongs to a unit, or to a community or grid."))
    if place is not None and place.kind == "grid" and (parent is None or parent.place_id is None
                                                       or not place.code.startswith(parent.place.code)):
        raise ValidationError({"parent": _("A grid party branch belongs to the party committee of its "
                                           "community.")})
    party_organisation = validated(PartyOrganisation(level=level, name=name, organisation=organisation,
                                                     place=place, parent=parent))
    party_organisation.save()
    event_append(actor=actor, verb="party_organisation_create", subject=party_organisation,
                 data={"name": name, "level": level})
    return party_organisation


@transaction.atomic
def agreement_sign(*, actor, organisation: Organisation, place, signed_on) -> CoBuildingAgreement:
    require(actor.has_perm("places.change_place", place),
            _("Only the subdistrict or the community concerned may sign a co-building agreement."))
    if place.kind not in ("subdistrict", "community"):
        raise ValidationError({"place": _("A co-building agreement is signed with the subdistrict or a "
                                          "community.")})
    agreement, created = CoBuildingAgreement.objects.get_or_create(
        organisation=organisation, place=place, defaults={"signed_on": signed_on})
    if created:
        event_append(actor=actor, verb="agreement_sign", subject=agreement,
                     data={"organisation": organisation.name, "place": place.code, "signed_on": signed_on})
    return agreement


PERSON_FIELDS = ("name", "gender", "phone", "home", "room", "is_resident", "skills")


@transaction.atomic
def person_create(*, actor, name: str, phone: str = "", gender: str = "", home=None, room: str = "",
                  is_resident: bool = False, skills: str = "") -> Person:
    require(actor.has_perm("people.add_person", None), _("You may not register people."))
    if home is not None and not scopes.is_superuser(actor) and not scopes.unit_ids(actor):
        require(scopes.covers_place(actor, home), _("You may only register people who live in your area."))
    person = validated(Person(name=name, phone=phone, gender=gender, home=home, room=room,
                              is_resident=is_resident, skills=skills))
    person.save()
    # The log carries no personal data: the subject id is enough to find the record.
    event_append(actor=actor, verb="person_create", subject=person, data={})
    return person


@transaction.atomic
def person_update(*, actor, person: Person, **changes) -> Person:
    require(actor.has_perm("people.change_person", person), _("You may not change this person's record."))
    changed = [f for f, v in changes.items() if f in PERSON_FIELDS and getattr(person, f) != v]
    if not changed:
        return person
    for field in changed:
        setattr(person, field, changes[field])
    validated(person).save()
    event_append(actor=actor, verb="person_update", subject=person, data={"fields": changed})
    return person


@transaction.atomic
def person_account_link(*, actor, person: Person, user: User) -> Person:
    """Link a login account to the person it belongs to, so self-scoped roles see their own record."""
    require(scopes.is_superuser(actor) or scopes.can_change_person(actor, person),
            _("You may not link an account to this person."))
    if person.user_id == user.pk:
        return person
    if person.user_id is not None:
        raise ValidationError(_("This person already has another account."))
    if Person.objects.filter(user=user).exclude(pk=person.pk).exists():
        raise ValidationError(_("This account already belongs to another person."))
    person.user = user
    person.save(update_fields=["user"])
    event_append(actor=actor, verb="person_account_link", subject=person, data={"user": user.pk})
    return person


@transaction.atomic
def personal_data_reveal(*, actor, person: Person, reason: str = "") -> Person:
    """Record that `actor` is being shown the unmasked name, phone and room of `person`."""
    require(actor.has_perm("people.view_person_full", person),
            _("Your role may not see this person's full personal data."))
    PersonalDataAccess.objects.create(viewer=actor, person=person, fields="name,phone,room", reason=reason)
    return person


@transaction.atomic
def membership_create(*, actor, person: Person, party_organisation: PartyOrganisation, in_service=True,
                      joined_on=None, reporting_to=None) -> PartyMembership:
    """Register a person's membership of a branch. The unit registers its own members; community staff
    may register a member who reports to their community (`reporting_to`), whatever unit they work for."""
    own_branch = (actor.has_perm("people.change_organisation", party_organisation.organisation)
                  if party_organisation.organisation_id else
                  actor.has_perm("places.change_place", party_organisation.place))
    require(own_branch or (reporting_to is not None and actor.has_perm("places.change_place", reporting_to)),
            _("You may only register members of your own party organisation."))
    membership, created = PartyMembership.objects.get_or_create(
        person=person, party_organisation=party_organisation,
        defaults={"in_service": in_service, "joined_on": joined_on})
    if created:
        event_append(actor=actor, verb="membership_create", subject=membership,
                     data={"party_organisation": party_organisation.pk, "in_service": in_service})
    return membership


@transaction.atomic
def organisation_report(*, actor, party_organisation: PartyOrganisation, community,
                        reported_on) -> OrganisationReport:
    """双报到, unit side: the unit's party organisation reports to a community."""
    require(actor.has_perm("people.change_organisation", party_organisation.organisation)
            or actor.has_perm("places.change_place", community),
            _("Only the unit or the community may record the unit's report."))
    if community.kind != "community":
        raise ValidationError({"community": _("A party organisation reports to a community.")})
    report, created = OrganisationReport.objects.get_or_create(
        party_organisation=party_organisation, community=community, defaults={"reported_on": reported_on})
    if created:
        event_append(actor=actor, verb="organisation_report", subject=report,
                     data={"community": community.code, "reported_on": reported_on})
    return report


@transaction.atomic
def member_report(*, actor, membership: PartyMembership, community, reported_on) -> MemberReport:
    """双报到, member side: an in-service member reports to the community where they live."""
    require(actor.has_perm("people.change_person", membership.person)
            or actor.has_perm("places.change_place", community),
            _("Only the member, their unit or the community may record this report."))
    if community.kind != "community":
        raise ValidationError({"community": _("A member reports to a community.")})
    if not membership.in_service:
        raise ValidationError(_("Only in-service party members take part in dual reporting."))
    open_report = membership.reports.exclude(state=MemberReportState.WITHDRAWN).first()
    if open_report is not None:
        if open_report.community_id != community.pk:
            raise ValidationError(_("This member has already reported to %(community)s.")
                                  % {"community": open_report.community.name})
        return open_report
    report = validated(MemberReport(membership=membership, community=community, reported_on=reported_on))
    report.save()
    event_append(actor=actor, verb="member_report", subject=report,
                 data={"community": community.code, "reported_on": reported_on})
    return report


@transaction.atomic
def member_place(*, actor, report: MemberReport, grid_branch: PartyOrganisation, placed_on) -> MemberReport:
    """Place a reported member in a grid party branch of the community they reported to."""
    require(actor.has_perm("places.change_place", report.community),
            _("Only the community's staff may place a member in a grid branch."))
    if (grid_branch.place is None or grid_branch.place.kind != "grid"
            or not grid_branch.place.code.startswith(report.community.code)):
        raise ValidationError({"grid_branch": _("Choose a grid party branch of %(community)s.")
                               % {"community": report.community.name}})
    if report.state == MemberReportState.PLACED and report.grid_branch_id == grid_branch.pk:
        return report
    if report.state == MemberReportState.WITHDRAWN:
        raise ValidationError(_("This report was withdrawn."))
    report.state, report.grid_branch, report.placed_on = MemberReportState.PLACED, grid_branch, placed_on
    report.save(update_fields=["state", "grid_branch", "placed_on"])
    event_append(actor=actor, verb="member_place", subject=report,
                 data={"grid_branch": grid_branch.pk, "placed_on": placed_on})
    return report


@transaction.atomic
def team_create(*, actor, name: str, community=None, organisation=None, founded_on=None,
                description: str = "") -> Team:
    _require_subdistrict_staff(actor)
    team, created = Team.objects.get_or_create(
        name=name, defaults={"community": community, "organisation": organisation, "founded_on": founded_on,
                             "description": description})
    if created:
        event_append(actor=actor, verb="team_create", subject=team, data={"name": name})
    return team


@transaction.atomic
def team_member_add(*, actor, team: Team, person: Person, is_leader=False, joined_on=None) -> TeamMember:
    _require_subdistrict_staff(actor)
    member, created = TeamMember.objects.get_or_create(
        team=team, person=person, defaults={"is_leader": is_leader, "joined_on": joined_on})
    if created:
        event_append(actor=actor, verb="team_member_add", subject=member, data={"team": team.pk})
    return member


@transaction.atomic
def committee_member_add(*, actor, community, since, person=None, organisation=None,
                         represents: str = "") -> CommitteeMember:
    require(actor.has_perm("places.change_place", community), _("Only the community's staff may do this."))
    seat, created = CommitteeMember.objects.get_or_create(
        community=community, person=person, organisation=organisation,
        defaults={"since": since, "represents": represents})
    if created:
        event_append(actor=actor, verb="committee_member_add", subject=seat, data={"represents": represents})
        committee_seat_added.send(sender=CommitteeMember, seat=seat, actor=actor, at=None)
    return seat


@transaction.atomic
def honour_add(*, actor, title: str, awarded_on, awarded_by: str, place=None, organisation=None) -> Honour:
    require(actor.has_perm("places.change_place", place) if place else
            actor.has_perm("people.change_organisation", organisation),
            _("You may only record honours of your own community or unit."))
    honour, created = Honour.objects.get_or_create(
        title=title, place=place, organisation=organisation,
        defaults={"awarded_on": awarded_on, "awarded_by": awarded_by})
    if created:
        event_append(actor=actor, verb="honour_add", subject=honour,
                     data={"title": title, "awarded_on": awarded_on, "awarded_by": awarded_by})
    return honour


@transaction.atomic
def role_grant(*, actor, user: User, role: str, place=None, organisation=None) -> RoleAssignment:
    """Give an account a role over a scope. Staff may grant roles only inside their own scope."""
    if place is not None:
        require(actor.has_perm("places.change_place", place), _("You may only grant roles inside your area."))
    elif organisation is not None:
        require(actor.has_perm("people.change_organisation", organisation),
                _("You may only grant roles for your own organisation."))
    else:
        require(scopes.is_staff_user(actor), _("You may not grant roles."))
    assignment = RoleAssignment.objects.filter(user=user, role=role, place=place,
                                               organisation=organisation).first()
    if assignment:
        return assignment
    assignment = validated(RoleAssignment(user=user, role=role, place=place, organisation=organisation),
                           exclude=["user"])
    assignment.save()
    event_append(actor=actor, verb="role_grant", subject=assignment,
                 data={"user": user.pk, "role": role, "place": place and place.code,
                       "organisation": organisation and organisation.pk})
    return assignment


@transaction.atomic
def api_token_issue(*, user, name: str = "") -> tuple[str, ApiToken]:
    """A new token for `user`, valid for API_TOKEN_DAYS; returns the token itself (shown once) and its row.
    `name` is the owner's label for it (shown on their tokens page)."""
    token = secrets.token_urlsafe(32)
    row = validated(ApiToken(user=user, key_hash=token_hash(token), name=name.strip(),
                             expires_at=timezone.now() + datetime.timedelta(days=settings.API_TOKEN_DAYS)),
                    exclude=["user"])
    row.save()
    event_append(actor=user, verb="api_token_issue", subject=row, data={"expires_at": row.expires_at.isoformat()})
    return token, row


def _revoke(*, actor, token: ApiToken, why: str) -> None:
    event_append(actor=actor, verb="api_token_revoke", subject=token, data={"user": token.user_id, "why": why})
    token.delete()  # the row goes: the bearer check finds nothing, so the token stops working at once


@transaction.atomic
def api_token_revoke(*, actor, token: ApiToken) -> None:
    """Revoke one token: its owner may, and so may an administrator (the back office's delete permission on
    tokens; a superuser has it). Pages and the API look a token up among the actor's own, so anyone else's is
    "not found" there before it gets here."""
    owner = getattr(actor, "pk", None) == token.user_id
    require(owner or actor.has_perm("people.delete_apitoken"), _("You may only revoke your own API tokens."))
    _revoke(actor=actor, token=token, why="owner" if owner else "administrator")


@transaction.atomic
def api_token_revoke_all(*, user) -> int:
    """Revoke every token of `user` because their password changed (people/receivers.py: whoever changed it, on
    whichever page or command): a token taken with the old password must not outlive it. Returns how many."""
    tokens = list(ApiToken.objects.filter(user=user))
    for token in tokens:
        _revoke(actor=user, token=token, why="password_change")
    return len(tokens)


def caller_changed() -> None:
    """Move the number every process's remembered callers are kept under (people/api.py): called on every save
    and delete of an account, its roles, its tokens and a person (people/receivers.py), whichever page, service or
    the back office made it, inside that write's transaction, so the next request of any process reads again."""
    if not CallerVersion.objects.filter(pk=1).update(value=F("value") + 1):
        CallerVersion.objects.get_or_create(pk=1, defaults={"value": 1})
