"""The life of an uploaded roster file on one screen; `rosters.services` is the only code that moves it.

    checking ─preview─▶ previewed ─confirm─▶ importing ─finish─▶ imported
        └─refuse─▶ failed   │  ▲                 │
                            │  └───interrupt─────┘
                            └─cancel / expire─▶ cancelled

The uploader confirms and cancels; the other actions are the steps of the check and of the write.
"""

from rosters.models import ImportState

S = ImportState

TRANSITIONS: dict[tuple[str, str], str] = {
    (S.CHECKING, "preview"): S.PREVIEWED,     # every row checked: the preview is ready
    (S.CHECKING, "refuse"): S.FAILED,         # the file as a whole cannot be read
    (S.PREVIEWED, "confirm"): S.IMPORTING,
    (S.PREVIEWED, "cancel"): S.CANCELLED,
    (S.PREVIEWED, "expire"): S.CANCELLED,     # its file was swept (after a day) before anyone confirmed it
    (S.IMPORTING, "finish"): S.IMPORTED,
    # The write stopped: written chunks stay written, and confirming again is safe (a re-import changes
    # nothing twice).
    (S.IMPORTING, "interrupt"): S.PREVIEWED,
}


def next_state(state: str, action: str) -> str | None:
    return TRANSITIONS.get((state, action))
