"""The organiser's lifecycle (draft -> submitted -> in_review -> approved / changes_requested /
rejected; suspended), the append-only audit log and the review queue's index.

Existing organisers keep their behaviour: `pending` (waiting for review) becomes `submitted`,
so they stay in staff's queue and still take no bookings; the other values keep their name.
The audit table refuses UPDATE, DELETE and TRUNCATE (a trigger), whoever asks. The index is
filled from every organiser and every organiser's venues, once, here; afterwards the services
that change a status write it."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

APPEND_ONLY = """
CREATE FUNCTION tenants_auditentry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER tenants_auditentry_no_update_or_delete
    BEFORE UPDATE OR DELETE ON tenants_auditentry
    FOR EACH ROW EXECUTE FUNCTION tenants_auditentry_append_only();
CREATE TRIGGER tenants_auditentry_no_truncate
    BEFORE TRUNCATE ON tenants_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION tenants_auditentry_append_only();
"""
APPEND_ONLY_REVERSE = """
DROP TRIGGER tenants_auditentry_no_truncate ON tenants_auditentry;
DROP TRIGGER tenants_auditentry_no_update_or_delete ON tenants_auditentry;
DROP FUNCTION tenants_auditentry_append_only();
"""

WAITING = ("submitted", "in_review")


def states_forward(apps, schema_editor):
    Tenant = apps.get_model("tenants", "Tenant")
    Tenant.objects.filter(review_status="pending").update(review_status="submitted")
    Tenant.objects.update(review_status_changed_at=models.F("created_at"))


def states_backward(apps, schema_editor):
    Tenant = apps.get_model("tenants", "Tenant")
    Tenant.objects.filter(review_status__in=("draft", "submitted", "in_review")).update(
        review_status="pending"
    )
    Tenant.objects.filter(review_status="suspended").update(review_status="approved")


def index_fill(apps, schema_editor):
    """One row per organiser and per venue. Venues are read with schema-qualified names (no
    search_path switch: tenants.context owns those), once, at migration time."""
    Tenant = apps.get_model("tenants", "Tenant")
    ReviewItem = apps.get_model("tenants", "ReviewItem")
    OrganizerSignup = apps.get_model("tenants", "OrganizerSignup")
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    for tenant in Tenant.objects.exclude(schema_name__in=("public", "sentra_template")):
        signup = OrganizerSignup.objects.filter(tenant=tenant).first()
        kind = signup.programme_kind if signup is not None else ""
        ReviewItem.objects.create(
            kind="organiser",
            tenant=tenant,
            name=tenant.name,
            state=tenant.review_status,
            waiting_since=tenant.review_status_changed_at,
            organisation_kind=kind,
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT to_regclass(%s)", [f"{quote(tenant.schema_name)}.organizers_venue"]
            )
            if cursor.fetchone()[0] is None:
                continue
            cursor.execute(
                "SELECT id, name, status, province, created_at FROM "
                f"{quote(tenant.schema_name)}.organizers_venue"
            )
            venues = cursor.fetchall()
        for venue_id, name, status, province, created_at in venues:
            ReviewItem.objects.create(
                kind="venue",
                tenant=tenant,
                venue_id=venue_id,
                name=name,
                state=status,
                province=province,
                waiting_since=created_at,
                organisation_kind=kind,
            )


class Migration(migrations.Migration):

    dependencies = [
        ('tenants', '0004_signup_awaits_email'),
    ]

    operations = [
        migrations.AddField(
            model_name='tenant',
            name='review_status_changed_at',
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AlterField(
            model_name='tenant',
            name='review_status',
            field=models.CharField(choices=[('draft', 'Application in progress'), ('submitted', 'Submitted, waiting for review'), ('in_review', 'In review'), ('approved', 'Approved'), ('changes_requested', 'Changes requested'), ('rejected', 'Rejected'), ('suspended', 'Suspended')], default='draft', max_length=20),
        ),
        migrations.CreateModel(
            name='AuditEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ('actor_email', models.CharField(blank=True, max_length=254)),
                ('action', models.CharField(max_length=60)),
                ('target_type', models.CharField(max_length=60)),
                ('target_id', models.CharField(max_length=64)),
                ('before', models.JSONField(blank=True, default=dict)),
                ('after', models.JSONField(blank=True, default=dict)),
                ('reason', models.TextField(blank=True)),
                ('actor', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('tenant', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='tenants.tenant')),
            ],
            options={
                'ordering': ('at', 'id'),
                'indexes': [models.Index(fields=['tenant', 'at'], name='audit_tenant_at')],
            },
        ),
        migrations.CreateModel(
            name='ReviewItem',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('organiser', 'Organiser'), ('venue', 'Venue')], max_length=10)),
                ('venue_id', models.BigIntegerField(blank=True, null=True)),
                ('name', models.CharField(max_length=200)),
                ('state', models.CharField(db_index=True, max_length=20)),
                ('waiting_since', models.DateTimeField(default=django.utils.timezone.now)),
                ('province', models.CharField(blank=True, max_length=100)),
                ('organisation_kind', models.CharField(blank=True, max_length=40)),
                ('claimed_at', models.DateTimeField(blank=True, null=True)),
                ('claimed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='review_items', to='tenants.tenant')),
            ],
            options={
                'ordering': ('waiting_since', 'id'),
                'indexes': [models.Index(fields=['state', 'waiting_since'], name='review_item_queue')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('kind', 'organiser')), fields=('tenant',), name='review_item_one_per_organiser'), models.UniqueConstraint(condition=models.Q(('kind', 'venue')), fields=('tenant', 'venue_id'), name='review_item_one_per_venue'), models.CheckConstraint(condition=models.Q(models.Q(('kind', 'organiser'), ('venue_id__isnull', True)), models.Q(('kind', 'venue'), ('venue_id__isnull', False)), _connector='OR'), name='review_item_venue_id_for_venues')],
            },
        ),
        migrations.RunPython(states_forward, states_backward),
        migrations.RunSQL(APPEND_ONLY, APPEND_ONLY_REVERSE),
        migrations.RunPython(index_fill, migrations.RunPython.noop),
    ]
