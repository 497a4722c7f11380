from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from cercle.outbox import services, webhooks


@db_task()
def deliver_outgoing(outgoing_id: int) -> str:
    return services.outbox_deliver(outgoing_id=outgoing_id)


@db_periodic_task(crontab(minute="*"))
def flush_outbox() -> dict[str, int]:
    return services.outbox_flush()


@db_task()
def deliver_webhook(delivery_id: int) -> str:
    return webhooks.webhook_deliver(delivery_id=delivery_id)


@db_periodic_task(crontab(minute="*"))
def flush_webhooks() -> dict[str, int]:
    return webhooks.webhook_flush()
