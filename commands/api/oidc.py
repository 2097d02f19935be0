"""Single sign-on: checking an OpenID Connect provider's signed JWTs (Entra ID, or any other).

A bearer token that is not an API token is read as a JWT and accepted only when all of these hold:
its signature verifies against a key the issuer publishes (the JWKS, a file or a URL, chosen by
the token's ``kid``), with an asymmetric algorithm (never ``none`` or a shared secret); its ``iss``
is the configured issuer; its ``aud`` holds the configured audience; its ``exp`` has not passed (30
seconds' leeway for clocks). Each refusal says which (a code of
:data:`ledger.access.security.FAILURE_REASONS`). The staff claim (default ``email``) then names the
staff member (:func:`commands.api.auth.Authenticator`).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import jwt

from commands.api.settings import OIDCSettings
from ledger.access.security import NotAuthenticated

__all__ = ["ALGORITHMS", "OIDCVerifier"]

ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]
LEEWAY_SECONDS = 30


class OIDCVerifier:
    def __init__(self, settings: OIDCSettings) -> None:
        """Loads a JWKS file now (a bad file stops the server from starting); a URL is fetched on the
        first sign-on and its keys cached (fetched again when a token names a key not yet seen)."""
        for name, value in (("--oidc-issuer", settings.issuer), ("--oidc-audience", settings.audience),
                            ("--oidc-jwks", settings.jwks), ("--oidc-staff-claim", settings.staff_claim)):
            if not value or not value.strip():
                raise ValueError(f"{name} is required for single sign-on")
        self.settings = settings
        self._client: jwt.PyJWKClient | None = None
        self._keys: dict[str | None, jwt.PyJWK] = {}
        if settings.jwks.startswith(("https://", "http://")):
            self._client = jwt.PyJWKClient(settings.jwks, cache_keys=True, lifespan=300, timeout=5)
        else:
            self._keys = load_jwks(settings.jwks)

    def _key(self, token: str, kid: str | None) -> Any:
        if self._client is not None:
            try:
                return self._client.get_signing_key_from_jwt(token).key
            except jwt.PyJWKClientConnectionError as e:
                raise NotAuthenticated("unknown_key", f"the issuer's keys could not be fetched: {e}") from None
            except jwt.PyJWKClientError:
                raise NotAuthenticated("unknown_key", f"the sign-on token was signed with a key ({kid!r}) the "
                                       "issuer does not publish") from None
        if kid in self._keys:
            return self._keys[kid].key
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values())).key
        raise NotAuthenticated("unknown_key", f"the sign-on token was signed with a key ({kid!r}) the issuer "
                               "does not publish")

    def claims(self, token: str) -> dict[str, Any]:
        """The token's claims, once every check holds; else :class:`NotAuthenticated` saying which failed."""
        claimed = self.claimed(token)
        credential = f"oidc:{claimed.get(self.settings.staff_claim, '')}" if claimed else ""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:
            raise NotAuthenticated("malformed", "the bearer token is not an API token or a signed sign-on "
                                   "token") from None
        key = self._key(token, header.get("kid"))
        s = self.settings
        try:
            claims: dict[str, Any] = jwt.decode(
                token, key, algorithms=ALGORITHMS, audience=s.audience, issuer=s.issuer, leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iss", "aud"]})
        except jwt.ExpiredSignatureError:
            raise NotAuthenticated("expired", "the sign-on token has expired", credential=credential) from None
        except jwt.InvalidAudienceError:
            raise NotAuthenticated("wrong_audience", f"the sign-on token is not for this server (audience "
                                   f"{s.audience!r})", credential=credential) from None
        except jwt.InvalidIssuerError:
            raise NotAuthenticated("wrong_issuer", f"the sign-on token was not issued by {s.issuer}",
                                   credential=credential) from None
        except jwt.InvalidSignatureError:
            raise NotAuthenticated("bad_signature", "the sign-on token's signature does not verify",
                                   credential=credential) from None
        except jwt.InvalidTokenError as e:
            raise NotAuthenticated("malformed", f"the sign-on token is not valid: {e}", credential=credential) from None
        return claims

    @staticmethod
    def claimed(token: str) -> dict[str, Any]:
        """What the token claims, unchecked (for the security log of a refusal only)."""
        try:
            found = jwt.decode(token, options={"verify_signature": False})
        except jwt.InvalidTokenError:
            return {}
        return found if isinstance(found, dict) else {}

    @staticmethod
    def session(claims: dict[str, Any], token: str) -> str:
        """The session the token belongs to, for the access log: ``sid``, else ``jti``, else a hash of it."""
        sid = claims.get("sid") or claims.get("jti")
        return str(sid)[:100] if sid else hashlib.sha256(token.encode()).hexdigest()[:16]


def load_jwks(path: str) -> dict[str | None, jwt.PyJWK]:
    """The keys of a JWKS file, by ``kid``; a file that is not one stops with a clear message."""
    try:
        data = json.loads(Path(path).read_text())
        keys = jwt.PyJWKSet.from_dict(data).keys
    except OSError as e:
        raise ValueError(f"--oidc-jwks {path}: cannot read it ({e.strerror or e})") from None
    except (ValueError, jwt.PyJWKSetError, jwt.InvalidKeyError) as e:
        raise ValueError(f"--oidc-jwks {path}: not a JWKS file ({e})") from None
    return {k.key_id: k for k in keys}
