"""KMS: a key's signing key pair is made when first used, not at CreateKey.

moto 5.2.1 makes an RSA-2048 pair for every key, symmetric ones included,
which costs about 50 ms of CPU a key and is never used by a symmetric key.
The pair is now made on the first Sign, Verify or GetPublicKey; answers are
unchanged. Asymmetric keys still get theirs at once.
"""

from __future__ import annotations

from moto.kms import models
from moto.kms.utils import AbstractPrivateKey, KeySpec

_ASYMMETRIC = frozenset(KeySpec.rsa_key_specs()) | frozenset(KeySpec.ecc_key_specs())
_generate = models.generate_private_key


class KeyPairOnDemand(AbstractPrivateKey):
    def __init__(self, key_spec: str) -> None:
        self.key_spec = key_spec
        self.pair: AbstractPrivateKey | None = None

    def _pair(self) -> AbstractPrivateKey:
        if self.pair is None:
            self.pair = _generate(self.key_spec)
        return self.pair

    def sign(self, message: bytes, signing_algorithm: str) -> bytes:
        return self._pair().sign(message, signing_algorithm)

    def verify(self, message: bytes, signature: bytes, signing_algorithm: str) -> bool:
        return self._pair().verify(message, signature, signing_algorithm)

    def public_key(self) -> bytes:
        return self._pair().public_key()


def _key_pair(key_spec: str) -> AbstractPrivateKey:
    return _generate(key_spec) if key_spec in _ASYMMETRIC else KeyPairOnDemand(key_spec)


def install() -> None:
    models.generate_private_key = _key_pair
