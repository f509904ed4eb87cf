/*
 * The blocking pre-score and the cut to the best names, in one call.
 *
 * numpy does this (dprkwatch/matching/postings.py: Postings.prescore, then
 * the pruning in Screener._candidates and postings.top) in about twenty
 * calls on arrays of a few hundred names, and on arrays that small each
 * call costs more in numpy's dispatch than in its loop: a third of a
 * query's CPU went there. This is the same arithmetic in one call:
 *
 * 0. each key's posting list is found in the packed index (where: key ->
 *    start << 32 | length; unknown keys are skipped) and weighed
 *    (key_weight(length)); keys in more than `common` names are common, the
 *    others rare, each kind in the caller's order;
 * 1. every name of the rare keys (in the caller's order) gets the key's
 *    weight added, names kept in first-seen order; with no rare key the
 *    first common key supplies the names at its weight;
 * 2. each further common key adds its weight to the names it holds (found
 *    by binary search: posting lists are ascending);
 * 3. optionally, names below max * share * 0.5 are dropped;
 * 4. the best n by (higher sum, lower name id) are given in that order, as
 *    a list of (name id, sum).
 *
 * Every name's weights are added in the same order as numpy adds them
 * (rare keys in order, then common keys in order), in doubles, without
 * fused multiply-add (see CFLAGS in scripts/build_native.py), so the sums
 * and the cut are bit-for-bit numpy's, and the total order makes the cut
 * unique.
 *
 * A CPython extension (METH_FASTCALL; it was a ctypes kernel, whose
 * argument conversion and the lists made from its output arrays cost more
 * than the sums), built by scripts/build_native.py into a library whose
 * name carries the source's digest; see dprkwatch/native.py. The caller
 * keeps the arrays whose addresses it passes alive, and the interpreter
 * lock is held throughout (each thread has its own scratch arrays).
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    double sum;
    int32_t id;
} Entry;

/* a is ranked after b: a lower sum, or the same sum and a higher id */
static int worse(Entry a, Entry b) {
    return a.sum < b.sum || (a.sum == b.sum && a.id > b.id);
}

/* Restore the heap (root = the worst entry kept) below position i. */
static void sift_down(Entry *heap, int64_t n, int64_t i) {
    for (;;) {
        int64_t l = 2 * i + 1, r = l + 1, w = i;
        if (l < n && worse(heap[l], heap[w])) w = l;
        if (r < n && worse(heap[r], heap[w])) w = r;
        if (w == i) return;
        Entry t = heap[i];
        heap[i] = heap[w];
        heap[w] = t;
        i = w;
    }
}

static void sift_up(Entry *heap, int64_t i) {
    while (i > 0) {
        int64_t p = (i - 1) / 2;
        if (!worse(heap[i], heap[p])) return;
        Entry t = heap[i];
        heap[i] = heap[p];
        heap[p] = t;
        i = p;
    }
}

static int holds(const int32_t *members, int64_t n, int32_t id) {
    int64_t lo = 0, hi = n;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (members[mid] < id) lo = mid + 1;
        else hi = mid;
    }
    return lo < n && members[lo] == id;
}

/*
 * nids: every posting list, packed; keys k < n_rare are rare, the n_common
 * after them common; key k is nids[starts[k] .. starts[k] + lengths[k]) with
 * weight weights[k]. totals (doubles) and seen (bytes) span every name id
 * and must be all zero; they are left all zero. found spans every name id.
 * prune_above < 0: no pruning; else names below max * share * 0.5 are
 * dropped when more than prune_above names were found. heap holds n_top
 * entries. Leaves the best n_top (or fewer) entries in the heap (root =
 * the worst of them) and returns how many.
 */
static int64_t prescore_top(
    const int32_t *nids, const int64_t *starts, const int64_t *lengths, const double *weights,
    int64_t n_rare, int64_t n_common, double *totals, uint8_t *seen, int32_t *found,
    int64_t prune_above, double share, int64_t n_top, Entry *heap) {
    int64_t m = 0, k = 0, last = n_rare + n_common;
    if (n_rare > 0) {
        for (; k < n_rare; k++) {
            const int32_t *p = nids + starts[k];
            double w = weights[k];
            for (int64_t i = 0; i < lengths[k]; i++) {
                int32_t id = p[i];
                if (!seen[id]) {
                    seen[id] = 1;
                    found[m++] = id;
                }
                totals[id] += w;
            }
        }
    } else if (n_common > 0) {
        const int32_t *p = nids + starts[0];
        for (int64_t i = 0; i < lengths[0]; i++) {
            found[m++] = p[i];
            totals[p[i]] = weights[0];
        }
        k = 1;
    }
    for (; k < last; k++) {
        const int32_t *members = nids + starts[k];
        double w = weights[k];
        for (int64_t i = 0; i < m; i++) {
            if (holds(members, lengths[k], found[i])) totals[found[i]] += w;
        }
    }
    double cut = 0.0;
    int pruned = prune_above >= 0 && m > prune_above;
    if (pruned && m > 0) {
        double best = totals[found[0]];
        for (int64_t i = 1; i < m; i++) {
            if (totals[found[i]] > best) best = totals[found[i]];
        }
        cut = best * share * 0.5;
    }
    int64_t size = 0;
    for (int64_t i = 0; i < m && n_top > 0; i++) {
        Entry e = {totals[found[i]], found[i]};
        if (pruned && !(e.sum >= cut)) continue;
        if (size < n_top) {
            heap[size] = e;
            sift_up(heap, size++);
        } else if (worse(heap[0], e)) {
            heap[0] = e;
            sift_down(heap, size, 0);
        }
    }
    for (int64_t i = 0; i < m; i++) {
        totals[found[i]] = 0.0;
        seen[found[i]] = 0;
    }
    return size;
}

#define SHIFT 32
#define LENGTH ((1LL << SHIFT) - 1)
#define ON_STACK 64

static int address(PyObject *o, void **out) {
    *out = PyLong_AsVoidPtr(o);
    return *out == NULL && PyErr_Occurred() ? -1 : 0;
}

/* The (id, sum) pairs of the heap's `size` entries, best first (the worst is
 * taken out each time and put last); the heap is used up. */
static PyObject *ranked(Entry *heap, int64_t size) {
    PyObject *out = PyList_New((Py_ssize_t)size);
    if (out == NULL) return NULL;
    for (int64_t n = size; n > 0; n--) {
        PyObject *id = PyLong_FromLong(heap[0].id);
        PyObject *sum = PyFloat_FromDouble(heap[0].sum);
        PyObject *pair = id != NULL && sum != NULL ? PyTuple_New(2) : NULL;
        if (pair == NULL) {
            Py_XDECREF(id);
            Py_XDECREF(sum);
            Py_DECREF(out);
            return NULL;
        }
        PyTuple_SET_ITEM(pair, 0, id);
        PyTuple_SET_ITEM(pair, 1, sum);
        PyList_SET_ITEM(out, (Py_ssize_t)(n - 1), pair);
        heap[0] = heap[n - 1];
        sift_down(heap, n - 1, 0);
    }
    return out;
}

/*
 * best(where, nids, keys, key_weight, common, scratch, prune_above, share, n)
 *
 * where: the posting lists' dict (key -> start << 32 | length); nids: the
 * address of their int32 array; keys: a list of str; key_weight: called with
 * a posting list's length, gives its weight; scratch: the addresses of
 * (totals, seen, found, heap), see prescore_top (the heap with room for n
 * entries). Gives Postings.best's list of (name id, pre-score), best first.
 */
static PyObject *best(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    if (nargs != 9) {
        PyErr_SetString(PyExc_TypeError, "best() takes 9 arguments");
        return NULL;
    }
    PyObject *where = args[0], *keys = args[2], *key_weight = args[3], *scratch = args[5];
    if (!PyDict_Check(where) || !PyList_Check(keys) || !PyTuple_Check(scratch) ||
        PyTuple_GET_SIZE(scratch) != 4) {
        PyErr_SetString(PyExc_TypeError, "best(): a dict, a list of keys and 4 addresses");
        return NULL;
    }
    void *base, *totals, *seen, *found, *heap;
    if (address(args[1], &base) < 0 || address(PyTuple_GET_ITEM(scratch, 0), &totals) < 0 ||
        address(PyTuple_GET_ITEM(scratch, 1), &seen) < 0 ||
        address(PyTuple_GET_ITEM(scratch, 2), &found) < 0 ||
        address(PyTuple_GET_ITEM(scratch, 3), &heap) < 0)
        return NULL;
    long long common = PyLong_AsLongLong(args[4]);
    long long prune_above = PyLong_AsLongLong(args[6]);
    double share = PyFloat_AsDouble(args[7]);
    long long n_top = PyLong_AsLongLong(args[8]);
    if (PyErr_Occurred()) return NULL;

    /* Rare keys are filed from the front, common ones from the back (then
     * turned round, to keep the caller's order behind the rare ones). */
    Py_ssize_t n_keys = PyList_GET_SIZE(keys);
    int64_t starts_s[ON_STACK], lengths_s[ON_STACK];
    double weights_s[ON_STACK];
    int64_t *starts = starts_s, *lengths = lengths_s;
    double *weights = weights_s;
    PyObject *out = NULL;
    if (n_keys > ON_STACK) {
        starts = malloc(sizeof(int64_t) * (size_t)n_keys);
        lengths = malloc(sizeof(int64_t) * (size_t)n_keys);
        weights = malloc(sizeof(double) * (size_t)n_keys);
        if (starts == NULL || lengths == NULL || weights == NULL) {
            PyErr_NoMemory();
            goto done;
        }
    }
    int64_t n_rare = 0, back = n_keys;
    for (Py_ssize_t i = 0; i < n_keys; i++) {
        PyObject *packed = PyDict_GetItemWithError(where, PyList_GET_ITEM(keys, i));
        if (packed == NULL) {
            if (PyErr_Occurred()) goto done;
            continue;
        }
        long long p = PyLong_AsLongLong(packed);
        if (p == -1 && PyErr_Occurred()) goto done;
        int64_t len = (int64_t)(p & LENGTH), start = (int64_t)(p >> SHIFT);
        PyObject *length = PyLong_FromLongLong(len);
        if (length == NULL) goto done;
        PyObject *w = PyObject_CallOneArg(key_weight, length);
        Py_DECREF(length);
        if (w == NULL) goto done;
        double weight = PyFloat_AsDouble(w);
        Py_DECREF(w);
        if (weight == -1.0 && PyErr_Occurred()) goto done;
        int64_t at = len > common ? --back : n_rare++;
        starts[at] = start;
        lengths[at] = len;
        weights[at] = weight;
    }
    int64_t n_common = n_keys - back;
    for (int64_t lo = back, hi = n_keys - 1; lo < hi; lo++, hi--) {
        int64_t s = starts[lo], l = lengths[lo];
        double w = weights[lo];
        starts[lo] = starts[hi], lengths[lo] = lengths[hi], weights[lo] = weights[hi];
        starts[hi] = s, lengths[hi] = l, weights[hi] = w;
    }
    if (back > n_rare) {
        memmove(starts + n_rare, starts + back, sizeof(int64_t) * (size_t)n_common);
        memmove(lengths + n_rare, lengths + back, sizeof(int64_t) * (size_t)n_common);
        memmove(weights + n_rare, weights + back, sizeof(double) * (size_t)n_common);
    }
    int64_t size = n_rare + n_common == 0 || n_top <= 0
                       ? 0
                       : prescore_top(base, starts, lengths, weights, n_rare, n_common, totals,
                                      seen, found, prune_above, share, n_top, heap);
    out = ranked(heap, size);
done:
    if (starts != starts_s) {
        free(starts);
        free(lengths);
        free(weights);
    }
    return out;
}

static PyMethodDef methods[] = {
    {"best", (PyCFunction)(void (*)(void))best, METH_FASTCALL,
     "best(where, nids, keys, key_weight, common, scratch, prune_above, share, n): "
     "Postings.best's list of (name id, pre-score), best first"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "prescore", "The blocking pre-score and cut, in C.", -1, methods,
};

PyMODINIT_FUNC PyInit_prescore(void) { return PyModule_Create(&module); }
