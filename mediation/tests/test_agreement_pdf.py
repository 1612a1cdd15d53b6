"""The agreement's PDF: 人民调解协议书 with its number, the parties in full, the facts, terms and performance, a
signature line for each party and mediator, the committee's seal line — and it is only the case readers'."""

import datetime

import pytest

from mediation.agreements import agreement_pdf
from mediation.services import dispute_agree, dispute_assess, dispute_mediate
from mediation.tests.conftest import NOW
from places.tests.qr import pdf_pages

pytestmark = pytest.mark.django_db


def agreed(dispute, pair):
    dispute_assess(actor=pair["head"], dispute=dispute, note="防水层老化", at=NOW)
    dispute_mediate(actor=pair["manager"], dispute=dispute, at=NOW)
    return dispute_agree(actor=pair["manager"], dispute=dispute, at=NOW,
                         facts="楼上卫生间防水层老化，渗水至楼下顶棚。\n双方就维修费用分担有争议。",
                         terms="楼上住户负责重做卫生间防水。\n物业公司协助检查管道并提供维修人员。",
                         performance="楼上住户自行委托维修，物业配合。", perform_by=datetime.date(2021, 6, 20),
                         signed_on=datetime.date(2021, 6, 1))


def test_the_agreement_prints_its_parties_terms_and_signature_lines(dispute, pair, settings):
    agreement = agreed(dispute, pair)
    content = agreement_pdf(agreement)
    assert content.startswith(b"%PDF")
    (settings.VAR_DIR / "screenshots").mkdir(parents=True, exist_ok=True)
    (settings.VAR_DIR / "screenshots" / "mediation-agreement.pdf").write_bytes(content)  # looked at as an image
    text = "".join("".join(page.extract_text().split()) for page in pdf_pages(content))
    assert "人民调解协议书" in text and agreement.number == "天庆调〔2021〕1号" and agreement.number in text
    assert "张三" in text and "上官明" in text and "2单元502" in text  # in full: the parties' own document
    assert "申请人" in text and "被申请人" in text
    assert "防水层老化" in text and "重做卫生间防水" in text and "2021年6月20日" in text
    assert "楼长甲" in text and "物业乙" in text and "天庆嘉园社区人民调解委员会" in text
    assert text.count("签名") == 2  # a line for each party (the mediators sign as 调解员)
    assert "13598765432" not in text  # the phone is not printed
