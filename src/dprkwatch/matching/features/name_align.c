/*
 * The word alignment of two names (words.py: _align and the
 * token_similarity it calls for each pair of words) in one C call.
 *
 * The alignment compares every query word with every listed word (spelling
 * within an edit budget, keyboard slips, Korean keys, sound) and pairs them
 * greedily, best first. In Python each pair is a call into rapidfuzz and a
 * few slices and tuples; about a third of a query's instructions went to
 * the name comparison. This is the same rules, in the same order, with the
 * same arithmetic (doubles, no fused multiply-add: see CFLAGS in
 * scripts/build_native.py), so its answers are the Python's, bit for bit:
 *
 *   align(q_tokens, c_tokens, q_phonetic, c_phonetic, q_keys, c_keys, exact)
 *
 * gives the list of (similarity, query index, listed index) that _align
 * gives, or None when a word is empty or not plain ASCII of at most MAX_WORD
 * letters, or a name has more than MAX_WORDS words (the caller then runs the
 * Python, which handles any word).
 * tests/matching/test_name_align.py compares the two over many name pairs.
 *
 * A CPython extension (METH_FASTCALL), built by scripts/build_native.py into
 * a library whose name carries the source's digest; see dprkwatch/native.py.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WORD 64
#define MAX_WORDS 64

static const double SLIP = 0.8;
static const double ENDING_VARIANT = 0.92;

/* QWERTY rows: row and column of each lower-case letter, -1 for others. */
static signed char ROW[128], COL[128];

static void init_keys(void) {
    static const char *rows[3] = {"qwertyuiop", "asdfghjkl", "zxcvbnm"};
    memset(ROW, -1, sizeof ROW);
    memset(COL, -1, sizeof COL);
    for (int r = 0; r < 3; r++)
        for (int c = 0; rows[r][c]; c++) {
            ROW[(int)rows[r][c]] = (signed char)r;
            COL[(int)rows[r][c]] = (signed char)c;
        }
}

/* adjacent_keys: neighbouring keys (the row below sits half a key to the right). */
static int adjacent(char x, char y) {
    int rx = ROW[(unsigned char)x & 127], ry = ROW[(unsigned char)y & 127];
    if ((unsigned char)x > 127 || (unsigned char)y > 127 || rx < 0 || ry < 0) return 0;
    int cx = COL[(int)x], cy = COL[(int)y];
    if (rx == ry) return abs(cx - cy) == 1;
    if (abs(rx - ry) == 1) {
        int upper = rx < ry ? cx : cy, lower = rx < ry ? cy : cx;
        return lower == upper - 1 || lower == upper;
    }
    return 0;
}

typedef struct {
    const char *s;
    Py_ssize_t n;
} Word;

static int same(Word a, Word b) { return a.n == b.n && memcmp(a.s, b.s, (size_t)a.n) == 0; }

/* long_ without its letter i equals short_ (len(long_) == len(short_) + 1) */
static int drop_equals(Word long_, Py_ssize_t i, Word short_) {
    return memcmp(long_.s, short_.s, (size_t)i) == 0 &&
           memcmp(long_.s + i + 1, short_.s + i, (size_t)(long_.n - i - 1)) == 0;
}

/* The positions where two words of one length differ: how many (up to 3), the first two. */
static int diffs(Word a, Word b, Py_ssize_t *d0, Py_ssize_t *d1) {
    int k = 0;
    for (Py_ssize_t i = 0; i < a.n && k < 3; i++)
        if (a.s[i] != b.s[i]) {
            if (k == 0) *d0 = i;
            else if (k == 1) *d1 = i;
            k++;
        }
    return k;
}

/* is_slip */
static int is_slip(Word a, Word b) {
    if (a.n - b.n == 1 || b.n - a.n == 1) {
        Word s = a.n < b.n ? a : b, l = a.n < b.n ? b : a;
        for (Py_ssize_t i = 0; i < l.n; i++)
            if (drop_equals(l, i, s)) return 1;
        return 0;
    }
    if (a.n != b.n) return 0;
    Py_ssize_t i = 0, j = 0;
    int k = diffs(a, b, &i, &j);
    if (k == 1) return adjacent(a.s[i], b.s[i]);
    if (k == 2 && j == i + 1) return a.s[i] == b.s[j] && a.s[j] == b.s[i];
    return 0;
}

/* keeps_letters */
static int keeps_letters(Word typed, Word meant) {
    if (typed.n == meant.n) {
        Py_ssize_t i = 0, j = 0;
        int k = diffs(typed, meant, &i, &j);
        return k == 2 && j == i + 1 && typed.s[i] == meant.s[j] && typed.s[j] == meant.s[i];
    }
    Word l = typed.n > meant.n ? typed : meant, s = typed.n > meant.n ? meant : typed;
    if (l.n != s.n + 1) return 0;
    for (Py_ssize_t i = 1; i < l.n; i++)
        if (l.s[i - 1] == l.s[i] && drop_equals(l, i, s)) return 1;
    return 0;
}

/* neighbouring_key */
static int neighbouring_key(Word typed, Word meant) {
    if (typed.n == meant.n) {
        Py_ssize_t i = 0, j = 0;
        int k = diffs(typed, meant, &i, &j);
        return k == 1 && adjacent(typed.s[i], meant.s[i]);
    }
    if (typed.n != meant.n + 1) return 0;
    for (Py_ssize_t i = 1; i < typed.n; i++) {
        if (!drop_equals(typed, i, meant)) continue;
        if (adjacent(typed.s[i], typed.s[i - 1])) return 1;
        if (i + 1 < typed.n && adjacent(typed.s[i], typed.s[i + 1])) return 1;
    }
    return 0;
}

static int likely_slip(Word typed, Word meant) {
    return keeps_letters(typed, meant) || neighbouring_key(typed, meant);
}

/* One reading m of _likely_slip_readings(typed): does it satisfy two_likely_slips' test? */
static int reading_fits(Word m, Word typed, Word meant) {
    if (same(m, typed)) return 0; /* out.discard(typed) */
    if (m.s[0] != meant.s[0]) return 0;
    return same(m, meant) || (is_slip(m, meant) && likely_slip(m, meant));
}

/* two_likely_slips: every reading is tried in turn (any() over a set: the order does not matter). */
static int two_likely_slips(Word typed, Word meant) {
    if (typed.s[0] != meant.s[0]) return 0;
    if (typed.n - meant.n > 2 || meant.n - typed.n > 2) return 0;
    static const char *rows[3] = {"qwertyuiop", "asdfghjkl", "zxcvbnm"};
    char buf[MAX_WORD + 2];
    Word m = {buf, 0};
    Py_ssize_t n = typed.n;
    const char *t = typed.s;
    for (Py_ssize_t i = 1; i < n; i++) {
        char ch = t[i];
        if (i + 1 < n && t[i + 1] != ch) { /* two letters swapped */
            memcpy(buf, t, (size_t)n);
            buf[i] = t[i + 1];
            buf[i + 1] = ch;
            m.n = n;
            if (reading_fits(m, typed, meant)) return 1;
        }
        /* a doubled letter written once */
        memcpy(buf, t, (size_t)i);
        buf[i] = ch;
        memcpy(buf + i + 1, t + i, (size_t)(n - i));
        m.n = n + 1;
        if (reading_fits(m, typed, meant)) return 1;
        int drop = t[i - 1] == ch || (i + 1 < n && t[i + 1] == ch);
        if (!drop) drop = adjacent(ch, t[i - 1]) || (i + 1 < n && adjacent(ch, t[i + 1]));
        if (drop) { /* a letter doubled, or a key struck beside its neighbour */
            memcpy(buf, t, (size_t)i);
            memcpy(buf + i, t + i + 1, (size_t)(n - i - 1));
            m.n = n - 1;
            if (reading_fits(m, typed, meant)) return 1;
        }
        /* a neighbouring key instead */
        if ((unsigned char)ch < 128 && ROW[(int)ch] >= 0) {
            for (int r = 0; r < 3; r++)
                for (int c = 0; rows[r][c]; c++) {
                    char key = rows[r][c];
                    if (!adjacent(ch, key)) continue;
                    memcpy(buf, t, (size_t)n);
                    buf[i] = key;
                    m.n = n;
                    if (reading_fits(m, typed, meant)) return 1;
                }
        }
    }
    return 0;
}

/* Optimal string alignment distance (a swap of neighbours is one edit). */
static int osa(Word a, Word b) {
    int d[MAX_WORD + 1][MAX_WORD + 1];
    Py_ssize_t la = a.n, lb = b.n;
    for (Py_ssize_t i = 0; i <= la; i++) d[i][0] = (int)i;
    for (Py_ssize_t j = 0; j <= lb; j++) d[0][j] = (int)j;
    for (Py_ssize_t i = 1; i <= la; i++)
        for (Py_ssize_t j = 1; j <= lb; j++) {
            int cost = a.s[i - 1] != b.s[j - 1];
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v) v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v) v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a.s[i - 1] == b.s[j - 2] && a.s[i - 2] == b.s[j - 1] &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[la][lb];
}

/* The (unrestricted) Damerau-Levenshtein distance (Lowrance and Wagner). */
static int damerau(Word a, Word b) {
    int d[MAX_WORD + 2][MAX_WORD + 2];
    int da[128];
    Py_ssize_t la = a.n, lb = b.n;
    int maxd = (int)(la + lb);
    memset(da, 0, sizeof da);
    d[0][0] = maxd;
    for (Py_ssize_t i = 0; i <= la; i++) {
        d[i + 1][0] = maxd;
        d[i + 1][1] = (int)i;
    }
    for (Py_ssize_t j = 0; j <= lb; j++) {
        d[0][j + 1] = maxd;
        d[1][j + 1] = (int)j;
    }
    for (Py_ssize_t i = 1; i <= la; i++) {
        int db = 0;
        for (Py_ssize_t j = 1; j <= lb; j++) {
            int k = da[(unsigned char)b.s[j - 1]];
            int l = db;
            int cost = 1;
            if (a.s[i - 1] == b.s[j - 1]) {
                cost = 0;
                db = (int)j;
            }
            int v = d[i][j] + cost;
            if (d[i + 1][j] + 1 < v) v = d[i + 1][j] + 1;
            if (d[i][j + 1] + 1 < v) v = d[i][j + 1] + 1;
            int t = d[k][l] + (int)(i - k - 1) + 1 + (int)(j - l - 1);
            if (t < v) v = t;
            d[i + 1][j + 1] = v;
        }
        da[(unsigned char)a.s[i - 1]] = (int)i;
    }
    return d[la + 1][lb + 1];
}

static int is_digits(Word a) {
    if (a.n == 0) return 0;
    for (Py_ssize_t i = 0; i < a.n; i++)
        if (a.s[i] < '0' || a.s[i] > '9') return 0;
    return 1;
}

static int ends_with(Word w, const char *end) {
    Py_ssize_t n = (Py_ssize_t)strlen(end);
    return w.n >= n && memcmp(w.s + w.n - n, end, (size_t)n) == 0;
}

/* _soft_stem: the length of the stem before a soft ending, or -1 */
static Py_ssize_t soft_stem(Word w) {
    static const char *ends[7] = {"iy", "ii", "ij", "yi", "y", "i", "j"};
    for (int k = 0; k < 7; k++)
        if (ends_with(w, ends[k])) return w.n - (Py_ssize_t)strlen(ends[k]);
    return -1;
}

static int ending_variants(Word a, Word b) {
    Py_ssize_t sa = soft_stem(a);
    if (sa < 4) return 0;
    Py_ssize_t sb = soft_stem(b);
    return sb == sa && memcmp(a.s, b.s, (size_t)sa) == 0;
}

/* Two str objects are equal: CPython's strings are canonical (one kind per content). */
static int str_equal(PyObject *x, PyObject *y) {
    if (x == y) return 1;
    Py_ssize_t n = PyUnicode_GET_LENGTH(x);
    if (n != PyUnicode_GET_LENGTH(y) || PyUnicode_KIND(x) != PyUnicode_KIND(y)) return 0;
    return memcmp(PyUnicode_DATA(x), PyUnicode_DATA(y), (size_t)(n * PyUnicode_KIND(x))) == 0;
}

/* _phonetic_only */
static double phonetic_only(Word a, Word b, PyObject *pa, PyObject *pb) {
    if (PyUnicode_GET_LENGTH(pa) && str_equal(pa, pb) && a.s[0] == b.s[0] &&
        (a.n < b.n ? a.n : b.n) >= 5)
        return 0.8;
    return 0.0;
}

static int edit_budget(Py_ssize_t length) {
    if (length <= 8) return 1;
    return length <= 14 ? 2 : 3;
}

/* token_similarity (with a != b: the caller has tested) */
static double similarity(Word a, Word b, PyObject *pa, PyObject *pb, PyObject *ka, PyObject *kb,
                         int exact) {
    if (same(a, b)) return 1.0;
    if (PyUnicode_GET_LENGTH(ka) && str_equal(ka, kb)) return 0.92;
    Py_ssize_t la = a.n, lb = b.n;
    if (la == 1 || lb == 1) {
        return b.s[0] == a.s[0] ? 0.8 : 0.0; /* an initial begins the other word */
    }
    if (exact || is_digits(a) || is_digits(b)) return 0.0;
    if (la >= 5 && lb >= 5 && memcmp(a.s, b.s, 4) == 0 && ending_variants(a, b))
        return ENDING_VARIANT;
    Py_ssize_t longest = la > lb ? la : lb;
    if (la < 3 || lb < 3)
        return longest >= 3 && a.s[0] == b.s[0] && is_slip(a, b) ? SLIP : 0.0;
    int budget = edit_budget(longest);
    if (la - lb > budget || lb - la > budget) return phonetic_only(a, b, pa, pb);
    if (budget == 1 && a.s[0] != b.s[0] && a.s[la - 1] != b.s[lb - 1]) return 0.0;
    int dist = osa(a, b);
    if (dist == budget + 1 && budget > 1) dist = damerau(a, b);
    if (dist > budget) return phonetic_only(a, b, pa, pb);
    double sim = 1.0 - (double)dist / (double)longest;
    if (dist == 1 && a.s[0] == b.s[0] && is_slip(a, b)) {
        if (SLIP > sim) sim = SLIP;
    } else if (dist == 2 && two_likely_slips(a, b)) {
        sim = 1.0 - 1.0 / (double)longest;
    }
    double p = phonetic_only(a, b, pa, pb);
    return p > sim ? p : sim;
}

typedef struct {
    double s;
    int i, j;
} Pair;

/* Descending (s, i, j), as pairs.sort(reverse=True) orders the tuples. */
static int before(const void *x, const void *y) {
    const Pair *a = x, *b = y;
    if (a->s != b->s) return a->s > b->s ? -1 : 1;
    if (a->i != b->i) return a->i > b->i ? -1 : 1;
    if (a->j != b->j) return a->j > b->j ? -1 : 1;
    return 0;
}

/* The words of a tuple as ASCII; 0 if one is not plain ASCII of at most MAX_WORD letters. */
static int read_words(PyObject *t, Word *out, Py_ssize_t *n) {
    if (!PyTuple_CheckExact(t)) return 0;
    *n = PyTuple_GET_SIZE(t);
    if (*n > MAX_WORDS) return 0;
    for (Py_ssize_t k = 0; k < *n; k++) {
        PyObject *w = PyTuple_GET_ITEM(t, k);
        if (!PyUnicode_CheckExact(w) || !PyUnicode_IS_ASCII(w)) return 0;
        out[k].n = PyUnicode_GET_LENGTH(w);
        if (out[k].n == 0 || out[k].n > MAX_WORD) return 0;
        out[k].s = (const char *)PyUnicode_DATA(w);
    }
    return 1;
}

/* A tuple of n str (phonetic codes, Korean keys); 0 if not. */
static int str_tuple(PyObject *t, Py_ssize_t n) {
    if (!PyTuple_CheckExact(t) || PyTuple_GET_SIZE(t) != n) return 0;
    for (Py_ssize_t k = 0; k < n; k++)
        if (!PyUnicode_CheckExact(PyTuple_GET_ITEM(t, k))) return 0;
    return 1;
}

static PyObject *triple(double s, Py_ssize_t i, Py_ssize_t j) {
    PyObject *fs = PyFloat_FromDouble(s), *fi = PyLong_FromSsize_t(i), *fj = PyLong_FromSsize_t(j);
    if (fs == NULL || fi == NULL || fj == NULL) {
        Py_XDECREF(fs);
        Py_XDECREF(fi);
        Py_XDECREF(fj);
        return NULL;
    }
    PyObject *t = PyTuple_New(3);
    if (t == NULL) {
        Py_DECREF(fs);
        Py_DECREF(fi);
        Py_DECREF(fj);
        return NULL;
    }
    PyTuple_SET_ITEM(t, 0, fs);
    PyTuple_SET_ITEM(t, 1, fi);
    PyTuple_SET_ITEM(t, 2, fj);
    return t;
}

static PyObject *append_triple(PyObject *list, double s, Py_ssize_t i, Py_ssize_t j) {
    PyObject *t = triple(s, i, j);
    if (t == NULL) return NULL;
    int failed = PyList_Append(list, t);
    Py_DECREF(t);
    return failed ? NULL : list;
}

static PyObject *align(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    if (nargs != 7) {
        PyErr_SetString(PyExc_TypeError, "align takes 7 arguments");
        return NULL;
    }
    Word q[MAX_WORDS], c[MAX_WORDS];
    Py_ssize_t nq, nc;
    if (!read_words(args[0], q, &nq) || !read_words(args[1], c, &nc) || !str_tuple(args[2], nq) ||
        !str_tuple(args[3], nc) || !str_tuple(args[4], nq) || !str_tuple(args[5], nc))
        Py_RETURN_NONE;
    int exact = PyObject_IsTrue(args[6]);
    if (exact < 0) return NULL;
    PyObject *out = PyList_New(0);
    if (out == NULL) return NULL;
    int equal = nq == nc;
    for (Py_ssize_t k = 0; equal && k < nq; k++) equal = same(q[k], c[k]);
    if (equal) {
        for (Py_ssize_t k = nq - 1; k >= 0; k--)
            if (append_triple(out, 1.0, k, k) == NULL) goto fail;
        return out;
    }
    Pair pairs[MAX_WORDS * 8];
    Pair *all = pairs;
    if (nq * nc > MAX_WORDS * 8) {
        all = PyMem_Malloc((size_t)(nq * nc) * sizeof(Pair));
        if (all == NULL) {
            PyErr_NoMemory();
            goto fail;
        }
    }
    Py_ssize_t n = 0;
    PyObject *const *qp = &PyTuple_GET_ITEM(args[2], 0), *const *cp = &PyTuple_GET_ITEM(args[3], 0);
    PyObject *const *qk = &PyTuple_GET_ITEM(args[4], 0), *const *ck = &PyTuple_GET_ITEM(args[5], 0);
    for (Py_ssize_t i = 0; i < nq; i++) {
        Word a = q[i];
        PyObject *ka = qk[i];
        int short_a = a.n <= 8, has_key = PyUnicode_GET_LENGTH(ka) > 0;
        for (Py_ssize_t j = 0; j < nc; j++) {
            Word b = c[j];
            if (same(a, b)) {
                all[n++] = (Pair){1.0, (int)i, (int)j};
                continue;
            }
            /* the shortcut of _align: a[:1] != b[:1] and a[-1:] != b[-1:] */
            if (short_a && b.n <= 8 && a.s[0] != b.s[0] && a.s[a.n - 1] != b.s[b.n - 1] &&
                (!has_key || !str_equal(ka, ck[j])))
                continue;
            double s = similarity(a, b, qp[i], cp[j], ka, ck[j], exact);
            if (s > 0.0) all[n++] = (Pair){s, (int)i, (int)j};
        }
    }
    if (n > 1) qsort(all, (size_t)n, sizeof(Pair), before);
    Py_ssize_t most = nq < nc ? nq : nc, taken = 0;
    unsigned char used_q[MAX_WORDS] = {0}, used_c[MAX_WORDS] = {0};
    for (Py_ssize_t k = 0; k < n; k++) {
        Pair p = all[k];
        if (n > 1) {
            if (used_q[p.i] || used_c[p.j]) continue;
            used_q[p.i] = used_c[p.j] = 1;
        }
        if (append_triple(out, p.s, p.i, p.j) == NULL) {
            if (all != pairs) PyMem_Free(all);
            goto fail;
        }
        if (++taken == most) break;
    }
    if (all != pairs) PyMem_Free(all);
    return out;
fail:
    Py_DECREF(out);
    return NULL;
}

/*
 * The weighing of name_tokens (features/words.py) over the pairs align gave:
 *
 *   weigh(q_tokens, c_tokens, aligned, weights, listed[, unseen])
 *
 * gives (num, den, exact, extra_q, extra_c) as name_tokens sums them: each
 * word weighs weights[word] (a mapping: its own lookup, __missing__ included;
 * given ``unseen``, a float, and weights a dict, a word not in it weighs
 * ``unseen`` without calling __missing__, which must give the same),
 * a query word not in ``listed`` weighs what its partner weighs, and the
 * sums run in the Python's order. None when an argument is not as expected
 * (a weight not a float, more than MAX_WORDS words): the caller then sums in
 * Python.
 */
static PyObject *weigh(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    if (nargs != 5 && nargs != 6) {
        PyErr_SetString(PyExc_TypeError, "weigh takes 5 or 6 arguments");
        return NULL;
    }
    PyObject *qt = args[0], *ct = args[1], *aligned = args[2], *table = args[3], *listed = args[4];
    /* the weight of a word not in the table, read as a dict: no Python call per such word */
    int direct = nargs == 6 && PyFloat_CheckExact(args[5]) && PyDict_Check(table);
    double unseen = direct ? PyFloat_AS_DOUBLE(args[5]) : 0.0;
    if (!PyTuple_CheckExact(qt) || !PyTuple_CheckExact(ct) || !PyList_CheckExact(aligned))
        Py_RETURN_NONE;
    Py_ssize_t nq = PyTuple_GET_SIZE(qt), nc = PyTuple_GET_SIZE(ct), n = PyList_GET_SIZE(aligned);
    if (nq > MAX_WORDS || nc > MAX_WORDS) Py_RETURN_NONE;
    double wq[MAX_WORDS], wc[MAX_WORDS], s[MAX_WORDS];
    Py_ssize_t pi[MAX_WORDS], pj[MAX_WORDS], partner[MAX_WORDS];
    unsigned char paired_c[MAX_WORDS] = {0};
    if (n > MAX_WORDS) Py_RETURN_NONE;
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *t = PyList_GET_ITEM(aligned, k);
        if (!PyTuple_CheckExact(t) || PyTuple_GET_SIZE(t) != 3) Py_RETURN_NONE;
        PyObject *fs = PyTuple_GET_ITEM(t, 0), *fi = PyTuple_GET_ITEM(t, 1),
                 *fj = PyTuple_GET_ITEM(t, 2);
        if (!PyFloat_CheckExact(fs) || !PyLong_CheckExact(fi) || !PyLong_CheckExact(fj))
            Py_RETURN_NONE;
        s[k] = PyFloat_AS_DOUBLE(fs);
        pi[k] = PyLong_AsSsize_t(fi);
        pj[k] = PyLong_AsSsize_t(fj);
        if (pi[k] < 0 || pi[k] >= nq || pj[k] < 0 || pj[k] >= nc) {
            PyErr_Clear();
            Py_RETURN_NONE;
        }
    }
    /* wc, then wq, as name_tokens looks them up */
    for (int side = 0; side < 2; side++) {
        PyObject *words = side ? qt : ct;
        double *w = side ? wq : wc;
        for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(words); k++) {
            if (direct) {
                PyObject *v = PyDict_GetItemWithError(table, PyTuple_GET_ITEM(words, k));
                if (v == NULL) {
                    if (PyErr_Occurred()) return NULL;
                    w[k] = unseen;
                } else if (PyFloat_CheckExact(v)) {
                    w[k] = PyFloat_AS_DOUBLE(v); /* borrowed */
                } else {
                    Py_RETURN_NONE;
                }
                continue;
            }
            PyObject *v = PyObject_GetItem(table, PyTuple_GET_ITEM(words, k));
            if (v == NULL) return NULL;
            int is_float = PyFloat_CheckExact(v);
            w[k] = is_float ? PyFloat_AS_DOUBLE(v) : 0.0;
            Py_DECREF(v);
            if (!is_float) Py_RETURN_NONE;
        }
    }
    /* partner = {i: j for _s, i, j in aligned}: the last pair of a query word wins */
    for (Py_ssize_t i = 0; i < nq; i++) partner[i] = -1;
    for (Py_ssize_t k = 0; k < n; k++) partner[pi[k]] = pj[k];
    for (Py_ssize_t i = 0; i < nq; i++)
        if (partner[i] >= 0) paired_c[partner[i]] = 1; /* set(partner.values()) */
    for (Py_ssize_t i = 0; i < nq; i++) {
        if (partner[i] < 0) continue;
        int in = PySequence_Contains(listed, PyTuple_GET_ITEM(qt, i));
        if (in < 0) return NULL;
        if (!in) wq[i] = wc[partner[i]]; /* a word no listed name uses */
    }
    double num = 0.0, den = 0.0, extra_q = 0.0, extra_c = 0.0;
    long exact = 0;
    for (Py_ssize_t k = 0; k < n; k++) {
        double pair_w = wq[pi[k]] + wc[pj[k]];
        num += s[k] * pair_w;
        den += pair_w;
        exact += s[k] == 1.0;
    }
    if (n < nq)
        for (Py_ssize_t i = 0; i < nq; i++)
            if (partner[i] < 0) extra_q += wq[i];
    if (n < nc)
        for (Py_ssize_t j = 0; j < nc; j++)
            if (!paired_c[j]) extra_c += wc[j];
    PyObject *out = PyTuple_New(5);
    if (out == NULL) return NULL;
    PyObject *items[5] = {PyFloat_FromDouble(num), PyFloat_FromDouble(den), PyLong_FromLong(exact),
                          PyFloat_FromDouble(extra_q), PyFloat_FromDouble(extra_c)};
    for (int k = 0; k < 5; k++) {
        if (items[k] == NULL) {
            for (int m = 0; m < 5; m++) Py_XDECREF(items[m]);
            Py_DECREF(out);
            return NULL;
        }
    }
    for (int k = 0; k < 5; k++) PyTuple_SET_ITEM(out, k, items[k]);
    return out;
}

static PyMethodDef methods[] = {
    {"align", (PyCFunction)(void (*)(void))align, METH_FASTCALL,
     "align(q_tokens, c_tokens, q_phonetic, c_phonetic, q_keys, c_keys, exact): _align's pairs, "
     "or None for words it does not read"},
    {"weigh", (PyCFunction)(void (*)(void))weigh, METH_FASTCALL,
     "weigh(q_tokens, c_tokens, aligned, weights, listed[, unseen]): name_tokens' sums "
     "(num, den, exact, extra_q, extra_c), or None"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "name_align", "The word alignment of two names, in C.", -1, methods,
};

PyMODINIT_FUNC PyInit_name_align(void) {
    init_keys();
    return PyModule_Create(&module);
}
