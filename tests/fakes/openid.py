"""A loopback fake of the Bot Framework's token signing: an OpenID metadata document, its JWKS, and
tokens signed with its key (or broken on purpose), as the Bot Connector sends with each activity."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ISSUER = "https://api.botframework.com"  # what the public cloud's channel tokens say


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class FakeKeyServer:
    key: rsa.RSAPrivateKey = field(default_factory=new_key)
    kid: str = "pathway-test-key"
    fetched: list[str] = field(default_factory=list)  # paths asked for
    base_url: str = ""

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/v1/.well-known/openidconfiguration", self._metadata)
        app.router.add_get("/v1/.well-known/keys", self._keys)
        return app

    @property
    def metadata_url(self) -> str:
        return f"{self.base_url}/v1/.well-known/openidconfiguration"

    def token(self, audience: str, service_url: str, *, key: rsa.RSAPrivateKey | None = None, kid: str | None = None,
              issuer: str = ISSUER, lifetime: float = 3600, **claims: Any) -> str:  # fmt: skip
        now = int(time.time())
        payload = {"iss": issuer, "aud": audience, "iat": now - 60, "nbf": now - 60, "exp": now + int(lifetime),
                   "serviceurl": service_url, **claims}  # fmt: skip
        return jwt.encode(payload, key or self.key, algorithm="RS256", headers={"kid": kid or self.kid})

    def unsigned(self, audience: str, service_url: str) -> str:
        now = int(time.time())
        payload = {"iss": ISSUER, "aud": audience, "exp": now + 3600, "serviceurl": service_url}
        return jwt.encode(payload, None, algorithm="none", headers={"kid": self.kid})  # type: ignore[arg-type]

    async def _metadata(self, request: web.Request) -> web.Response:
        self.fetched.append(request.path)
        return web.json_response({"issuer": ISSUER, "jwks_uri": f"{self.base_url}/v1/.well-known/keys",
                                  "id_token_signing_alg_values_supported": ["RS256"]})  # fmt: skip

    async def _keys(self, request: web.Request) -> web.Response:
        self.fetched.append(request.path)
        published = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        return web.json_response(
            {"keys": [{**published, "kid": self.kid, "use": "sig", "endorsements": ["msteams"]}]}
        )
