"""Kontaktfamiljer (seed 004): recruiting and investigating families, agreements, approval.

The lead's uppdrag module calls `service.krav_godkand` before an uppdrag names a family.
"""
