"""The ways in: use-case handlers and the `caseledger` command line."""
