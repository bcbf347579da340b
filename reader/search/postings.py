"""Writing Whoosh segments fast for text fields whose terms are counted beforehand.

Whoosh adds every posting through its pool and its posting writer one Python call at a
time, about 10 µs each; a 2,800-word policy has some 2,900 postings in its word and
word-pair fields, so that alone caps a build near 35 policies/s per core. Here those
fields arrive as :class:`CountedTerms` (counted in worker processes), are kept as arrays,
and at commit are sorted with numpy and written as Whoosh's own W3 posting blocks and term
records. With Whoosh's compression settings (COMPRESSION 3, COMPRESS_FROM 0, window 15)
these are the very bytes Whoosh writes for the same documents (a test compares the files);
the faster defaults differ only inside compressed blocks. Whoosh reads and merges the
segments as its own. All other fields go through Whoosh.
"""

from __future__ import annotations

import struct
import zlib
from array import array
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from itertools import count, groupby, pairwise
from operator import itemgetter
from pickle import dumps, load, loads

import numpy as np
from whoosh import fields
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3LeafMatcher, W3TermInfo
from whoosh.system import pack_int, pack_uint, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

BLOCK_LIMIT = 128  # postings per block, Whoosh's W3Codec default
BLOCKS_PER_WINDOW = 4096
COMPRESSION = 1  # zlib level of posting blocks (Whoosh: 3; 1 is 20% faster, 6% larger)
# Whoosh compresses every block, even one posting (it means not to: see the comment in
# W3PostingsWriter._write_block). Small blocks are stored plain here, which the reader
# supports (the block says whether it is compressed); 0 compresses every block.
COMPRESS_FROM = 16
COMPRESS_WINDOW_BITS = 12  # 15 is zlib's (and Whoosh's) default
_KEY_VALUE_LENGTHS = struct.Struct("!ii")  # HashWriter's record header
_POSTINGS_POINTER = struct.Struct("!qi")  # W3TermInfo: offset and length of postings
_INT = struct.Struct("!i")


def compress(data: bytes) -> bytes:
    """zlib as Whoosh's blocks use it, with a 4 KB window: a block holds at most a few KB,
    and setting up the default 32 KB window made ``zlib.compress`` cost 60 µs per block
    (10 µs here). Any zlib reader decompresses it; the bytes differ from Whoosh's."""
    if COMPRESS_WINDOW_BITS == 15:
        return zlib.compress(data, COMPRESSION)
    compressor = zlib.compressobj(COMPRESSION, zlib.DEFLATED, COMPRESS_WINDOW_BITS, 4)
    return compressor.compress(data) + compressor.flush()


@dataclass(frozen=True)
class CountedTerms:
    """A document's distinct terms of one field and how often each occurs.

    Compact to send between processes: the terms joined by newlines (terms never hold
    one) and the counts as a native uint32 array.
    """

    terms: str
    counts: bytes

    @classmethod
    def from_tokens(cls, tokens) -> CountedTerms:
        counted = Counter(tokens)
        return cls("\n".join(counted), array("I", counted.values()).tobytes())

    def items(self) -> list[tuple[str, int]]:
        if not self.terms:
            return []
        return list(zip(self.terms.split("\n"), array("I", self.counts), strict=True))

    @property
    def total(self) -> int:
        return sum(array("I", self.counts))


class CountedText(fields.TEXT):
    """A text field (frequencies, no positions) that also takes :class:`CountedTerms`.

    Queries are analysed as usual; documents may bring their terms counted already.
    """

    def __init__(self, analyzer, field_boost: float = 1.0) -> None:
        super().__init__(analyzer=analyzer, phrase=False, field_boost=field_boost)

    def index(self, value, **kwargs):
        if isinstance(value, CountedTerms):
            boost = self.format.field_boost
            return ((term.encode("utf-8"), freq, freq * boost, pack_uint(freq))
                    for term, freq in value.items())
        return super().index(value, **kwargs)


class _FieldPostings:
    """The counted postings of one field in the segment being written: those of added
    documents (a document's terms at a time) and those of merged segments (a term's
    documents at a time)."""

    def __init__(self) -> None:
        self.vocabulary: dict[str, int] = {}
        self.next_id = count()
        self.ids_used = 0
        self.term_ids: list[bytes] = []
        self.counts: list[bytes] = []
        self.docnums: list[int] = []
        self.sizes: list[int] = []
        self.length_bytes: list[int] = []
        # Postings of merged segments, per posting: term ids, docnums, counts, lengths
        self.merged: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []

    def add(self, docnum: int, counted: CountedTerms, length: int) -> None:
        if not counted.terms:
            return
        # A new term takes the counter's current value; known terms keep theirs (the
        # counter still advances, so ids have gaps; they are ranked at commit).
        ids = array("I", map(self.vocabulary.setdefault, counted.terms.split("\n"),
                             self.next_id))
        self.term_ids.append(ids.tobytes())
        self.counts.append(counted.counts)
        self.docnums.append(docnum)
        self.sizes.append(len(ids))
        self.length_bytes.append(length_to_byte(length))
        self.ids_used += len(ids)

    def add_segment(self, reader, fieldname: str, new_docnums: np.ndarray) -> None:
        """Take one field's postings from a segment being merged into this one;
        ``new_docnums`` maps the segment's document numbers to this segment's (-1 for
        deleted documents, which are left out, and so are terms left without any)."""
        terms, per_term, ids, counts = read_field_postings(reader, fieldname)
        if not terms:
            return
        new_ids = new_docnums[ids]
        alive = new_ids >= 0
        if not alive.all():
            term_of = np.repeat(np.arange(len(terms)), per_term)[alive]
            per_term = np.bincount(term_of, minlength=len(terms))
            terms = [term for term, left in zip(terms, per_term.tolist(), strict=True) if left]
            per_term = per_term[per_term > 0]
            ids, new_ids, counts = ids[alive], new_ids[alive], counts[alive]
        if not terms:
            return
        vocabulary, next_id = self.vocabulary, self.next_id
        term_ids = [vocabulary.setdefault(term.decode("utf-8"), next(next_id)) for term in terms]
        self.ids_used += len(term_ids)
        length_of = np.fromiter(
            (length_to_byte(length) for length in field_lengths(reader, fieldname, 0)),
            dtype=np.uint8, count=reader.doc_count_all())
        self.merged.append((np.repeat(np.asarray(term_ids, dtype=np.uint32), per_term),
                            new_ids.astype(np.int32), counts, length_of[ids]))


def read_field_postings(reader, fieldname: str
                        ) -> tuple[list[bytes], np.ndarray, np.ndarray, np.ndarray]:
    """One field's postings in a W3 segment, read in one pass over its term table and
    posting blocks (Whoosh's matchers cost ~100 µs per term): the terms in order, how
    many postings each has, and every posting's document number (as stored, deleted
    ones too) and count (the Frequency format's value)."""
    table = reader._terms
    prefix = table._keycoder(fieldname, b"")
    head = W3TermInfo._struct.size
    get_postings = _ChunkedReader(table._postfile).get
    terms: list[bytes] = []
    per_term: list[int] = []
    deltas: list[int] = []  # a block's first id is absolute, the others are gaps
    per_block: list[int] = []
    values: list[bytes] = []
    for key, info in _records_from(table._tindex, prefix):
        if not key.startswith(prefix):
            break
        terms.append(key[len(prefix):])
        if info[0]:  # inlined postings: (ids, weights, values)
            block_ids, _, block_values = loads(info[head:])
            deltas.append(block_ids[0])
            deltas += (b - a for a, b in pairwise(block_ids))
            per_block.append(len(block_ids))
            per_term.append(len(block_ids))
            values += block_values
            continue
        offset, length = _POSTINGS_POINTER.unpack_from(info, head)
        data = get_postings(offset, length)
        if data[:4] != WHOOSH3_HEADER_MAGIC:
            raise ValueError(f"Block tag error {data[:4]!r} in {fieldname!r}")
        stream = BytesIO(data)
        position, postings, last = 4, 0, False
        while not last:
            size = _INT.unpack_from(data, position)[0]
            last = size < 0
            stream.seek(position + 4)
            block_length, _, _, compression, _, _ = load(stream)
            end = position + 4 + abs(size)
            block = data[stream.tell():end]
            block_deltas, _, block_values = loads(zlib.decompress(block) if compression
                                                  else block)
            deltas += block_deltas
            values.append(block_values)
            per_block.append(block_length)
            postings += block_length
            position = end
        per_term.append(postings)
    if not terms:
        return [], np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), np.empty(
            0, dtype=np.uint32)
    gaps = np.asarray(deltas, dtype=np.int64)
    running = np.cumsum(gaps)
    block_starts = np.cumsum(per_block, dtype=np.int64) - per_block
    before_block = running[block_starts] - gaps[block_starts]
    ids = running - np.repeat(before_block, per_block)
    counts = np.frombuffer(b"".join(values), dtype=">u4").astype(np.uint32)
    return terms, np.asarray(per_term, dtype=np.int64), ids, counts


def write_counted_field(fieldwriter, fieldname: str, fieldobj, postings: _FieldPostings
                        ) -> None:
    """Write one field's postings and term records through a W3 field writer."""
    fieldwriter.start_field(fieldname, fieldobj)
    if postings.vocabulary:
        _write_postings(fieldwriter, postings, fieldobj.format.field_boost)
    fieldwriter.finish_field()


def _write_postings(fieldwriter, postings: _FieldPostings, boost: float) -> None:
    """Sort the field's postings by term, then document; write blocks and term records."""
    sizes = np.asarray(postings.sizes, dtype=np.int64)
    term_ids = np.frombuffer(b"".join(postings.term_ids), dtype=np.uint32)
    counts = np.frombuffer(b"".join(postings.counts), dtype=np.uint32)
    postings.term_ids, postings.counts = [], []  # memory: the arrays hold them now
    docs = np.repeat(np.asarray(postings.docnums, dtype=np.int32), sizes)
    lengths = np.repeat(np.asarray(postings.length_bytes, dtype=np.uint8), sizes)
    postings_merged = bool(postings.merged)
    if postings_merged:
        merged = list(zip(*postings.merged, strict=True))
        postings.merged = []
        term_ids, docs, counts, lengths = (
            np.concatenate([ours, *theirs])
            for ours, theirs in zip((term_ids, docs, counts, lengths), merged, strict=True))
        del merged

    names = sorted(postings.vocabulary)
    ranked_ids = np.fromiter(map(postings.vocabulary.__getitem__, names), dtype=np.int64,
                             count=len(names))
    rank = np.empty(postings.ids_used, dtype=np.int32)
    rank[ranked_ids] = np.arange(len(names), dtype=np.int32)
    keys = rank[term_ids]
    del term_ids, rank
    order = _stable_argsort(keys)  # documents stay in order within a term
    keys, docs, counts, lengths = keys[order], docs[order], counts[order], lengths[order]
    if postings_merged and not _increasing_within_terms(keys, docs):
        # Documents were added after a merge: sort by document too.
        order = np.lexsort((docs, keys))
        keys, docs, counts, lengths = keys[order], docs[order], counts[order], lengths[order]
    del order

    term_starts = np.flatnonzero(np.diff(keys, prepend=-1))
    term_ends = np.append(term_starts[1:], len(keys))
    blocks = _Blocks(term_starts, term_ends, docs, counts, boost, lengths)
    postfile = fieldwriter._postfile
    offset = postfile.tell()
    block_sizes: list[int] = []
    for encoded in blocks.encode():
        block_sizes += map(len, encoded)
        postfile.write(b"".join(encoded))
    term_bytes = np.add.reduceat(np.asarray(block_sizes, dtype=np.int64), blocks.first_of_term)
    offsets = offset + np.cumsum(term_bytes) - term_bytes
    records = np.zeros(len(term_starts), dtype=_TERM_RECORD)
    records["weight"] = np.add.reduceat(counts, term_starts, dtype=np.int64) * boost
    records["df"] = term_ends - term_starts
    records["min_length"] = np.minimum.reduceat(lengths, term_starts)
    records["max_length"] = np.maximum.reduceat(lengths, term_starts)
    records["max_weight"] = np.maximum.reduceat(counts, term_starts) * boost
    records["min_id"] = docs[term_starts]
    records["max_id"] = docs[term_ends - 1]
    records["offset"] = offsets
    records["length"] = term_bytes
    record_bytes = records.tobytes()
    size = _TERM_RECORD.itemsize
    field_key = pack_ushort(fieldwriter._fieldid)
    keys_bytes = [field_key + name.encode("utf-8") for name in names]
    _add_terms(fieldwriter._tindex, keys_bytes,
               [record_bytes[i:i + size] for i in range(0, len(record_bytes), size)])


def _stable_argsort(keys: np.ndarray) -> np.ndarray:
    """``np.argsort(keys, kind="stable")`` for keys below 2**32, 2.5x faster: two passes
    of numpy's radix sort over 16-bit halves."""
    if len(keys) and int(keys.max()) >= 1 << 32:
        return np.argsort(keys, kind="stable")
    order = np.argsort((keys & 0xFFFF).astype(np.uint16), kind="stable")
    return order[np.argsort((keys[order] >> 16).astype(np.uint16), kind="stable")]


READ_CHUNK = 4 << 20


class _ChunkedReader:
    """``get(offset, length)`` of a file read forwards a few MB at a time (one call per
    term through Whoosh's file object cost more than decoding the term)."""

    def __init__(self, file) -> None:
        self.file = file
        self.start = 0
        self.data = b""

    def get(self, offset: int, length: int) -> bytes:
        if not (self.start <= offset and offset + length <= self.start + len(self.data)):
            self.start = offset
            self.data = self.file.get(offset, max(length, READ_CHUNK))
        begin = offset - self.start
        return self.data[begin:begin + length]


def _records_from(table, key: bytes) -> Iterator[tuple[bytes, bytes]]:
    """``table.items_from(key)`` of a Whoosh ordered hash file, read in chunks."""
    position = table.closest_key_pos(key)
    if position is None:
        return
    end = table.endofdata
    reader = _ChunkedReader(table.dbfile)
    header = _KEY_VALUE_LENGTHS.size
    while position < end:
        head = reader.get(position, header)
        if len(head) < header:  # the file ends early
            raise ValueError("the term table is truncated")
        key_length, value_length = _KEY_VALUE_LENGTHS.unpack(head)
        record = reader.get(position + header, key_length + value_length)
        yield record[:key_length], record[key_length:]
        position += header + key_length + value_length


def _increasing_within_terms(keys: np.ndarray, docs: np.ndarray) -> bool:
    """Whether each term's documents (``keys`` sorted) come in increasing order."""
    same_term = keys[1:] == keys[:-1]
    return bool(np.all(docs[1:][same_term] > docs[:-1][same_term]))


def postings_arrays(matcher) -> tuple[np.ndarray, np.ndarray]:
    """(ids, weights) of a term's postings as numpy arrays, a block at a time."""
    id_parts, weight_parts = [], []
    if isinstance(matcher, W3LeafMatcher):
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            id_parts.append(np.asarray(matcher._ids, dtype=np.int64))
            weight_parts.append(np.asarray(matcher._weights, dtype=np.float32))
            if matcher._lastblock:
                break
            matcher._next_block()
    else:  # short posting lists are stored inline and come as a plain list matcher
        ids, weights = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
        id_parts.append(np.asarray(ids, dtype=np.int64))
        weight_parts.append(np.asarray(weights, dtype=np.float32))
    if not id_parts:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
    return np.concatenate(id_parts), np.concatenate(weight_parts)


# W3TermInfo of a term whose postings are in the postings file ("!BfIBBfII" + offset +
# length), as a numpy record so all of a field's term records are packed at once.
_TERM_RECORD = np.dtype([
    ("inlined", "u1"), ("weight", ">f4"), ("df", ">u4"), ("min_length", "u1"),
    ("max_length", "u1"), ("max_weight", ">f4"), ("min_id", ">u4"), ("max_id", ">u4"),
    ("offset", ">i8"), ("length", ">i4")])


class _Blocks:
    """The W3 posting blocks of a field: at most ``BLOCK_LIMIT`` postings each, per term."""

    def __init__(self, term_starts, term_ends, docs, counts, boost, lengths) -> None:
        per_term = (term_ends - term_starts + BLOCK_LIMIT - 1) // BLOCK_LIMIT
        term_of_block = np.repeat(np.arange(len(term_starts)), per_term)
        self.first_of_term = np.cumsum(per_term) - per_term
        self.starts = term_starts[term_of_block] + (
            np.arange(len(term_of_block)) - self.first_of_term[term_of_block]) * BLOCK_LIMIT
        self.ends = np.minimum(self.starts + BLOCK_LIMIT, term_ends[term_of_block])
        self.is_first = np.zeros(len(term_of_block), dtype=bool)
        self.is_first[self.first_of_term] = True
        self.is_last = np.zeros(len(term_of_block), dtype=bool)
        self.is_last[self.first_of_term + per_term - 1] = True
        self.docs = docs
        self.counts = counts  # a posting's weight is its count times the field's boost
        self.boost = boost
        self.lengths = lengths

    def encode(self) -> Iterator[list[bytes]]:
        """Each block's bytes as ``W3PostingsWriter._write_block`` writes them (the first
        block of a term starts with the W3 magic; a term's last block has a negative
        length), a window of blocks at a time."""
        starts, ends, docs, counts, boost = (self.starts, self.ends, self.docs, self.counts,
                                             self.boost)
        deltas = np.diff(docs, prepend=0)
        deltas[starts] = docs[starts]  # a block's first id is absolute
        top = (np.maximum.reduceat(counts, starts) * boost).tolist()
        bottom = (np.minimum.reduceat(counts, starts) * boost).tolist()
        min_length = np.minimum.reduceat(self.lengths, starts).tolist()
        max_length = np.maximum.reduceat(self.lengths, starts).tolist()
        last_doc = docs[ends - 1].tolist()
        start_list, end_list = starts.tolist(), ends.tolist()
        first_list, last_list = self.is_first.tolist(), self.is_last.tolist()
        # Python objects for a window of blocks at a time (all at once would take ~30
        # bytes per posting: hundreds of MB for a large segment).
        for window in range(0, len(start_list), BLOCKS_PER_WINDOW):
            blocks = range(window, min(window + BLOCKS_PER_WINDOW, len(start_list)))
            base = start_list[blocks[0]]
            delta_list = deltas[base:end_list[blocks[-1]]].tolist()
            # Frequency format: each posting's count as 4 big-endian bytes
            values = counts[base:end_list[blocks[-1]]].astype(">u4").tobytes()
            out = []
            for block in blocks:
                first, stop = start_list[block], end_list[block]
                high, low = top[block], bottom[block]
                if high == 1.0 and low == 1.0:
                    mini_weights = None
                elif high == low:
                    mini_weights = high
                else:
                    mini_weights = tuple((counts[first:stop] * boost).tolist())
                data = dumps((tuple(delta_list[first - base:stop - base]), mini_weights,
                              values[4 * (first - base):4 * (stop - base)]), 2)
                compression = COMPRESSION if stop - first >= COMPRESS_FROM else 0
                if compression:
                    data = compress(data)
                info = dumps((stop - first, last_doc[block], high, compression,
                              min_length[block], max_length[block]), 2)
                size = len(info) + len(data)
                head = pack_int(-size if last_list[block] else size)
                out.append((WHOOSH3_HEADER_MAGIC + head if first_list[block] else head)
                           + info + data)
            yield out


def _add_terms(table, keys: list[bytes], values: list[bytes]) -> None:
    """``OrderedHashWriter.add`` for many keys (in increasing order) with one write."""
    if not keys:
        return
    if keys[0] <= table.lastkey:
        raise ValueError(f"Keys must increase: {table.lastkey!r}..{keys[0]!r}")
    dbfile = table.dbfile
    position = dbfile.tell()
    buckets = table.buckets
    hash_key = table.hashfn
    remember = table.index.append
    pack_lengths = _KEY_VALUE_LENGTHS.pack
    parts = []
    for key, value in zip(keys, values, strict=True):
        remember(position)
        hashed = hash_key(key)
        buckets[hashed & 255].append((hashed, position))
        parts += (pack_lengths(len(key), len(value)), key, value)
        position += _KEY_VALUE_LENGTHS.size + len(key) + len(value)
    dbfile.write(b"".join(parts))
    table.lastkey = keys[-1]


class CountedSegmentWriter(SegmentWriter):
    """Whoosh's segment writer, taking :class:`CountedTerms` values the fast way.

    The schema may not use term vectors, separate spelling fields or boosts per document
    (this app's does not); everything else behaves as ``SegmentWriter``.
    """

    def __init__(self, ix, **kwargs) -> None:
        super().__init__(ix, **kwargs)
        for name, fieldobj in self.schema.items():
            if fieldobj.vector or fieldobj.separate_spelling():
                raise ValueError(f"field {name!r}: vectors and spelling fields unsupported")
        self._counted: dict[str, _FieldPostings] = {}

    def add_document(self, **values) -> None:
        self._check_state()
        perdoc = self.perdocwriter
        docnum = self.docnum
        add_posting = self.pool.add
        counted: list[tuple[str, CountedTerms, int]] = []
        perdoc.start_doc(docnum)
        try:
            for name in sorted(values):
                value = values[name]
                if value is None or name.startswith("_"):
                    continue
                fieldobj = self.schema[name]
                length = 0
                if isinstance(value, CountedTerms):
                    length = value.total
                    counted.append((name, value, length))
                elif fieldobj.indexed:
                    scorable = fieldobj.scorable
                    for term, freq, weight, value_bytes in fieldobj.index(value):
                        if scorable:
                            length += freq
                        # Whoosh multiplies by the document's boost (1.0): always a float
                        add_posting((name, term, docnum, float(weight), value_bytes))
                # The length as a document's length byte keeps it: the field's total
                # is then the sum of what a merge reads back (Whoosh's totals drift).
                perdoc.add_field(name, fieldobj, value if fieldobj.stored else None,
                                 byte_to_length(length_to_byte(length)))
                column = fieldobj.column_type
                if column:
                    perdoc.add_column_value(name, column, fieldobj.to_column_value(value))
        except Exception:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        for name, value, length in counted:
            self._counted.setdefault(name, _FieldPostings()).add(docnum, value, length)
        self._added = True
        self.docnum += 1

    def add_postings_to_pool(self, reader, startdoc: int, docmap: dict | None) -> None:
        """Merging a segment (Whoosh's merge policy calls this through ``add_reader``):
        its counted fields join this segment's counted postings, the others go through
        Whoosh's pool as usual. (Both in the pool would write a field twice.)"""
        schema = self.schema
        total = reader.doc_count_all()
        if docmap is None:
            new_docnums = np.arange(startdoc, startdoc + total, dtype=np.int64)
        else:
            new_docnums = np.full(total, -1, dtype=np.int64)
            if docmap:
                new_docnums[np.fromiter(docmap.keys(), dtype=np.int64, count=len(docmap))] = (
                    np.fromiter(docmap.values(), dtype=np.int64, count=len(docmap)))
        add_posting = self.pool.add
        for fieldname in sorted(reader.indexed_field_names()):
            if fieldname not in schema:
                continue
            fieldobj = schema[fieldname]
            if isinstance(fieldobj, CountedText):
                self._counted.setdefault(fieldname, _FieldPostings()).add_segment(
                    reader, fieldname, new_docnums)
                continue
            for item in self._process_posts(_field_postings(reader, fieldname), startdoc,
                                            docmap):
                add_posting(item)

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        reader = self.per_document_reader() if self.codec.length_stats else None
        lengths = LengthsReadOnce(reader) if reader else None
        fieldwriter = self.fieldwriter
        waiting = sorted(self._counted)
        # Fields are written in name order, as Whoosh does; counted ones slot in between.
        for fieldname, postings in groupby(self.pool.iter_postings(), key=itemgetter(0)):
            while waiting and waiting[0] < fieldname:
                name = waiting.pop(0)
                write_counted_field(fieldwriter, name, self.schema[name], self._counted[name])
            fieldwriter.add_postings(self.schema, lengths, postings)
        for name in waiting:
            write_counted_field(fieldwriter, name, self.schema[name], self._counted[name])
        self._counted.clear()
        fieldwriter.close()
        if reader:
            reader.close()


def _field_postings(reader, fieldname: str) -> Iterator[tuple]:
    """``reader.iter_postings()`` for one field."""
    for text in reader.lexicon(fieldname):
        matcher = reader.postings(fieldname, text)
        while matcher.is_active():
            yield fieldname, text, matcher.id(), matcher.weight(), matcher.value()
            matcher.next()


def field_lengths(reader, fieldname: str, default: int) -> list[int]:
    """Every document's length in one field, read in one pass over the segment."""
    read = reader.doc_field_length
    return [read(doc, fieldname, default) for doc in range(reader.doc_count_all())]


class LengthsReadOnce:
    """Per-document field lengths for a segment being committed, read once per field.

    Whoosh's commit asks the freshly written length column for every posting through a
    slow per-call reader; this answers from a list instead.
    """

    def __init__(self, reader) -> None:
        self._reader = reader
        self._lengths: dict[str, list[int]] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        lengths = self._lengths.get(fieldname)
        if lengths is None:
            lengths = field_lengths(self._reader, fieldname, default)
            self._lengths[fieldname] = lengths
        return lengths[docnum]
