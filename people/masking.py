"""Masked forms of personal data, for every page, export and log that is not entitled to the full value.
What the public reads of published text and of places: people/public.py."""


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳明月 → 欧***; Latin names keep their first letter."""
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678; landlines keep the area code and the last two digits."""
    digits = phone.replace("-", "")
    if len(digits) == 11 and digits.startswith("1"):
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) >= 6:
        return f"{digits[:4]}****{digits[-2:]}"
    return "*" * len(phone)


def mask_room(room: str) -> str:
    return "***" if room else ""

