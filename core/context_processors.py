from people import scopes


def roles(request):
    """The signed-in user's roles, for navigation; computed lazily so anonymous pages pay nothing."""
    user = request.user
    return {"user_roles": scopes.roles(user) if user.is_authenticated else set(),
            "is_staff_user": scopes.is_staff_user(user) if user.is_authenticated else False}
