"""Minutes in versions: a draft is edited in place; approved minutes never change — editing them is refused in
words with nothing written; a new version with a reason supersedes them once approved (published minutes stay
published), and the old version stays readable. Attachments go on drafts, checked by their content."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from meetings.models import Minutes, MinutesState
from meetings.services import attachment_add, minutes_approve, minutes_publish, minutes_revise, minutes_write
from meetings.tests.conftest import events_count

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def chinese(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def approved(held, staff):
    minutes = minutes_write(actor=staff, meeting=held, text="一、通报加装电梯意见征集情况。")
    minutes_write(actor=staff, meeting=held, text="一、通报加装电梯意见征集情况。二、楼道清理。")
    return minutes_approve(actor=staff, minutes=minutes)


def test_a_draft_is_edited_in_place(approved):
    assert approved.version == 1 and approved.state == MinutesState.APPROVED
    assert approved.text.endswith("二、楼道清理。") and Minutes.objects.count() == 1


def test_approved_minutes_are_never_edited_in_place(approved, held, staff):
    before = events_count()
    with pytest.raises(ValidationError, match="已批准的会议纪要不能直接修改：请提交新版本并说明原因。"):
        minutes_write(actor=staff, meeting=held, text="改过的纪要")
    approved.refresh_from_db()
    assert approved.text.endswith("二、楼道清理。") and events_count() == before
    with pytest.raises(ValidationError, match="不能批准"):
        minutes_approve(actor=staff, minutes=approved)


def test_a_revision_with_a_reason_supersedes_and_the_old_version_stays_readable(approved, held, staff):
    published = minutes_publish(actor=staff, minutes=approved)
    assert published.state == MinutesState.PUBLISHED
    with pytest.raises(ValidationError, match="原因"):
        minutes_revise(actor=staff, meeting=held, text="更正后的纪要", reason="")
    revision = minutes_revise(actor=staff, meeting=held, text="更正后的纪要", reason="出席人数记录有误")
    assert (revision.version, revision.state, revision.reason) == (2, MinutesState.DRAFT, "出席人数记录有误")
    approved.refresh_from_db()
    assert approved.state == MinutesState.PUBLISHED  # stands until the new version is approved
    with pytest.raises(ValidationError, match="仍是草稿"):
        minutes_revise(actor=staff, meeting=held, text="又一版", reason="再改")
    minutes_write(actor=staff, meeting=held, text="更正后的纪要（定稿）")  # the draft, in place
    minutes_approve(actor=staff, minutes=revision)
    revision.refresh_from_db()
    approved.refresh_from_db()
    assert revision.state == MinutesState.PUBLISHED and revision.text == "更正后的纪要（定稿）"
    assert approved.state == MinutesState.SUPERSEDED and approved.text.endswith("二、楼道清理。")
    assert list(held.minutes.order_by("version").values_list("version", flat=True)) == [1, 2]


def test_minutes_are_published_once_the_meeting_is_held(meeting, staff):
    minutes = minutes_approve(actor=staff, minutes=minutes_write(actor=staff, meeting=meeting, text="预备稿"))
    with pytest.raises(ValidationError, match="会议举行后才能发布纪要"):
        minutes_publish(actor=staff, minutes=minutes)
    minutes.refresh_from_db()
    assert minutes.state == MinutesState.APPROVED


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, format="PNG")
    return out.getvalue()


def test_attachments_go_on_drafts_checked_by_content(held, staff):
    draft = minutes_write(actor=staff, meeting=held, text="纪要")
    pdf = attachment_add(actor=staff, minutes=draft, name="签到表",
                         file=SimpleUploadedFile("qiandao.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj <<>> endobj\n"))
    photo = attachment_add(actor=staff, minutes=draft, file=SimpleUploadedFile("board.png", _png()), is_public=True)
    assert (pdf.name, pdf.is_public) == ("签到表", False) and photo.file.name.endswith(".jpg")
    before = events_count()
    with pytest.raises(ValidationError, match="不是PDF、图片、Word或Excel文件"):
        attachment_add(actor=staff, minutes=draft, file=SimpleUploadedFile("evil.pdf", b"MZ\x90\x00 not a pdf"))
    with pytest.raises(ValidationError, match="最大10 MB"):
        attachment_add(actor=staff, minutes=draft,
                       file=SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024)))
    minutes_approve(actor=staff, minutes=draft)
    with pytest.raises(ValidationError, match="附件只能添加到草稿"):
        attachment_add(actor=staff, minutes=draft, file=SimpleUploadedFile("late.pdf", b"%PDF-1.4\n"))
    assert draft.attachments.count() == 2 and events_count() == before + 1  # the approval
