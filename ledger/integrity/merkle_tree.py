"""Storage-agnostic machinery for a live RFC 9162 log that keeps its interior nodes.

The log stores the hash of every *perfect* subtree it has completed. Node ``(level, index)``
covers leaves ``[index * 2**level, (index + 1) * 2**level)``; level 0 holds the leaf hashes.
Storage is reached only through a ``get_node(level, index) -> bytes`` callable, so a database
table, a tile store or a dict all work.

Rules the module enforces:

1. Only perfect nodes exist. Appending the leaf at position ``p`` creates ``(0, p)`` and then,
   while the node just made is a right child (odd index), its parent; the left sibling it needs
   is always an already stored perfect node. ``appended_nodes`` returns exactly those nodes.
2. Appending N leaves with ``appended_nodes_batch`` costs N leaf nodes plus fewer than N
   ``node_hash`` calls, and at most one ``get_node`` read per set bit of the starting size
   (the right frontier is read once, then kept in memory).
3. Any range ``[a, b)`` the RFC tree uses decomposes into at most ``log2(b - a) + 1`` stored
   perfect subtrees (``perfect_subtrees``), so ``tree_root``, ``tree_inclusion_proof`` and
   ``tree_consistency_proof`` read O(log n) nodes and never rehash leaves. They return exactly
   what ``ledger.integrity.merkle.root_hash`` / ``inclusion_proof`` / ``consistency_proof`` return for the
   same leaves, and refuse the same arguments with ``ValueError``.
4. Nothing is trusted blindly: a node read from storage that is not 32 bytes raises
   ``ledger.errors.IntegrityError`` naming the node; no node outside the requested tree size is
   ever read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final

from ledger.errors import IntegrityError
from ledger.integrity.merkle import (
    EMPTY_ROOT,
    HASH_SIZE,
    MAX_TREE_SIZE,
    consistency_ranges,
    inclusion_ranges,
    node_hash,
)
from ledger.integrity.topics import stored_as

__all__ = [
    "GetNode",
    "MemoryNodeStore",
    "Node",
    "appended_nodes",
    "appended_nodes_batch",
    "perfect_subtrees",
    "tree_consistency_proof",
    "tree_inclusion_proof",
    "tree_root",
]

#: Reads the stored hash of perfect node ``(level, index)``.
GetNode = Callable[[int, int], bytes]
#: A perfect-subtree node to store: ``(level, index, hash)``.
Node = tuple[int, int, bytes]

#: Level of the leaf hashes.
LEAF_LEVEL: Final = 0


def _check_size(value: object, what: str, *, minimum: int = 0) -> int:
    if type(value) is not int or not minimum <= value <= MAX_TREE_SIZE:
        raise ValueError(f"{what}: expected an int in [{minimum}, 2**64 - 1], got {value!r}")
    return value


def _check_leaf(value: object, what: str) -> bytes:
    if not isinstance(value, bytes) or len(value) != HASH_SIZE:
        observed = f"{len(value)} bytes" if isinstance(value, bytes) else type(value).__name__
        raise ValueError(f"{what}: expected a {HASH_SIZE}-byte leaf hash, got {observed}")
    return value


def _read(get_node: GetNode, level: int, index: int) -> bytes:
    value = get_node(level, index)
    if not isinstance(value, bytes) or len(value) != HASH_SIZE:
        observed = f"{len(value)} bytes" if isinstance(value, bytes) else type(value).__name__
        raise IntegrityError(
            f"stored Merkle node (level {level}, index {index}): expected {HASH_SIZE} bytes, got {observed}"
        )
    return value


# --------------------------------------------------------------------------- appending


def appended_nodes(size_before: int, leaf: bytes, get_node: GetNode) -> list[Node]:
    """Nodes created by appending leaf hash ``leaf`` to a log of ``size_before`` leaves.

    Returns ``(level, index, hash)`` from the leaf ``(0, size_before)`` upward. Reads one
    left sibling per trailing one bit of ``size_before``.
    """
    _check_size(size_before, "size_before")
    if size_before == MAX_TREE_SIZE:
        raise ValueError(f"size_before: the log is full at {MAX_TREE_SIZE} leaves")
    h = _check_leaf(leaf, "leaf")
    level, index = LEAF_LEVEL, size_before
    nodes: list[Node] = [(level, index, h)]
    while index & 1:
        h = node_hash(_read(get_node, level, index - 1), h)
        level, index = level + 1, index >> 1
        nodes.append((level, index, h))
    return nodes


def appended_nodes_batch(size_before: int, leaves: Sequence[bytes], get_node: GetNode) -> list[Node]:
    """Nodes created by appending ``leaves`` (leaf hashes) in order to a log of ``size_before``.

    Equal to concatenating ``appended_nodes`` for each leaf, but keeps the right frontier in
    memory: ``get_node`` is called at most once per set bit of ``size_before``, and exactly one
    ``node_hash`` is computed per interior node created.
    """
    _check_size(size_before, "size_before")
    if isinstance(leaves, (str, bytes, bytearray, memoryview)) or not isinstance(leaves, Sequence):
        raise ValueError(f"leaves: expected a sequence of leaf hashes, got {type(leaves).__name__}")
    if size_before + len(leaves) > MAX_TREE_SIZE:
        raise ValueError(f"leaves: {size_before} + {len(leaves)} exceeds {MAX_TREE_SIZE} leaves")
    # latest[level] = (index, hash) of the node most recently created at that level in this
    # batch: the right frontier. Nodes of one level are created in increasing index order, so
    # a left sibling made in this batch is always the latest node of its level.
    latest: dict[int, tuple[int, bytes]] = {}
    nodes: list[Node] = []
    for offset, leaf in enumerate(leaves):
        h = _check_leaf(leaf, f"leaves[{offset}]")
        level, index = LEAF_LEVEL, size_before + offset
        while True:
            previous = latest.get(level)
            latest[level] = (index, h)
            nodes.append((level, index, h))
            if not index & 1:
                break
            if previous is not None and previous[0] == index - 1:
                sibling = previous[1]
            else:  # the sibling predates the batch: one read per frontier level
                sibling = _read(get_node, level, index - 1)
            h = node_hash(sibling, h)
            level, index = level + 1, index >> 1
    return nodes


# --------------------------------------------------------------------------- reading


def perfect_subtrees(start: int, end: int) -> list[tuple[int, int]]:
    """Decompose leaves ``[start, end)`` into maximal perfect subtrees, left to right.

    Each item is ``(level, index)``. There are at most ``2 * log2(end - start) + 1`` of them,
    and at most ``log2(end - start) + 1`` when ``start`` is a multiple of a power of two at
    least ``end - start`` (which holds for every range the RFC tree uses).
    """
    _check_size(start, "start")
    _check_size(end, "end")
    if start > end:
        raise ValueError(f"perfect_subtrees: expected start <= end, got [{start}, {end})")
    out: list[tuple[int, int]] = []
    while start < end:
        level = (start & -start).bit_length() - 1 if start else MAX_TREE_SIZE.bit_length()
        while start + (1 << level) > end:
            level -= 1
        out.append((level, start >> level))
        start += 1 << level
    return out


def _subtree_hash(start: int, end: int, get_node: GetNode) -> bytes:
    """MTH(D[start:end]) for a range of the RFC tree, from stored perfect nodes only."""
    parts = perfect_subtrees(start, end)
    # For RFC ranges the pieces have strictly decreasing sizes, so folding from the right
    # reproduces the left-heavy split MTH(D[a:b]) = H(MTH(D[a:a+k]), MTH(D[a+k:b])).
    acc = _read(get_node, *parts[-1])
    for level, index in reversed(parts[:-1]):
        acc = node_hash(_read(get_node, level, index), acc)
    return acc


def tree_root(size: int, get_node: GetNode) -> bytes:
    """Root hash of the first ``size`` leaves (``EMPTY_ROOT`` for 0); popcount(size) reads."""
    _check_size(size, "size")
    if size == 0:
        return EMPTY_ROOT
    return _subtree_hash(0, size, get_node)


def tree_inclusion_proof(index: int, size: int, get_node: GetNode) -> list[bytes]:
    """Inclusion proof of leaf ``index`` in the tree of ``size`` leaves, from stored nodes."""
    _check_size(size, "size")
    if type(index) is not int or not 0 <= index < size:
        raise ValueError(f"inclusion proof: index must satisfy 0 <= index < {size}, got {index!r}")
    return [_subtree_hash(a, b, get_node) for a, b in inclusion_ranges(index, size)]


def tree_consistency_proof(old_size: int, new_size: int, get_node: GetNode) -> list[bytes]:
    """Consistency proof from ``old_size`` to ``new_size`` leaves, from stored nodes.

    Same conventions as ``ledger.integrity.merkle.consistency_proof``: empty when the sizes are equal,
    ``ValueError`` when ``old_size`` is 0 or exceeds ``new_size``.
    """
    _check_size(new_size, "new_size")
    if type(old_size) is not int or not 0 < old_size <= new_size:
        raise ValueError(
            f"consistency proof: old_size must satisfy 0 < old_size <= {new_size}, got {old_size!r}"
        )
    return [_subtree_hash(a, b, get_node) for a, b in consistency_ranges(old_size, new_size)]


# --------------------------------------------------------------------------- in memory


class MemoryNodeStore:
    """A log kept in a dict ``{(level, index): hash}``: for tests and small tools."""

    __slots__ = ("nodes", "size")

    def __init__(self) -> None:
        self.nodes: dict[tuple[int, int], bytes] = {}
        self.size = 0

    def get_node(self, level: int, index: int) -> bytes:
        """Stored hash of ``(level, index)``; ``KeyError`` naming the node if absent."""
        try:
            return self.nodes[(level, index)]
        except KeyError:
            raise KeyError(f"no stored Merkle node (level {level}, index {index})") from None

    def append(self, leaf: bytes) -> None:
        """Append one leaf hash."""
        self._store(appended_nodes(self.size, leaf, self.get_node))
        self.size += 1

    def extend(self, leaves: Sequence[bytes]) -> None:
        """Append several leaf hashes in order."""
        self._store(appended_nodes_batch(self.size, leaves, self.get_node))
        self.size += len(leaves)

    def _store(self, created: list[Node]) -> None:
        for level, index, h in created:
            self.nodes[(level, index)] = h

    def root(self, size: int | None = None) -> bytes:
        """Root of the first ``size`` leaves (default: all)."""
        return tree_root(self.size if size is None else size, self.get_node)


stored_as(__name__, "ledger.merkle_tree")  # its classes keep the topics they were first stored under
