"""IAM: finding the account of a request's access key creates no IAM backends.

moto 5.2.1 looks the key up in every partition of every account it knows, on
every request, and indexing a partition creates its IAM backend: each new
account, and each account after a reset, then costs eight backends that load
the 1,500 AWS managed policies, about 0.6 s of CPU, for partitions the sandbox
never serves. A backend that does not exist holds no keys, so only existing
ones are searched; answers are unchanged.
"""

from __future__ import annotations

from moto.iam import models

_DEFAULT_ACCOUNT_ID = models.DEFAULT_ACCOUNT_ID


def get_account_id_from(access_key: str) -> str:
    for account_id, account in list(models.iam_backends.items()):  # a copy: other threads add accounts
        for partition in models.PARTITION_NAMES:
            backend = account.get(partition)  # dict.get: no backend made
            if backend is not None and access_key in backend.access_keys:
                return account_id
    return _DEFAULT_ACCOUNT_ID


def install() -> None:
    models.get_account_id_from = get_account_id_from
