/*
 * K-PKE, FIPS 203 §5 (Algorithms 13-15). The matrix A_hat is sampled one
 * row at a time where it is used (A_hat[i][j] = SampleNTT(rho || j || i)),
 * so it never sits on the stack whole; matrix entries and noise
 * polynomials are sampled four at a time (four-way Keccak). Secret
 * polynomials are wiped before returning.
 */
#include "crypto/crypto.h"
#include "kpke.h"
#include "poly.h"

struct vec {
    struct st_poly p[ST_KEM_MAX_K];
};

/* Noise polynomials out[i] = SamplePolyCBD_2(PRF_2(s, n0 + i)), i < count,
 * four at a time; unused lanes land in a scratch polynomial. */
static void noise(struct st_poly *const *out, unsigned count, const uint8_t s[32], uint8_t n0)
{
    struct st_poly scratch;

    for (unsigned b = 0; b < count; b += 4) {
        struct st_poly *p[4];
        uint8_t n[4];
        for (unsigned j = 0; j < 4; j++) {
            p[j] = b + j < count ? out[b + j] : &scratch;
            n[j] = (uint8_t)(n0 + b + j);
        }
        st_poly_noise_eta2_x4(p, s, n);
    }
    st_wipe(&scratch, sizeof scratch);
}

/* Row i of A_hat (transposed = 0) or of A_hat^T (transposed = 1): a[j] =
 * A_hat[i][j] = SampleNTT(rho || j || i), or A_hat[j][i]. k <= 4 entries
 * in one four-way call; a spare lane goes to a scratch polynomial. */
static void matrix_row(struct st_poly a[ST_KEM_MAX_K], unsigned k, const uint8_t rho[32],
                       unsigned i, int transposed)
{
    struct st_poly scratch;
    struct st_poly *p[4];
    uint8_t xy[4][2];

    for (unsigned j = 0; j < 4; j++) {
        p[j] = j < k ? &a[j] : &scratch;
        xy[j][0] = (uint8_t)(transposed ? i : j);
        xy[j][1] = (uint8_t)(transposed ? j : i);
    }
    st_poly_sample_ntt_x4(p, rho, xy);
}

void st_kpke_keygen(const struct st_kem_params *p, uint8_t *ek, uint8_t *dk, const uint8_t rho[32],
                    const uint8_t sigma[32])
{
    struct vec s, e, a;
    struct st_poly t;
    struct st_poly *se[2 * ST_KEM_MAX_K] = {0};
    unsigned k = p->k;

    /* s[i] with N = i, then e[i] with N = k + i */
    for (unsigned i = 0; i < k; i++) {
        se[i] = &s.p[i];
        se[k + i] = &e.p[i];
    }
    noise(se, 2 * k, sigma, 0);
    for (unsigned i = 0; i < k; i++) {
        st_poly_ntt(&s.p[i]);
        st_poly_ntt(&e.p[i]);
    }
    /* t_hat = A_hat o s_hat + e_hat */
    for (unsigned i = 0; i < k; i++) {
        matrix_row(a.p, k, rho, i, 0);
        st_poly_zero(&t);
        for (unsigned j = 0; j < k; j++)
            st_poly_basemul_acc(&t, &a.p[j], &s.p[j]);
        st_poly_tomont(&t);
        st_poly_add(&t, &e.p[i]);
        st_poly_reduce(&t);
        st_poly_tobytes(ek + 384 * i, &t);
        st_poly_tobytes(dk + 384 * i, &s.p[i]);
    }
    for (unsigned b = 0; b < 32; b++)
        ek[384 * k + b] = rho[b];
    st_wipe(&s, sizeof s);
    st_wipe(&e, sizeof e);
    st_wipe(&t, sizeof t);
}

void st_kpke_encrypt(const struct st_kem_params *p, uint8_t *c, const uint8_t *ek,
                     const uint8_t m[32], const uint8_t r[32])
{
    struct vec y, e1, th, a;
    struct st_poly u, e2;
    struct st_poly *noises[2 * ST_KEM_MAX_K + 1] = {0};
    const uint8_t *rho = ek + 384 * p->k;
    unsigned k = p->k;

    /* y[i] with N = i, e1[i] with N = k + i, e2 with N = 2k */
    for (unsigned i = 0; i < k; i++) {
        noises[i] = &y.p[i];
        noises[k + i] = &e1.p[i];
    }
    noises[2 * k] = &e2;
    noise(noises, 2 * k + 1, r, 0);
    for (unsigned i = 0; i < k; i++) {
        st_poly_frombytes(&th.p[i], ek + 384 * i);
        st_poly_ntt(&y.p[i]);
    }
    /* u = NTT^-1(A_hat^T o y_hat) + e1 */
    for (unsigned i = 0; i < k; i++) {
        matrix_row(a.p, k, rho, i, 1);
        st_poly_zero(&u);
        for (unsigned j = 0; j < k; j++)
            st_poly_basemul_acc(&u, &a.p[j], &y.p[j]);
        st_poly_reduce(&u);
        st_poly_invntt(&u);
        st_poly_add(&u, &e1.p[i]);
        st_poly_compress(c + 32 * p->du * i, &u, p->du);
    }
    /* v = NTT^-1(t_hat^T o y_hat) + e2 + Decompress_1(m) */
    st_poly_zero(&u);
    for (unsigned j = 0; j < k; j++)
        st_poly_basemul_acc(&u, &th.p[j], &y.p[j]);
    st_poly_reduce(&u);
    st_poly_invntt(&u);
    st_poly_add(&u, &e2);
    st_poly_decompress(&e2, m, 1);
    st_poly_add(&u, &e2);
    st_poly_compress(c + 32 * p->du * k, &u, p->dv);
    st_wipe(&y, sizeof y);
    st_wipe(&e1, sizeof e1);
    st_wipe(&u, sizeof u);
    st_wipe(&e2, sizeof e2);
}

void st_kpke_decrypt(const struct st_kem_params *p, uint8_t m[32], const uint8_t *dk,
                     const uint8_t *c)
{
    struct st_poly s, u, w, acc;
    unsigned k = p->k;

    /* w = v' - NTT^-1(s_hat^T o NTT(u')) */
    st_poly_zero(&acc);
    for (unsigned i = 0; i < k; i++) {
        st_poly_decompress(&u, c + 32 * p->du * i, p->du);
        st_poly_ntt(&u);
        st_poly_frombytes(&s, dk + 384 * i);
        st_poly_basemul_acc(&acc, &s, &u);
    }
    st_poly_reduce(&acc);
    st_poly_invntt(&acc);
    st_poly_decompress(&w, c + 32 * p->du * k, p->dv);
    st_poly_sub(&w, &acc);
    st_poly_compress(m, &w, 1);
    st_wipe(&s, sizeof s);
    st_wipe(&w, sizeof w);
    st_wipe(&acc, sizeof acc);
}
