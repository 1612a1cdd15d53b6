from django.shortcuts import render


def forbidden(request, exception=None):
    """403 in the user's language, saying only that the page is outside their scope — nothing about it."""
    return render(request, "403.html", status=403)


def not_found(request, exception=None):
    return render(request, "404.html", status=404)
