"""The estimator contract careflow.flows follows (scikit-learn's, without depending on it).

The constructor only stores its keyword arguments; ``fit`` learns and returns ``self``; every learned attribute
ends in ``_``; ``get_params`` / ``set_params`` round-trip the constructor's arguments.
"""

from __future__ import annotations

import inspect
from typing import Any, TypeVar

from careflow.flows._errors import NotFittedError

__all__ = ["Estimator", "check_is_fitted"]

E = TypeVar("E", bound="Estimator")


class Estimator:
    """Base class: parameters from the constructor's signature, a readable repr, a fitted check."""

    @classmethod
    def _param_names(cls) -> list[str]:
        sig = inspect.signature(cls.__init__)
        return [p.name for p in sig.parameters.values() if p.name != "self" and p.kind is p.KEYWORD_ONLY]

    def get_params(self) -> dict[str, Any]:
        """The constructor's arguments, as stored."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self: E, **params: Any) -> E:
        """Change constructor arguments (before a new ``fit``)."""
        names = self._param_names()
        for key, value in params.items():
            if key not in names:
                raise ValueError(f"{type(self).__name__} has no parameter {key!r}; parameters are {names}")
            setattr(self, key, value)
        return self

    def clone(self: E) -> E:
        """A new, unfitted estimator with the same parameters."""
        return type(self)(**self.get_params())

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    def is_fitted(self) -> bool:
        return any(k.endswith("_") and not k.startswith("_") for k in vars(self))


def check_is_fitted(estimator: Estimator, what: str = "") -> None:
    """Raise :class:`NotFittedError` if ``fit`` has not been called."""
    if not estimator.is_fitted():
        raise NotFittedError(
            f"this {type(estimator).__name__} is not fitted yet{': ' + what if what else ''}; call fit(data) first"
        )
