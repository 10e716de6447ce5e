"""Known failures -> one line a member or operator can act on; None for real bugs."""
from __future__ import annotations

from bot.settings import SettingsError
from bot.shards import ShardLeaseError
from index.answer import BadQuestionError
from index.embed import ModelMissingError
from index.parse import GuideError
from index.store import IndexStoreError
from quiz.records import StoreError

_KNOWN = (BadQuestionError, GuideError, IndexStoreError, ModelMissingError, SettingsError, ShardLeaseError,
          StoreError)


def user_message(exc: BaseException) -> str | None:
    return str(exc) if isinstance(exc, _KNOWN) else None
