"""case_api's metrics: the outbox, the deadline sweep and the audit sealer (docs/operations.md).

Backlogs are read at scrape time in one statement, each part served by a partial or range index
(pending and dead deliveries, due bevakningar, audit rows above the sealed horizon), so a scrape
costs the same whether the database holds a thousand events or a million. The workers count
their rounds in the process they run in: a worker-only process exposes them, an API-only one
shows them at zero.
"""

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from case_api.kontext import SYSTEM_SCOPE, apply_scope
from case_api.regler import datum
from common.metrics import ServiceMetrics, age_seconds

_FIGURES = text(
    """
    SELECT
      (SELECT count(*) FROM outbox_delivery WHERE status = 'pending') AS pending,
      (SELECT min(e.occurred_at) FROM outbox_delivery d JOIN outbox_event e ON e.id = d.outbox_id
        WHERE d.status = 'pending') AS oldest_pending,
      (SELECT count(*) FROM outbox_delivery WHERE status = 'dead') AS dead,
      (SELECT count(*) FROM bevakning WHERE nasta_larm <= :today AND status = 'oppen') AS due,
      (SELECT min(nasta_larm) FROM bevakning WHERE nasta_larm <= :today AND status = 'oppen') AS oldest_due,
      u.unsealed, u.oldest_unsealed
    FROM audit_sigill s
    CROSS JOIN LATERAL (
      SELECT count(*) AS unsealed, min(a.at) AS oldest_unsealed FROM audit_logg a
      WHERE a.xid >= s.horisont AND NOT EXISTS (SELECT 1 FROM audit_kedja k WHERE k.audit_id = a.id)
    ) u
    WHERE s.id = 1
    """
)


class CaseMetrics(ServiceMetrics):
    def __init__(self) -> None:
        super().__init__("case_api")
        g, c = self.gauge, self.counter
        self.outbox_pending = g("outbox_pending_events", "Events the notifier has not acknowledged.")
        self.outbox_oldest_age = g(
            "outbox_oldest_pending_age_seconds", "Age of the oldest undelivered event (0: none pending)."
        )
        self.outbox_dead = g("outbox_dead_letters", "Dead letters: each blocks its ärende until replayed.")
        self.relay_rounds = c("relay_rounds", "Relay rounds by outcome.", ("outcome",))
        self.relay_events = c("relay_events", "Events sent, by outcome.", ("outcome",))
        self.sweep_due = g("sweep_due_bevakningar", "Open bevakningar whose next alert day has come.")
        self.sweep_lag_days = g(
            "sweep_lag_days", "Days since the oldest unhandled alert day (0: the sweep is current)."
        )
        self.sweep_rounds = c("sweep_rounds", "Sweep rounds by outcome.", ("outcome",))
        self.sweep_last_success = g(
            "sweep_last_success_timestamp_seconds", "When this process last finished a sweep round."
        )
        self.audit_unsealed = g("audit_unsealed_rows", "Committed audit rows not yet in the hash chain.")
        self.audit_seal_delay = g(
            "audit_oldest_unsealed_age_seconds", "Age of the oldest unsealed audit row (0: all sealed)."
        )
        self.audit_sealed = c("audit_sealed_rows", "Audit rows this process chained.")
        self.on_scrape(self._read_figures)

    async def _read_figures(self, session: AsyncSession, now: datetime) -> None:
        # bevakning is row-level secured: the scrape reads it as the system, like the sweep.
        await apply_scope(session, SYSTEM_SCOPE)
        today = datum.lokal_dag(now)
        row = (await session.execute(_FIGURES, {"today": today})).one()
        self.outbox_pending.set(row.pending)
        self.outbox_oldest_age.set(age_seconds(now, row.oldest_pending))
        self.outbox_dead.set(row.dead)
        self.sweep_due.set(row.due)
        self.sweep_lag_days.set((today - row.oldest_due).days if row.oldest_due else 0)
        self.audit_unsealed.set(row.unsealed)
        self.audit_seal_delay.set(age_seconds(now, row.oldest_unsealed))
