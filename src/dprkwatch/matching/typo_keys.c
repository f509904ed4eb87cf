/*
 * The deletion-key look-up of one query word, in one pass.
 *
 * dprkwatch/matching/typos.py (Vocabulary.near_many) finds the listed words
 * a mistyped word may be by hashing the word and its deletions (one letter,
 * or two with a budget of two edits) and looking each key up in the sorted
 * table of the listed words' keys. In Python that is big-integer arithmetic
 * for the keys and two numpy searches on a table of a million keys for a
 * dozen of them: about 20 microseconds a word, most of it call overhead.
 * This is the same arithmetic in one call:
 *
 * 1. the keys are the sums of letter * coefficient of _variant_hashes, kept
 *    modulo 2^64 by unsigned overflow (Python masks the same sums to 64
 *    bits, so every key is equal);
 * 2. each key is found by binary search (the first equal entry), and the
 *    word number of every entry equal to it is written out.
 *
 * A word number may be written more than once (two keys of the query can
 * meet one listed word); the caller makes a set of them, as Python does.
 * At most `cap` numbers are written; the return value is how many there
 * are in all, so a caller whose buffer was too small calls again with a
 * larger one.
 *
 * Plain C over the caller's arrays (no Python API), loaded with ctypes and
 * built by scripts/build_native.py; see dprkwatch/native.py.
 */

#include <stdint.h>

#define MAX_LETTERS 24

static int64_t found(const uint64_t *hashes, const int32_t *ids, int64_t n, uint64_t key,
                     int32_t *out, int64_t cap, int64_t count) {
    int64_t lo = 0, hi = n;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (hashes[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < n && hashes[lo] == key; lo++) {
        if (count < cap) out[count] = ids[lo];
        count++;
    }
    return count;
}

int64_t dprkwatch_typo_candidates(const uint64_t *hashes, const int32_t *ids, int64_t n,
                                  const uint64_t *coef, const uint8_t *word, int64_t len,
                                  int64_t budget, int32_t *out, int64_t cap) {
    /* c[s][j]: sum over positions m < j (m >= s) of word[m] * coef[m - s] */
    uint64_t c[3][MAX_LETTERS + 1];
    int64_t count = 0;
    if (len < 1 || len > MAX_LETTERS) return 0;
    for (int s = 0; s < 3; s++) {
        uint64_t total = 0;
        c[s][0] = 0;
        for (int64_t m = 0; m < len; m++) {
            if (m >= s) total += (uint64_t)word[m] * coef[m - s];
            c[s][m + 1] = total;
        }
    }
    count = found(hashes, ids, n, c[0][len], out, cap, count);
    for (int64_t k = 0; k < len; k++)
        count = found(hashes, ids, n, c[0][k] + c[1][len] - c[1][k + 1], out, cap, count);
    if (budget >= 2 && len >= 4) {
        for (int64_t i = 0; i < len; i++)
            for (int64_t j = i + 1; j < len; j++)
                count = found(hashes, ids, n,
                              c[0][i] + c[1][j] - c[1][i + 1] + c[2][len] - c[2][j + 1], out,
                              cap, count);
    }
    return count;
}
