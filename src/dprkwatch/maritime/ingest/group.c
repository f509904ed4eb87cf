/*
 * Grouping a day's rows by MMSI, keeping their order within each MMSI.
 *
 * A day read from a time-ordered file needs only a stable sort by MMSI.
 * numpy does it as a sort of packed 64-bit keys and then a gather of every
 * column (dprkwatch/maritime/ingest/days.py, ``mmsi_order``), and a gather
 * in MMSI order reads each column at scattered places. This is a counting
 * sort instead: one pass finds each row's MMSI in a small hash table (a day
 * has a few thousand MMSIs), the MMSIs are sorted, and a second pass gives
 * each row its place. The columns are then scattered in row order: reads are
 * sequential and the writes go to one running place per MMSI, which stay in
 * cache. The result is the same permutation as the stable sort.
 *
 * Plain C over numpy's arrays (no Python API), loaded with ctypes and built
 * by scripts/build_native.py; see dprkwatch/maritime/native.py.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int64_t key;
    int64_t group;
} Entry;

static int by_key(const void *a, const void *b) {
    int64_t x = ((const Entry *)a)->key, y = ((const Entry *)b)->key;
    return (x > y) - (x < y);
}

static uint64_t slot_of(int64_t key, uint64_t mask) {
    return ((uint64_t)key * 0x9E3779B97F4A7C15ull >> 17) & mask;
}

/*
 * pos[i] = the place of row i when the rows are stably sorted by mmsi.
 * Returns the number of distinct MMSIs, or -1 if memory ran out (pos is
 * then meaningless and the caller sorts another way).
 */
int64_t dprkwatch_mmsi_places(int64_t n, const int32_t *mmsi, int64_t *pos) {
    uint64_t cap = 1024;
    int64_t groups = 0;
    int64_t *keys = malloc(cap * sizeof *keys);
    int64_t *ids = malloc(cap * sizeof *ids);
    int64_t *counts = malloc(cap / 2 * sizeof *counts);
    if (!keys || !ids || !counts) goto fail;
    for (uint64_t s = 0; s < cap; s++) ids[s] = -1;
    /* pass 1: each row's group (in pos for now), and each group's row count */
    for (int64_t i = 0; i < n; i++) {
        int64_t key = mmsi[i];
        uint64_t s = slot_of(key, cap - 1);
        while (ids[s] >= 0 && keys[s] != key) s = (s + 1) & (cap - 1);
        if (ids[s] < 0) {
            keys[s] = key;
            ids[s] = groups++;
            if ((uint64_t)groups * 2 > cap) { /* keep the table at most half full */
                uint64_t big = cap * 2;
                int64_t *k2 = malloc(big * sizeof *k2);
                int64_t *i2 = malloc(big * sizeof *i2);
                int64_t *c2 = realloc(counts, big / 2 * sizeof *c2);
                if (!k2 || !i2 || !c2) {
                    free(k2);
                    free(i2);
                    if (c2) counts = c2;
                    goto fail;
                }
                counts = c2;
                for (uint64_t t = 0; t < big; t++) i2[t] = -1;
                for (uint64_t t = 0; t < cap; t++) {
                    if (ids[t] < 0) continue;
                    uint64_t u = slot_of(keys[t], big - 1);
                    while (i2[u] >= 0) u = (u + 1) & (big - 1);
                    k2[u] = keys[t];
                    i2[u] = ids[t];
                }
                free(keys);
                free(ids);
                keys = k2;
                ids = i2;
                cap = big;
                s = slot_of(key, cap - 1);
                while (keys[s] != key || ids[s] < 0) s = (s + 1) & (cap - 1);
            }
            counts[ids[s]] = 0;
        }
        pos[i] = ids[s];
        counts[ids[s]]++;
    }
    /* the groups in MMSI order, and where each one starts */
    Entry *order = malloc((groups ? groups : 1) * sizeof *order);
    if (!order) goto fail;
    int64_t g = 0;
    for (uint64_t s = 0; s < cap; s++) {
        if (ids[s] >= 0) {
            order[g].key = keys[s];
            order[g].group = ids[s];
            g++;
        }
    }
    qsort(order, (size_t)groups, sizeof *order, by_key);
    int64_t start = 0;
    for (g = 0; g < groups; g++) {
        int64_t c = counts[order[g].group];
        counts[order[g].group] = start; /* from here on: the group's next place */
        start += c;
    }
    free(order);
    /* pass 2: each row's place */
    for (int64_t i = 0; i < n; i++) pos[i] = counts[pos[i]]++;
    free(keys);
    free(ids);
    free(counts);
    return groups;
fail:
    free(keys);
    free(ids);
    free(counts);
    return -1;
}

/* out[pos[i]] = in[i] for values of ``width`` bytes (4 or 8). */
void dprkwatch_scatter(int64_t n, const int64_t *pos, int64_t width, const void *in, void *out) {
    if (width == 8) {
        const uint64_t *a = in;
        uint64_t *b = out;
        for (int64_t i = 0; i < n; i++) b[pos[i]] = a[i];
    } else if (width == 4) {
        const uint32_t *a = in;
        uint32_t *b = out;
        for (int64_t i = 0; i < n; i++) b[pos[i]] = a[i];
    } else {
        const char *a = in;
        char *b = out;
        for (int64_t i = 0; i < n; i++) memcpy(b + pos[i] * width, a + i * width, (size_t)width);
    }
}
