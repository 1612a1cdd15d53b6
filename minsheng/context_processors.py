from people import scopes


def roles(request):
    """The signed-in user's roles, for navigation; computed lazily so anonymous pages pay nothing."""
    user = request.user
    if not user.is_authenticated:
        return {"user_roles": set(), "is_staff_user": False, "can_triage": False}
    user_roles = scopes.roles(user)
    return {"user_roles": user_roles, "is_staff_user": scopes.is_staff_user(user),
            "can_triage": scopes.is_superuser(user) or bool(user_roles & set(scopes.PLACE_ROLES))}
