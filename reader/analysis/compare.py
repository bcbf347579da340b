"""Companies side by side: the privacy facts and the passages per practice of 2 to 4
policies, row by row, with the rows where they differ marked.

Every number and fact comes from the one decision about each policy (the same result the
viewer, the side panel, the index and the PDF show); nothing is decided here. A fact row
*differs* when the companies' states of the fact differ (stated, says it does not, not
stated); a practice row differs when
some policies have passages of that practice and others have none (passage counts almost
always differ, so they alone do not mark a row).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reader.analysis.fact_categories import category_row_note, facts_beside_categories
from reader.analysis.facts import ALSO_SAYS_NOT, STATE_WORDS, Fact, group_title
from reader.analysis.language import ENGLISH, models_caveat
from reader.analysis.practices import Analysis, analyze_policy
from reader.analysis.taxonomy import practice_categories
from reader.sources.corpus import Corpus, Policy, PolicyLoadError

MIN_COMPANIES = 2
MAX_COMPANIES = 4
FACT_ROW = "fact"
PRACTICE_ROW = "practice"


class CompareError(Exception):
    """Companies that cannot be compared (too few, too many, unknown, unreadable)."""


@dataclass(frozen=True)
class Evidence:
    """A sentence or passage of a policy, with offsets into its rendered text."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Cell:
    """What one company's policy says for one row: a fact's ``state`` (``count`` None;
    ``stated`` is state == "stated"), or the number of passages of a practice;
    ``evidence`` best first (for "does_not", the sentences saying it does not);
    ``denials``: a stated fact's sentences saying it does not. A practice with no passage
    whose facts the policy states has ``note`` (the side panel's words,
    :func:`category_row_note`) and those facts' sentences as ``note_evidence``."""

    stated: bool
    evidence: tuple[Evidence, ...]
    count: int | None = None
    state: str = ""
    denials: tuple[Evidence, ...] = ()
    note: str = ""
    note_evidence: tuple[Evidence, ...] = ()

    @property
    def value(self) -> str:
        if self.count is not None:
            return f"{self.count} · stated in facts" if self.note else str(self.count)
        if self.state:
            return STATE_WORDS[self.state] + (f" {ALSO_SAYS_NOT}" if self.denials else "")
        return "stated" if self.stated else "not stated"


@dataclass(frozen=True)
class Row:
    """One fact or one practice category across the compared companies."""

    kind: str  # FACT_ROW or PRACTICE_ROW
    id: str  # fact id (``collects:contact``) or category id (``user_choice``)
    group: str  # the fact group's title (facts.group_title) or "Passages per practice"
    label: str
    cells: tuple[Cell, ...]  # one per company, in the comparison's order

    @property
    def differs(self) -> bool:
        return len({cell.state or cell.stated for cell in self.cells}) > 1

    @property
    def title(self) -> str:
        """The row's name as the table shows it: ``Collects: Contact details``,
        ``Passages: Security``."""
        return f"{self.group}: {self.label}" if self.kind == FACT_ROW else f"Passages: {self.label}"


@dataclass(frozen=True)
class Company:
    domain: str
    label: str  # as every view names it (with the snapshot's site when it differs)
    title: str
    archive_date: str | None
    word_count: int
    language: str = ENGLISH  # as the decision reads the policy (reader.analysis.language)

    @property
    def caveat(self) -> str | None:
        """What to know about its facts (not English: unreliable), as its analysis says."""
        return models_caveat(self.language)


@dataclass(frozen=True)
class Comparison:
    companies: tuple[Company, ...]
    rows: tuple[Row, ...]

    def rows_of(self, kind: str) -> list[Row]:
        return [row for row in self.rows if row.kind == kind]

    def differing(self) -> list[Row]:
        return [row for row in self.rows if row.differs]

    def row(self, row_id: str) -> Row:
        for row in self.rows:
            if row.id == row_id:
                return row
        raise KeyError(row_id)

    def to_json(self) -> dict:
        """The ``compare --json`` contract (see the README's Command line section)."""
        domains = [c.domain for c in self.companies]

        def cells(row: Row) -> dict[str, dict]:
            out = {}
            for domain, cell in zip(domains, row.cells, strict=True):
                entry: dict = ({"passages": cell.count, "note": cell.note or None}
                               if row.kind == PRACTICE_ROW
                               else {"state": cell.state, "stated": cell.stated})
                entry["evidence"] = [e.text for e in cell.evidence]
                if row.kind == FACT_ROW:
                    entry["denials"] = [e.text for e in cell.denials]
                out[domain] = entry
            return out

        def rows(kind: str) -> list[dict]:
            return [{"id": r.id, "label": r.label, "group": r.group, "differs": r.differs,
                     "companies": cells(r)} for r in self.rows_of(kind)]

        return {"companies": [{"company": c.domain, "title": c.title,
                               "archived": c.archive_date, "words": c.word_count,
                               "language": c.language}
                              for c in self.companies],
                "facts": rows(FACT_ROW), "practices": rows(PRACTICE_ROW)}


def policy_facts_of(analysis: Analysis) -> list[Fact]:
    """The shown facts of an analysed policy: those of the one decision
    (``Analysis.facts``, what the side panel, index and PDF show)."""
    return analysis.facts


def _evidence(text: str, start: int, end: int) -> Evidence:
    return Evidence(start, end, " ".join(text[start:end].split()))


def compare(analysed: Sequence[tuple[Policy, Analysis]]) -> Comparison:
    """Compare analysed policies (2 to 4, in the order given)."""
    if not MIN_COMPANIES <= len(analysed) <= MAX_COMPANIES:
        raise CompareError(f"compare needs {MIN_COMPANIES} to {MAX_COMPANIES} companies, "
                           f"not {len(analysed)}")
    facts = [policy_facts_of(analysis) for _, analysis in analysed]
    rows: list[Row] = []
    for k, fact in enumerate(facts[0]):
        cells = []
        for (_, analysis), found in zip(analysed, facts, strict=True):
            same = found[k]
            assert same.id == fact.id  # every policy gets the same facts in the same order
            cells.append(Cell(same.stated,
                              tuple(_evidence(analysis.text, e.start, e.end)
                                    for e in same.evidence), state=same.state,
                              denials=tuple(_evidence(analysis.text, e.start, e.end)
                                            for e in same.denials)))
        rows.append(Row(FACT_ROW, fact.id, group_title(fact.group),
                        fact.label, tuple(cells)))
    beside = [facts_beside_categories(analysis) for _, analysis in analysed]
    for item in practice_categories():
        cells = []
        for (_, analysis), outside in zip(analysed, beside, strict=True):
            passages = analysis.passages(item.id)
            stated = outside.categories.get(item.id, ())
            cells.append(Cell(bool(passages), tuple(_evidence(analysis.text, s.start, s.end)
                                                    for s in passages), len(passages),
                              note=category_row_note(stated) if stated else "",
                              note_evidence=tuple(
                                  _evidence(analysis.text, e.start, e.end)
                                  for e in outside.sentences_of(item.id))))
        rows.append(Row(PRACTICE_ROW, item.id, "Passages per practice", item.name,
                        tuple(cells)))
    companies = tuple(Company(p.domain, p.company_label, p.title, p.archive_date,
                              p.word_count, a.language) for p, a in analysed)
    return Comparison(companies, tuple(rows))


def resolve_companies(corpus: Corpus, names: Sequence[str]) -> list[str]:
    """The corpus domains of ``names`` (2 to 4 different companies), or a
    :class:`CompareError` saying what is wrong."""
    if not MIN_COMPANIES <= len(names) <= MAX_COMPANIES:
        raise CompareError(f"compare needs {MIN_COMPANIES} to {MAX_COMPANIES} companies, "
                           f"not {len(names)}")
    domains: list[str] = []
    for name in names:
        entry = corpus.find(name)
        if entry is None:
            raise CompareError(f"no policy for {name!r} in {corpus.root} "
                               "(try: privacy-reader list)")
        if entry.domain in domains:
            raise CompareError(f"{entry.domain} is named twice; compare different companies")
        domains.append(entry.domain)
    return domains


def compare_companies(corpus: Corpus, names: Sequence[str],
                      analyse: Callable[[Policy], tuple[Policy, Analysis]] | None = None,
                      cancelled: Callable[[], bool] | None = None) -> Comparison | None:
    """Load, analyse and compare companies of ``corpus`` (``None`` if ``cancelled()``
    turned true between policies). ``analyse`` may reuse an analysis already made (the
    app's cache); by default each policy is decided afresh."""
    analyse = analyse or _analyse
    analysed = []
    for domain in resolve_companies(corpus, names):
        if cancelled and cancelled():
            return None
        try:
            analysed.append(analyse(corpus.load(domain)))
        except PolicyLoadError as exc:
            raise CompareError(str(exc)) from exc
    return compare(analysed)


def _analyse(policy: Policy) -> tuple[Policy, Analysis]:
    return policy, analyze_policy(policy.body)
