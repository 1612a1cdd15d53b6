"""The Chinese font every PDF embeds (the ledger's, posters, certificates)."""

import functools
import subprocess


@functools.cache  # asked once per process, not once per PDF (fc-list takes tens of milliseconds)
def cjk_font() -> str | None:
    """The name of an installed font that has Simplified Chinese, or None (then no PDF is made and the page says
    which package to install). A font installed later is seen after a restart."""
    try:
        found = subprocess.run(["fc-list", ":lang=zh-cn", "family"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    families = [line.split(",")[0].strip() for line in found.stdout.splitlines() if line.strip()]
    return sorted(families)[0] if families else None
