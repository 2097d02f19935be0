"""``caseledger staff token issue|list|revoke`` and ``caseledger staff change``: signing in to the HTTP API.

Thin: parse, call :mod:`ledger.tokens` (which decides who may issue, list and revoke: an admin,
as for adding staff) or the ledger, format.
"""

from __future__ import annotations

from typing import Any

import click

from commands.cli import Context, common, staff
from commands.render import day, local, staff_dict
from ledger import tokens
from ledger.records.staff import Role


@staff.command("change")
@common
@click.argument("staff_id")
@click.option("--name", "full_name", help="Full name.")
@click.option("--designation")
@click.option("--team")
@click.option("--role", "roles", multiple=True, type=click.Choice([r.value for r in Role]),
              help="The roles they hold from now (repeat); replaces the roles held.")
@click.option("--email", help="The email they sign in with (single sign-on); '' removes it.")
def staff_change(ctx: Context, staff_id: str, full_name: str | None, designation: str | None, team: str | None,
                 roles: tuple[str, ...], email: str | None) -> None:
    """Change a staff member's details (an admin): the change is recorded, the earlier details kept.

    \b
    Example:  caseledger staff change jane.smith --as admin --team 'Child Protection' \\
                --email jane.smith@borough.gov.uk
    """
    if email is not None:
        tokens.check_email_free(ctx.ledger, staff_id, email)
    changes: dict[str, Any] = {k: v for k, v in (("full_name", full_name), ("designation", designation),
                                                 ("team", team), ("email", email)) if v is not None}
    if roles:
        changes["roles"] = roles
    if not changes:
        raise click.UsageError("say what to change: --name, --designation, --team, --role or --email")
    m = ctx.ledger.change_staff(ctx.acting, staff_id, **changes)
    ctx.out({**staff_dict(m)}, f"Changed {m.full_name} ({m.staff_id}): {m.designation}, {m.team}"
            + (f", signs in as {m.email}" if m.email else "") + ".")


@staff.group("token")
def token() -> None:
    """API tokens for the HTTP API: issue (shown once), list, revoke. An admin's task."""


@token.command("issue")
@common
@click.argument("staff_id")
@click.option("--label", default="", help="What the token is for, e.g. 'case system integration'.")
@click.option("--expires-in-days", type=click.IntRange(1, tokens.MAX_DAYS), default=tokens.DEFAULT_DAYS,
              show_default=True, help="Days until it stops working.")
def token_issue(ctx: Context, staff_id: str, label: str, expires_in_days: int) -> None:
    """Issue an API token to STAFF_ID and print it, once: only its SHA-256 is kept.

    \b
    Example:  TOKEN=$(caseledger staff token issue jane.smith --as admin --label laptop --json \\
                | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
              curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8080/api/v1/me
    """
    issued = tokens.issue_token(ctx.ledger, ctx.acting, staff_id, label=label, expires_in_days=expires_in_days)
    ctx.out({"token": issued.token, "token_id": issued.token_id, "staff_id": issued.staff_id,
             "label": issued.label, "expires_at": issued.expires_at},
            f"API token {issued.token_id} for {issued.staff_id}, until {local(issued.expires_at)}. "
            f"It is shown once, now; keep it secret:\n{issued.token}")


@token.command("list")
@common
@click.argument("staff_id")
def token_list(ctx: Context, staff_id: str) -> None:
    """List STAFF_ID's API tokens (never the tokens themselves): label, issued, expiry, status.

    \b
    Example:  caseledger staff token list jane.smith --as admin
    """
    rows = tokens.list_tokens(ctx.ledger, ctx.acting, staff_id)

    def text() -> str:
        if not rows:
            return f"{staff_id} holds no API token."
        lines = [f"{'token id':<18} {'status':<8} {'issued':<12} {'by':<14} {'expires':<12} label"]
        lines += [f"{r['token_id']:<18} {r['status']:<8} {day(r['issued_at']):<12} {r['issued_by']:<14} "
                  f"{day(r['expires_at']) if r['expires_at'] else 'never':<12} {r['label']}" for r in rows]
        return "\n".join(lines)

    ctx.out(rows, text)


@token.command("revoke")
@common
@click.argument("token_id")
@click.option("--reason", default="", help="Why (recorded).")
def token_revoke(ctx: Context, token_id: str, reason: str) -> None:
    """Revoke an API token: it stops working at once, in every server process.

    \b
    Example:  caseledger staff token revoke 3f2a9c0d1e2b4a5f --as admin --reason 'Laptop lost'
    """
    member = tokens.revoke_token(ctx.ledger, ctx.acting, token_id, reason=reason)
    ctx.out({"token_id": token_id, "staff_id": member.staff_id, "revoked": True},
            f"Revoked API token {token_id} of {member.full_name} ({member.staff_id}).")
