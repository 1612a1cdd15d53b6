"""django-helpdesk (PyPI) as the comparison: installed in its own venv under var/bench/ (never committed),
on the same database engine, with as many tickets as the city has needs, served by the same gunicorn
configuration; its ticket list and ticket creation are timed like ours."""


def compare(table, servers, args, fx, env):
    table.add_figure("django-helpdesk comparison", "not run yet")
