"""The vaccines used in Indonesia's programmes and their dose intervals (platform staff edit
them afterwards in the admin)."""

from django.db import migrations

BRANDS = (
    # code, name, (min, max) days dose 1 -> 2, booster (dose 2 -> 3) minimum days
    ("sinovac", "Sinovac (CoronaVac)", (28, 42), 180),
    ("astrazeneca", "AstraZeneca", (84, 98), 180),
    ("pfizer", "Pfizer-BioNTech", (21, 42), 180),
    ("moderna", "Moderna", (28, 42), 180),
    ("sinopharm", "Sinopharm", (21, 28), 180),
)


def add_brands(apps, schema_editor):
    from django_tenants.utils import get_public_schema_name

    if schema_editor.connection.schema_name != get_public_schema_name():
        return
    brand_model = apps.get_model("tenants", "VaccineBrand")
    rule_model = apps.get_model("tenants", "DoseIntervalRule")
    for code, name, (low, high), booster in BRANDS:
        brand, _ = brand_model.objects.get_or_create(code=code, defaults={"name": name})
        rule_model.objects.get_or_create(
            brand=brand, from_dose=1, to_dose=2, defaults={"min_days": low, "max_days": high}
        )
        rule_model.objects.get_or_create(
            brand=brand, from_dose=2, to_dose=3, defaults={"min_days": booster, "max_days": None}
        )


class Migration(migrations.Migration):
    dependencies = [("tenants", "0002_vaccinebrand_doseintervalrule")]

    operations = [migrations.RunPython(add_brands, migrations.RunPython.noop)]
