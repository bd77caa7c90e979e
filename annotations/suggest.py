"""Suggested spans: what a rule can find before a person reads the article.

Four suggesters, each a handful of rules a person can check:

- quotations (label `quote`): the text inside quotation marks, curly or
  straight, the outermost of nested ones, across sentence ends, and across
  paragraphs in the newspaper way (an unclosed quote continued by a
  paragraph that opens with a quote mark). Single-word scare quotes are
  proposed too, noted as such. The speaker it is attributed to, when one is
  near ("…,” the minister said; Macron declared that “…”; a pronoun
  resolved to the name before it; "…, WaPo claims" in a headline), is the
  note, and where its words are found near the quotation, `speaker` is
  that span: accepting the quote tags the speaker too, with the quote's
  `said_by` relation to it (`Workspace.accept`).
- attributed claims (`claim`): a sentence that reports what someone says
  ("according to X", "X said/told/argued that", "X reported") and is not
  itself mostly a quotation; the note names the source.
- opinion (`opinion`): a sentence with hedged or evaluative language from
  `OPINION_LEXICON`; the note lists the words.
- terms (`terms`): recurring capitalised multi-word names ("Mikhail
  Podoliak", "European Council on Foreign Relations") and repeated
  lower-case phrases ("security guarantees"), every occurrence.

`pending(doc, seg, store, shown)` is what the reader shows: the suggestions
minus those the annotator rejected for this document (kept in the store's
session state, so they are not proposed again) and minus those already annotated in the
layer the annotator sees (`shown`: another annotator's spans must not
show through by what is left out).
`evaluate(gold_records)` scores the suggesters against hand-tagged
articles (see `tests/data/gold/`).
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from typing import Any

from annotations.model import Annotation, Document
from annotations.segmentation import Segmentation, Segmenter, Span
from annotations.selection import quote_pairs

LABELS = ("quote", "claim", "opinion", "terms")
SOURCE = "suggested"
# What an accepted suggestion of the span model (`span_model.py`) is marked.
MODEL_SOURCE = "model"

# Suggestion and annotation with the same label count as the same when
# their overlap is at least this share of the longer one.
MATCH_OVERLAP = 0.5

# ---------------------------------------------------------------- lexicons

# Hedges and evaluative words: newsmark's own list.
OPINION_LEXICON = frozenset(
    """
    reportedly allegedly apparently supposedly purportedly arguably seemingly
    possibly perhaps probably presumably likely unlikely may might could
    seriously certainly clearly obviously surely undoubtedly frankly sadly
    unfortunately fortunately hopefully regrettably shockingly remarkably
    unfair unjust unacceptable outrageous shameful disgraceful absurd
    ridiculous reckless irresponsible baseless dubious questionable
    controversial bleak dire grim disastrous catastrophic devastating dismal
    alarming worrying troubling disturbing scandalous dangerous
    excellent remarkable brilliant impressive great terrible awful horrible
    cheapest best worst rushed thin naive cynical hypocritical
    so-called notorious infamous radical extremist fringe
    challenging looming crucial vital essential existential
    criticized criticised slammed blasted condemned denounced praised hailed
    lauded mocked
    """.split()
)
# "may" and "could" hedge often but are too common alone: they need a second cue.
_WEAK_HEDGES = frozenset({"may", "might", "could", "likely", "possibly", "perhaps", "probably"})

_PRONOUNS = frozenset({"he", "she", "they", "it", "we", "i"})

# Capitalised words that start sentences or headlines without being names.
_NOT_NAME_STARTS = frozenset(
    """
    the a an this that these those his her its their our my your some many
    several one two three on in at by for from with after before since
    during while when if but and or as among meanwhile however despite
    secretary president minister
    """.split()
)
# Lower-case words that may join a capitalised name: "Council on Foreign Relations".
_NAME_JOINERS = frozenset({"of", "on", "for", "and", "the", "de", "la", "van", "von", "al"})

_STOP = frozenset(
    """
    a an the and or but of on in at by for from to with as is are was were be
    been being has have had it its this that these those he she they we i you
    his her their our my your not no so than then there here which who whom
    what when where while would will can could should may might must do does
    did said says told also about into over after before up out more most
    such any all some very just only even both each other its ago towards
    toward against between among within without across around through per
    one two three four five six seven eight nine ten according while since
    now however still already yet like well much many less least
    """.split()
)


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A proposed span: `label` on [start, end) of the document's text."""

    start: int
    end: int
    label: str
    note: str = ""
    rule: str = ""
    # A quote's speaker as a span of the text ([start, end)), when found.
    speaker: tuple[int, int] | None = None
    # Who proposes it: "rule" (this module) or "model" (the trained span
    # model, with its score from 0 to 1).
    origin: str = "rule"
    score: float | None = None

    @property
    def key(self) -> str:
        """What a rejection remembers: the span and label (offsets are
        stable, a document's id being the hash of its text)."""
        return f"{self.start}:{self.end}:{self.label}"

    def to_annotation(self, doc: Document, *, annotator: str = "") -> Annotation:
        """The annotation accepting this suggestion makes (`source: suggested`,
        or `source: model` for the model's)."""
        return Annotation.tag(
            doc,
            self.start,
            self.end,
            self.label,
            annotator=annotator,
            source=MODEL_SOURCE if self.origin == MODEL_SOURCE else SOURCE,
            note=self.note,
        )

    def speaker_annotation(self, doc: Document, label: str, *,
                           annotator: str = "") -> Annotation:
        """The speaker span tagged with `label` (`source: suggested`)."""
        assert self.speaker is not None
        return Annotation.tag(doc, *self.speaker, label, annotator=annotator, source=SOURCE)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def overlap(a: Span, b: Span) -> float:
    """Shared length over the longer span's length (0 when disjoint)."""
    shared = min(a[1], b[1]) - max(a[0], b[0])
    longer = max(a[1] - a[0], b[1] - b[0])
    return shared / longer if shared > 0 and longer > 0 else 0.0


# ---------------------------------------------------------------- quotations

_WORD = re.compile(r"[^\W_]+(?:['’.-][^\W_]+)*")
_OPENERS = "“„«‘\"'"


def _trim(text: str, start: int, end: int, chars: str = " \t\n,;:") -> Span:
    while start < end and text[start] in chars:
        start += 1
    while end > start and text[end - 1] in chars:
        end -= 1
    return start, end


def quotations(text: str, seg: Segmentation) -> list[Span]:
    """Spans inside the outermost quotation marks, per paragraph.

    An opening mark left unclosed at a paragraph's end runs to that end
    when the next paragraph opens with a quote mark (the newspaper way of
    quoting over several paragraphs).
    """
    out: list[Span] = []
    paragraphs = seg.paragraphs or [(0, len(text))]
    for k, (lo, hi) in enumerate(paragraphs):
        pairs = quote_pairs(text, lo, hi)
        outer: list[Span] = []
        for open_, close in pairs:  # sorted by opening mark
            if outer and open_ < outer[-1][1]:
                continue  # nested inside the previous quotation
            outer.append((open_, close))
        for open_, close in outer:
            out.append(_trim(text, open_ + 1, close))
        # An unclosed opener continued in the next paragraph.
        nxt = paragraphs[k + 1][0] if k + 1 < len(paragraphs) else None
        if nxt is not None and text[nxt] in '“«"':
            last_close = outer[-1][1] if outer else lo - 1
            paired = {p[0] for p in pairs} | {p[1] for p in pairs}
            for m in re.finditer('[“«"]', text[last_close + 1 : hi]):
                at = last_close + 1 + m.start()
                if at not in paired and (at == lo or not text[at - 1].isalnum()):
                    out.append(_trim(text, at + 1, hi))
                    break
    return [(s, e) for s, e in out if s < e]


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


# Words between a speaker and the verb of saying ("diplomats have suggested").
_AUXILIARIES = frozenset("has have had is are was were be been also later then reportedly".split())
_MAX_SPEAKER_WORDS = 10
_CLAUSE_BREAK = re.compile(r"[,;:()“”\"«»—–]|[‘’'](?!\w)|(?<!\w)[‘’']")
_TOKEN = re.compile(r"[\w’'-]+(?:\.\w+)*")
# Verbs of saying, in forms that are rarely nouns ("his claims") and not
# before "by" ("the territory claimed by Ukraine").
_SAY_FORMS = frozenset(
    """
    say said says told tells added argued argues claimed declared insisted insists
    confirmed confirms denied denies revealed disclosed
    stated warned warns wrote writes noted explained asked replied posted
    tweeted announced suggested reported acknowledged admitted maintained
    alleged conceded countered recalled urged vowed predicted estimated
    contended
    """.split()
)
_CONNECTIVES = frozenset({"and", "but", "as", "while", "so", "then", "that"})


# Verbs of saying that are more often nouns ("his territorial claims"):
# verbs only after a name or pronoun and where the clause ends ("…, WaPo
# claims"; not "he rejected the claims").
_SAY_FORMS_AT_END = frozenset({"claims", "reports"})
_CLAUSE_END = re.compile(r"\s*(?:[.!?,;:]|$)")
_NAME_OR_PRONOUN_BEFORE = re.compile(r"(?:\b[A-Z][\w’'.-]*|\b(?:he|she|it|they))\s+$")


def _say_verbs(fragment: str) -> list[re.Match[str]]:
    found = []
    for m in _TOKEN.finditer(fragment):
        word, after = m.group().lower(), fragment[m.end() :]
        if word in _SAY_FORMS and not re.match(r"\s+by\b", after):
            found.append(m)
        elif (
            word in _SAY_FORMS_AT_END
            and _CLAUSE_END.match(after)
            and _NAME_OR_PRONOUN_BEFORE.search(fragment[: m.start()])
        ):
            found.append(m)
    return found


def _subject_before(fragment: str) -> str:
    """The noun phrase ending `fragment`: its words back to a clause break.

    An appositive or relative clause between commas is passed over: "the
    clinic's director, Alan Brooks, told" gives "Alan Brooks", "Tom Rudd,
    who has fished here for years, told" gives "Tom Rudd", and "Peter
    Holm, the councillor, said" or "Peter Holm, chairman of the board,
    said" gives "Peter Holm" (the name, not its role).
    """
    fragment = fragment.rstrip()
    if fragment.endswith(","):
        head, _, clause = fragment[:-1].rpartition(",")
        first = clause.split()[:1]
        if first and first[0].lower() in {"who", "which", "whose"}:
            return _subject_before(head)
        # "Peter Holm, the councillor, said", "Mr. Daniel Reyes, chairman of
        # the trustees, said": the name, not its description.
        if first and (first[0].lower() in {"the", "a", "an"} or first[0][:1].islower()):
            named = _subject_before(head)
            if named[:1].isupper():
                return named
        return _subject_before(fragment[:-1])
    cut = 0
    for m in _CLAUSE_BREAK.finditer(fragment):
        cut = m.end()
    words = fragment[cut:].split()
    while words and words[-1].lower() in _AUXILIARIES:
        words.pop()
    while words and words[0].lower() in _CONNECTIVES:
        words = words[1:]
    if not words or len(words) > _MAX_SPEAKER_WORDS:
        return ""
    return " ".join(words).strip(" .")


# After the verb of saying, news style puts lower-case role words before the
# name ("said union spokesman Lars Holm", "said board chair Linda Park"),
# perhaps after whose role it is ("said Clinton’s top aide Jake Sullivan").
# Words of time, place and manner are not roles: "said on Tuesday", "said in
# a statement to Reuters", "said last week in Oslo" name no speaker.
_NOT_ROLE_WORDS = (
    "on in at to for from with by of during after before since until about over into onto "
    "through via per than that this these those which who whom whose when while where as if "
    "but and or nor so yet not no last next earlier later then also again still just now "
    "today tonight yesterday tomorrow recently previously once twice he she it they we i "
    "his her its their our my your there here is was were are has had have be been will "
    "would could should may might must can do did does in-person"
)
_ROLE_WORD = r"(?!(?:" + "|".join(_NOT_ROLE_WORDS.split()) + r")\b)[a-z][\w’'-]*"
_MAX_ROLE_WORDS = 4
_NAME_AFTER = re.compile(
    r"\s*((?:the\s+|a\s+|an\s+)?(?:[A-Z][\w-]*(?:\s+[A-Z][\w-]*)*[’']s\s+(?=[a-z]))?"
    r"(?P<role>(?:" + _ROLE_WORD + r"\s+){0," + str(_MAX_ROLE_WORDS) + r"})"
    r"(?:(?:Mr|Mrs|Ms|Dr|Prof)\.\s+)?"
    r"(?P<name>[A-Z][\w’'-]*)(?:\s+(?:of\s+|the\s+)*[A-Z][\w’'-]*)*"
    r"|the\s+[a-z]+(?:\s+[a-z]+)?)"
)
# After a name, what shows it is not the speaker: a possessive ("suggested
# Donald Trump’s refusal") or, after role words, a noun the capitalised words
# only qualify ("said a prominent Republican National Committee member").
_POSSESSIVE_END = re.compile(r"[’']s?$")
_NOUN_NEXT = re.compile(r"\s+(?!(?:" + "|".join(_NOT_ROLE_WORDS.split()) + r")\b)[a-z]")
# Capitalised words that are times, not people: "said Tuesday".
_TIME_NAMES = frozenset(
    """
    monday tuesday wednesday thursday friday saturday sunday january february march
    april may june july august september october november december
    """.split()
)
_ACCORDING_TO = re.compile(r"(?i:according to)\s+([^,.;:“”\"]{2,60}?)\s*(?=[,.;:“”\"]|$)")


def _name_after(fragment: str, at: int) -> str:
    """The speaker named right after a verb of saying at `at` ("" if none)."""
    named = _NAME_AFTER.match(fragment, at)
    if named is None or (named.group("name") or "").lower() in _TIME_NAMES:
        return ""
    who = named.group(1).strip()
    if _POSSESSIVE_END.search(who):
        return ""
    if named.group("role") and _NOUN_NEXT.match(fragment, named.end()):
        return ""
    return who


def _attribution(fragment: str, *, last: bool) -> str:
    """Who `fragment` says spoke: "X said", "said X", "according to X"."""
    # The last verb (or the first) that names someone: in "Mr. Doyle said the
    # repairs would cost more than the council had estimated" the last verb
    # of saying has no subject of its own, and the claim is Mr. Doyle's.
    for m in reversed(_say_verbs(fragment)) if last else _say_verbs(fragment):
        before = fragment[: m.start()]
        who = _subject_before(before)
        if who:
            return who
        if not before.strip(" ,.!?;:”’\"'»"):  # "…,” said Mr. Patel"
            named = _name_after(fragment, m.end())
            if named:
                return named
    found = _ACCORDING_TO.findall(fragment)
    if found:
        return found[-1] if last else found[0]
    return ""


def _clean_speaker(who: str) -> str:
    words = who.split()
    while words and words[0].lower() in _CONNECTIVES:
        words = words[1:]
    return " ".join(words).strip(" ,")


# A name's gender, where the text tells it: a title ("she" is not Mr. Reyes,
# however near he is: a claim "She added that …" was given the man named in
# the sentence before), or an earlier "She …"/"He …" that stood for the name.
_TITLE_GENDER = {"mr.": "he", "mrs.": "she", "ms.": "she", "miss": "she"}
_PRONOUN_GENDER = {"he": "he", "she": "she"}
# "He said", "said he heard", "She added": a pronoun that stands for the
# last name before it (of no other gender the text has told).
_GENDERED_SUBJECT = re.compile(r"\b([Hh]e|[Ss]he)\b")
# The last word of a capitalised name that is a place or a body, not a
# person: "St. Mary's Hospital" is not who "she" is.
_NOT_PERSON_ENDS = frozenset(
    """
    hospital university school college council church street road avenue
    department ministry party company court committee agency centre center
    club house office bank times post news journal association union
    foundation institute museum library station airport county city
    """.split()
)
# A name's words are on one line (a headline above is not part of it), and
# a plain name stops before a title: "Councillor Mr. Ian Ross" is Mr. Ian Ross.
_NAME_BEFORE = re.compile(
    r"(?:Mr\.|Mrs\.|Ms\.|Miss|Dr\.|Prof\.|St\.)(?:[^\S\n]+[A-Z][\w’'-]+)+"
    r"|[A-Z][\w’'-]+(?:[^\S\n]+(?!(?:Mr|Mrs|Ms|Dr|Prof|St)\.)[A-Z][\w’'-]+)+")


def _names_before(window: str) -> list[tuple[int, str]]:
    """(offset, name) of each capitalised name in `window` that may be a
    person's, in order."""
    return [(m.start(), m.group()) for m in _NAME_BEFORE.finditer(window)
            if m.group().split()[0].lower() not in _NOT_NAME_STARTS
            and m.group().split()[0] != "St."
            and m.group().split()[-1].lower() not in _NOT_PERSON_ENDS]


def _genders(window: str, names: list[tuple[int, str]]) -> dict[str, str]:
    """The names of `window` whose gender it tells: by their title, or by a
    "He"/"She" after them that stands for the last name of its gender."""
    known = {name: gender for _at, name in names
             if (gender := _TITLE_GENDER.get(name.split()[0].lower()))}
    for match in _GENDERED_SUBJECT.finditer(window):
        gender = match.group(1).lower()
        before = [name for at, name in names
                  if at + len(name) <= match.start() and known.get(name, gender) == gender]
        if before:
            known.setdefault(before[-1], gender)
    return known


def _last_name_before(text: str, at: int, pronoun: str = "") -> str:
    """The last capitalised name (two words or more, or a title and a name)
    before `at`, for "he said": of a gender the text tells is not `pronoun`'s, none."""
    window = text[max(0, at - 400) : at]
    names = _names_before(window)
    gender = _PRONOUN_GENDER.get(pronoun.lower())
    if gender:
        known = _genders(window, names)
        names = [(n_at, name) for n_at, name in names if known.get(name, gender) == gender]
    return names[-1][1] if names else ""


def _resolve(text: str, at: int, who: str) -> str:
    if who.lower() in _PRONOUNS:
        return _last_name_before(text, at, who) or who
    return who


def speaker(
    text: str, seg: Segmentation, span: Span, previous: str = "", *, guess: bool = True
) -> str:
    """Who the quotation at `span` is attributed to, if someone is near ("" if not).

    Looked for after the quotation in its sentence ("…,” the minister
    said), then before it (Macron declared that “…”); a pronoun becomes the
    last name before it; a sentence that is all quotation continues the
    `previous` quotation's speaker. Without a verb of saying, the name
    before the quotation is taken only when `guess` is set.
    """
    start, end = span
    k = seg.sentence_at(max(0, end - 1))
    sent_end = seg.sentences[k][1] if k is not None else len(text)
    j = seg.sentence_at(start)
    sent_start = seg.sentences[j][0] if j is not None else 0
    close = end
    while close < sent_end and text[close] in ",.!?;:":
        close += 1
    if close < sent_end and text[close] in "”’\"'»":
        close += 1
    open_ = start
    if open_ > sent_start and text[open_ - 1] in "“‘\"'«„":
        open_ -= 1
    who = _attribution(text[close:sent_end], last=False)
    if not who:
        who = _attribution(text[sent_start:open_], last=True)
    if who:
        return _resolve(text, start, _clean_speaker(who))
    if not text[sent_start:open_].strip() and not text[close:sent_end].strip(' .!?”"’'):
        return previous
    if not guess:
        return ""
    # "Podoliak criticized the talks, framing them as “…”": the name before it.
    return _last_name_before(text[sent_start:open_], open_ - sent_start)


def suggest_quotes(doc: Document, seg: Segmentation) -> list[Suggestion]:
    out: list[Suggestion] = []
    previous = ""
    previous_end = -1
    for s, e in quotations(doc.text, seg):
        if len(_words(doc.text[s:e])) < 2:
            # A scare-quoted word ("the “bleak” situation") still quotes
            # someone's word: proposed, and said so, for the person to judge;
            # whose word, when the sentence says ("according to the outlet").
            who = speaker(doc.text, seg, (s, e), guess=False)
            note = f"speaker: {who}; scare quote: one word" if who else "scare quote: one word"
            out.append(Suggestion(s, e, "quote", note, "scare-quote"))
            continue
        # A quotation continues the previous one's speaker only right after it.
        gap = doc.text[previous_end:s] if previous_end >= 0 else "x" * 500
        carried = previous if len(gap) < 200 else ""
        who = speaker(doc.text, seg, (s, e), carried)
        note = f"speaker: {who}" if who else ""
        out.append(Suggestion(s, e, "quote", note, "quotation",
                              speaker_span(doc.text, (s, e), who)))
        previous, previous_end = who, e
    return out


# How far from a quotation its speaker's words are looked for (a pronoun is
# resolved to a name up to 400 characters back).
_SPEAKER_REACH = 600


def speaker_span(text: str, quote: Span, who: str) -> tuple[int, int] | None:
    """Where `who` is written nearest the quotation, outside it (None: a pronoun, or not near).

    A pronoun alone ("he") is not proposed as a speaker span: the name it
    stands for is, when `speaker` resolved it.
    """
    if not who or who.lower() in _PRONOUNS:
        return None
    start, end = quote
    lo = max(0, start - _SPEAKER_REACH)
    best: tuple[int, int] | None = None
    for match in re.finditer(re.escape(who), text[lo : end + _SPEAKER_REACH]):
        s, e = lo + match.start(), lo + match.end()
        if s < end and e > start:
            continue  # inside the quotation: its words, not its speaker
        distance = start - e if e <= start else s - end
        if best is None or distance < best[0]:
            best = (distance, s)
    if best is None:
        return None
    s, e = best[1], best[1] + len(who)
    # "Mr. Daniel" (what a title and one name resolve to) is Mr. Daniel Pryce
    # where the text goes on with the name (two more words at most).
    for _ in range(2):
        more = _NAME_GOES_ON.match(text, e)
        if more is None:
            break
        e = more.end()
    return s, e


_NAME_GOES_ON = re.compile(r" [A-Z][\w’'-]*[\w]")


# ---------------------------------------------------------------- claims


def suggest_claims(doc: Document, seg: Segmentation, quotes: list[Span]) -> list[Suggestion]:
    text = doc.text
    out: list[Suggestion] = []
    for s, e in seg.sentences:
        sentence = text[s:e]
        if not _SENT_LIKE.search(sentence):
            continue  # a headline or a byline
        inside = [(max(s, qs), min(e, qe)) for qs, qe in quotes if qs < e and qe > s]
        if sum(qe - qs for qs, qe in inside) > 0.5 * (e - s):
            continue  # mostly a quotation: the quote suggester's
        if inside and not text[s : inside[0][0]].strip(" “‘\"'«„"):
            continue  # “…,” said X: a quotation and its speaker, not a claim
        # Words inside quotation marks are the speaker's, not the reporting.
        masked = list(sentence)
        for qs, qe in inside:
            masked[qs - s : qe - s] = " " * (qe - qs)
        reporting = "".join(masked)
        who = _attribution(reporting, last=True)
        if who:
            rule = "according-to" if re.search(r"\baccording to\b", reporting) else "said"
            source = _resolve(text, s, _clean_speaker(who))  # "He argued": the name before
            out.append(Suggestion(s, e, "claim", f"source: {source}", rule))
    return out


_SENT_LIKE = re.compile(r"[.?!…”\"’]\s*$")

# ---------------------------------------------------------------- opinion


def suggest_opinion(doc: Document, seg: Segmentation, quotes: list[Span]) -> list[Suggestion]:
    text = doc.text
    out: list[Suggestion] = []
    for s, e in seg.sentences:
        # Words inside a quotation are the speaker's, not the outlet's.
        found: list[str] = []
        for m in re.finditer(r"[\w’'-]+", text[s:e]):
            at = s + m.start()
            if any(qs <= at < qe for qs, qe in quotes):
                continue
            word = m.group().lower().replace("’", "'")
            if word in OPINION_LEXICON:
                found.append(word)
        strong = [w for w in found if w not in _WEAK_HEDGES]
        if strong or len(found) >= 2:
            words = ", ".join(dict.fromkeys(found))
            out.append(Suggestion(s, e, "opinion", f"cue: {words}", "lexicon"))
    return out


# ---------------------------------------------------------------- terms

_CAP_RUN = re.compile(
    r"(?:Mr\.\s+|Mrs\.\s+|Ms\.\s+|Dr\.\s+)?[A-Z][\w’'-]*(?:\s+(?:(?:of|on|for|and|the|de|la|van|von|al)\s+)*[A-Z][\w’'-]*)+"
)


def _strip_possessive(text: str, start: int, end: int) -> Span:
    if text[end - 2 : end] in ("’s", "'s"):
        end -= 2
    return start, end


def suggest_terms(doc: Document, seg: Segmentation) -> list[Suggestion]:
    text = doc.text
    names: dict[str, list[Span]] = defaultdict(list)
    for m in _CAP_RUN.finditer(text):
        s, e = _strip_possessive(text, *m.span())
        words = text[s:e].split()
        # A sentence-initial "The" or "Several" is not part of the name.
        while words and words[0].lower() in _NOT_NAME_STARTS and len(words) > 1:
            s = text.index(words[1], s + len(words[0]))
            words = words[1:]
        while words and words[-1].lower() in _NAME_JOINERS:
            words = words[:-1]
            e = s + len(" ".join(words)) if words else s
        if len(words) < 2:
            continue
        e = s + len(text[s:e].rstrip())
        names[text[s:e]].append((s, e))
    out: list[Suggestion] = []
    taken: list[Span] = []
    for spans in names.values():
        if len(spans) >= 2:
            for span in spans:
                out.append(Suggestion(*span, "terms", f"name, {len(spans)}×", "recurring-name"))
                taken.append(span)

    # Repeated lower-case phrases: 2-4 words, content words at both ends.
    tokens = [(m.start(), m.end(), m.group().lower()) for m in re.finditer(r"[\w’'-]+", text)]
    sentence_of = [seg.sentence_at(t[0]) for t in tokens]
    counts: Counter[tuple[str, ...]] = Counter()
    where: dict[tuple[str, ...], list[Span]] = defaultdict(list)
    for n in (4, 3, 2):
        for i in range(len(tokens) - n + 1):
            window = tokens[i : i + n]
            if sentence_of[i] != sentence_of[i + n - 1]:
                continue
            gram = tuple(w for _, _, w in window)
            if gram[0] in _STOP or gram[-1] in _STOP or any(w in _SAY_FORMS for w in gram):
                continue
            if not all(text[a:b].islower() for a, b, _ in window):
                continue  # names are the capitalised rule's
            if any(text[window[k][1] : window[k + 1][0]] != " " for k in range(n - 1)):
                continue  # a phrase does not cross punctuation
            if any(len(w) < 3 for w in (gram[0], gram[-1])):
                continue
            counts[gram] += 1
            where[gram].append((window[0][0], window[-1][1]))
    chosen: list[tuple[tuple[str, ...], list[Span]]] = []
    for gram, count in counts.items():
        if count < 2:
            continue
        # Keep only the longest phrase that repeats as often.
        if any(
            len(big) > len(gram) and c >= count and _contains(big, gram)
            for big, c in counts.items()
            if c >= 2
        ):
            continue
        chosen.append((gram, where[gram]))
    for _gram, spans in chosen:
        for span in spans:
            if any(overlap(span, t) > 0 for t in taken):
                continue
            out.append(Suggestion(*span, "terms", f"phrase, {len(spans)}×", "repeated-phrase"))
    return out


def _contains(big: tuple[str, ...], small: tuple[str, ...]) -> bool:
    n = len(small)
    return any(big[i : i + n] == small for i in range(len(big) - n + 1))


# ---------------------------------------------------------------- all of them


def suggest(doc: Document, seg: Segmentation) -> list[Suggestion]:
    """Every suggester's proposals for `doc`, sorted by (start, -end, label)."""
    quote_spans = quotations(doc.text, seg)
    found = [
        *suggest_quotes(doc, seg),
        *suggest_claims(doc, seg, quote_spans),
        *suggest_opinion(doc, seg, quote_spans),
        *suggest_terms(doc, seg),
    ]
    unique = {(s.start, s.end, s.label): s for s in found}
    return sorted(unique.values(), key=lambda s: (s.start, -s.end, s.label))


# ---------------------------------------------------------------- state


class SuggestionState:
    """Which suggestions were rejected, per document and annotator (kept by the
    store: `Store.rejected`).

    A rejection is the annotator's own, as their spans are: one annotator's
    `R` must neither hide a suggestion from a colleague nor, under blind
    annotation, tell them what was rejected. The store keeps plain keys
    (`Suggestion.key`) for rejections of no annotator, which is what every
    rejection was before rejections had layers (so those stay everyone's),
    and `["annotator", "key"]` in JSON for an annotator's: any name can be
    written so, whatever characters it holds.
    """

    def __init__(self, store: Any) -> None:
        self.store = store

    def rejected(self, doc_id: str, annotator: str = "") -> set[str]:
        """The keys rejected for `annotator` in `doc_id`: theirs and everyone's."""
        keys = set()
        for stored in self.store.rejected(doc_id):
            owner, key = _rejection_of(stored)
            if owner in ("", annotator):
                keys.add(key)
        return keys

    def reject(self, doc_id: str, suggestions: Suggestion | Iterable[Suggestion],
               annotator: str = "") -> None:
        """Never propose these again to `annotator` in `doc_id` (saved before it returns)."""
        if isinstance(suggestions, Suggestion):
            suggestions = [suggestions]
        added = {_stored_rejection(s.key, annotator) for s in suggestions}
        self.store.set_rejected(doc_id, self.store.rejected(doc_id) | added)

    def unreject(self, doc_id: str, suggestions: Suggestion | Iterable[Suggestion],
                 annotator: str = "") -> None:
        """Propose these again to `annotator` (undo of a rejection). A rejection of
        theirs made before rejections had layers (a plain key) is undone too."""
        if isinstance(suggestions, Suggestion):
            suggestions = [suggestions]
        gone = {stored for s in suggestions
                for stored in (s.key, _stored_rejection(s.key, annotator))}
        self.store.set_rejected(doc_id, self.store.rejected(doc_id) - gone)

    def clear(self, doc_id: str) -> None:
        self.store.set_rejected(doc_id, [])


def _stored_rejection(key: str, annotator: str) -> str:
    return json.dumps([annotator, key], ensure_ascii=False) if annotator else key


def _rejection_of(stored: str) -> tuple[str, str]:
    """(annotator, key) of a stored rejection; ("", key) for everyone's."""
    if stored.startswith("["):
        try:
            owner, key = json.loads(stored)
        except (ValueError, TypeError):  # not ours: keep it as it is, everyone's
            return "", stored
        if isinstance(owner, str) and isinstance(key, str):
            return owner, key
    return "", stored


def pending(doc: Document, seg: Segmentation, store: Any, shown: Iterable[Annotation],
            extra: Iterable[Suggestion] = (), *, annotator: str = "") -> list[Suggestion]:
    """Suggestions to show: not rejected for `doc`, not already annotated in `shown`.

    `shown` is the layer the annotator sees (`Workspace.annotations`: their
    own and the spans of no annotator), never the whole store: under blind
    annotation, a suggestion missing where a colleague tagged would tell
    where they tagged. `extra` (the model's) are shown beside the rules';
    where both propose the same span and label, one entry is shown: the
    model's, with the rule's note. Rejections are `annotator`'s and everyone's.
    """
    rejected = SuggestionState(store).rejected(doc.id, annotator)
    existing = defaultdict(list)
    for ann in shown:
        existing[ann.label].append((ann.start, ann.end))
    merged = {(s.start, s.end, s.label): s for s in suggest(doc, seg)}
    for s in extra:
        rule = merged.get((s.start, s.end, s.label))
        merged[(s.start, s.end, s.label)] = replace(s, note=rule.note) if rule and rule.note else s
    return [
        s
        for s in sorted(merged.values(), key=lambda s: (s.start, -s.end, s.label))
        if s.key not in rejected
        and not any(overlap((s.start, s.end), span) >= MATCH_OVERLAP for span in existing[s.label])
    ]


def in_view(suggestions: Iterable[Suggestion], start: int, end: int) -> list[Suggestion]:
    """The suggestions overlapping [start, end): what "accept all in view" takes."""
    return [s for s in suggestions if s.start < end and s.end > start]


# ---------------------------------------------------------------- evaluation


def evaluate(
    gold_records: Iterable[dict[str, Any]], *, segmenter: Segmenter | None = None
) -> dict[str, tuple[float, float]]:
    """Precision and recall of each label's suggester on hand-tagged records.

    A record is native JSONL (`{"text", "spans": [{"start", "end",
    "label"}]}`). A suggestion matches a gold span of its label when they
    overlap by at least `MATCH_OVERLAP` of the longer of the two; each gold
    span matches at most one suggestion. A label with nothing suggested
    has precision 1.0; with nothing in gold, recall 1.0.
    """
    records = list(gold_records)
    if segmenter is None:
        segmenter = Segmenter.train(r["text"] for r in records)
    hits: Counter[str] = Counter()
    proposed: Counter[str] = Counter()
    expected: Counter[str] = Counter()
    for record in records:
        doc = Document(record["text"])
        seg = segmenter.segment(doc.text)
        gold: dict[str, list[Span]] = defaultdict(list)
        for span in record.get("spans", []):
            gold[span["label"]].append((span["start"], span["end"]))
            expected[span["label"]] += 1
        used: set[tuple[str, Span]] = set()
        for s in suggest(doc, seg):
            proposed[s.label] += 1
            best = max(
                (g for g in gold[s.label] if (s.label, g) not in used),
                key=lambda g: overlap((s.start, s.end), g),
                default=None,
            )
            if best is not None and overlap((s.start, s.end), best) >= MATCH_OVERLAP:
                used.add((s.label, best))
                hits[s.label] += 1
    result: dict[str, tuple[float, float]] = {}
    for label in sorted(set(LABELS) | set(proposed) | set(expected)):
        precision = hits[label] / proposed[label] if proposed[label] else 1.0
        recall = hits[label] / expected[label] if expected[label] else 1.0
        result[label] = (round(precision, 3), round(recall, 3))
    return result
