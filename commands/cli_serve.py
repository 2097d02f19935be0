"""``caseledger serve``: the HTTP API (:mod:`commands.api`) on uvicorn."""

from __future__ import annotations

import dataclasses
import logging
import os
import tempfile

import click

from commands.group import cli, key_option
from ledger.errors import RuleViolation
from ledger.storage import backend_for


@cli.command("serve")
@click.option("--db", envvar="CASELEDGER_DB", default=None, metavar="PATH|URL",
              help="SQLite file (default ./caseledger.db) or postgresql:// URL.")
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes (more than one on PostgreSQL only).")
@click.option("--trusted-proxy", "trusted_proxies", multiple=True, metavar="IP|NETWORK",
              help="A reverse proxy whose X-Forwarded-For is believed (repeat). Otherwise the client "
                   "address recorded is the peer's.")
@click.option("--oidc-issuer", metavar="URL", help="Single sign-on: the OpenID Connect issuer (the iss claim).")
@click.option("--oidc-audience", metavar="AUD", help="Single sign-on: this server's audience (the aud claim).")
@click.option("--oidc-jwks", metavar="FILE|URL", help="Single sign-on: the issuer's signing keys (a JWKS).")
@click.option("--oidc-staff-claim", default="email", show_default=True, metavar="CLAIM",
              help="The claim that names the staff member: their email (staff add/change --email), or "
                   "their staff id when it holds no @.")
@click.option("--session-idle-minutes", default=15, show_default=True, type=click.IntRange(1, 480),
              help="The web console signs a person out after this many minutes without a request (policy s.15).")
@key_option
def serve(db: str | None, host: str, port: int, workers: int, trusted_proxies: tuple[str, ...],
          oidc_issuer: str | None, oidc_audience: str | None, oidc_jwks: str | None, oidc_staff_claim: str,
          session_idle_minutes: int, key_file: str | None) -> None:
    """Serve the web console (at /) and the HTTP API (/api/v1, docs at /api/docs) until Ctrl-C.

    The web console's staff sign in with the password an admin sets (caseledger staff password); its
    sessions are kept in the server process (a restart signs everyone out; with --workers, each worker
    knows only its own sessions, so run the console behind a proxy with sticky sessions, or with one worker).

    Every request but GET /api/v1/healthz signs in with a bearer token: an API token (caseledger staff
    token issue) or, with --oidc-*, a single sign-on JWT. Every read or change of a child's record is
    decided and recorded as on the command line, with the client address, user agent and token.

    --key: the signing key file (as for caseledger checkpoint) for POST /api/v1/checkpoint and the evidence
    bundles; without it, the same default as the command line (DB.key beside a SQLite ledger, else
    ./caseledger.key). The server starts without one; those routes then answer 503.

    Several --workers need PostgreSQL: on SQLite the server runs one process (SQLite has one writer at a
    time, and a second process would only wait for it), and --workers 2 or more is refused.

    \b
    Example:  caseledger demo --replace && caseledger serve
              caseledger serve --db postgresql://caseledger@db/ledger --host 0.0.0.0 --workers 4 \\
                --trusted-proxy 10.0.0.5 --oidc-issuer https://login.microsoftonline.com/TENANT/v2.0 \\
                --oidc-audience api://caseledger --oidc-jwks https://login.microsoftonline.com/TENANT/discovery/v2.0/keys
    """
    import uvicorn

    from commands.api import OIDCSettings, Settings, create_app
    from commands.api.settings import SETTINGS_ENV, parse_proxies

    given = [v for v in (oidc_issuer, oidc_audience, oidc_jwks) if v]
    if given and len(given) != 3:
        raise click.UsageError("single sign-on needs all three of --oidc-issuer, --oidc-audience and --oidc-jwks")
    oidc = OIDCSettings(oidc_issuer, oidc_audience, oidc_jwks, oidc_staff_claim) \
        if oidc_issuer and oidc_audience and oidc_jwks else None
    backend = backend_for(db, create=False)
    if workers > 1 and backend.kind == "sqlite":
        raise RuleViolation(f"--workers {workers}: several worker processes need PostgreSQL; on SQLite serve "
                            "with one (--workers 1)")
    parse_proxies(trusted_proxies)
    settings = Settings(db=db, trusted_proxies=tuple(trusted_proxies), oidc=oidc, key=key_file,
                        session_idle_minutes=session_idle_minutes)
    try:
        app = create_app(settings)  # opened here: a missing ledger or a bad JWKS file stops it now, in one line
    except ValueError as e:
        raise click.UsageError(str(e)) from None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    click.echo(f"Serving the ledger at {backend.display}: the web console on http://{host}:{port}/, the API on "
               f"http://{host}:{port}/api/v1 "
               f"(docs: http://{host}:{port}/api/docs; {workers} worker{'s' if workers > 1 else ''}). "
               "Ctrl-C to stop.", err=True)
    common = {"host": host, "port": port, "proxy_headers": False, "server_header": False,
              "log_level": "info", "timeout_graceful_shutdown": 10}
    if workers == 1:
        uvicorn.run(app, **common)  # type: ignore[arg-type]
        return
    app.state.server.close()
    # The workers share the verification jobs through a folder of this run's own (removed at the end).
    with tempfile.TemporaryDirectory(prefix="caseledger-verify-jobs-") as jobs_dir:
        os.environ[SETTINGS_ENV] = dataclasses.replace(settings, jobs_dir=jobs_dir).to_env()
        uvicorn.run("commands.api:app_from_env", factory=True, workers=workers, **common)  # type: ignore[arg-type]
