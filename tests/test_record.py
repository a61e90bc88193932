"""``@record`` behaves as ``@dataclass(frozen=True, slots=True)``: each behaviour is checked on twin classes, one
made by each decorator, and must come out the same."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from collections.abc import Callable
from dataclasses import FrozenInstanceError, dataclass, field
from typing import Any

import pytest

from cnncalc.record import record


def _twins(make: Callable[[Callable[[type], type]], type]) -> tuple[type, type]:
    return make(record), make(dataclass(frozen=True, slots=True))


def _plain(decorate: Callable[[type], type]) -> type:
    class Plain:
        a: int
        b: str = "x"
        c: tuple[int, ...] = ()

    return decorate(Plain)


def _factory(decorate: Callable[[type], type]) -> type:
    class Factory:
        a: int
        items: list[int] = field(default_factory=list)
        hidden: int = field(default=7, init=False, repr=False)
        loose: int = field(default=0, compare=False)
        keyed: str = field(default="k", kw_only=True)

    return decorate(Factory)


def _empty(decorate: Callable[[type], type]) -> type:
    class Empty:
        pass

    return decorate(Empty)


def _child(decorate: Callable[[type], type]) -> type:
    base = _plain(decorate)

    class Child(base):  # type: ignore[valid-type, misc]
        d: float = 1.5

    return decorate(Child)


# each: a class maker and the arguments of three instances, the first two equal
CASES: dict[str, tuple[Callable[[Callable[[type], type]], type], list[tuple[tuple[Any, ...], dict[str, Any]]]]] = {
    "plain": (_plain, [((1,), {}), ((1, "x", ()), {}), ((2, "y", (3,)), {})]),
    "factory": (_factory, [((1,), {"loose": 5}), ((1, []), {"keyed": "k"}), ((1, [2]), {"keyed": "q"})]),
    "empty": (_empty, [((), {}), ((), {}), ((), {})]),
    "child": (_child, [((1,), {"d": 1.5}), ((1, "x", (), 1.5), {}), ((1,), {"d": 2.0})]),
}


def _observe(cls: type, calls: list[tuple[tuple[Any, ...], dict[str, Any]]]) -> dict[str, Any]:
    first, same, other = (cls(*args, **kwargs) for args, kwargs in calls)
    seen: dict[str, Any] = {
        "repr": [repr(first), repr(other)],
        "eq": [first == same, first == other, first != other, first == object()],
        "fields": [(f.name, f.init, f.compare, f.kw_only) for f in dataclasses.fields(cls)],
        "asdict": dataclasses.asdict(first),
        "match_args": cls.__match_args__,
        "slots": hasattr(first, "__dict__"),
        "copy": [copy.copy(first) == first, copy.deepcopy(other) == other],
    }
    try:
        seen["hash"] = hash(first) == hash(same)
    except TypeError as exc:
        seen["hash"] = str(exc)
    if dataclasses.fields(cls):
        name = dataclasses.fields(cls)[0].name
        seen["replace"] = repr(dataclasses.replace(first, **{name: getattr(other, name)}))
        for act in (lambda: setattr(first, name, 0), lambda: delattr(first, name)):
            with pytest.raises(FrozenInstanceError):
                act()
    return seen


@pytest.mark.parametrize("case", CASES)
def test_record_behaves_as_a_frozen_slotted_dataclass(case: str) -> None:
    make, calls = CASES[case]
    ours, theirs = _twins(make)
    observed = _observe(ours, calls)
    expected = _observe(theirs, calls)
    assert observed == expected


def test_default_factories_give_each_instance_its_own_value() -> None:
    Factory = _factory(record)
    one, two = Factory(1), Factory(1)
    assert one.items == [] and one.items is not two.items
    assert one.hidden == 7  # init=False with a default: set by __init__, as the standard decorator does


def test_a_field_without_default_after_one_with_is_refused_as_the_standard_decorator_refuses_it() -> None:
    class Bad:
        a: int = 1
        b: int

    with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):
        record(Bad)
    with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):
        dataclass(frozen=True, slots=True)(Bad)


def test_written_methods_are_kept() -> None:
    @record
    class Named:
        a: int

        def __repr__(self) -> str:
            return f"<{self.a}>"

    assert repr(Named(3)) == "<3>"
    assert Named(3) == Named(3) and hash(Named(3)) == hash(Named(3))


@record
class Pickled:  # at module level, where pickle finds it
    a: int
    b: tuple[str, ...] = ()


def test_records_pickle() -> None:
    value = Pickled(1, ("x",))
    assert pickle.loads(pickle.dumps(value)) == value
