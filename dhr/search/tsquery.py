"""The searcher's query text as a PostgreSQL `tsquery` expression, with the same meaning as
the Whoosh backend gives it: words without an operator are alternatives, `AND` binds tighter
than `OR`, `NOT` excludes, parentheses group, "quoted phrases" keep their order.

`websearch_to_tsquery` reads each word or phrase (stemming, stop words, a phrase becomes
`<->`); the operators between them are applied in SQL (`||`, `&&`, `!!`). The searcher's
text only ever reaches the database as bound parameters. Anything unreadable (a stray
bracket, an operator with nothing to act on) is dropped, never an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dhr.search.query_text import Token, tokens

_WEIGHT = re.compile(r"\^[0-9.]*$")
_WORDS = re.compile(r"\w+")


@dataclass
class Compiled:
    """`sql` is None when the text has no words to look for."""

    sql: str | None
    params: dict[str, str] = field(default_factory=dict)
    # The alternatives at the top of "a b c" (each word, phrase or thesaurus group), as
    # tsquery SQL: an item matching more of them ranks higher. Empty for a single one.
    alternatives: list[str] = field(default_factory=list)


@dataclass
class _Node:
    op: str  # "leaf", "or", "and", "not"
    text: str = ""
    children: list[_Node] = field(default_factory=list)


class _Parser:
    def __init__(self, text: str):
        self.tokens = [t for t in (_unweighted(t) for t in tokens(text)) if t.text]
        self.at = 0

    def _peek(self) -> str | None:
        return self.tokens[self.at].text if self.at < len(self.tokens) else None

    def parse(self) -> _Node | None:
        found = []
        while self._peek() is not None:
            node = self._alternatives()
            if node is not None:
                found.append(node)
            elif self._peek() is not None:
                self.at += 1  # a token that starts nothing (a stray ")"): skip it
        return _joined("or", found)

    def _alternatives(self) -> _Node | None:
        found = [self._all_of()]
        while self._peek() not in (None, ")"):
            if self._peek() == "OR":
                self.at += 1
            node = self._all_of()
            if node is None and self._peek() in (None, ")"):
                break
            found.append(node)
        return _joined("or", [n for n in found if n is not None])

    def _all_of(self) -> _Node | None:
        found = [self._unary()]
        while self._peek() in ("AND", "ANDNOT", "ANDMAYBE"):
            op = self._peek()
            self.at += 1
            node = self._unary()
            if node is not None and op == "ANDNOT":
                node = _Node("not", children=[node])
            if op == "ANDMAYBE":  # "a ANDMAYBE b": b only ranks, so it is read as a
                continue
            found.append(node)
        return _joined("and", [n for n in found if n is not None])

    def _unary(self) -> _Node | None:
        text = self._peek()
        if text is None or text in (")", "OR", "AND", "ANDNOT", "ANDMAYBE"):
            return None
        self.at += 1
        if text == "NOT":
            inner = self._unary()
            return _Node("not", children=[inner]) if inner is not None else None
        if text == "(":
            inner = self._alternatives()
            if self._peek() == ")":
                self.at += 1
            return inner
        token = self.tokens[self.at - 1]
        words = _WORDS.findall(token.phrase_text if token.is_phrase else token.text)
        if not words:
            return None
        # Several words in one token (a phrase, "A&E", "word:word") must keep their order.
        leaf = " ".join(words)
        return _Node("leaf", text=f'"{leaf}"' if len(words) > 1 else leaf)


def _unweighted(token: Token) -> Token:
    """`term^0.5` (a synonym's weight from query_text.expand) -> `term`."""
    return Token(_WEIGHT.sub("", token.text))


def _joined(op: str, nodes: list[_Node]) -> _Node | None:
    if not nodes:
        return None
    return nodes[0] if len(nodes) == 1 else _Node(op, children=nodes)


def compile_query(text: str, prefix: str = "w") -> Compiled:
    """The tsquery SQL for `text`; parameters are named `<prefix><n>`."""
    root = _Parser(text).parse()
    if root is None:
        return Compiled(None)
    params: dict[str, str] = {}

    def sql(node: _Node) -> str:
        if node.op == "leaf":
            name = f"{prefix}{len(params)}"
            params[name] = node.text
            return f"websearch_to_tsquery('english', :{name})"
        if node.op == "not":
            return f"(!! {sql(node.children[0])})"
        if node.op == "or":
            wanted = [c for c in node.children if c.op != "not"]
            unwanted = [c.children[0] for c in node.children if c.op == "not"]
            if wanted and unwanted:  # "anxiety NOT injury": anxiety, without injury
                return (f"(({' || '.join(sql(c) for c in wanted)}) && "
                        f"!! ({' || '.join(sql(c) for c in unwanted)}))")
            return "(" + " || ".join(sql(c) for c in node.children) + ")"
        return "(" + " && ".join(sql(c) for c in node.children) + ")"

    if root.op == "or" and not any(c.op == "not" for c in root.children):
        alternatives = [sql(c) for c in root.children]
        return Compiled("(" + " || ".join(alternatives) + ")", params, alternatives)
    return Compiled(sql(root), params)
