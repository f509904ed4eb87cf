/*
 * The track kernel: every per-position column of one day in one pass.
 *
 * The embedded engine needs, for each position of a day sorted by
 * (mmsi, t), its previous position (the row above, or the position carried
 * from an earlier day), the step to it, whether the step is a jump, where
 * segments start, the nearest port and the loitering and port-run flags.
 * As whole-array numpy passes that is some thirty passes over a day, each
 * writing a fresh temporary; here it is one loop that reads each input once
 * and writes each output once.
 *
 * It is the compiled twin of dprkwatch/maritime/engines/tracks.py
 * (``numpy_flags``), which stays the reference and the fallback. Every
 * floating-point operation is the one numpy performs, in the same order
 * (compiled without fast-math or contraction), so the two agree exactly up
 * to the last bits of sin/cos/asin of the maths libraries; a test holds them
 * to each other. Built by scripts/build_native.py into a shared library
 * named after this file's SHA-256, so an edited source never loads an old
 * build.
 */

#include <math.h>
#include <stdint.h>

#define US 1000000.0
#define DEG (M_PI / 180.0)

typedef struct {
    /* rules */
    double slow_knots;
    double max_speed_kmh;
    double position_noise_km;
    double max_gap_s;
    double loiter_port_km;
    double port_exit_km;
    double km_per_deg;
    double slack;
    double two_r;
    /* nearest port within a radius (PortLookup) */
    double near_deg;
    int64_t near_ncx;
    int64_t near_cy0;
    const int32_t *dense;
    int64_t n_dense;
    const int64_t *cand;
    int64_t width;
    const double *plat;
    const double *plon;
    const double *pcos;
    double near_radius_km;
    /* which cells may be within port_exit_km of a port (NearPorts) */
    double mask_deg;
    int64_t mask_ncx;
    int64_t mask_ncy;
    const uint8_t *mask;
} Params;

typedef struct {
    int64_t n;
    const int32_t *mmsi;
    const int64_t *t;
    const double *lat;
    const double *lon;
    const float *sog; /* NaN where unknown; the store's float32, compared as a double */
    const uint8_t *first;
    /* one entry per track head, in order: the carried last position */
    const uint8_t *c_known;
    const int64_t *c_t;
    const double *c_lat;
    const double *c_lon;
    const uint8_t *c_loiter;
    const int32_t *c_port;
} Day;

typedef struct {
    int64_t *p_t;
    double *p_lat;
    double *p_lon;
    uint8_t *has_prev;
    uint8_t *slow;
    double *d_port;
    double *dt_s;
    uint8_t *jump;
    uint8_t *newseg;
    uint8_t *loiter_q;
    int32_t *port_id;
    uint8_t *port_q;
    uint8_t *loiter_cont;
    uint8_t *port_cont;
    uint8_t *port_exit;
} Out;

static int64_t floor_mod(int64_t x, int64_t n) {
    int64_t m = x % n;
    return m < 0 ? m + n : m;
}

/* geo.haversine_km, operation for operation. */
static double haversine(double two_r, double la1, double lo1, double la2, double lo2) {
    double a = (la2 - la1) * DEG;
    a *= 0.5;
    a = sin(a);
    a *= a;
    double b = (lo2 - lo1) * DEG;
    b *= 0.5;
    b = sin(b);
    b *= b;
    b *= cos(la1 * DEG);
    b *= cos(la2 * DEG);
    a += b;
    if (a > 1.0) a = 1.0;
    return asin(sqrt(a)) * two_r;
}

/* PortLookup._term: the haversine term between a point and port p. */
static double term(const Params *q, double la, double lo, double cos_la, int64_t p) {
    double a = (q->plat[p] - la) * DEG;
    a *= 0.5;
    a = sin(a);
    a *= a;
    double b = (q->plon[p] - lo) * DEG;
    b *= 0.5;
    b = sin(b);
    b *= b;
    b *= cos_la;
    b *= q->pcos[p];
    a += b;
    if (a > 1.0) a = 1.0;
    return a;
}

/* NearPorts.__call__: may the point be within port_exit_km of a port? */
static int in_port_cell(const Params *q, double la, double lo) {
    int64_t cy = (int64_t)floor((la + 90.0) / q->mask_deg);
    if (cy < 0) cy = 0;
    if (cy > q->mask_ncy - 1) cy = q->mask_ncy - 1;
    int64_t cx = floor_mod((int64_t)floor((lo + 180.0) / q->mask_deg), q->mask_ncx);
    return q->mask[cy * q->mask_ncx + cx];
}

/* PortLookup._nearest for one point: (distance, port) or (inf, -1) beyond the radius. */
static void nearest(const Params *q, double la, double lo, double *dist, int32_t *port) {
    *dist = INFINITY;
    *port = -1;
    if (q->n_dense == 0) return;
    int64_t index = (int64_t)floor((la + 90.0) / q->near_deg);
    index -= q->near_cy0;
    index *= q->near_ncx;
    index += floor_mod((int64_t)floor((lo + 180.0) / q->near_deg), q->near_ncx);
    if (index < 0 || index >= q->n_dense) return;
    int32_t row = q->dense[index];
    if (row < 0) return;
    const int64_t *c = q->cand + (int64_t)row * q->width;
    double cos_la = cos(la * DEG);
    int64_t best_p = c[0];
    double best = term(q, la, lo, cos_la, best_p);
    for (int64_t k = 1; k < q->width; k++) {
        int64_t p = c[k];
        if (p < 0) continue;
        double a = term(q, la, lo, cos_la, p);
        if (a < best) { /* candidates are in port order: ties keep the lower id */
            best = a;
            best_p = p;
        }
    }
    double d = asin(sqrt(best)) * q->two_r;
    if (d <= q->near_radius_km) {
        *dist = d;
        *port = (int32_t)best_p;
    }
}

/*
 * Fills ``o`` for the day ``d``. Returns 0, or (with check_order) the row
 * number + 1 of the first row that is not strictly after the row above in
 * (mmsi, t) order; the caller then sorts the day and calls again.
 */
int64_t dprkwatch_track_flags(const Params *q, const Day *d, Out *o, int check_order) {
    int64_t head = 0;
    for (int64_t i = 0; i < d->n; i++) {
        double la = d->lat[i], lo = d->lon[i];
        int has_prev, p_loiter;
        int64_t pt;
        double pla, plo;
        int32_t p_port;
        if (d->first[i]) {
            if (check_order && i > 0 && d->mmsi[i] < d->mmsi[i - 1]) return i + 1;
            has_prev = d->c_known[head];
            pt = d->c_t[head];
            pla = d->c_lat[head];
            plo = d->c_lon[head];
            p_loiter = d->c_loiter[head];
            p_port = d->c_port[head];
            head++;
        } else {
            if (check_order && d->t[i] <= d->t[i - 1]) return i + 1;
            has_prev = 1;
            pt = d->t[i - 1];
            pla = d->lat[i - 1];
            plo = d->lon[i - 1];
            p_loiter = o->loiter_q[i - 1];
            p_port = o->port_id[i - 1];
        }
        double dt = (double)(d->t[i] - pt);
        dt /= US;
        double limit = dt * q->max_speed_kmh;
        limit /= 3600.0;
        limit += q->position_noise_km;
        int jump = 0;
        if (has_prev) {
            /* meridian-then-parallel bound first: the exact distance only where it may jump */
            double bound = fabs(la - pla);
            double dlon = fabs(lo - plo);
            double other = 360.0 - dlon;
            if (other < dlon) dlon = other;
            bound += dlon;
            bound *= q->km_per_deg;
            if (bound >= limit * q->slack) jump = haversine(q->two_r, pla, plo, la, lo) > limit;
        }
        int newseg = (dt > q->max_gap_s) | jump | !has_prev;
        int slow = (double)d->sog[i] < q->slow_knots; /* NaN compares false */
        double dist = INFINITY;
        int32_t port = -1;
        if (slow || in_port_cell(q, la, lo)) nearest(q, la, lo, &dist, &port);
        int loiter_q = slow && dist > q->loiter_port_km;
        int port_q = dist <= q->port_exit_km;
        int32_t port_id = port_q ? port : -1;
        int same_seg = !newseg;
        int port_cont = p_port == port_id && port_q && same_seg;
        o->p_t[i] = pt;
        o->p_lat[i] = pla;
        o->p_lon[i] = plo;
        o->has_prev[i] = (uint8_t)has_prev;
        o->slow[i] = (uint8_t)slow;
        o->d_port[i] = dist;
        o->dt_s[i] = dt;
        o->jump[i] = (uint8_t)jump;
        o->newseg[i] = (uint8_t)newseg;
        o->loiter_q[i] = (uint8_t)loiter_q;
        o->port_id[i] = port_id;
        o->port_q[i] = (uint8_t)port_q;
        o->loiter_cont[i] = (uint8_t)(p_loiter && loiter_q && same_seg);
        o->port_cont[i] = (uint8_t)port_cont;
        o->port_exit[i] = (uint8_t)(p_port >= 0 && same_seg && !port_cont);
    }
    return 0;
}
