/*
 * The blocking pre-score and the cut to the best names, in one pass.
 *
 * numpy does this (dprkwatch/matching/postings.py: Postings.prescore, then
 * the pruning in Screener._candidates and postings.top) in about twenty
 * calls on arrays of a few hundred names, and on arrays that small each
 * call costs more in numpy's dispatch than in its loop: a third of a
 * query's CPU went there. This is the same arithmetic in one call:
 *
 * 1. every name of the rare keys (in the caller's order) gets the key's
 *    weight added, names kept in first-seen order; with no rare key the
 *    first common key supplies the names at its weight;
 * 2. each further common key adds its weight to the names it holds (found
 *    by binary search: posting lists are ascending);
 * 3. optionally, names below max * share * 0.5 are dropped;
 * 4. the best n by (higher sum, lower name id) are written in that order.
 *
 * Every name's weights are added in the same order as numpy adds them
 * (rare keys in order, then common keys in order), in doubles, without
 * fused multiply-add (see CFLAGS in scripts/build_native.py), so the sums
 * and the cut are bit-for-bit numpy's, and the total order makes the cut
 * unique.
 *
 * Plain C over the caller's arrays (no Python API), loaded with ctypes and
 * built by scripts/build_native.py; see dprkwatch/native.py.
 */

#include <stdint.h>

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
 * entries. Writes up to n_top (id, sum) pairs, best first, and returns how
 * many.
 */
int64_t dprkwatch_prescore_top(
    const int32_t *nids, const int64_t *starts, const int64_t *lengths, const double *weights,
    int64_t n_rare, int64_t n_common, double *totals, uint8_t *seen, int32_t *found,
    int64_t prune_above, double share, int64_t n_top, Entry *heap, int32_t *out_ids,
    double *out_sums) {
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
    /* Take the worst out each time: the best end up first. */
    for (int64_t n = size; n > 0; n--) {
        out_ids[n - 1] = heap[0].id;
        out_sums[n - 1] = heap[0].sum;
        heap[0] = heap[n - 1];
        sift_down(heap, n - 1, 0);
    }
    return size;
}
