/*
 * Splitting the positions of shared MMSIs into consistent tracks.
 *
 * The compiled twin of _Splitter in dprkwatch/maritime/clones.py, which stays
 * the reference and the fallback: the same loop, the same floating-point
 * operations in the same order (Python's math.sin/cos/asin/sqrt and float
 * ** 2.0 are the C library's sin/cos/asin/sqrt/pow; math.radians(x) is
 * x * (pi / 180)), compiled without fast-math or contraction, so both give
 * the same tracks; a test holds them to each other.
 *
 * The Python loop took 0.16-0.20 CPU s of the engine's main thread on
 * 20 million positions; this takes milliseconds, and through ctypes it
 * runs without the interpreter lock.
 *
 * Plain C over numpy's arrays (no Python API), loaded with ctypes and built
 * by scripts/build_native.py; see dprkwatch/maritime/native.py.
 */

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#define DEG_TO_RAD (3.141592653589793238462643383279502884197 / 180.0) /* CPython's degToRad */

typedef struct {
    int64_t id;
    int64_t last_t;
    double last_lat;
    double last_lon;
} Open;

/* clones._km, operation for operation. */
static double km(double two_r, double lat1, double lon1, double lat2, double lon2) {
    double a = pow(sin(((lat2 - lat1) * DEG_TO_RAD) / 2.0), 2.0);
    double b = cos(lat1 * DEG_TO_RAD) * cos(lat2 * DEG_TO_RAD);
    b = b * pow(sin(((lon2 - lon1) * DEG_TO_RAD) / 2.0), 2.0);
    a = a + b;
    if (1.0 < a) a = 1.0; /* min(a, 1.0) */
    return two_r * asin(sqrt(a));
}

/*
 * Rows in (mmsi, t) order, one per instant of an MMSI. track[i] = the track
 * (numbered in the order tracks start) of row i; rank[k] = where track k
 * comes in its MMSI's list of tracks as _Splitter.tracks() gives it (closed
 * tracks in the order they closed, then the open ones in the order opened).
 * Returns the number of tracks, or -1 if memory ran out.
 */
int64_t dprkwatch_split_tracks(int64_t n, const int32_t *mmsi, const int64_t *t,
                               const double *lat, const double *lon, double max_gap_us,
                               double max_speed_kmh, double noise_km, double two_r,
                               int64_t max_open, int64_t *track, int64_t *rank) {
    Open *open = malloc((size_t)(max_open > 0 ? max_open : 1) * sizeof *open);
    if (!open) return -1;
    int64_t tracks = 0;
    int64_t i = 0;
    while (i < n) {
        int32_t m = mmsi[i];
        int64_t n_open = 0, done = 0;
        for (; i < n && mmsi[i] == m; i++) {
            int64_t ti = t[i];
            double la = lat[i], lo = lon[i];
            /* tracks silent too long are closed, in the order they are open */
            int64_t kept = 0;
            for (int64_t k = 0; k < n_open; k++) {
                if ((double)(ti - open[k].last_t) > max_gap_us)
                    rank[open[k].id] = done++;
                else
                    open[kept++] = open[k];
            }
            n_open = kept;
            int64_t best = -1;
            double best_d = INFINITY;
            for (int64_t k = 0; k < n_open; k++) {
                double d = km(two_r, open[k].last_lat, open[k].last_lon, la, lo);
                double reach = max_speed_kmh * (double)(ti - open[k].last_t);
                reach = reach / 3.6e9;
                reach = reach + noise_km;
                if (d <= reach && d < best_d) {
                    best = k;
                    best_d = d;
                }
            }
            if (best < 0) {
                if (n_open >= max_open) { /* the track silent longest (the first of equals) */
                    int64_t stale = 0;
                    for (int64_t k = 1; k < n_open; k++)
                        if (open[k].last_t < open[stale].last_t) stale = k;
                    rank[open[stale].id] = done++;
                    for (int64_t k = stale; k + 1 < n_open; k++) open[k] = open[k + 1];
                    n_open--;
                }
                best = n_open++;
                open[best].id = tracks++;
            }
            open[best].last_t = ti;
            open[best].last_lat = la;
            open[best].last_lon = lo;
            track[i] = open[best].id;
        }
        for (int64_t k = 0; k < n_open; k++) rank[open[k].id] = done++;
    }
    free(open);
    return tracks;
}
