"""Filter expressions → SQL `WHERE` fragments with bound parameters (filter-and-rules.md §1-§3).

Values never reach the SQL text: literals and macros become `:pN` parameters. `&&`/`||` are
emitted as a flat `AND`/`OR` sequence, so SQL precedence applies as in PocketBase.
"""

from __future__ import annotations

import itertools
import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from pocketlite.search.fexpr import OR, Comparison, Expression, FilterSyntaxError, Group, Token, parse
from pocketlite.search.macros import MACROS
from pocketlite.search.resolver import FieldResolver, NullFallback, ResolverResult

__all__ = ["DEFAULT_MAX_EXPRESSIONS", "FilterError", "SQLFilter", "build_filter"]

DEFAULT_MAX_EXPRESSIONS = 200

_LITERAL_IDENTIFIERS = {"null": "NULL", "true": "1", "false": "0"}
_COMPARE = {"<": "<", "<=": "<=", ">": ">", ">=": ">="}


class FilterError(ValueError):
    """A filter that can't be parsed or resolved; the message is PocketBase's."""


@dataclass
class SQLFilter:
    """A `WHERE` fragment and its named parameters."""

    sql: str
    params: dict[str, Any] = field(default_factory=dict)


def build_filter(
    text: str,
    resolver: FieldResolver,
    max_expressions: int = DEFAULT_MAX_EXPRESSIONS,
    *,
    prefix: str = "p",
    placeholders: dict[str, Any] | None = None,
) -> SQLFilter:
    """The SQL of a filter; `FilterError` when it is invalid or exceeds `max_expressions`.
    Parameters are named `<prefix>N`: filters combined in one query need distinct prefixes.

    `{:name}` in `text` stands for `placeholders[name]`, always a literal: the filter is parsed
    with a plain stand-in there, which is then swapped for the value's token, so no value is
    ever read as filter syntax (PocketBase pastes quoted values into the text instead)."""
    stand_ins: dict[str, Token] = {}
    for n, (key, value) in enumerate((placeholders or {}).items()):
        marker = f"{_STAND_IN}{n}"
        if "{:" + key + "}" in text:
            text = text.replace("{:" + key + "}", f'"{marker}"')
            stand_ins[marker] = _value_token(value)
    try:
        expression = parse(text)
    except FilterSyntaxError as exc:
        raise FilterError(str(exc)) from exc
    if stand_ins:
        expression = _substitute(expression, stand_ins)
    builder = _Builder(resolver, max_expressions, prefix)
    return SQLFilter(builder.expression(expression), builder.params)


# Stand-ins for placeholders: random per process, so no filter text can hold one by chance.
_STAND_IN = f"__placeholder_{secrets.token_hex(8)}_"


def _value_token(value: Any) -> Token:
    if value is None:
        return Token("identifier", "null")
    if isinstance(value, bool):
        return Token("identifier", "true" if value else "false")
    if isinstance(value, int | float):
        return Token("number", repr(value))
    return Token("text", value if isinstance(value, str) else json.dumps(value, separators=(",", ":")))


def _substitute(expression: Expression, stand_ins: dict[str, Token]) -> Expression:
    def token(t: Token) -> Token:
        if t.kind == "text" and t.literal in stand_ins:
            return stand_ins[t.literal]
        if t.args:
            return Token(t.kind, t.literal, tuple(token(a) for a in t.args))
        return t

    def group(g: Group) -> Group:
        item = g.item
        if isinstance(item, Comparison):
            return Group(g.join, Comparison(token(item.left), item.sign, token(item.right)))
        return Group(g.join, _substitute(item, stand_ins))

    return tuple(group(g) for g in expression)


class _Builder:
    def __init__(self, resolver: FieldResolver, max_expressions: int, prefix: str) -> None:
        self.resolver = resolver
        self.prefix = prefix
        self.remaining = max_expressions
        self.params: dict[str, Any] = {}
        self._names = itertools.count()

    def expression(self, expression: Expression) -> str:
        if not expression:
            raise FilterError("empty filter expression")
        parts: list[str] = []
        for group in expression:
            if isinstance(group.item, Comparison):
                if self.remaining <= 0:
                    raise FilterError("max filter expressions limit reached")
                self.remaining -= 1
                sql = self.comparison(group.item)
            else:
                sql = "(" + self.expression(group.item) + ")"
            if parts:
                parts.append("OR" if group.join == OR else "AND")
            parts.append(sql)
        return " ".join(parts)

    def comparison(self, item: Comparison) -> str:
        left = self._operand(item.left, "left")
        right = self._operand(item.right, "right")
        return self._resolvers(left, item.sign, right)

    def _resolvers(self, left: ResolverResult, sign: str, right: ResolverResult) -> str:
        """PocketBase's `buildResolversExpr`: the comparison, then, for the non-`?` operators on
        multi-valued paths, the condition that every value matches."""
        any_match = sign.startswith("?")
        op = sign.removeprefix("?")
        if op in ("=", "!="):
            sql = _equal(op == "=", left, right)
        elif op in ("~", "!~"):
            negate = "NOT " if op == "!~" else ""
            if not right.params:
                sql = f"{left.identifier} {negate}LIKE ('%' || {right.identifier} || '%') ESCAPE '\\'"
            else:
                for name, value in right.params.items():
                    self.params[name] = _like_pattern(str(value))
                sql = f"{left.identifier} {negate}LIKE {right.identifier} ESCAPE '\\'"
        else:
            sql = f"{left.identifier} {_COMPARE[op]} {right.identifier}"
        if not any_match:
            if left.multi_match is not None and right.multi_match is not None:
                sql = f"({sql} AND {self._many_vs_many(left, op, right)})"
            elif left.multi_match is not None:
                sql = f"({sql} AND {self._many_vs_one(left, op, right, inverse=False)})"
            elif right.multi_match is not None:
                sql = f"({sql} AND {self._many_vs_one(right, op, left, inverse=True)})"
        if left.after_build is not None:
            sql = left.after_build(sql)
        if right.after_build is not None:
            sql = right.after_build(sql)
        return sql

    def _alias(self, kind: str) -> str:
        return f"{kind}{self.prefix}{next(self._names)}"

    def _many_vs_one(self, many: ResolverResult, op: str, other: ResolverResult, *, inverse: bool) -> str:
        assert many.multi_match is not None
        self.params.update(many.multi_match.params)
        alias = self._alias("__sm")
        value = ResolverResult(
            f"`{alias}`.`multiMatchValue`", null_fallback=many.null_fallback, after_build=_negate
        )
        plain = ResolverResult(other.identifier, dict(other.params))
        where = self._resolvers(plain, op, value) if inverse else self._resolvers(value, op, plain)
        return f"NOT EXISTS (SELECT 1 FROM ({many.multi_match.sql()}) `{alias}` WHERE {where})"

    def _many_vs_many(self, left: ResolverResult, op: str, right: ResolverResult) -> str:
        assert left.multi_match is not None and right.multi_match is not None
        self.params.update(left.multi_match.params)
        self.params.update(right.multi_match.params)
        left_alias, right_alias = self._alias("__ml"), self._alias("__mr")
        where = self._resolvers(
            ResolverResult(f"`{left_alias}`.`multiMatchValue`", null_fallback=left.null_fallback),
            op,
            ResolverResult(
                f"`{right_alias}`.`multiMatchValue`", null_fallback=right.null_fallback, after_build=_negate
            ),
        )
        return (
            f"NOT EXISTS (SELECT 1 FROM ({left.multi_match.sql()}) `{left_alias}` "
            f"LEFT JOIN ({right.multi_match.sql()}) `{right_alias}` WHERE {where})"
        )

    def _operand(self, token: Token, side: str) -> ResolverResult:
        try:
            result = self._resolve(token)
        except ValueError as exc:
            raise FilterError(f'invalid {side} operand "{token.literal}" - {exc}') from exc
        if not result.identifier:
            raise FilterError(f'invalid {side} operand "{token.literal}" - <nil>')
        self.params.update(result.params)
        return result

    def _bind(self, value: Any) -> ResolverResult:
        name = f"{self.prefix}{next(self._names)}"
        return ResolverResult(f":{name}", {name: value})

    def _resolve(self, token: Token) -> ResolverResult:
        if token.kind == "text":
            return self._bind(token.literal)
        if token.kind == "number":
            return self._bind(float(token.literal))
        if token.kind == "function":
            function = _FUNCTIONS.get(token.literal)
            if function is None:
                raise ValueError(f'unknown function "{token.literal}"')
            return function(self, token.args)
        macro = MACROS.get(token.literal)
        if macro is not None:
            return self._bind(macro())
        try:
            return self.resolver.resolve(token.literal)
        except ValueError:
            literal = _LITERAL_IDENTIFIERS.get(token.literal.lower())
            if literal is not None:
                return ResolverResult(literal)
            raise


def _geo_distance(builder: _Builder, args: tuple[Token, ...]) -> ResolverResult:
    """`geoDistance(lonA, latA, lonB, latB)`: great-circle kilometres (haversine-free form)."""
    if len(args) != 4:
        raise ValueError(f"[geoDistance] expected 4 arguments, got {len(args)}")
    resolved = []
    for i, arg in enumerate(args):
        if arg.kind not in ("identifier", "number"):
            raise ValueError(f"[geoDistance] argument {i} must be an identifier or number")
        try:
            resolved.append(builder._resolve(arg))
        except ValueError as exc:
            raise ValueError(f"[geoDistance] failed to resolve argument {i}: {exc}") from exc
    lon_a, lat_a, lon_b, lat_b = (r.identifier for r in resolved)
    params = {k: v for r in resolved for k, v in r.params.items()}
    sql = (
        f"(6371 * acos(cos(radians({lat_a})) * cos(radians({lat_b})) * "
        f"cos(radians({lon_b}) - radians({lon_a})) + sin(radians({lat_a})) * sin(radians({lat_b}))))"
    )
    return ResolverResult(sql, params, NullFallback.DISABLED)


def _strftime(builder: _Builder, args: tuple[Token, ...]) -> ResolverResult:
    """`strftime(format[, time value[, modifiers…]])`: SQLite's strftime, also over multi-valued
    time values."""
    if not args:
        raise ValueError("[strftime] expected at least 1 arguments, got 0")
    if len(args) > 10:
        raise ValueError(f"[strftime] too many arguments (max allowed 10, got {len(args)})")
    if args[0].kind != "text":
        raise ValueError("[strftime] expects the first argument to be a format string")
    fmt = builder._resolve(args[0])
    if len(args) == 1:
        return ResolverResult(f"strftime({fmt.identifier})", fmt.params, NullFallback.ENFORCED)
    if args[1].kind not in ("text", "identifier", "number"):
        raise ValueError("[strftime] expects the second argument to be of a valid time-value type")
    try:
        value = builder._resolve(args[1])
    except ValueError as exc:
        raise ValueError(f"[strftime] failed to resolve time-value argument: {exc}") from exc
    modifiers = []
    for i, arg in enumerate(args[2:]):
        if arg.kind != "text":
            raise ValueError(f"[strftime] invalid modifier argument {i} - can be only string")
        modifiers.append(builder._resolve(arg))
    parts = [fmt, value, *modifiers]
    params = {k: v for r in parts for k, v in r.params.items()}
    result = ResolverResult(
        "strftime(" + ",".join(r.identifier for r in parts) + ")", params, NullFallback.ENFORCED
    )
    if value.multi_match is not None:
        others = ",".join(r.identifier for r in modifiers)
        inner = (
            f"strftime({fmt.identifier},{value.multi_match.value}" + (f",{others}" if others else "") + ")"
        )
        value.multi_match.value = inner
        value.multi_match.params.update(params)
        result.multi_match = value.multi_match
    return result


_FUNCTIONS = {"geoDistance": _geo_distance, "strftime": _strftime}


def _negate(sql: str) -> str:
    return f"NOT ({sql})"


def _is_empty_identifier(result: ResolverResult) -> bool:
    return result.identifier.lower() in ("", "null", "''", '""', "``")


def _has_empty_param(result: ResolverResult) -> bool:
    return any(v is None or v == "" for v in result.params.values())


def _is_known_non_empty(result: ResolverResult) -> bool:
    if result.null_fallback is NullFallback.ENFORCED:
        return False
    if result.identifier.lower() in ("1", "0", "false", "true"):
        return True
    return bool(result.params) and not _has_empty_param(result) and not _is_empty_identifier(result)


def _equal(equal: bool, left: ResolverResult, right: ResolverResult) -> str:
    """`=`/`!=` where NULL and "" count as the same empty value, as PocketBase does."""
    op, null_op, concat, null_test = (
        ("=", "IS", "OR", "IS NULL") if equal else ("IS NOT", "IS NOT", "AND", "IS NOT NULL")
    )
    if NullFallback.DISABLED in (left.null_fallback, right.null_fallback):
        return f"{left.identifier} {null_op} {right.identifier}"

    def empty(result: ResolverResult) -> bool:
        return _is_empty_identifier(result) or (
            result.null_fallback is NullFallback.AUTO and len(result.params) == 1 and _has_empty_param(result)
        )

    left_empty, right_empty = empty(left), empty(right)
    if left_empty and right_empty:
        return f"'' {op} ''"
    if _is_known_non_empty(left) or _is_known_non_empty(right):
        left_sql = "''" if left_empty else left.identifier
        right_sql = "''" if right_empty else right.identifier
        return f"{left_sql} {op} {right_sql}"
    if left_empty:
        return f"('' {op} {right.identifier} {concat} {right.identifier} {null_test})"
    if right_empty:
        return f"({left.identifier} {op} '' {concat} {left.identifier} {null_test})"
    return f"COALESCE({left.identifier}, '') {op} COALESCE({right.identifier}, '')"


def _like_pattern(value: str) -> str:
    """A `~` operand: wrapped in `%…%` with `%`, `_` and `\\` escaped, unless it already holds an
    unescaped `%` (then it is used as the user's own pattern)."""
    if _contains_unescaped(value, "%"):
        return value
    return "%" + _escape_unescaped(value, "\\%_") + "%"


def _contains_unescaped(text: str, char: str) -> bool:
    previous = ""
    for ch in text:
        if ch == char and previous != "\\":
            return True
        previous = "" if (ch == "\\" and previous == "\\") else ch
    return False


def _escape_unescaped(text: str, chars: str) -> str:
    out: list[str] = []
    match = False
    for i in range(len(text) - 1, -1, -1):
        ch = text[i]
        if match:
            if ch != "\\":
                out.append("\\")
            match = False
        elif ch in chars:
            match = True
        out.append(ch)
        if i == 0 and match:
            out.append("\\")
    return "".join(reversed(out))
