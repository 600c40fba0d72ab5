"""The notifier's metrics: inbox backlog, deliveries by status, subscription health.

Read at scrape time in one statement over partial indexes (events not fanned out, deliveries
waiting or failing, dead letters: migration n1301), never over every delivery ever made; the
delivery worker counts attempts by result in the process it runs in.
"""

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from common.metrics import ServiceMetrics, age_seconds

# Statuses with an index behind them; delivered and cancelled ones are counted by the worker.
BACKLOG_STATUSES = ("vantar", "misslyckad", "dodsbrev")
SUBSCRIPTION_STATUSES = ("aktiv", "inaktiverad")

_FIGURES = text(
    """
    SELECT
      (SELECT count(*) FROM inbox_event WHERE fanned_out_at IS NULL) AS inbox_pending,
      (SELECT min(received_at) FROM inbox_event WHERE fanned_out_at IS NULL) AS inbox_oldest,
      (SELECT count(*) FROM leverans WHERE status = 'vantar') AS vantar,
      (SELECT count(*) FROM leverans WHERE status = 'misslyckad') AS misslyckad,
      (SELECT count(*) FROM leverans WHERE status = 'dodsbrev') AS dodsbrev,
      (SELECT min(created_at) FROM leverans WHERE status IN ('vantar', 'misslyckad')) AS oldest_pending,
      (SELECT count(DISTINCT prenumeration_id) FROM leverans WHERE status = 'misslyckad') AS failing,
      (SELECT count(*) FROM prenumeration WHERE status = 'aktiv') AS aktiv,
      (SELECT count(*) FROM prenumeration WHERE status = 'inaktiverad') AS inaktiverad
    """
)


class NotifierMetrics(ServiceMetrics):
    def __init__(self) -> None:
        super().__init__("notifier")
        g, c = self.gauge, self.counter
        self.inbox_pending = g("inbox_pending_events", "Received events not yet fanned out to deliveries.")
        self.inbox_oldest_age = g(
            "inbox_oldest_pending_age_seconds", "Age of the oldest event not fanned out (0: none)."
        )
        self.deliveries = g(
            "deliveries", "Deliveries waiting, failing (will retry) or dead-lettered, by status.", ("status",)
        )
        self.oldest_delivery_age = g(
            "oldest_pending_delivery_age_seconds", "Age of the oldest delivery not yet delivered (0: none)."
        )
        self.subscriptions = g("subscriptions", "Subscriptions by status (aktiv, inaktiverad).", ("status",))
        self.subscriptions_failing = g(
            "subscriptions_failing", "Subscriptions with at least one delivery failing and waiting to retry."
        )
        self.attempts = c(
            "delivery_attempts", "Delivery attempts by result (ok, retry, gone, refused).", ("result",)
        )
        self.on_scrape(self._read_figures)

    async def _read_figures(self, session: AsyncSession, now: datetime) -> None:
        row = (await session.execute(_FIGURES)).one()
        self.inbox_pending.set(row.inbox_pending)
        self.inbox_oldest_age.set(age_seconds(now, row.inbox_oldest))
        for status in BACKLOG_STATUSES:
            self.deliveries.labels(status).set(getattr(row, status))
        self.oldest_delivery_age.set(age_seconds(now, row.oldest_pending))
        self.subscriptions_failing.set(row.failing)
        for status in SUBSCRIPTION_STATUSES:
            self.subscriptions.labels(status).set(getattr(row, status))
