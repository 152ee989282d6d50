"""The case-record service: the reformed pathway as a secure, audited web service (work in progress)."""
