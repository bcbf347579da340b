"""The search index's fields, defined once: every engine builds its schema from this table.

Kinds:

- ``id``: one exact value (path, domain, date), searched as it is.
- ``words``: text split into words (``\\w+``, lowercased), ranked; ``boost`` weighs a match
  there against one in the body.
- ``keyword``: a comma-separated list of exact values (categories), lowercased.
- ``number``: an integer (year), for ``year:2010`` and ``year:2010..2015``.
- ``stored``: kept for listings and change detection, not searchable.
- ``body``: the policy's words (company and title words first), counted per policy;
  phrases are answered from word positions (tantivy) or word pairs (Whoosh).

A new field (e.g. a fact such as ``collects:``) is one row here plus its value in
:func:`reader.search.index.policy_document`; both engines then index and store it.
"""

from __future__ import annotations

from dataclasses import dataclass

from reader.analysis.facts import SEARCH_FIELDS as FACT_FIELDS


@dataclass(frozen=True)
class SearchField:
    name: str
    kind: str  # id, words, keyword, number, stored, body
    stored: bool = False
    boost: float = 1.0
    phrases: bool = True  # words fields: answer "quoted phrases"


FIELDS: tuple[SearchField, ...] = (
    SearchField("path", "id", stored=True),
    SearchField("domain", "id", stored=True),
    SearchField("company", "words", boost=3.0),
    SearchField("title", "words", stored=True, boost=2.0),
    SearchField("date", "id", stored=True),
    SearchField("year", "number", stored=True),
    SearchField("words", "stored"),
    SearchField("size", "stored"),
    SearchField("mtime", "stored"),
    SearchField("digest", "stored"),
    SearchField("category", "keyword", stored=True),
    SearchField("language", "keyword"),  # en, fr, de...: what the policy reads as
    SearchField("type", "words", stored=True),  # Privacy Policy, Terms of Service...
    SearchField("site", "stored"),  # the snapshot's site when it is not the domain
    SearchField("body", "body"),
    SearchField("facts", "stored"),  # ids of the privacy facts the policy states, comma-joined
    # search term -> how strongly the policy states it ("category:data_security": 11.0);
    # queries made only of field terms are ranked by it (reader.search.engine)
    SearchField("strength", "stored"),
    # collects:contact, shares:third_party...: one keyword field per fact group
    *(SearchField(name, "keyword") for name in FACT_FIELDS),
)

BY_NAME = {f.name: f for f in FIELDS}
STORED = tuple(f.name for f in FIELDS if f.stored or f.kind == "stored")
QUERY_FIELDS = tuple(f.name for f in FIELDS if f.kind not in {"stored", "body"})
