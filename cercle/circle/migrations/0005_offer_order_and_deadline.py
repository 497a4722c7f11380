# Offers that never stall: one member at a time in the order chosen, or several at once, each with an
# answer deadline. Offers made before have been sent when they were made; those still waiting get a
# fresh deadline from now (never expired at once by an upgrade).

from datetime import timedelta

import cercle.circle.models
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import F
from django.utils import timezone


def forward(apps, schema_editor):
    Offer = apps.get_model("circle", "Offer")
    Offer.objects.filter(sent_at__isnull=True).update(sent_at=F("created_at"))
    hours = cercle.circle.models.offer_answer_hours_default()
    Offer.objects.filter(state="pending", deadline_at__isnull=True).update(
        deadline_at=timezone.now() + timedelta(hours=hours), answer_hours=hours
    )


class Migration(migrations.Migration):

    dependencies = [
        ('circle', '0004_member_profile_for_routing'),
        ('circulation', '0007_event_outgoing'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='offer',
            name='answer_hours',
            field=models.PositiveSmallIntegerField(default=cercle.circle.models.offer_answer_hours_default, verbose_name='hours to answer'),
        ),
        migrations.AddField(
            model_name='offer',
            name='deadline_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='answer by'),
        ),
        migrations.AddField(
            model_name='offer',
            name='mode',
            field=models.CharField(choices=[('sequential', 'One member at a time, in the order chosen'), ('parallel', 'Several at once: the first to accept leads')], default='parallel', max_length=12, verbose_name='mode'),
        ),
        migrations.AddField(
            model_name='offer',
            name='position',
            field=models.PositiveSmallIntegerField(default=1, verbose_name='position in the order'),
        ),
        migrations.AddField(
            model_name='offer',
            name='round',
            field=models.PositiveSmallIntegerField(default=1, verbose_name='round'),
        ),
        migrations.AddField(
            model_name='offer',
            name='sent_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='sent at'),
        ),
        migrations.AddField(
            model_name='offer',
            name='suggested_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='offer',
            name='state',
            field=models.CharField(choices=[('queued', 'Next in line'), ('pending', 'Waiting for an answer'), ('accepted', 'Accepted'), ('declined', 'Declined'), ('expired', 'No answer in time'), ('withdrawn', 'Withdrawn')], default='pending', max_length=16, verbose_name='state'),
        ),
        migrations.AddIndex(
            model_name='offer',
            index=models.Index(fields=['state', 'deadline_at'], name='offer_due'),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
