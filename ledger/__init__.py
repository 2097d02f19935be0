"""caseledger core: events, case rules, staff, canonical encoding, hash chain, storage, verification.

This package imports nothing from ``projections`` or ``commands``.
"""
