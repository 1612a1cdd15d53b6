from people.masking import mask_name, mask_phone, mask_room


def test_it_masks_mobile_and_landline_numbers():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0931-8123456") == "0931****56"
    assert "8123" not in mask_phone("0931-8123456")


def test_it_masks_names_and_rooms():
    assert mask_name("高建国") == "高**"
    assert mask_name("葛修琼") == "葛**"
    assert mask_name("王") == "王*"
    assert mask_room("302") == "***" and mask_room("") == ""

