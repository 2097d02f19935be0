"""The ways in: use-case handlers, the `caseledger` command line, and the HTTP API (``api``)."""
