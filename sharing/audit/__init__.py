"""The audit log: who did what to which object, when, from where, and how it ended.

``record.record(...)`` is the one way in; the table is append-only (see docs/audit.md).
"""
