"""Tests of ledger.integrity.merkle (RFC 9162 pure functions) and ledger.integrity.merkle_tree (stored nodes).

Three independent sources of truth: the transparency-dev/merkle probes and roots in
tests/merkle_vectors, and a naive recursive MTH / PATH / PROOF written here from RFC 9162
section 2.1 with hashlib only.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from collections.abc import Callable
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.errors import IntegrityError
from ledger.integrity.merkle import (
    EMPTY_ROOT,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_hash,
    verify_consistency,
    verify_inclusion,
)
from ledger.integrity.merkle_tree import (
    MemoryNodeStore,
    appended_nodes,
    appended_nodes_batch,
    perfect_subtrees,
    tree_consistency_proof,
    tree_inclusion_proof,
    tree_root,
)

VECTORS = Path(__file__).parent / "merkle_vectors"
MAX_LEAVES = 3000


# --------------------------------------------------------------------------- reference


def _h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


# One fixed list of leaf hashes; every tree in the property tests is a prefix of it, so the
# reference's subtree hashes can be cached by (lo, hi).
LEAVES: list[bytes] = [_h(b"\x00" + i.to_bytes(4, "big")) for i in range(MAX_LEAVES)]


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


@cache
def ref_mth(lo: int, hi: int) -> bytes:
    """MTH(D[lo:hi]) over LEAVES, straight from RFC 9162 section 2.1.1."""
    n = hi - lo
    if n == 0:
        return _h(b"")
    if n == 1:
        return LEAVES[lo]
    k = _k(n)
    return _h(b"\x01" + ref_mth(lo, lo + k) + ref_mth(lo + k, hi))


def ref_path(m: int, lo: int, hi: int) -> list[bytes]:
    """PATH(m, D[lo:hi]) from RFC 9162 section 2.1.3.1."""
    n = hi - lo
    if n == 1:
        return []
    k = _k(n)
    if m < k:
        return ref_path(m, lo, lo + k) + [ref_mth(lo + k, hi)]
    return ref_path(m - k, lo + k, hi) + [ref_mth(lo, lo + k)]


def ref_subproof(m: int, lo: int, hi: int, b: bool) -> list[bytes]:
    """SUBPROOF(m, D[lo:hi], b) from RFC 9162 section 2.1.4.1."""
    n = hi - lo
    if m == n:
        return [] if b else [ref_mth(lo, hi)]
    k = _k(n)
    if m <= k:
        return ref_subproof(m, lo, lo + k, b) + [ref_mth(lo + k, hi)]
    return ref_subproof(m - k, lo + k, hi, False) + [ref_mth(lo, lo + k)]


def ceil_log2(n: int) -> int:
    return math.ceil(math.log2(n)) if n > 1 else 0


def flip(data: bytes, position: int) -> bytes:
    return data[:position] + bytes([data[position] ^ 0x01]) + data[position + 1 :]


# --------------------------------------------------------------------------- vectors


def _b64(value: str) -> bytes:
    return base64.b64decode(value)


def _probes(kind: str) -> list[Any]:
    files = sorted((VECTORS / kind).rglob("*.json"))
    return [pytest.param(json.loads(f.read_text()), id=str(f.relative_to(VECTORS))) for f in files]


INCLUSION_PROBES = _probes("inclusion")
CONSISTENCY_PROBES = _probes("consistency")


def test_vector_corpus_is_complete() -> None:
    # Guards against a glob that silently finds nothing (and so tests nothing).
    assert len(INCLUSION_PROBES) == 98
    assert len(CONSISTENCY_PROBES) == 98
    wants = [p.values[0]["wantErr"] for p in INCLUSION_PROBES + CONSISTENCY_PROBES]
    assert wants.count(False) == 12 and wants.count(True) == 184


@pytest.mark.parametrize("probe", INCLUSION_PROBES)
def test_inclusion_vector(probe: dict[str, Any]) -> None:
    got = verify_inclusion(
        _b64(probe["leafHash"]),
        probe["leafIdx"],
        probe["treeSize"],
        [_b64(p) for p in probe["proof"] or []],
        _b64(probe["root"]),
    )
    assert got is (not probe["wantErr"]), probe["desc"]


@pytest.mark.parametrize("probe", CONSISTENCY_PROBES)
def test_consistency_vector(probe: dict[str, Any]) -> None:
    got = verify_consistency(
        probe["size1"],
        probe["size2"],
        _b64(probe["root1"]),
        _b64(probe["root2"]),
        [_b64(p) for p in probe["proof"] or []],
    )
    assert got is (not probe["wantErr"]), probe["desc"]


def test_roots_json() -> None:
    data = json.loads((VECTORS / "roots.json").read_text())
    leaves = [leaf_hash(bytes.fromhex(x)) for x in data["leaf_inputs_hex"]]
    assert len(data["root_hashes_hex_by_size"]) == 8
    for size, want in data["root_hashes_hex_by_size"].items():
        assert root_hash(leaves[: int(size)]).hex() == want
    assert root_hash([]).hex() == data["empty_root_hex"] == EMPTY_ROOT.hex()


# --------------------------------------------------------------------------- hashing


def test_hash_domain_separation() -> None:
    assert leaf_hash(b"") == _h(b"\x00")
    assert leaf_hash(b"abc") == _h(b"\x00abc")
    a, b = _h(b"a"), _h(b"b")
    assert node_hash(a, b) == _h(b"\x01" + a + b)
    assert node_hash(a, b) != node_hash(b, a)
    # A node's preimage, offered as a leaf entry, hashes differently (second-preimage guard).
    assert leaf_hash(a + b) != node_hash(a, b)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: leaf_hash("text"), "expected bytes, got str"),  # type: ignore[arg-type]
        (lambda: node_hash(b"x" * 31, b"y" * 32), "expected 32 bytes, got 31"),
        (lambda: node_hash(b"x" * 32, "y"), "got str"),  # type: ignore[arg-type]
        (lambda: root_hash([LEAVES[0], b"short"]), r"leaf_hashes\[1\]: expected 32 bytes, got 5"),
        (lambda: root_hash(b"".join(LEAVES[:2])), "expected a sequence"),  # type: ignore[arg-type]
        (lambda: inclusion_proof(LEAVES[:5], 5), r"0 <= index < 5, got 5"),
        (lambda: inclusion_proof(LEAVES[:5], -1), r"0 <= index < 5, got -1"),
        (lambda: inclusion_proof([], 0), r"0 <= index < 0, got 0"),
        (lambda: inclusion_proof(LEAVES[:5], True), r"got True"),  # bool is not an index
        (lambda: consistency_proof(LEAVES[:5], 0), r"0 < old_size <= 5, got 0"),
        (lambda: consistency_proof(LEAVES[:5], 6), r"0 < old_size <= 5, got 6"),
    ],
)
def test_producers_refuse_misuse(call: Callable[[], object], match: str) -> None:
    with pytest.raises((TypeError, ValueError), match=match):
        call()


def test_consistency_proof_of_equal_sizes_is_empty() -> None:
    assert consistency_proof(LEAVES[:7], 7) == []
    assert verify_consistency(7, 7, ref_mth(0, 7), ref_mth(0, 7), []) is True
    assert verify_consistency(7, 7, ref_mth(0, 7), ref_mth(0, 6), []) is False


def test_consistency_from_empty_tree_is_refused() -> None:
    assert verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, []) is False
    assert verify_consistency(0, 5, EMPTY_ROOT, ref_mth(0, 5), []) is False


def test_single_leaf_tree() -> None:
    leaf = leaf_hash(b"data")
    assert root_hash([leaf]) == leaf
    assert inclusion_proof([leaf], 0) == []
    assert verify_inclusion(leaf, 0, 1, [], leaf) is True
    assert verify_inclusion(leaf, 0, 1, [leaf], leaf) is False


# --------------------------------------------------------------------------- malformed input


def _good_inclusion() -> tuple[bytes, int, int, list[bytes], bytes]:
    return LEAVES[5], 5, 13, ref_path(5, 0, 13), ref_mth(0, 13)


def _good_consistency() -> tuple[int, int, bytes, bytes, list[bytes]]:
    return 6, 13, ref_mth(0, 6), ref_mth(0, 13), ref_subproof(6, 0, 13, True)


def test_good_fixtures_verify() -> None:
    assert verify_inclusion(*_good_inclusion()) is True
    assert verify_consistency(*_good_consistency()) is True


@pytest.mark.parametrize(
    ("position", "value"),
    [
        (0, "not bytes"),
        (0, bytearray(32)),
        (0, b"\x00" * 31),
        (1, -1),
        (1, 13),
        (1, True),
        (1, 5.0),
        (1, None),
        (2, -13),
        (2, 0),
        (2, 2**64),
        (2, "13"),
        (3, None),
        (3, b"".join(ref_path(5, 0, 13))),
        (3, "proof"),
        (3, [1, 2, 3, 4]),
        (3, ref_path(5, 0, 13)[:-1]),
        (3, [*ref_path(5, 0, 13), ref_mth(0, 13)]),
        (3, [b"", *ref_path(5, 0, 13)]),
        (3, [p + b"\x00" for p in ref_path(5, 0, 13)]),
        (3, iter(ref_path(5, 0, 13))),
        (4, None),
        (4, ref_mth(0, 13)[:31]),
        (4, ref_mth(0, 12)),
    ],
)
def test_verify_inclusion_rejects_malformed(position: int, value: object) -> None:
    args: list[Any] = list(_good_inclusion())
    args[position] = value
    assert verify_inclusion(*args) is False


@pytest.mark.parametrize(
    ("position", "value"),
    [
        (0, -6),
        (0, 0),
        (0, 14),
        (0, True),
        (0, 6.0),
        (1, 5),
        (1, 2**64),
        (1, "13"),
        (2, None),
        (2, "root"),
        (2, ref_mth(0, 6)[:31]),
        (2, ref_mth(0, 5)),
        (3, bytearray(ref_mth(0, 13))),
        (3, ref_mth(0, 13) + b"\x00"),
        (4, None),
        (4, []),
        (4, b"".join(ref_subproof(6, 0, 13, True))),
        (4, ref_subproof(6, 0, 13, True)[1:]),
        (4, [*ref_subproof(6, 0, 13, True), b"\x00" * 32]),
        (4, [3, 4, 5, 6]),
    ],
)
def test_verify_consistency_rejects_malformed(position: int, value: object) -> None:
    args: list[Any] = list(_good_consistency())
    args[position] = value
    assert verify_consistency(*args) is False


# --------------------------------------------------------------------------- properties

sizes = st.integers(min_value=1, max_value=MAX_LEAVES)


@settings(max_examples=60, deadline=None)
@given(n=sizes)
def test_root_hash_matches_reference(n: int) -> None:
    assert root_hash(LEAVES[:n]) == ref_mth(0, n)


@settings(max_examples=60, deadline=None)
@given(n=sizes, data=st.data())
def test_inclusion_proof_matches_reference_and_verifies(n: int, data: st.DataObject) -> None:
    index = data.draw(st.integers(min_value=0, max_value=n - 1), label="index")
    proof = inclusion_proof(LEAVES[:n], index)
    assert proof == ref_path(index, 0, n)
    assert len(proof) <= ceil_log2(n)
    root = ref_mth(0, n)
    assert verify_inclusion(LEAVES[index], index, n, proof, root) is True
    # Wrong index, wrong leaf, the next tree's root: each refused. (The same proof and root
    # under another tree size can verify, e.g. index 0 of 3 or 4 leaves: proof hashes are
    # opaque, so the size is bound by the signed checkpoint that carries the root.)
    assert verify_inclusion(LEAVES[index], index ^ 1, n, proof, root) is False
    if n < MAX_LEAVES:
        assert verify_inclusion(LEAVES[index], index, n + 1, proof, ref_mth(0, n + 1)) is False
    other = LEAVES[(index + 1) % MAX_LEAVES]
    assert verify_inclusion(other, index, n, proof, root) is False


@settings(max_examples=60, deadline=None)
@given(n=sizes, data=st.data())
def test_consistency_proof_matches_reference_and_verifies(n: int, data: st.DataObject) -> None:
    m = data.draw(st.integers(min_value=1, max_value=n), label="old_size")
    proof = consistency_proof(LEAVES[:n], m)
    assert proof == ref_subproof(m, 0, n, True)
    # RFC 6962 section 2.1.2: at most ceil(log2 n) + 1 nodes (tight, e.g. m=3, n=4).
    assert len(proof) <= ceil_log2(n) + 1
    assert verify_consistency(m, n, ref_mth(0, m), ref_mth(0, n), proof) is True
    if m < n:
        assert verify_consistency(m, n, ref_mth(0, n), ref_mth(0, m), proof) is False
        assert verify_consistency(m, n, ref_mth(0, m), ref_mth(0, n), proof[:-1]) is False


def test_consistency_bound_is_tight() -> None:
    assert len(consistency_proof(LEAVES[:4], 3)) == ceil_log2(4) + 1


# Sizes with every shape: powers of two, one off them, and odd sizes.
MUTATION_SIZES = [(1, 0, 1), (2, 1, 2), (7, 6, 3), (8, 5, 8), (13, 5, 6), (64, 63, 33), (1000, 617, 999)]


@pytest.mark.parametrize(("n", "index", "m"), MUTATION_SIZES)
def test_every_single_byte_mutation_is_rejected(n: int, index: int, m: int) -> None:
    root = ref_mth(0, n)
    proof = inclusion_proof(LEAVES[:n], index)
    assert verify_inclusion(LEAVES[index], index, n, proof, root) is True
    for pos in range(32):
        assert verify_inclusion(LEAVES[index], index, n, proof, flip(root, pos)) is False
        assert verify_inclusion(flip(LEAVES[index], pos), index, n, proof, root) is False
        for i in range(len(proof)):
            bad = [*proof[:i], flip(proof[i], pos), *proof[i + 1 :]]
            assert verify_inclusion(LEAVES[index], index, n, bad, root) is False

    old_root = ref_mth(0, m)
    cproof = consistency_proof(LEAVES[:n], m)
    assert verify_consistency(m, n, old_root, root, cproof) is True
    for pos in range(32):
        assert verify_consistency(m, n, flip(old_root, pos), root, cproof) is False
        assert verify_consistency(m, n, old_root, flip(root, pos), cproof) is False
        for i in range(len(cproof)):
            bad = [*cproof[:i], flip(cproof[i], pos), *cproof[i + 1 :]]
            assert verify_consistency(m, n, old_root, root, bad) is False


# --------------------------------------------------------------------------- stored nodes


@lru_cache(maxsize=1)
def full_store() -> MemoryNodeStore:
    store = MemoryNodeStore()
    store.extend(LEAVES)
    return store


class CountingReader:
    """get_node over the full store that counts reads and refuses nodes beyond ``size``."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.reads = 0

    def __call__(self, level: int, index: int) -> bytes:
        assert (index + 1) << level <= self.size, f"read ({level}, {index}) beyond {self.size}"
        self.reads += 1
        return full_store().get_node(level, index)


def test_store_holds_exactly_the_perfect_subtrees() -> None:
    store = full_store()
    assert store.size == MAX_LEAVES
    expected = {
        (level, index): ref_mth(index << level, (index + 1) << level)
        for level in range(MAX_LEAVES.bit_length())
        for index in range(MAX_LEAVES >> level)
    }
    assert store.nodes == expected


def test_single_and_batch_appends_agree() -> None:
    one_by_one = MemoryNodeStore()
    created: list[tuple[int, int, bytes]] = []
    for leaf in LEAVES[:300]:
        nodes = appended_nodes(one_by_one.size, leaf, one_by_one.get_node)
        created.extend(nodes)
        one_by_one.append(leaf)
    assert created == appended_nodes_batch(0, LEAVES[:300], MemoryNodeStore().get_node)
    assert one_by_one.nodes == {k: v for k, v in full_store().nodes.items() if (k[1] + 1) << k[0] <= 300}
    # After 11 leaves (binary 1011), appending leaf 11 completes [10, 12) and [8, 12).
    reader = CountingReader(11)
    created_11 = appended_nodes(11, LEAVES[11], reader)
    assert [(lvl, idx) for lvl, idx, _ in created_11] == [(0, 11), (1, 5), (2, 2)]
    assert reader.reads == 2
    assert created_11[-1][2] == ref_mth(8, 12)


@settings(max_examples=40, deadline=None)
@given(
    before=st.integers(min_value=0, max_value=MAX_LEAVES - 1),
    data=st.data(),
)
def test_batch_append_reads_frontier_once_and_hashes_linearly(before: int, data: st.DataObject) -> None:
    count = data.draw(st.integers(min_value=1, max_value=MAX_LEAVES - before), label="count")
    reader = CountingReader(before)
    nodes = appended_nodes_batch(before, LEAVES[before : before + count], reader)
    assert reader.reads <= bin(before).count("1")
    interior = [node for node in nodes if node[0] > 0]
    assert len(nodes) - len(interior) == count
    assert len(interior) < count + before.bit_length()
    store = full_store()
    for level, index, h in nodes:
        assert store.nodes[(level, index)] == h


@settings(max_examples=60, deadline=None)
@given(n=sizes, data=st.data())
def test_stored_tree_equals_pure_functions(n: int, data: st.DataObject) -> None:
    index = data.draw(st.integers(min_value=0, max_value=n - 1), label="index")
    m = data.draw(st.integers(min_value=1, max_value=n), label="old_size")
    bound = 2 * (n.bit_length() + 1)

    reader = CountingReader(n)
    assert tree_root(n, reader) == root_hash(LEAVES[:n])
    assert reader.reads == bin(n).count("1")

    reader = CountingReader(n)
    proof = tree_inclusion_proof(index, n, reader)
    assert proof == inclusion_proof(LEAVES[:n], index)
    assert len(proof) <= ceil_log2(n)
    assert reader.reads <= bound

    reader = CountingReader(n)
    cproof = tree_consistency_proof(m, n, reader)
    assert cproof == consistency_proof(LEAVES[:n], m)
    assert len(cproof) <= ceil_log2(n) + 1
    assert reader.reads <= bound


def test_stored_tree_edge_cases() -> None:
    assert tree_root(0, CountingReader(0)) == EMPTY_ROOT
    assert tree_consistency_proof(9, 9, CountingReader(9)) == []
    with pytest.raises(ValueError, match=r"0 < old_size <= 9, got 0"):
        tree_consistency_proof(0, 9, CountingReader(9))
    with pytest.raises(ValueError, match=r"0 <= index < 9, got 9"):
        tree_inclusion_proof(9, 9, CountingReader(9))
    with pytest.raises(ValueError, match="expected a 32-byte leaf hash, got 3 bytes"):
        appended_nodes(0, b"abc", CountingReader(0))


def test_corrupt_stored_node_is_an_integrity_error() -> None:
    def bad_reader(level: int, index: int) -> bytes:
        return b"\x00" * 31

    with pytest.raises(IntegrityError, match=r"\(level 0, index 4\): expected 32 bytes, got 31 bytes"):
        tree_root(5, bad_reader)


def test_perfect_subtrees() -> None:
    assert perfect_subtrees(0, 0) == []
    assert perfect_subtrees(0, 13) == [(3, 0), (2, 2), (0, 12)]
    assert perfect_subtrees(8, 13) == [(2, 2), (0, 12)]
    assert perfect_subtrees(3, 13) == [(0, 3), (2, 1), (2, 2), (0, 12)]
    with pytest.raises(ValueError, match=r"start <= end, got \[5, 4\)"):
        perfect_subtrees(5, 4)


def test_batch_append_hash_and_read_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    import ledger.integrity.merkle_tree as merkle_tree

    calls = 0

    def counting_node_hash(left: bytes, right: bytes) -> bytes:
        nonlocal calls
        calls += 1
        return node_hash(left, right)

    monkeypatch.setattr(merkle_tree, "node_hash", counting_node_hash)
    before, count = 2047, 953  # 2047 = eleven set bits: the whole frontier is read
    reader = CountingReader(before)
    nodes = appended_nodes_batch(before, LEAVES[before : before + count], reader)
    interior = sum(1 for level, _, _ in nodes if level > 0)
    assert calls == interior
    assert interior < count + before.bit_length()
    assert reader.reads == 11
    store = MemoryNodeStore()
    store.extend(LEAVES[:before])
    store.extend(LEAVES[before : before + count])
    assert store.size == 3000 and store.root() == ref_mth(0, 3000) and store.root(5) == ref_mth(0, 5)
