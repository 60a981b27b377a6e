"""A real Rust parser for the tests: tree-sitter with its Rust grammar (PyPI wheels).

Tree-sitter recovers from syntax errors, so a parse "succeeds" on anything; `problems()`
therefore reports every ERROR node and every MISSING node (a token the parser had to invent),
with its line and column, and a text parses only when there are none.

How a snippet is parsed (see `check`):
- as a file of items (`struct`, `impl`, `fn`, macro invocations, `use`);
- else as statements: wrapped in `fn __snippet() { ... }`;
- or as the fragment kind its fence says (`rust,fragment=...`, see test_rust_blocks.py).
"""

from __future__ import annotations

import functools

import tree_sitter
import tree_sitter_rust

#: Fragment kinds an author may declare in a fence, and how each is wrapped to parse.
#: `{}` stands for the snippet.
WRAPPERS = {
    "items": "{}",
    "statements": "fn __snippet() {{\n{}\n}}",
    "expr": "fn __snippet() {{\nlet _ = (\n{}\n);\n}}",
    "type": "type __Snippet = \n{}\n;",
    "impl-items": "impl __Snippet {{\n{}\n}}",
    "trait-items": "trait __Snippet {{\n{}\n}}",
    "fields": "struct __Snippet {{\n{}\n}}",
    "match-arms": "fn __snippet() {{\nmatch () {{\n{}\n}}\n}}",
}


@functools.lru_cache(maxsize=1)
def _parser() -> tree_sitter.Parser:
    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_rust.language()))


def problems(source: str) -> list[tuple[int, int, str]]:
    """Every syntax error in `source` as (line, column, description), 1-based; empty when
    it parses."""
    tree = _parser().parse(source.encode())
    found = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.is_missing:
            row, col = node.start_point
            found.append((row + 1, col + 1, f"missing `{node.type}`"))
        elif node.type == "ERROR":
            row, col = node.start_point
            text = node.text.decode(errors="replace").splitlines()
            first = text[0].strip() if text else ""
            found.append((row + 1, col + 1, f"syntax error near `{first[:60]}`"))
        elif node.has_error:
            stack.extend(node.children)
    return sorted(found)


def check(snippet: str, kind: str | None = None) -> list[str]:
    """Parse `snippet` as `kind` (one of WRAPPERS), or, with no kind, as items, else as
    statements. Returns the errors (lines relative to the snippet); empty when it parses."""
    kinds = [kind] if kind else ["items", "statements"]
    best = None
    for k in kinds:
        if k not in WRAPPERS:
            return [f"unknown fragment kind {k!r} (known: {', '.join(WRAPPERS)})"]
        wrapper = WRAPPERS[k]
        offset = wrapper.split("{}")[0].replace("{{", "{").count("\n")
        found = problems(wrapper.format(snippet))
        if not found:
            return []
        errors = [f"line {max(1, line - offset)}, column {col}: {what} (parsed as {k})"
                  for line, col, what in found]
        best = errors if best is None else best
    return best
