"""Who runs a station's stock and loans (django-rules, asked as `user.has_perm("sites.operate_site", site)`):
the admins of its operator unit, and the staff whose area covers its place (community staff, subdistrict
admins: people.scopes.can_change_site)."""

import rules

from people import scopes


@rules.predicate
def operate_site(user, site):
    if site is None:
        return False
    if site.operator_id and site.operator_id in scopes.unit_ids(user):
        return True
    return scopes.can_change_site(user, site)


rules.add_perm("sites.operate_site", operate_site)
