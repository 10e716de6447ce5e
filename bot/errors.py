"""Known failures -> one line a member or operator can act on; None for real bugs."""
from __future__ import annotations

from index.answer import BadQuestionError
from index.embed import ModelMissingError
from index.parse import GuideError
from index.store import IndexStoreError

_KNOWN = (BadQuestionError, GuideError, IndexStoreError, ModelMissingError)


def user_message(exc: BaseException) -> str | None:
    if isinstance(exc, _KNOWN):
        return str(exc)
    try:
        from quiz.store import StoreError
    except ImportError:
        return None
    if isinstance(exc, StoreError):
        return str(exc)
    return None
