"""Integer expressions in block arguments: ``filters: $c * 6``, ``padding: ($k - 1) // 2``, ``times: $n``.

Grammar (integers only; ``//`` and ``%`` floor as in Python)::

    expr  := term (("+" | "-") term)*
    term  := unary (("*" | "//" | "%") unary)*
    unary := "-" unary | atom
    atom  := INTEGER | "$" NAME | "(" expr ")" | ("min" | "max") "(" expr "," expr ")"

Parsed by recursive descent and evaluated directly — never with ``eval``. A string is an expression when
it contains ``$`` and is not a single ``$name`` (that is a plain parameter reference).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

MAX_LENGTH = 500  # characters: an expression is a line of arithmetic, not a program
MAX_DEPTH = 50  # nesting of parentheses and unary minus
_TOKEN = re.compile(r"\s*(?:(\d+)|\$([A-Za-z_][A-Za-z0-9_]*)|(//|[-+*%(),])|(min|max)\b)")
_PARAM_NAME = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_WHOLE_REF = re.compile(r"\$[A-Za-z_][A-Za-z0-9_]*\Z")
EXPRESSION_DOC = (
    "an integer expression over the block's parameters: integers, $name, + - * // %, parentheses, min(a, b), max(a, b)"
)


class ExpressionError(Exception):
    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def is_expression(value: object) -> bool:
    return isinstance(value, str) and "$" in value and _WHOLE_REF.match(value.strip()) is None


def names(text: str) -> list[str]:
    """Every ``$name`` an expression (or any text) mentions."""
    return _PARAM_NAME.findall(text)


def _tokens(text: str) -> list[str]:
    out: list[str] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            bad = text[pos:].lstrip()[:10]
            raise ExpressionError(
                f"cannot read {bad!r} in the expression",
                "use integers, $name, + - * // %, parentheses, min(a, b) and max(a, b)",
            )
        number, name, op, func = m.groups()
        out.append(number or (f"${name}" if name else None) or op or func)
        pos = m.end()
    return out


def evaluate(text: str, lookup: Callable[[str], int]) -> int:
    """The value of ``text``; ``lookup`` gives a parameter's integer value (or raises ExpressionError)."""
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression is longer than {MAX_LENGTH} characters")
    tokens = _tokens(text)
    parser = _Parser(tokens, lookup)
    value = parser.expr(0)
    if parser.pos != len(tokens):
        raise ExpressionError(f"unexpected {tokens[parser.pos]!r} in the expression")
    return value


def bound_values(text: str, values: Mapping[str, object]) -> str:
    """``c = 16, k = 3``: the parameters an expression uses, for error messages."""
    seen = dict.fromkeys(names(text))
    return ", ".join(f"{n} = {values[n]!r}" for n in seen if n in values)


class _Parser:
    def __init__(self, tokens: list[str], lookup: Callable[[str], int]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.lookup = lookup

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None:
            raise ExpressionError("the expression ends too early" + (f": expected {expected!r}" if expected else ""))
        if expected is not None and token != expected:
            raise ExpressionError(f"expected {expected!r}, got {token!r} in the expression")
        self.pos += 1
        return token

    def expr(self, depth: int) -> int:
        value = self.term(depth)
        while self.peek() in ("+", "-"):
            op = self.take()
            right = self.term(depth)
            value = value + right if op == "+" else value - right
        return value

    def term(self, depth: int) -> int:
        value = self.unary(depth)
        while self.peek() in ("*", "//", "%"):
            op = self.take()
            right = self.unary(depth)
            if op == "*":
                value *= right
            elif right == 0:
                raise ExpressionError(f"division by zero ({value} {op} 0)")
            else:
                value = value // right if op == "//" else value % right
            if abs(value) > 2**63:
                raise ExpressionError("the expression's value is too large")
        return value

    def unary(self, depth: int) -> int:
        if depth > MAX_DEPTH:
            raise ExpressionError(f"the expression nests deeper than {MAX_DEPTH} levels")
        if self.peek() == "-":
            self.take()
            return -self.unary(depth + 1)
        return self.atom(depth)

    def atom(self, depth: int) -> int:
        token = self.take()
        if token.isdigit():
            return int(token)
        if token.startswith("$"):
            return self.lookup(token[1:])
        if token == "(":
            value = self.expr(depth + 1)
            self.take(")")
            return value
        if token in ("min", "max"):
            self.take("(")
            a = self.expr(depth + 1)
            self.take(",")
            b = self.expr(depth + 1)
            self.take(")")
            return min(a, b) if token == "min" else max(a, b)
        raise ExpressionError(f"unexpected {token!r} in the expression")
