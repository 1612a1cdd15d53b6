"""The categories of SPEC §3 and the default deadline policies (configurable afterwards in the admin)."""

from decimal import Decimal

from django.db import migrations

CATEGORIES = [
    # name, keywords (matched against what units and members offer), resolve days if complex
    ("加装电梯", "电梯, 加装电梯, 加装电梯咨询", 15),
    ("环境卫生", "环境, 卫生, 垃圾, 清扫", None),
    ("交通秩序", "交通, 停车, 出租, 文明交通", None),
    ("升学政策", "升学, 招生, 教育, 入学", None),
    ("出行困难", "出行, 接送, 出租车, 残疾人", None),
    ("设施维修", "维修, 设施, 路灯, 水电", None),
    ("邻里纠纷", "纠纷, 调解, 邻里, 法律咨询", None),
    ("养老服务", "养老, 老人, 义诊, 助餐", None),
    ("法律咨询", "法律, 法律咨询, 律师", None),
    ("医疗健康", "义诊, 医疗, 健康, 体检", None),
]


def seed(apps, schema_editor):
    Category = apps.get_model("needs", "Category")
    DeadlinePolicy = apps.get_model("needs", "DeadlinePolicy")
    from core.pinyin import pinyin_key

    for order, (name, keywords, complex_days) in enumerate(CATEGORIES):
        category, _ = Category.objects.get_or_create(
            name=name, defaults={"keywords": keywords, "order": order, "pinyin": pinyin_key(name)})
        if complex_days:
            DeadlinePolicy.objects.get_or_create(category=category, concern_level="",
                                                 defaults={"resolve_days": Decimal(complex_days)})
    DeadlinePolicy.objects.get_or_create(category=None, concern_level="")
    DeadlinePolicy.objects.get_or_create(category=None, concern_level="anguish",
                                         defaults={"resolve_days": Decimal(1)})


class Migration(migrations.Migration):
    dependencies = [("needs", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
