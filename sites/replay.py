"""A loan's row replayed from its events (`manage.py verify_events --state`, core.replay). Loans have no transition
table: out from loan_create, closed by loan_return or loan_mark_lost, marked once by the sweep's loan_overdue
(sites.services); the item and the borrower on record as the events name them (a passer-by's name and phone are
not in the events: private).
"""

import datetime

from core.replay import UNKNOWN, state_compare
from sites.models import Loan

FIELDS = ("item_id", "person_id", "lent_at", "due_on", "returned_at", "lost_at", "overdue_at")
MARKED_AT = {"loan_return": "returned_at", "loan_mark_lost": "lost_at", "loan_overdue": "overdue_at"}  # verb → time


def loan_replay(events) -> dict:
    loan = dict.fromkeys(FIELDS)
    for verb, at, data in events:
        if verb == "loan_create":
            loan.update(lent_at=at, person_id=data.get("person"),
                        due_on=datetime.date.fromisoformat(data["due_on"]) if "due_on" in data else UNKNOWN)
        elif verb in MARKED_AT:
            loan[MARKED_AT[verb]] = at
        else:
            continue
        loan["item_id"] = data.get("item", UNKNOWN)
    return {field: value for field, value in loan.items() if value is not UNKNOWN}


def loans_check():
    return state_compare("sites.loan", Loan.objects.all(), FIELDS, loan_replay)
