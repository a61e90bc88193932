"""``@record``: an immutable, slotted dataclass that is cheap to define.

``@record`` behaves as ``@dataclass(frozen=True, slots=True)`` — the same fields, defaults and default factories,
``dataclasses.fields``, ``replace`` and ``asdict``, equality and hashing by field values, the same ``repr``,
``FrozenInstanceError`` on assignment, copying and pickling — and mypy checks it as one (``dataclass_transform``).
It differs in cost: the standard decorator compiles six functions for each frozen class (``__init__``, ``__repr__``,
``__eq__``, ``__hash__``, ``__setattr__``, ``__delattr__``), about half a millisecond, and cnncalc defines about a
hundred such classes, so that compiling them was most of what ``cnncalc preset alexnet --format json`` spent on
importing cnncalc. Here only ``__init__`` is compiled, on a class's first instance (a run creates instances of few
of the classes it defines); the other methods are shared functions that read the class's field names.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import MISSING, FrozenInstanceError, dataclass
from operator import attrgetter
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from typing_extensions import dataclass_transform  # in typing from Python 3.11; cnncalc runs on 3.10
else:

    def dataclass_transform(**_: object) -> Callable[[T], T]:
        return lambda decorated: decorated


T = TypeVar("T")


def _refuse_set(self: object, name: str, value: object) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _refuse_delete(self: object, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def _eq(self: Any, other: Any) -> object:
    if other.__class__ is not self.__class__:
        return NotImplemented
    key = self._record_key
    return bool(key(self) == key(other))


def _repr(self: Any) -> str:
    values = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._record_shown)
    return f"{self.__class__.__qualname__}({values})"


def _getstate(self: Any) -> list[Any]:
    return [getattr(self, f.name) for f in dataclasses.fields(self)]


def _setstate(self: Any, state: list[Any]) -> None:
    for f, value in zip(dataclasses.fields(self), state, strict=True):
        object.__setattr__(self, f.name, value)


def _key(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """The values that equality and hashing compare, as a tuple (as the standard decorator compares them)."""
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    return attrgetter(*names) if names else (lambda obj: ())


def _init(cls: type) -> Callable[..., None]:
    """``cls.__init__``, compiled once: each field set with ``object.__setattr__`` (the instance is frozen),
    defaults bound as the function's globals, default factories called when their argument is not given."""
    namespace: dict[str, Any] = {"_set": object.__setattr__, "_MISSING": MISSING}
    positional: list[str] = []
    keyword: list[str] = []
    body: list[str] = []
    for f in dataclasses.fields(cls):
        name: str = f.name
        default: str | None = None
        if f.default is not MISSING:
            namespace[f"_default_{name}"] = f.default
            default, value = f"_default_{name}", (name if f.init else f"_default_{name}")
        elif f.default_factory is not MISSING:
            namespace[f"_factory_{name}"] = f.default_factory
            call = f"_factory_{name}()"
            default, value = "_MISSING", (f"{call} if {name} is _MISSING else {name}" if f.init else call)
        elif f.init:
            value = name
        else:
            continue  # no init, no default: the standard decorator leaves the field unset too
        if f.init:
            (keyword if f.kw_only else positional).append(name if default is None else f"{name}={default}")
        body.append(f"  _set(self, {name!r}, {value})")
    if hasattr(cls, "__post_init__"):
        body.append("  self.__post_init__()")
    signature = ", ".join(["self", *positional, *(["*", *keyword] if keyword else [])])
    source = f"def __init__({signature}):\n" + ("\n".join(body) or "  pass") + "\n"
    exec(source, namespace)
    init: Callable[..., None] = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


def _init_on_first_use(cls: Any) -> Callable[..., None]:
    """An ``__init__`` that compiles ``cls``'s own on the first call and hands over to it: compiling is most of
    what defining a record costs, and a run creates instances of few of cnncalc's records."""

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if cls.__init__ is __init__:
            cls.__init__ = _init(cls)
        cls.__init__(self, *args, **kwargs)

    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    return __init__


def _finish(cls: type[T]) -> type[T]:
    own = cls.__dict__
    undocumented = not cls.__doc__
    if undocumented:  # the standard decorator would write one from inspect.signature: 1 ms per class
        cls.__doc__ = cls.__name__
    made: Any = dataclass(cls, init=False, repr=False, eq=False, frozen=False, slots=True)
    fields = dataclasses.fields(made)
    if undocumented:
        made.__doc__ = f"{cls.__name__}({', '.join(f.name for f in fields if f.init)})"
    defaulted = False
    for f in fields:  # refused when the class is defined, as the standard decorator refuses it
        if f.init and not f.kw_only:
            has_default = f.default is not MISSING or f.default_factory is not MISSING
            if defaulted and not has_default:
                raise TypeError(f"non-default argument {f.name!r} follows default argument")
            defaulted = defaulted or has_default
    methods: dict[str, Any] = {
        "__init__": _init_on_first_use(made),
        "__setattr__": _refuse_set,
        "__delattr__": _refuse_delete,
        "__getstate__": _getstate,
        "__setstate__": _setstate,
        "_record_key": staticmethod(_key(tuple(f.name for f in fields if f.compare))),
        "_record_hashed": staticmethod(
            _key(tuple(f.name for f in fields if (f.compare if f.hash is None else f.hash)))
        ),
        "_record_shown": tuple(f.name for f in fields if f.repr),
    }
    if "__repr__" not in own:
        methods["__repr__"] = _repr
    if "__eq__" not in own:
        methods["__eq__"] = _eq
    if own.get("__hash__") is None:  # none written, or None because the class wrote __eq__
        methods["__hash__"] = _hash
    for name, value in methods.items():
        setattr(made, name, value)
    made_type: type[T] = made
    return made_type


def _hash(self: Any) -> int:
    return hash(self._record_hashed(self))


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field, dataclasses.Field))
def record(cls: type[T]) -> type[T]:
    """Make ``cls`` a frozen, slotted dataclass (see the module's docstring)."""
    return _finish(cls)
