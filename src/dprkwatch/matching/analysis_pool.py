"""Analyse the distinct names of an index build, on two cores when that is safe.

Analysing some 63,000 distinct names (Korean syllable parses, transliteration,
phonetic keys) is most of a cold index build and needs no shared state, so
the build hands a share of them to a forked child process. The child starts
with every module and table already loaded (forking copies the parent),
analyses its share, and sends the forms back as plain :mod:`marshal` data
through a pipe while the parent analyses the rest. The index keeps each of
the child's forms as its marshal record, decoded when a query first needs it
(:meth:`NameAnalyser.filed`), and the numbers of the keys of every form, the
child's and this process's, stay in numpy arrays until they are posting
lists: once the child has answered, this process alone works, so what it
need not unpack there is off the build's path.

The child is forked as soon as the build has met enough names to repay it,
while the lists are still being read, and is sent its names in chunks as
they are met (:class:`NameAnalyser`): it works while this process reads the
rest of the lists and makes their records, instead of waiting for them.

Forking a process that runs other threads can deadlock the child (a lock
held by another thread is copied locked), so the child is only used when
this is the process's only thread, ``fork`` exists, there is more than one
CPU and enough names to repay the fork; otherwise, or if the child fails,
everything is analysed in this process. Either way the result is the same
list, in the same order.
"""

from __future__ import annotations

import contextlib
import marshal
import multiprocessing
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from itertools import chain
from multiprocessing.connection import Connection
from typing import Any, Generic, NamedTuple, TypeVar

import numpy as np
from numpy.typing import NDArray

from dprkwatch.forking import fork_is_safe
from dprkwatch.matching.analysis import (
    NameForm,
    analyze_name,
    form_from_plain,
    form_to_plain,
)
from dprkwatch.matching.hanja import has_han
from dprkwatch.matching.syllables import Syllable

# One name to analyse: (text, schema group, Korean context).
NameKey = tuple[str, str, bool]
# What a name becomes: its forms, each with the numbers of the keys it is
# filed under (see KeyNumbers).
Analysed = tuple[tuple[NameForm, tuple[int, ...]], ...]
KeysOf = Callable[[NameForm], Iterable[str]]
# Blocking key -> its number, given in the order first met. The keys are
# numbered as they are made, where each is in the processor's cache, instead
# of being looked up again when the names are filed.
KeyNumbers = dict[str, int]
# A form the child analysed as it comes back: its marshal record (a
# PlainForm), decoded when first needed, beside what the build counts of it:
# its words, and the coarse keys of the given-name syllables of its first
# Korean reading (None without one).
Encoded = tuple[bytes, tuple[str, ...], tuple[str, ...] | None]
# A name's forms as filed() gives them: those this process analysed as
# objects, the child's as Encoded (their key numbers are apart, see Filed).
FiledForms = tuple[NameForm | Encoded, ...]
Ints = NDArray[np.int64]
# One name's forms in the child's answer; the numbers of their keys travel
# apart, all in one array (see _serve).
PlainAnalysed = tuple[Encoded, ...]
# The words of a form that a build counts (for its typo vocabulary), and what
# is told how to count them, for all the names, as soon as that is known (the
# count itself is left to whoever needs it: the vocabulary's child).
WordsOf = Callable[[NameForm], Iterable[str]]
WordCounts = Callable[[], Counter[str]]
OnWords = Callable[[WordCounts], None]
T = TypeVar("T")


# How many forms use each word, how many forms have a Korean reading and how
# many use each given-name syllable of their first reading (see counted()),
# each name's forms counted as many times as the name is used.
Frequencies = tuple[dict[str, int], int, dict[str, int]]


class Filed(NamedTuple):
    """Every name's forms, in the order added, and the numbers of their keys:
    form ``k`` of the flat sequence (the first name's forms, then the
    second's, ...) has ``codes[starts[k] : starts[k] + sizes[k]]``; and the
    :data:`Frequencies` of the forms, when :meth:`NameAnalyser.filed` was
    told how often each name is used."""

    forms: list[FiledForms]
    codes: Ints
    starts: Ints
    sizes: Ints
    frequencies: Frequencies


# The child's share: its names' forms, the numbers of their keys (renumbered
# into this process's, form after form), how many each form has, and their
# frequencies.
Share = tuple[list[FiledForms], Ints, Ints, Frequencies]

# Below this many names a fork costs more than it saves: the child is forked
# when the build meets its this-many-th distinct name.
PARALLEL_MIN_NAMES = 4000
# The work of one organisation or vessel name in the child, counted in person
# names: longer words, often Cyrillic or Arabic, the organisation lexicon, and
# the encoding of every answer for the pipe.
OTHER_COST = 1.9
# The child's share of the work (in those units). More than half: it starts
# while this process still reads the lists and makes their records. (58 %
# until the child also marshalled each form on its own and Han names and the
# parent's word counts moved to it: then its CPU exceeded this process's
# before the answer in 8 timed builds of 8, by 0.1-0.35 s.)
CHILD_SHARE = 0.56
# The child takes organisation and vessel names, this process people's: the
# two kinds share few words, so each process's word memos serve its own kind
# (splitting at random repeats the work on every common word in both: 20 %
# more in all). A person's name goes to the child only when the child's share
# lags this far (a share of all the work so far) behind, as on a list of
# people alone.
PERSON_LAG = 0.1
# Names are sent to the child this many at a time; the child looks for more
# between names every POLL names, so that the pipe never fills and blocks
# this process.
CHUNK = 256
POLL = 16
# A larger pipe (Linux) holds more unread chunks before a send would wait.
PIPE_BYTES = 1 << 20


def analyse_one(name: NameKey, keys: KeysOf, numbers: KeyNumbers) -> Analysed:
    return tuple(
        (form, tuple([numbers.setdefault(key, len(numbers)) for key in keys(form)]))
        for form in analyze_name(*name)
    )


def analyse_into(
    name: NameKey, keys: KeysOf, numbers: KeyNumbers, codes: list[int], sizes: list[int]
) -> tuple[NameForm, ...]:
    """A name's forms; the numbers of each one's keys appended to ``codes`` and
    how many there are to ``sizes`` (no tuple per form; lists, not arrays:
    ``array.append`` parses each int with ``PyArg_Parse``, some 400
    instructions)."""
    forms = analyze_name(*name)
    for form in forms:
        form_keys = [numbers.setdefault(key, len(numbers)) for key in keys(form)]
        codes.extend(form_keys)
        sizes.append(len(form_keys))
    return forms


def analyse_names(
    names: Sequence[NameKey], keys: KeysOf, *, parallel: bool | None = None
) -> list[tuple[tuple[NameForm, tuple[str, ...]], ...]]:
    """Every name analysed, in order, each form with its keys; ``parallel=None``
    decides by :func:`fork_is_safe` and size."""
    analyser = NameAnalyser(keys, parallel=parallel)
    for name in names:
        analyser.add(name)
    analysed = analyser.results()
    key_names = analyser.key_names()
    return [
        tuple((form, tuple([key_names[c] for c in codes])) for form, codes in item)
        for item in analysed
    ]


class NameAnalyser:
    """The distinct names of a build, handed over one by one as the lists are
    read (:meth:`add`), and all of them analysed, in order (:meth:`results`).

    Each name is given, when it is met, to this process or to the forked
    child: organisation and vessel names to the child until it has
    :data:`CHILD_SHARE` of the work met so far, people's names here. Every
    name written with Chinese characters goes to the child, so that only the
    child builds ICU's Han-Latin transliterator (60-110 ms in each process
    that needs it): this process also reads the lists and decodes the
    child's answer, after which only it works.
    ``parallel=None`` forks when the :data:`PARALLEL_MIN_NAMES`-th name is met
    and :func:`fork_is_safe`; True forks at once, False never.
    """

    def __init__(
        self, keys: KeysOf, *, words: WordsOf | None = None, parallel: bool | None = None
    ) -> None:
        self._keys = keys
        self._encoded = False
        self._words = words
        self._on_words: OnWords | None = None
        self._parallel = parallel
        self.numbers: KeyNumbers = {}
        # This process's share, analysed (its words are counted with the child's).
        self._mine_analysed: list[tuple[NameForm, ...]] = []
        self._names: list[NameKey] = []
        self._mine: list[int] = []
        self._theirs: list[int] = []
        self._work = 0.0
        self._their_work = 0.0
        self._unsent: list[NameKey] = []
        self._conn: Connection | None = None
        self._child: Forked[Share] | None = None
        # How often each of the child's names is used (see filed()).
        self._uses: list[int] = []
        if parallel:
            self._start()

    def add(self, name: NameKey) -> None:
        """One more distinct name (its place in :meth:`results` is the order of the calls)."""
        i = len(self._names)
        self._names.append(name)
        text, group, _ = name
        cost = 1.0 if group == "person" else OTHER_COST
        self._work += cost
        lag = CHILD_SHARE * self._work - self._their_work
        if (not text.isascii() and has_han(text)) or (
            lag > 0 and (group != "person" or lag > PERSON_LAG * self._work)
        ):
            self._theirs.append(i)
            self._their_work += cost
            self._unsent.append(name)
            if len(self._unsent) >= CHUNK:
                self._flush()
        else:
            self._mine.append(i)
        if i + 1 == PARALLEL_MIN_NAMES and self._parallel is None and fork_is_safe():
            self._start()

    def results(self, on_words: OnWords | None = None) -> list[Analysed]:
        """Every name analysed, in the order added (waits for the child); the
        numbers of their keys are those of :meth:`key_names`.

        ``on_words`` is given a function that counts how many distinct forms
        use each word (the ``words`` of each form) as soon as that can be
        known: before the child's forms are decoded, so that the typo
        vocabulary can be started on (in a child of its own, which also does
        this process's share of the counting) while they are. (Forms are
        counted as distinct objects, as the vocabulary of the forms themselves
        counts them: a name's forms decoded from the child are its own
        objects.)
        """
        filed = self._results(on_words, encoded=False)
        codes: list[int] = filed.codes.tolist()
        ends = (filed.starts + filed.sizes).tolist()
        starts: list[int] = filed.starts.tolist()
        out: list[Analysed] = []
        k = 0
        for item in filed.forms:
            row: list[tuple[NameForm, tuple[int, ...]]] = []
            for form in item:
                assert isinstance(form, NameForm)
                row.append((form, tuple(codes[starts[k] : ends[k]])))
                k += 1
            out.append(tuple(row))
        return out

    def filed(self, on_words: OnWords | None = None, uses: Ints | None = None) -> Filed:
        """:meth:`results`, with the child's forms as it sent them (:data:`Encoded`):
        not decoded (a third of the work left to this process once the child
        has answered), but kept for a query to decode when it first needs one
        (as a loaded index cache does); the numbers of every form's keys in
        arrays; and, given ``uses`` (how many times each name is used, in the
        order added), the forms' :data:`Frequencies`, counted by each process
        over its own share before the child answers (:class:`Filed`)."""
        return self._results(on_words, encoded=True, uses=uses)

    def _results(self, on_words: OnWords | None, encoded: bool, uses: Ints | None = None) -> Filed:
        names, keys, numbers = self._names, self._keys, self.numbers
        self._on_words = on_words
        self._encoded = encoded
        child = self._child
        codes: list[int] = []
        sizes: list[int] = []
        used: list[int] = [] if uses is None else uses.tolist()
        if child is None:
            mine = [analyse_into(name, keys, numbers, codes, sizes) for name in names]
            self._tell_words(partial(self._count, mine))
            my_sizes = _ints(sizes)
            return Filed(
                list(mine),
                _ints(codes),
                np.cumsum(my_sizes) - my_sizes,
                my_sizes,
                frequencies(map(_counted_forms, mine), used),
            )
        out: list[FiledForms] = [()] * len(names)
        try:
            self._flush()
            # The end mark tells the child how often each of its names is used.
            self._uses = [used[i] for i in self._theirs] if used else []
            self._send(np.array(self._uses, dtype=np.int64).tobytes())
            self._close()
            for i in self._mine:
                mine_one = analyse_into(names[i], keys, numbers, codes, sizes)
                out[i] = mine_one
                self._mine_analysed.append(mine_one)
            mine_counted = frequencies(
                map(_counted_forms, self._mine_analysed),
                [used[i] for i in self._mine] if used else [],
            )
            my_codes, my_sizes = _ints(codes), _ints(sizes)
        except BaseException:
            self.cancel()
            raise
        theirs, their_codes, their_sizes, their_counted = child.result()
        for i, forms in zip(self._theirs, theirs, strict=True):
            out[i] = forms
        # Both shares' numbers in one array, this process's first; each form's
        # place in it, in the order of the names.
        of_child = np.zeros(len(names), dtype=bool)
        of_child[self._theirs] = True
        of_child = np.repeat(of_child, np.fromiter(map(len, out), np.int64, len(out)))
        all_sizes = np.empty(len(of_child), dtype=np.int64)
        all_sizes[~of_child] = my_sizes
        all_sizes[of_child] = their_sizes
        all_starts = np.empty(len(of_child), dtype=np.int64)
        all_starts[~of_child] = np.cumsum(my_sizes) - my_sizes
        all_starts[of_child] = len(my_codes) + np.cumsum(their_sizes) - their_sizes
        token_df, korean, syllable_df = mine_counted
        for word, n in their_counted[0].items():
            token_df[word] = token_df.get(word, 0) + n
        for syllable, n in their_counted[2].items():
            syllable_df[syllable] = syllable_df.get(syllable, 0) + n
        return Filed(
            out,
            np.concatenate([my_codes, their_codes]),
            all_starts,
            all_sizes,
            (token_df, korean + their_counted[1], syllable_df),
        )

    def _count(self, analysed: Iterable[tuple[NameForm, ...]]) -> Counter[str]:
        """Words of the distinct form objects of ``analysed``."""
        words = self._words
        if words is None:
            return Counter()
        forms = {id(form): form for item in analysed for form in item}.values()
        return Counter(chain.from_iterable(map(words, forms)))

    def _tell_words(self, counts: WordCounts) -> None:
        on_words, self._on_words = self._on_words, None
        if on_words is not None:
            on_words(counts)

    def key_names(self) -> list[str]:
        """Every key of the names analysed, by number (after :meth:`results`)."""
        return list(self.numbers)

    def cancel(self) -> None:
        """Stop the child (the build failed while it worked)."""
        self._close()
        if self._child is not None:
            self._child.cancel()
            self._child = None

    def _start(self) -> None:
        ctx = multiprocessing.get_context("fork")
        reader, writer = ctx.Pipe(duplex=False)
        with contextlib.suppress(AttributeError, OSError):
            import fcntl

            fcntl.fcntl(writer.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
        self._child = Forked(
            partial(_serve, reader, writer, self._keys, self._words),
            self._decode,
            self._analyse_theirs,
        )
        reader.close()
        self._conn = writer
        self._flush()

    def _flush(self) -> None:
        if self._unsent and self._conn is not None:
            self._send(self._unsent)
            self._unsent = []

    def _send(self, chunk: list[NameKey] | bytes) -> None:
        conn = self._conn
        if conn is None:
            return
        try:
            conn.send_bytes(marshal.dumps(chunk))
        except OSError:
            # The child is gone: its share is analysed here (Forked.result).
            self._close()

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _decode(self, data: bytes) -> Share | None:
        """The child's answer, its key numbers turned into this process's."""

        def words(theirs: dict[str, int]) -> None:
            def counts() -> Counter[str]:
                counted = self._count(self._mine_analysed)
                counted.update(theirs)
                return counted

            self._tell_words(counts)

        return _decode(
            data,
            expected=len(self._theirs),
            numbers=self.numbers,
            on_words=words,
            encoded=self._encoded,
        )

    def _analyse_theirs(self) -> Share:
        codes: list[int] = []
        sizes: list[int] = []
        theirs = [
            analyse_into(self._names[i], self._keys, self.numbers, codes, sizes)
            for i in self._theirs
        ]
        self._tell_words(partial(self._count, [*self._mine_analysed, *theirs]))
        counted = frequencies(map(_counted_forms, theirs), self._uses)
        return list(theirs), _ints(codes), _ints(sizes), counted


class Forked(Generic[T]):
    """``work()`` run in a forked child while this process goes on, its answer
    sent back through a pipe as :mod:`marshal` data.

    :meth:`result` waits for the child and gives ``decode(answer)``; when the
    child failed (killed, out of memory) or its answer does not decode
    (``decode`` gives None), ``fallback()`` does the work here instead. The
    caller decides whether forking is safe (:func:`fork_is_safe`).
    """

    def __init__(
        self,
        work: Callable[[], Any],
        decode: Callable[[bytes], T | None],
        fallback: Callable[[], T],
    ) -> None:
        self._decode = decode
        self._fallback = fallback
        ctx = multiprocessing.get_context("fork")
        self._reader, writer = ctx.Pipe(duplex=False)
        self._child = ctx.Process(target=_send, args=(work, writer), daemon=True)
        self._child.start()
        writer.close()

    def result(self) -> T:
        try:
            try:
                data: bytes | None = self._reader.recv_bytes()
            except (EOFError, OSError):
                data = None
            self._child.join()
        except BaseException:
            self.cancel()
            raise
        finally:
            self._reader.close()
        answer = self._decode(data) if data is not None and self._child.exitcode == 0 else None
        return self._fallback() if answer is None else answer

    def cancel(self) -> None:
        """Stop the child (this process failed while it worked)."""
        self._child.terminate()
        self._child.join()
        self._reader.close()


def _send(work: Callable[[], Any], conn: Connection) -> None:
    try:
        conn.send_bytes(marshal.dumps(work()))
    finally:
        conn.close()


def _serve(
    reader: Connection, writer: Connection, keys: KeysOf, words: WordsOf | None
) -> tuple[list[PlainAnalysed], list[str], dict[str, int], bytes, bytes, Frequencies]:
    """The child: analyse the names as they come, until the end mark (how
    often each name is used, as bytes). Its keys are numbered on their own;
    the answer gives each name's forms, the keys by number, how many of its
    forms use each word (each name's forms counted apart), the numbers of
    every form's keys in one array of 32-bit ints (form after form) with how
    many each form has in another (a few hundred thousand numbers that this
    process renumbers with numpy instead of unpacking and renumbering them
    one by one), and the forms' frequencies (counted here, not in this
    process once the child has answered)."""
    writer.close()  # this process's copy of the parent's end
    names: list[NameKey] = []
    out: list[PlainAnalysed] = []
    numbers: KeyNumbers = {}
    counts: Counter[str] = Counter()
    codes: list[int] = []
    sizes: list[int] = []
    ended: list[int] | None = None
    while True:
        done = len(out)
        if done == len(names):
            if ended is not None:
                counted = frequencies((_counted_plain(item) for item in out), ended)
                return (
                    out,
                    list(numbers),
                    dict(counts),
                    np.array(codes, dtype=np.int32).tobytes(),
                    np.array(sizes, dtype=np.int32).tobytes(),
                    counted,
                )
            ended = _receive(reader, names)
            continue
        if ended is None and done % POLL == 0:
            while ended is None and reader.poll():
                ended = _receive(reader, names)
        analysed = analyse_one(names[done], keys, numbers)
        if words is not None:
            counts.update(chain.from_iterable(words(form) for form, _ in analysed))
        out.append(_encode(analysed))
        for _, form_keys in analysed:
            codes.extend(form_keys)
            sizes.append(len(form_keys))


def _ints(numbers: list[int]) -> Ints:
    return np.array(numbers, dtype=np.int64)


def _receive(reader: Connection, names: list[NameKey]) -> list[int] | None:
    """The next chunk of names, appended; or the end mark: how often each name
    is used (empty if not counted)."""
    chunk = marshal.loads(reader.recv_bytes())
    if isinstance(chunk, bytes):
        uses: list[int] = np.frombuffer(chunk, dtype=np.int64).tolist()
        return uses
    names.extend(chunk)
    return None


# What the frequencies count of one form: its words, and its first Korean
# reading's given-name syllables (None without one).
Counted = tuple[tuple[str, ...], tuple[str, ...] | None]


def counted(form: NameForm) -> Counted:
    return form.tokens, (tuple([s.coarse for s in form.korean[0].given]) if form.korean else None)


def _counted_forms(forms: tuple[NameForm, ...]) -> list[Counted]:
    return [counted(form) for form in forms]


def _counted_plain(forms: PlainAnalysed) -> list[Counted]:
    return [(tokens, given) for _, tokens, given in forms]


def frequencies(names: Iterable[list[Counted]], uses: Sequence[int]) -> Frequencies:
    """:data:`Frequencies` of the names' forms (what each counts), a name's
    forms counted ``uses`` times over (names past the end of ``uses`` not at
    all)."""
    words: dict[str, int] = {}
    syllables: dict[str, int] = {}
    korean = 0
    for forms, n in zip(names, uses, strict=False):
        if not n:
            continue
        for tokens, given in forms:
            for word in set(tokens):
                words[word] = words.get(word, 0) + n
            if given is not None:
                korean += n
                for syllable in set(given):
                    syllables[syllable] = syllables.get(syllable, 0) + n
    return words, korean, syllables


def _encode(analysed: Analysed) -> PlainAnalysed:
    """One name's forms as plain data (their keys go apart, see _serve)."""
    return tuple([encode_form(form) for form, _ in analysed])


def encode_form(form: NameForm) -> Encoded:
    """A form as the child sends it: its marshal record, its words and its
    first Korean reading's given-name syllables (see :data:`Encoded`)."""
    tokens, given = counted(form)
    return marshal.dumps(form_to_plain(form)), tokens, given


def _decode(
    data: bytes,
    expected: int,
    numbers: KeyNumbers | None = None,
    on_words: Callable[[dict[str, int]], None] | None = None,
    encoded: bool = False,
) -> Share | None:
    """The child's answer for ``expected`` names: each name's forms, the numbers
    of their keys in ``numbers`` (the child's keys are added to it, numbered
    in the order the child numbered them; a new dict if None), form after
    form, and how many each form has; None if it is garbled (keys it added
    stay, used by no name: they get no posting list). ``on_words`` is given
    the child's word counts before the forms are decoded. ``encoded`` leaves
    each of the child's forms as it came (:data:`Encoded`, checked for shape
    only)."""
    try:
        answer = marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return None
    if not (isinstance(answer, tuple) and len(answer) == 6):
        return None
    plain, keys, counts, code_bytes, size_bytes, counted = answer
    if (
        not isinstance(plain, list)
        or len(plain) != expected
        or not isinstance(keys, list)
        or not isinstance(counts, dict)
        or not isinstance(code_bytes, bytes)
        or not isinstance(size_bytes, bytes)
        or len(code_bytes) % 4
        or len(size_bytes) % 4
        or not _frequencies_shape(counted)
    ):
        return None
    codes = np.frombuffer(code_bytes, dtype=np.int32)
    sizes = np.frombuffer(size_bytes, dtype=np.int32).astype(np.int64)
    if (
        len(codes) != int(sizes.sum())
        or (len(sizes) and int(sizes.min()) < 0)
        or (len(codes) and (int(codes.min()) < 0 or int(codes.max()) >= len(keys)))
    ):
        return None
    if on_words is not None:
        on_words(counts)
    if numbers is None:
        numbers = {}
    # The child's numbers turned into this process's, all at once.
    ours = np.fromiter(
        [numbers.setdefault(key, len(numbers)) for key in keys], dtype=np.int64, count=len(keys)
    )
    syllables: dict[tuple[str, ...], Syllable] = {}
    items: list[FiledForms] = []
    forms = 0
    try:
        for item in plain:
            if type(item) is not tuple:
                return None
            for f in item:
                if not (type(f) is tuple and len(f) == 3 and type(f[0]) is bytes):
                    return None
            forms += len(item)
            if not encoded:
                item = tuple([form_from_plain(marshal.loads(f[0]), syllables) for f in item])
            items.append(item)
    except (TypeError, ValueError, IndexError, EOFError):
        return None
    if forms != len(sizes):
        return None
    return items, ours[codes], sizes, counted


def _frequencies_shape(counted: Any) -> bool:
    return (
        type(counted) is tuple
        and len(counted) == 3
        and type(counted[0]) is dict
        and type(counted[1]) is int
        and type(counted[2]) is dict
    )
