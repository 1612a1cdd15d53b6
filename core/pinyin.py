"""Pinyin search keys, so that 天庆嘉园 is found by "tianqing" and by its initials "tqjy"."""

from pypinyin import Style, lazy_pinyin


def pinyin_key(text: str) -> str:
    """Full pinyin and initials, lower case, space separated: "tianqingjiayuan tqjy"."""
    if not text:
        return ""
    full = "".join(lazy_pinyin(text, errors="default")).lower()
    initials = "".join(
        syllable[0] for syllable in lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default") if syllable
    ).lower()
    return f"{full} {initials}"
