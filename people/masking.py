"""Masked forms of personal data, for every page, export and log that is not entitled to the full value."""

import re


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


# A title may name the entrance or the room ("4号楼3单元", "502室"); the public reads it in general terms.
ENTRANCE_OR_ROOM = re.compile(r"\d+\s*号?楼\s*\d+\s*单元(\s*\d+\s*[室号])?"
                              r"|\d+\s*单元(\s*\d+\s*[室号])?|\d{3,4}\s*[室号]")


def public_title(title: str) -> str:
    """The title without the entrance or room number: 东湖小区4号楼3单元加装电梯 → 东湖小区某楼某单元加装电梯."""
    return ENTRANCE_OR_ROOM.sub(lambda m: "某楼某单元" if "楼" in m[0] else ("某单元" if "单元" in m[0] else "某室"),
                                title)
