/*
 * The listed words near one query word, in one call (typos.py:
 * Vocabulary.near_many, one word of it).
 *
 * near_many finds the listed words a mistyped word may be: the word's
 * deletion keys looked up in the sorted key table, then every word found
 * checked with the optimal string alignment distance within the edit
 * budget, and the hits sorted nearest, most used, then alphabetically
 * first. In Python that is big-integer arithmetic for the keys, numpy
 * searches, a call into rapidfuzz and a tuple per word found (a ctypes
 * kernel for the keys and the look-up alone still left a twelfth of a
 * query's instructions here). This is the same in one call:
 *
 *   near(hashes, ids, n, coef, words, counts, word, budget, by_length)
 *
 * with `hashes`, `ids` and `coef` the addresses of the vocabulary's key
 * table (n keys) and of the key coefficients (the numpy arrays, which the
 * caller keeps alive), `words` the vocabulary's word list, `counts` its
 * word -> names dict; it gives the list of (distance, word) near_many gives
 * for (word, budget), `by_length` saying that no budget was asked (then a
 * listed word of nine letters or more is allowed two edits). A word that is
 * not plain ASCII of 3 to 24 letters has no keys: [].
 * tests/matching/test_typos.py compares the two over many words.
 *
 * A CPython extension (METH_FASTCALL), built by scripts/build_native.py into
 * a library whose name carries the source's digest; see dprkwatch/native.py.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MIN_FUZZY 3
#define MAX_FUZZY 24
#define TWO_EDITS_FROM 9

typedef struct {
    int32_t *ids;
    Py_ssize_t n, cap;
} Ids;

static int push(Ids *out, int32_t id) {
    if (out->n == out->cap) {
        Py_ssize_t cap = out->cap ? out->cap * 2 : 256;
        int32_t *ids = realloc(out->ids, (size_t)cap * sizeof(int32_t));
        if (ids == NULL) return -1;
        out->ids = ids;
        out->cap = cap;
    }
    out->ids[out->n++] = id;
    return 0;
}

/* Every word number filed under `key` (binary search for the first equal entry). */
static int found(const uint64_t *hashes, const int32_t *ids, int64_t n, uint64_t key, Ids *out) {
    int64_t lo = 0, hi = n;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (hashes[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < n && hashes[lo] == key; lo++)
        if (push(out, ids[lo]) < 0) return -1;
    return 0;
}

/* The word's keys (itself and its deletions, two with budget 2 from four letters
 * on): the sums of letter * coefficient of typos._variant_hashes, kept modulo 2^64
 * by unsigned overflow (Python masks the same sums to 64 bits, so every key is
 * equal). A word number may be found under several keys. */
static int candidates(const uint64_t *hashes, const int32_t *ids, int64_t n, const uint64_t *coef,
                      const char *word, Py_ssize_t len, long budget, Ids *out) {
    uint64_t c[3][MAX_FUZZY + 1];
    for (int s = 0; s < 3; s++) {
        uint64_t total = 0;
        c[s][0] = 0;
        for (Py_ssize_t m = 0; m < len; m++) {
            if (m >= s) total += (uint64_t)(unsigned char)word[m] * coef[m - s];
            c[s][m + 1] = total;
        }
    }
    if (found(hashes, ids, n, c[0][len], out) < 0) return -1;
    for (Py_ssize_t k = 0; k < len; k++)
        if (found(hashes, ids, n, c[0][k] + c[1][len] - c[1][k + 1], out) < 0) return -1;
    if (budget >= 2 && len >= 4)
        for (Py_ssize_t i = 0; i < len; i++)
            for (Py_ssize_t j = i + 1; j < len; j++)
                if (found(hashes, ids, n,
                          c[0][i] + c[1][j] - c[1][i + 1] + c[2][len] - c[2][j + 1], out) < 0)
                    return -1;
    return 0;
}

/* Optimal string alignment distance (a swap of neighbours is one edit): rapidfuzz's
 * OSA.distance, exact (near_many keeps a word only within the budget, where
 * rapidfuzz's score_cutoff gives the distance itself). */
static int osa(const char *a, Py_ssize_t la, const char *b, Py_ssize_t lb) {
    int d[MAX_FUZZY + 1][MAX_FUZZY + 1];
    for (Py_ssize_t i = 0; i <= la; i++) d[i][0] = (int)i;
    for (Py_ssize_t j = 0; j <= lb; j++) d[0][j] = (int)j;
    for (Py_ssize_t i = 1; i <= la; i++)
        for (Py_ssize_t j = 1; j <= lb; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v) v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v) v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[la][lb];
}

typedef struct {
    int distance;
    long long count;
    const char *text;
    PyObject *word;
} Hit;

static int by_id(const void *x, const void *y) {
    int32_t a = *(const int32_t *)x, b = *(const int32_t *)y;
    return (a > b) - (a < b);
}

/* (distance, -count, word), as Python sorts the tuples (ASCII: strcmp is code point order). */
static int by_rank(const void *x, const void *y) {
    const Hit *a = x, *b = y;
    if (a->distance != b->distance) return a->distance < b->distance ? -1 : 1;
    if (a->count != b->count) return a->count > b->count ? -1 : 1;
    return strcmp(a->text, b->text);
}

static PyObject *near(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    if (nargs != 9) {
        PyErr_SetString(PyExc_TypeError,
                        "near(hashes, ids, n, coef, words, counts, word, budget, by_length)");
        return NULL;
    }
    const uint64_t *hashes = PyLong_AsVoidPtr(args[0]);
    const int32_t *ids = PyLong_AsVoidPtr(args[1]);
    long long n = PyLong_AsLongLong(args[2]);
    const uint64_t *coef = PyLong_AsVoidPtr(args[3]);
    PyObject *words = args[4], *counts = args[5], *word = args[6];
    long budget = PyLong_AsLong(args[7]);
    int by_length = PyObject_IsTrue(args[8]);
    if (PyErr_Occurred() || by_length < 0) return NULL;
    if (!PyList_Check(words) || !PyDict_Check(counts) || !PyUnicode_Check(word)) {
        PyErr_SetString(PyExc_TypeError, "near: words must be a list, counts a dict, word a str");
        return NULL;
    }
    PyObject *out = PyList_New(0);
    if (out == NULL) return NULL;
    Py_ssize_t len = PyUnicode_GET_LENGTH(word);
    if (!PyUnicode_IS_ASCII(word) || len < MIN_FUZZY || len > MAX_FUZZY) return out;
    const char *text = (const char *)PyUnicode_DATA(word);

    Ids found_ids = {NULL, 0, 0};
    Hit *hits = NULL;
    Py_ssize_t n_hits = 0;
    if (candidates(hashes, ids, (int64_t)n, coef, text, len, budget, &found_ids) < 0) {
        PyErr_NoMemory();
        goto fail;
    }
    if (found_ids.n == 0) goto done;
    /* A word filed under two of the keys is checked once (Python makes a set). */
    qsort(found_ids.ids, (size_t)found_ids.n, sizeof(int32_t), by_id);
    hits = malloc((size_t)found_ids.n * sizeof(Hit));
    if (hits == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    Py_ssize_t n_words = PyList_GET_SIZE(words);
    for (Py_ssize_t k = 0; k < found_ids.n; k++) {
        if (k && found_ids.ids[k] == found_ids.ids[k - 1]) continue;
        int32_t id = found_ids.ids[k];
        if (id < 0 || id >= n_words) {
            PyErr_SetString(PyExc_IndexError, "near: a key's word is not in the word list");
            goto fail;
        }
        PyObject *other = PyList_GET_ITEM(words, id);
        if (!PyUnicode_Check(other) || !PyUnicode_IS_ASCII(other)) {
            PyErr_SetString(PyExc_TypeError, "near: listed words must be ASCII strings");
            goto fail;
        }
        Py_ssize_t other_len = PyUnicode_GET_LENGTH(other);
        const char *other_text = (const char *)PyUnicode_DATA(other);
        if (other_len == len && memcmp(other_text, text, (size_t)len) == 0) continue;
        if (other_len > MAX_FUZZY) continue; /* never filed under a key */
        long allowed = budget;
        if (by_length && other_len >= TWO_EDITS_FROM && allowed < 2) allowed = 2;
        int d = osa(text, len, other_text, other_len);
        if (d > allowed) continue;
        PyObject *used = PyDict_GetItemWithError(counts, other);
        if (used == NULL) {
            if (!PyErr_Occurred()) PyErr_SetObject(PyExc_KeyError, other);
            goto fail;
        }
        long long count = PyLong_AsLongLong(used);
        if (count == -1 && PyErr_Occurred()) goto fail;
        hits[n_hits].distance = d;
        hits[n_hits].count = count;
        hits[n_hits].text = other_text;
        hits[n_hits].word = other;
        n_hits++;
    }
    qsort(hits, (size_t)n_hits, sizeof(Hit), by_rank);
    for (Py_ssize_t k = 0; k < n_hits; k++) {
        PyObject *pair = PyTuple_New(2);
        if (pair == NULL) goto fail;
        PyObject *distance = PyLong_FromLong(hits[k].distance);
        if (distance == NULL) {
            Py_DECREF(pair);
            goto fail;
        }
        PyTuple_SET_ITEM(pair, 0, distance);
        Py_INCREF(hits[k].word);
        PyTuple_SET_ITEM(pair, 1, hits[k].word);
        int bad = PyList_Append(out, pair);
        Py_DECREF(pair);
        if (bad < 0) goto fail;
    }
done:
    free(found_ids.ids);
    free(hits);
    return out;
fail:
    free(found_ids.ids);
    free(hits);
    Py_DECREF(out);
    return NULL;
}

static PyMethodDef methods[] = {
    {"near", (PyCFunction)(void (*)(void))near, METH_FASTCALL,
     "near(hashes, ids, n, coef, words, counts, word, budget, by_length): near_many's answer "
     "for one word"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "typo_near", "The listed words near a query word, in C.", -1, methods,
};

PyMODINIT_FUNC PyInit_typo_near(void) { return PyModule_Create(&module); }
