"""Permissions, registered with django-rules so that `user.has_perm(name, obj)` and
`{% has_perm %}` ask people.scopes. Each predicate takes the object the action is about."""

import rules

from people import scopes


@rules.predicate
def view_person(user, person):
    return person is not None and scopes.can_view_person(user, person)


@rules.predicate
def view_person_full(user, person):
    return person is not None and scopes.can_view_full_personal_data(user, person)


@rules.predicate
def change_person(user, person):
    return scopes.can_change_person(user, person)


@rules.predicate
def change_place(user, place):
    return place is not None and scopes.can_change_place(user, place)


@rules.predicate
def add_top_place(user):
    return scopes.is_superuser(user)


@rules.predicate
def change_organisation(user, organisation):
    return scopes.can_change_organisation(user, organisation)


@rules.predicate
def change_site(user, site):
    return scopes.can_change_site(user, site)


@rules.predicate
def staff(user):
    return scopes.is_staff_user(user)


rules.add_perm("people.view_person", view_person)
rules.add_perm("people.view_person_full", view_person_full)
rules.add_perm("people.change_person", change_person)
rules.add_perm("people.add_person", change_person)
rules.add_perm("people.view_directory", staff)
rules.add_perm("places.change_place", change_place)
rules.add_perm("places.add_place", change_place | add_top_place)
rules.add_perm("people.change_organisation", change_organisation)
rules.add_perm("people.add_organisation", change_organisation)
rules.add_perm("sites.change_site", change_site)
rules.add_perm("sites.add_site", change_site)
