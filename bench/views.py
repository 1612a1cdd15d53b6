"""Bare baselines: the least a Django view can do for each scenario — one or two raw SQL queries and a JSON
response, no ORM, no templates, no permission checks. Served by the same gunicorn as the app
(bench.settings), so a scenario's ratio to its baseline measures what the app adds."""

import datetime
import json

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from needs.models import reference_new

BOARD_STATES = {"open": ("published",), "working": ("claimed", "in_progress", "escalated"),
                "done": ("resolved", "closed")}


def _rows(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [c[0] for c in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def bare_list(request):
    """The same 20 rows as the claim board and the API list: public needs of a tab, in a community,
    below a keyset cursor, newest first."""
    states = BOARD_STATES[request.GET.get("tab", "done")]
    marks = ", ".join(["%s"] * len(states))
    rows = _rows(
        f"SELECT n.id, n.title, n.state, n.concern_level, n.submitted_at, p.code AS place, p.name AS place_name, "
        f"c.name AS category FROM needs_need n JOIN places_place p ON p.id = n.place_id "
        f"LEFT JOIN needs_category c ON c.id = n.category_id "
        f"WHERE n.is_public AND n.state IN ({marks}) AND p.code LIKE %s AND n.id < %s ORDER BY n.id DESC LIMIT 20",
        [*states, request.GET["community"] + "%", int(request.GET.get("before") or 2**62)])
    return JsonResponse({"items": rows})


def bare_detail(request, pk):
    """One need and its events."""
    need = _rows("SELECT n.id, n.title, n.description, n.state, n.submitted_at, p.code AS place "
                 "FROM needs_need n JOIN places_place p ON p.id = n.place_id WHERE n.id = %s", [pk])
    events = _rows("SELECT at, verb, data FROM core_event WHERE subject_type = 'needs.need' AND subject_id = %s "
                   "ORDER BY id", [str(pk)])
    return JsonResponse({"need": need[0] if need else None, "events": events})


@csrf_exempt
def bare_submit(request):
    """One INSERT of a need with the client's title and place."""
    body = json.loads(request.body)
    now = datetime.datetime.now(datetime.UTC)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO needs_need (title, description, concern_level, channel, place_id, show_name, affected, "
            "is_public, state, level, resolution_note, rating, rating_comment, rated_by_follow_up, submitted_at, "
            "overdue, updated_at, contact_name, contact_phone, evidence, reference) VALUES (%s, %s, 'annoyance', "
            "'api', (SELECT id FROM places_place WHERE code = %s), %s, 1, %s, 'submitted', 'community', '', '', '', "
            "%s, %s, %s, %s, '', '', '', %s)",
            [body["title"], body.get("description", ""), body["place"], False, True, False, now, False, now,
             reference_new()])
    return JsonResponse({"ok": True}, status=201)


@csrf_exempt
def bare_claim(request, pk):
    """One conditional UPDATE: the first claim wins, the others find the row no longer published."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE needs_need SET state = 'claimed', lead_organisation_id = %s, claimed_at = %s "
                       "WHERE id = %s AND state = 'published'",
                       [int(request.GET["organisation"]), datetime.datetime.now(datetime.UTC), pk])
        won = cursor.rowcount == 1
    return JsonResponse({"won": won}, status=200 if won else 409)


def bare_ledger(request):
    """The naive ledger: one GROUP BY over the raw needs table for a place and a period."""
    rows = _rows(
        "SELECT n.state, COUNT(*) AS n FROM needs_need n JOIN places_place p ON p.id = n.place_id "
        "WHERE p.code LIKE %s AND n.submitted_at >= %s AND n.submitted_at < %s GROUP BY n.state",
        [request.GET["place"] + "%", request.GET["from"], request.GET["to"]])
    return JsonResponse({"figures": rows})
