"""people/public.py: what the public reads of places and of published text."""

import pytest

from people.public import path_codes, personal_data_in, place_path, place_paths_shown, public_text


def test_it_takes_the_entrance_room_and_building_out_of_a_title():
    assert public_text("东湖小区4号楼3单元加装电梯") == "东湖小区某楼某单元加装电梯"
    assert public_text("3单元502室漏水") == "某单元漏水" and public_text("楼上1201室噪音") == "楼上某室噪音"
    assert public_text("10号楼楼道灯不亮") == "某楼楼道灯不亮" and public_text("3栋外墙脱落") == "某楼外墙脱落"
    assert public_text("雁园小区3栋楼居民") == "雁园小区某楼居民"


def test_it_takes_a_room_written_without_its_室_out_too():
    assert public_text("3单元502漏水") == "某单元漏水" and public_text("4号楼3单元 1201 噪音") == "某楼某单元噪音"
    assert public_text("住4-3-502的老人") == "住某楼某单元某室的老人"
    assert public_text("2021-07-13 接送") == "2021-07-13 接送"  # a date is not a door


def test_a_streets_door_number_is_a_public_address_not_a_room():
    assert public_text("段家滩路205号楼院路灯不亮") == "段家滩路205号楼院路灯不亮"
    assert public_text("盘旋路12号门前积水") == "盘旋路12号门前积水"
    assert public_text("段家滩路205号楼院3单元502室漏水") == "段家滩路205号楼院某单元漏水"


@pytest.mark.parametrize(("typed", "published"), [
    ("电话回访高先生，已修好", "电话回访某先生，已修好"),
    ("王阿姨说谢谢", "某阿姨说谢谢"),
    ("李大爷腿脚不便", "某大爷腿脚不便"),
    ("张女士、欧阳老师和刘姐来了", "某女士、某老师和某姐来了"),
])
def test_it_hides_the_surname_before_any_form_of_address(typed, published):
    assert public_text(typed) == published
    assert personal_data_in(typed)


@pytest.mark.parametrize("text", ["谢谢阿姨", "照顾老人", "保安师傅已到场", "对方阿姨不同意", "向阿姨道歉",
                                  "祝老人健康", "检查师傅下午来", "设施老化"])
def test_words_that_end_in_a_surname_are_left_alone(text):
    assert public_text(text) == text
    assert not personal_data_in(text)


@pytest.mark.parametrize(("typed", "published"), [
    ("联系13812345678", "联系138****5678"),
    ("手机 138-1234-5678 晚上打", "手机 138****5678 晚上打"),
    ("+86 13812345678", "138****5678"),
    ("座机0931-8123456", "座机0931****56"),
    ("身份证620102199001011234", "身份证620***************"),
])
def test_it_masks_phones_and_id_numbers(typed, published):
    assert public_text(typed) == published
    assert personal_data_in(typed)


def test_longer_numbers_and_place_codes_stay():
    for text in ("地点编码 620102010001001001", "拨打12345热线", "共 2465 户"):
        assert public_text(text) == text


def test_it_replaces_the_names_it_is_given_longest_first():
    names = ["高建国", "高建", "李娜"]
    assert public_text("高建国和李娜反映，高建也来了", names) == "某某和某某反映，某某也来了"
    assert public_text("高建国说好", []) == "高建国说好"  # not a name on record, no form of address
    assert public_text("王说", ["王"]) == "王说"  # a one-character name would mask every such character


def test_the_place_words_alone_are_not_personal_data():
    assert not personal_data_in("4号楼3单元楼道灯不亮")
    assert personal_data_in("4号楼3单元高建国家", ["高建国"])


def test_a_public_path_stops_at_the_grid():
    assert path_codes("62010201000100100100101") == ["620102010001", "620102010001001"]
    assert path_codes("620102010") == ["620102010"]  # a subdistrict is shown by its own name


def test_place_path_reads_the_names_once(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        public = place_path(tree["entrance"])
    assert public == "天庆嘉园社区 › 天庆嘉园第一网格"
    assert place_path(tree["entrance"], full=True) == "天庆嘉园社区 › 天庆嘉园A区 › 1号楼2单元"  # as pickers show it
    assert place_path(tree["tqjy"]) == "天庆嘉园社区" and place_path(tree["subdistrict"]) == "拱星墩街道"


def test_a_list_of_places_costs_two_queries_whatever_its_length(tree, django_assert_num_queries):
    places = [tree[k] for k in ("entrance", "building", "compound", "grid1", "grid2", "compound2")]
    with django_assert_num_queries(2):
        paths = place_paths_shown(places, full=[tree["building"].pk, tree["compound2"].pk])
    assert paths[tree["grid2"].pk] == "五里铺东社区 › 五里铺东第一网格"
    assert paths[tree["compound2"].pk] == "五里铺东社区 › 五里铺东小区"
    assert paths[tree["building"].pk] == "天庆嘉园社区 › 天庆嘉园A区 › 1号楼"
