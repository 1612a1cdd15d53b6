"""What sites tells the apps above it (they subscribe in their AppConfig.ready(); sent after the commit):

- `stock_low(item, movement)`: a consumable's stock fell to its low-stock threshold or below (a give-out or a
  correction). The operator's accounts: `sites.selectors.operator_users(item.site)`.
- `loan_overdue(loan)`: a loan passed its due date (sent once per loan, by the sweep in sites/tasks.py).

Without a subscriber the alerts still show: the operator's page lists low-stock items and overdue loans.
"""

from django.dispatch import Signal

stock_low = Signal()
loan_overdue = Signal()
