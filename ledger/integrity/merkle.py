"""RFC 9162 Merkle tree hashing, proofs and proof verification, as pure functions.

Outside auditors call these functions by name; their names and signatures are stable.

Hashing (RFC 9162 section 2.1.1), with SHA-256 and one-byte domain separation so that a leaf
can never be passed off as an interior node or the other way round:

- ``leaf_hash(entry)    = SHA-256(0x00 || entry)``            (``LEAF_PREFIX``)
- ``node_hash(l, r)     = SHA-256(0x01 || l || r)``           (``NODE_PREFIX``)
- the hash of the empty tree is ``SHA-256(b"")``               (``EMPTY_ROOT``)
- a tree of n > 1 leaves splits at k, the largest power of two smaller than n:
  ``MTH(D[0:n]) = node_hash(MTH(D[0:k]), MTH(D[k:n]))``.

Rules the module enforces:

1. Producers (``root_hash``, ``inclusion_proof``, ``consistency_proof``, ``node_hash``) take
   32-byte hashes only and raise ``TypeError``/``ValueError`` (observed vs expected) on misuse:
   a caller bug must not silently produce a proof.
2. Verifiers (``verify_inclusion``, ``verify_consistency``) never raise. Any malformed input
   (wrong type, bool where an int is due, negative size, size of 2**64 or more, index out of
   range, hash or proof element that is not 32 bytes, proof too long or too short) gives
   ``False``. They run the RFC 9162 section 2.1.3.2 / 2.1.4.2 algorithms, which consume every
   proof element, after checking that the proof has exactly the length the sizes imply.
3. Edge-case conventions (those of the transparency-dev/merkle probes in
   ``tests/merkle_vectors``):

   - inclusion needs ``0 <= index < tree_size``; a one-leaf tree has the empty proof and its
     root is the leaf hash;
   - consistency with ``old_size == new_size > 0`` holds exactly when the proof is empty and
     ``old_root == new_root`` (a byte comparison: nothing is hashed, so the roots' length is
     not checked there, as the probes require);
   - consistency from ``old_size == 0`` is always ``False`` (including ``0 -> 0``): a proof from
     the empty tree proves nothing. Callers treat "no previous checkpoint" on their own, and
     ``consistency_proof(leaves, 0)`` raises ``ValueError`` rather than return a proof that
     cannot verify;
   - ``old_size > new_size`` is ``False``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Final

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "LEAF_PREFIX",
    "MAX_TREE_SIZE",
    "NODE_PREFIX",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "root_hash",
    "verify_consistency",
    "verify_inclusion",
]

#: Domain-separation byte prepended to a log entry before hashing it as a leaf.
LEAF_PREFIX: Final = b"\x00"
#: Domain-separation byte prepended to two child hashes before hashing them as a node.
NODE_PREFIX: Final = b"\x01"
#: Length in bytes of every hash in the tree (SHA-256).
HASH_SIZE: Final = 32
#: Hash of the tree with no leaves: SHA-256 of the empty string.
EMPTY_ROOT: Final = hashlib.sha256(b"").digest()
#: Tree sizes are unsigned 64-bit integers (RFC 9162); 2**64 and above are refused.
MAX_TREE_SIZE: Final = 2**64 - 1


# --------------------------------------------------------------------------- hashing


def leaf_hash(entry: bytes) -> bytes:
    """Return the RFC 9162 leaf hash ``SHA-256(0x00 || entry)`` of one log entry."""
    if not isinstance(entry, bytes):
        raise TypeError(f"leaf entry: expected bytes, got {type(entry).__name__}")
    return hashlib.sha256(LEAF_PREFIX + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return the RFC 9162 interior node hash ``SHA-256(0x01 || left || right)``."""
    _check_hash(left, "left child")
    _check_hash(right, "right child")
    return _node(left, right)


def _node(left: bytes, right: bytes) -> bytes:
    """``node_hash`` without argument checks, for values already known to be 32-byte hashes."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def _check_hash(value: object, what: str) -> None:
    if not isinstance(value, bytes):
        raise TypeError(f"{what}: expected {HASH_SIZE}-byte bytes, got {type(value).__name__}")
    if len(value) != HASH_SIZE:
        raise ValueError(f"{what}: expected {HASH_SIZE} bytes, got {len(value)}")


def _check_leaves(leaf_hashes: Sequence[bytes]) -> None:
    if isinstance(leaf_hashes, (str, bytes, bytearray, memoryview)) or not isinstance(leaf_hashes, Sequence):
        raise TypeError(
            f"leaf_hashes: expected a sequence of {HASH_SIZE}-byte hashes, got {type(leaf_hashes).__name__}"
        )
    for i, h in enumerate(leaf_hashes):
        _check_hash(h, f"leaf_hashes[{i}]")


def _is_size(value: object) -> bool:
    """True for an int (not a bool) in ``[0, MAX_TREE_SIZE]``."""
    return type(value) is int and 0 <= value <= MAX_TREE_SIZE


def _split(n: int) -> int:
    """The largest power of two strictly smaller than ``n`` (``n >= 2``)."""
    return 1 << ((n - 1).bit_length() - 1)


def _mth(leaves: Sequence[bytes], lo: int, hi: int) -> bytes:
    """MTH(D[lo:hi]) for ``lo < hi``, recursing on the RFC split (depth is log2 of the size)."""
    if hi - lo == 1:
        return leaves[lo]
    k = _split(hi - lo)
    return _node(_mth(leaves, lo, lo + k), _mth(leaves, lo + k, hi))


# --------------------------------------------------------------------------- producers


def root_hash(leaf_hashes: Sequence[bytes]) -> bytes:
    """Return MTH of the given leaf hashes; ``EMPTY_ROOT`` for none."""
    _check_leaves(leaf_hashes)
    if not leaf_hashes:
        return EMPTY_ROOT
    return _mth(leaf_hashes, 0, len(leaf_hashes))


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int) -> list[bytes]:
    """Return PATH(index, D[n]) of RFC 9162 section 2.1.3.1, ordered leaf-side first."""
    _check_leaves(leaf_hashes)
    n = len(leaf_hashes)
    if type(index) is not int or not 0 <= index < n:
        raise ValueError(f"inclusion proof: index must satisfy 0 <= index < {n}, got {index!r}")
    return [_mth(leaf_hashes, a, b) for a, b in inclusion_ranges(index, n)]


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The leaf ranges ``[a, b)`` whose subtree hashes form PATH(index, D[size]), leaf-side first.

    Shared by the pure proof above and the proof from stored nodes (:mod:`ledger.integrity.merkle_tree`).
    """
    siblings: list[tuple[int, int]] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            siblings.append((lo + k, hi))
            hi = lo + k
        else:
            siblings.append((lo, lo + k))
            lo += k
    siblings.reverse()
    return siblings


def consistency_proof(leaf_hashes: Sequence[bytes], old_size: int) -> list[bytes]:
    """Return PROOF(old_size, D[n]) of RFC 9162 section 2.1.4.1 (n = number of leaves).

    ``old_size == n`` gives the empty proof; ``old_size == 0`` raises ``ValueError`` (see the
    module docstring: a proof from the empty tree never verifies).
    """
    _check_leaves(leaf_hashes)
    n = len(leaf_hashes)
    if type(old_size) is not int or not 0 < old_size <= n:
        raise ValueError(f"consistency proof: old_size must satisfy 0 < old_size <= {n}, got {old_size!r}")
    return [_mth(leaf_hashes, a, b) for a, b in consistency_ranges(old_size, n)]


def consistency_ranges(old_size: int, new_size: int) -> list[tuple[int, int]]:
    """The leaf ranges ``[a, b)`` whose subtree hashes form PROOF(old_size, D[new_size]), in proof order.

    Shared by the pure proof above and the proof from stored nodes (:mod:`ledger.integrity.merkle_tree`).
    """
    ranges: list[tuple[int, int]] = []
    lo, hi, complete = 0, new_size, True  # ``complete``: the b flag of SUBPROOF
    while old_size != hi:
        k = _split(hi - lo)
        if old_size <= lo + k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo += k
            complete = False
    if not complete:
        ranges.append((lo, hi))
    ranges.reverse()
    return ranges


# --------------------------------------------------------------------------- verifiers


def _proof_list(proof: object) -> list[bytes] | None:
    """The proof as a list of 32-byte hashes, or None when it is not one."""
    if isinstance(proof, (str, bytes, bytearray, memoryview)) or not isinstance(proof, Sequence):
        return None
    try:
        items = list(proof)
    except Exception:  # a broken Sequence implementation: malformed input, never raise
        return None
    for item in items:
        if not isinstance(item, bytes) or len(item) != HASH_SIZE:
            return None
    return items


def _inclusion_length(index: int, size: int) -> int:
    """Exact length of the inclusion proof for ``index`` in a tree of ``size`` leaves."""
    inner = (index ^ (size - 1)).bit_length()
    border = (index >> inner).bit_count()
    return inner + border


def _consistency_length(old_size: int, new_size: int) -> int:
    """Exact length of the consistency proof for ``0 < old_size < new_size``."""
    inner = ((old_size - 1) ^ (new_size - 1)).bit_length()
    border = ((old_size - 1) >> inner).bit_count()
    shift = (old_size & -old_size).bit_length() - 1  # trailing zero bits of old_size
    seed_in_proof = 0 if old_size == 1 << shift else 1
    return seed_in_proof + (inner - shift) + border


def verify_inclusion(
    leaf_hash: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """Check an inclusion proof (RFC 9162 section 2.1.3.2). Never raises."""
    if not _is_size(tree_size) or type(index) is not int or not 0 <= index < tree_size:
        return False
    for value in (leaf_hash, root):
        if not isinstance(value, bytes) or len(value) != HASH_SIZE:
            return False
    path = _proof_list(proof)
    if path is None or len(path) != _inclusion_length(index, tree_size):
        return False

    fn, sn, r = index, tree_size - 1, leaf_hash
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = _node(p, r)
            if not fn & 1:
                while fn != 0 and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = _node(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Check a consistency proof (RFC 9162 section 2.1.4.2). Never raises.

    See the module docstring for the ``old_size == new_size`` and ``old_size == 0`` cases.
    """
    if not _is_size(old_size) or not _is_size(new_size):
        return False
    if not isinstance(old_root, bytes) or not isinstance(new_root, bytes):
        return False
    path = _proof_list(proof)
    if path is None or old_size == 0 or old_size > new_size:
        return False
    if old_size == new_size:
        return not path and old_root == new_root
    if len(old_root) != HASH_SIZE or len(new_root) != HASH_SIZE:
        return False
    if len(path) != _consistency_length(old_size, new_size):
        return False

    # 1. An empty proof fails (already excluded by the exact-length check, kept as in the RFC).
    if not path:
        return False
    # 2. If old_size is an exact power of 2, prepend old_root to the path.
    if old_size & (old_size - 1) == 0:
        path = [old_root, *path]
    # 3-4.
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # 5.
    fr = sr = path[0]
    # 6.
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = _node(c, fr)
            sr = _node(c, sr)
            if not fn & 1:
                while fn != 0 and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = _node(sr, c)
        fn >>= 1
        sn >>= 1
    # 7.
    return fr == old_root and sr == new_root and sn == 0
