"""``caseledger staff``: the staff directory (add, list, change) and the API tokens staff sign in to
the HTTP API with (``staff token issue|list|revoke``).

Thin: parse, call the ledger's ``staff`` and ``tokens`` services (which decide who may act: an
admin), format.
"""

from __future__ import annotations

from typing import Any

import click

from commands.group import Context, cli, common, opens_read_only
from commands.render import day, local, staff_dict
from ledger.records.staff import Role
from ledger.services.tokens import DEFAULT_DAYS, MAX_DAYS

# --- staff ----------------------------------------------------------------------------------


@cli.group()
def staff() -> None:
    """The staff directory: who may record, in which team and role."""


@staff.command("add")
@common
@click.option("--id", "staff_id", required=True, help="Short stable id, e.g. jane.smith")
@click.option("--name", "full_name", required=True, help="Full name, e.g. 'Jane Smith'")
@click.option("--designation", required=True, help="e.g. 'Senior Practitioner'")
@click.option("--team", required=True, help="e.g. 'Assessment'")
@click.option("--role", "roles", multiple=True, required=True,
              type=click.Choice([r.value for r in Role]), help="Repeat for several roles.")
@click.option("--email", help="The email they sign in with (single sign-on to the HTTP API).")
def staff_add(ctx: Context, staff_id: str, full_name: str, designation: str, team: str,
              roles: tuple[str, ...], email: str | None) -> None:
    """Add a staff member (the first must be an admin; after that, admins add staff).

    \b
    Example:  caseledger staff add --as admin --id jane.smith --name 'Jane Smith' \\
                --designation 'Social Worker' --team Assessment --role social_worker
    """
    m = ctx.ledger.staff.add(ctx.acting, staff_id=staff_id, full_name=full_name,
                             designation=designation, team=team, roles=roles, email=email)
    ctx.out(staff_dict(m), f"Added {m.full_name} ({m.staff_id}): {m.designation}, {m.team}.")


@staff.command("list")
@common
@opens_read_only
def staff_list(ctx: Context) -> None:
    """List the staff directory.

    \b
    Example:  caseledger staff list --json
    """
    members = ctx.ledger.list_staff()

    def text() -> str:
        rows = [f"{'id':<18} {'name':<24} {'designation':<28} {'team':<20} roles"]
        rows += [f"{m.staff_id:<18} {m.full_name:<24} {m.designation:<28} {m.team:<20} "
                 f"{', '.join(r.value for r in m.roles)}{'' if m.active else '  (left)'}"
                 for m in members]
        return "\n".join(rows)

    ctx.out([staff_dict(m) for m in members], text)


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
    changes: dict[str, Any] = {k: v for k, v in (("full_name", full_name), ("designation", designation),
                                                 ("team", team), ("email", email)) if v is not None}
    if roles:
        changes["roles"] = roles
    if not changes:
        raise click.UsageError("say what to change: --name, --designation, --team, --role or --email")
    m = ctx.ledger.staff.change(ctx.acting, staff_id, **changes)
    ctx.out({**staff_dict(m)}, f"Changed {m.full_name} ({m.staff_id}): {m.designation}, {m.team}"
            + (f", signs in as {m.email}" if m.email else "") + ".")


@staff.command("password")
@common
@click.argument("staff_id")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (one line), for "
                                                     "scripts, instead of prompting.")
def staff_password(ctx: Context, staff_id: str, password_stdin: bool) -> None:
    """Set STAFF_ID's password for the web console (an admin's task): asked twice, never shown, and
    only its salted scrypt hash is recorded on their staff record.

    \b
    Example:  caseledger staff password jane.smith --as admin
              printf '%s\\n' "$NEW_PASSWORD" | caseledger staff password jane.smith --as admin --password-stdin
    """
    if password_stdin:
        password = click.get_text_stream("stdin").readline().rstrip("\r\n")
    else:
        password = click.prompt(f"New password for {staff_id}", hide_input=True, confirmation_prompt=True)
    member = ctx.ledger.tokens.set_password(ctx.acting, staff_id, password)
    ctx.out({"staff_id": member.staff_id, "password_set": True},
            f"Password set for {member.full_name} ({member.staff_id}): they can sign in to the web console.")


@staff.group("token")
def token() -> None:
    """API tokens for the HTTP API: issue (shown once), list, revoke. An admin's task."""


@token.command("issue")
@common
@click.argument("staff_id")
@click.option("--label", default="", help="What the token is for, e.g. 'case system integration'.")
@click.option("--expires-in-days", type=click.IntRange(1, MAX_DAYS), default=DEFAULT_DAYS,
              show_default=True, help="Days until it stops working.")
def token_issue(ctx: Context, staff_id: str, label: str, expires_in_days: int) -> None:
    """Issue an API token to STAFF_ID and print it, once: only its SHA-256 is kept.

    \b
    Example:  TOKEN=$(caseledger staff token issue jane.smith --as admin --label laptop --json \\
                | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
              curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8080/api/v1/me
    """
    issued = ctx.ledger.tokens.issue(ctx.acting, staff_id, label=label, expires_in_days=expires_in_days)
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
    rows = ctx.ledger.tokens.list(ctx.acting, staff_id)

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
    member = ctx.ledger.tokens.revoke(ctx.acting, token_id, reason=reason)
    ctx.out({"token_id": token_id, "staff_id": member.staff_id, "revoked": True},
            f"Revoked API token {token_id} of {member.full_name} ({member.staff_id}).")
