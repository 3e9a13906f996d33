from django.db import migrations, models


class Migration(migrations.Migration):
    """The outbox relay (organizers.services.messages.relay): `swept_at` becomes `queued_at`,
    when a message was last handed to Celery by the relay or the sweep; the relay finds the
    messages not handed yet through a partial index."""

    dependencies = [
        ("organizers", "0008_message_swept_at"),
    ]

    operations = [
        migrations.RenameField(model_name="message", old_name="swept_at", new_name="queued_at"),
        migrations.AddIndex(
            model_name="message",
            index=models.Index(
                condition=models.Q(("queued_at__isnull", True), ("status", "pending")),
                fields=["id"],
                name="message_unqueued",
            ),
        ),
    ]
