"""What the public sees of places and people: one rule for public pages, the claim board's cards, the ledger,
its downloads and open data (and Open311 and webhooks when they come).

- **Places** down to the community and the grid, never below (`place_path(place)`: 天庆嘉园社区 ›
  天庆嘉园第一网格). Whoever works on or reported a record, and staff whose area covers its place, see the
  whole path down to the entrance as the pickers show it (`place_path(place, full=True)`: 天庆嘉园社区 ›
  天庆嘉园A区 › 1号楼2单元); a page of records asks `place_paths_shown` once.
- **Text that is published** — titles, descriptions, notes, comments, evidence — is shown through
  `public_text` (the stored text stays as typed, for staff):
  * an entrance or room ("4号楼3单元502室") becomes "某楼某单元", a building number "某楼" (`ENTRANCE_OR_ROOM`);
  * a mobile number, a landline or an ID-card number is masked (138****5678, `PHONE`, `ID_CARD`);
  * the name of any person on record linked to the record — the caller passes those names: for a need its
    reporters, the member holding it, the members of the units holding it or helping, and the people living
    in its place (`needs.public.names_on_record`; a title, on a list of a hundred, `title_names`); for a site
    the people of its community and its operator's members (`sites.views`) — is replaced by 某某. Names are
    looked up in a set, a few character windows per position of the text, so a need's hundreds of neighbours
    cost no more than one name; the city's million people are never loaded. Where a list's linked people are
    too many to read, the text's words are looked up by name instead (`named_in`, the index on names);
  * a surname followed by a form of address (高先生, 王阿姨, 李大爷, 张女士, 欧阳老师), whoever it is, becomes
    某先生, 某阿姨 … (`FORM_OF_ADDRESS`: the common surnames, less a few that are mostly words, such as 向 "to"
    in 向阿姨道歉; not after a word that ends in a surname's character, such as 照顾老人 or 谢谢阿姨).
- Who sees a record's text as typed: staff whose area covers its place, and the record's own people (the
  reporter; for a need, needs.public decides). Everyone else, and every public form, reads `public_text`.
"""

import re
from collections.abc import Iterable

from django.db.models import QuerySet

from people.masking import mask_phone
from places.models import PLACE_RULES, Place, PlaceKind
from places.selectors import place_paths

PUBLIC_DEPTHS = (PLACE_RULES[PlaceKind.COMMUNITY][1], PLACE_RULES[PlaceKind.GRID][1])  # codes of 12 and 15 digits
SEPARATOR = " › "


def path_codes(code: str) -> list[str]:
    """The codes a place is shown to the public by: its community and its grid. A place above a community (a
    subdistrict) is shown by its own name."""
    return [code[:n] for n in PUBLIC_DEPTHS if n <= len(code)] or [code]


def place_paths_shown(places: Iterable[Place], *, full: Iterable[int] = ()) -> dict[int, str]:
    """Each place's path as a viewer may read it, by pk, in two queries whatever the number of places: the
    public path (天庆嘉园社区 › 天庆嘉园第一网格), or for the places whose pk is in `full` the whole path as the
    pickers show it (places.selectors.place_paths: 天庆嘉园社区 › 天庆嘉园A区 › 1号楼2单元)."""
    places, full = list(places), set(full)
    paths = {pk: SEPARATOR.join(names) for pk, names in place_paths([p for p in places if p.pk in full]).items()}
    public = [p for p in places if p.pk not in full]
    codes = {c for p in public for c in path_codes(p.code)}
    names = dict(Place.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    for place in public:
        known = {**names, place.code: place.name}
        paths[place.pk] = SEPARATOR.join(known[c] for c in path_codes(place.code) if c in known)
    return paths


def place_path(place: Place, *, full: bool = False) -> str:
    """One place's path: to the grid for the public, whole for those entitled (one query)."""
    return place_paths_shown([place], full=[place.pk] if full else ())[place.pk]


# --- Published text ---------------------------------------------------------------------------------

# A title or note may name the entrance, room or building ("4号楼3单元", "502室", "4号楼"); the public reads it
# in general terms, as the ledger's deeds are listed. Digits right after 单元 are a room even without 室
# ("3单元502"), and "4-3-502" is building-entrance-room as people write it on a door. A number right after a
# street's name is its door number, a public address (段家滩路205号楼院), not a room.
ENTRANCE_OR_ROOM = re.compile(r"(?<![\d路街巷道])(?:\d+\s*号?楼\s*\d+\s*单元(\s*\d+\s*[室号]?)?"
                              r"|\d+\s*单元(\s*\d+\s*[室号]?)?|\d{3,4}\s*[室号]|\d+\s*(号楼|栋楼?|幢)"
                              r"|\d{1,2}-\d{1,2}-\d{3,4}(?!\d))")


def _place_words(m: re.Match) -> str:
    text = m[0]
    if "单元" in text:
        return "某楼某单元" if "楼" in text else "某单元"
    if "-" in text:
        return "某楼某单元某室"
    if "楼" in text or "栋" in text:
        return "某楼"
    return "某室"


# Mobiles (138 1234 5678, +86 …), landlines with their area code (0931-8123456) and 18-digit ID-card numbers;
# never part of a longer number (a place code has 12 to 23 digits).
PHONE = re.compile(r"(?<![0-9A-Za-z])(?:\+?86[- ]?)?(1[3-9]\d[- ]?\d{4}[- ]?\d{4}|0\d{2,3}[- ]?\d{7,8})(?!\d)")
DIGIT = re.compile(r"\d")
ID_CARD = re.compile(r"(?<!\d)[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?!\d)")

# The common surnames (about nine in ten people carry one of them), the compound ones first; left out are the
# few that are mostly words standing before a form of address: 向 (向阿姨道歉), 和, 于, 与, 同, 为, 代, 连, 时, 祝
# (祝老人健康), 师.
COMPOUND_SURNAMES = "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 令狐 端木 南宫 西门".split()
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任"
            "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴"
            "莫孔汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘包宁尚符舒阮柯纪梅童"
            "凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳穆农司卓古吉缪简车项芦麦"
            "褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘"
            "池查麻苑迟邝")
FORMS_OF_ADDRESS = ("先生 女士 小姐 阿姨 大爷 大妈 大娘 大叔 大伯 大姐 大哥 奶奶 爷爷 婆婆 阿婆 阿伯 叔叔 伯伯 婶婶 "
                    "师傅 老师 同志 老人 姐 哥").split()
FORM_OF_ADDRESS = re.compile(f"(?:{'|'.join(COMPOUND_SURNAMES)}|[{SURNAMES}])"
                             f"(?P<address>{'|'.join(sorted(FORMS_OF_ADDRESS, key=len, reverse=True))})")
# Words that end in a surname's character: 照顾老人 is caring for the elderly, not Mr 顾; 谢谢阿姨 thanks auntie.
NOT_A_SURNAME = set((
    "对方 双方 警方 照顾 保安 公安 治安 门卫 保卫 环卫 健康 设施 措施 实施 检查 排查 "
    "调查 身边 旁边 周边 了解 理解 调解 公司 租车 交车 动车 开车 水管 城管 物管 主管 "
    "语文 主任 责任 担任 马路 走路 病房 住房 安全 完成 组成 答应 供应 事项 主席 入党 "
    "承包 旅游 机关 有关 相关 经常 正常 日常 资金 现金 提高 最高 明白 清单 名单 儿童 "
    "工程 过程 感谢 谢谢 多谢 任何 如何 紧张 支付 说明 证明 照明"
).split())


def _address(m: re.Match) -> str:
    start = m.start()
    if start and m.string[start - 1:start + 1] in NOT_A_SURNAME:
        return m[0]
    return "某" + m["address"]


NAME_MASK = "某某"


def _mask_names(text: str, names: set[str]) -> str:
    """Each name of the set in the text replaced by 某某, the longest first where names overlap: at each
    position the text's next few characters are looked up in the set (names are 2 to 4 characters), so the
    cost is the text's length, whatever the number of names."""
    lengths = sorted({len(n) for n in names}, reverse=True)
    out, i = [], 0
    while i < len(text):
        for n in lengths:
            if text[i:i + n] in names:
                out.append(NAME_MASK)
                i += n
                break
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def public_text(text: str, names: Iterable[str] = ()) -> str:
    """Published text as the public reads it (the module's docstring has the rule): entrances, rooms and
    buildings in general terms, phones and ID numbers masked, the given names of people on record and any
    surname with a form of address replaced."""
    if not text:
        return text or ""
    if DIGIT.search(text):  # rooms, phones and ID numbers all have digits; most titles have none
        text = ENTRANCE_OR_ROOM.sub(_place_words, text)
        text = ID_CARD.sub(lambda m: m[0][:3] + "*" * (len(m[0]) - 3), text)
        text = PHONE.sub(lambda m: mask_phone(re.sub(r"\D", "", m[1])), text)
    # A one-character name would mask every such character; a name not in the text costs no scan.
    wanted = {n for n in names if n and len(n) >= 2 and n in text}
    if wanted:
        text = _mask_names(text, wanted)
    return FORM_OF_ADDRESS.sub(_address, text)


HAN_RUN = re.compile(r"[\u3400-\u9fff]{2,}")
NAME_LENGTHS = (2, 3, 4)  # most names: a surname of one or two characters and a given name of one or two
NAMES_PER_QUERY = 5000  # SQLite takes up to 32,766 parameters a query


def named_in(texts: Iterable[str], people: QuerySet, *fields: str) -> list[tuple]:
    """The `fields` of those of `people` (persons) whose name, of two to four Chinese characters, the texts hold:
    each run of so many characters in them is looked up by the index on names, a few thousand a query — so a
    list of titles is checked against the people it may name (a grid's, a community's) without reading them."""
    words = sorted({run[i:i + n] for text in set(texts) for run in HAN_RUN.findall(text or "")
                    for n in NAME_LENGTHS for i in range(len(run) - n + 1)})
    return [row for i in range(0, len(words), NAMES_PER_QUERY)
            for row in people.filter(name__in=words[i:i + NAMES_PER_QUERY]).values_list(*fields)]


def personal_data_in(text: str, names: Iterable[str] = ()) -> bool:
    """Whether public_text would change the text for its people (names, forms of address, phones, ID numbers),
    not only for its places: what staff are warned of as they type."""
    if not text:
        return False
    general = ENTRANCE_OR_ROOM.sub(_place_words, text)
    return public_text(general, names) != general
