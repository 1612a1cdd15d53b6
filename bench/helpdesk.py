"""django-helpdesk (PyPI) as the comparison: to be installed in its own venv under var/bench/ (never
committed), on the same database engine, with as many tickets as the city has needs, served by the same
gunicorn configuration. Not built yet: the row says so rather than showing a figure."""


def compare(table, servers, args, fx, env):
    table.add_figure("django-helpdesk: list and create, ours ÷ theirs", "not measured yet (see README)",
                     target="≥ 2× theirs", met=None)
