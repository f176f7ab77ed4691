"""KMS keys on the sandbox: a symmetric key gets no key pair at CreateKey; signing keys still sign."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws
from moto.kms.models import kms_backends
from moto.core import DEFAULT_ACCOUNT_ID

from provision.stacks.sandbox.gaps import kms_keys

REGION = "eu-west-1"


@pytest.fixture
def kms(gap_env):
    kms_keys.install()
    with mock_aws():
        yield boto3.client("kms", region_name=REGION)


def _stored(key_id: str):
    return kms_backends[DEFAULT_ACCOUNT_ID][REGION].keys[key_id]


def test_a_symmetric_key_encrypts_without_a_key_pair_being_made(kms) -> None:
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key, Plaintext=b"claims")["CiphertextBlob"]

    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"claims"
    assert isinstance(_stored(key).private_key, kms_keys.KeyPairOnDemand)
    assert _stored(key).private_key.pair is None


@pytest.mark.parametrize("spec", ["RSA_2048", "ECC_NIST_P256"])
def test_a_signing_key_signs_and_verifies(kms, spec: str) -> None:
    key = kms.create_key(KeyUsage="SIGN_VERIFY", KeySpec=spec)["KeyMetadata"]["KeyId"]
    algorithm = "RSASSA_PSS_SHA_256" if spec.startswith("RSA") else "ECDSA_SHA_256"
    signature = kms.sign(KeyId=key, Message=b"m", SigningAlgorithm=algorithm)["Signature"]

    assert kms.verify(KeyId=key, Message=b"m", Signature=signature, SigningAlgorithm=algorithm)["SignatureValid"]
    assert not isinstance(_stored(key).private_key, kms_keys.KeyPairOnDemand)
    assert kms.get_public_key(KeyId=key)["PublicKey"]
