/*
 * Checkpoints: C2SP tlog-checkpoint note text in a C2SP signed note.
 *
 *   <origin>\n<tree size>\n<base64 root hash>\n
 *   \n
 *   — <origin> <base64(key ID || XEdDSA signature)>\n
 *
 * The log key is a Curve25519 key signing with XEdDSA (DESIGN.md: one
 * signature scheme across sotto), not Ed25519. signed-note reserves the
 * signature type 0xff for such schemes, followed by a longer identifier:
 *
 *   key ID = SHA-256(origin || 0x0A || 0xff || "sotto-xeddsa" || 0x05 || u)[:4]
 *
 * Parsing is strict: exactly the three checkpoint lines (sotto's log writes
 * no extension lines), the size in decimal without leading zeros, the root
 * as 44 base64 characters, no control characters but newline. Other keys'
 * signature lines (witness cosignatures) are ignored, as signed-note
 * requires, but must be well formed; at most SOTTO_KT_NOTE_SIGS_MAX lines.
 */
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/sha256_multi.h"
#include "kt_internal.h"

enum { KEYID_BYTES = 4, ROOT_B64 = 44, SIG_B64 = 92 /* b64(4 + 64) */ };

static const char dash[] = "\xe2\x80\x94 "; /* U+2014 EM DASH, space */
static const char sigtype[] = "\xffsotto-xeddsa";

static void key_id(uint8_t id[KEYID_BYTES], const char *origin, size_t olen,
                   const uint8_t key[SOTTO_KT_KEY_BYTES])
{
    struct st_sha256 h;
    uint8_t d[ST_SHA256_BYTES];
    static const uint8_t nl = '\n';

    st_sha256_init(&h);
    st_sha256_update(&h, (const uint8_t *)origin, olen);
    st_sha256_update(&h, &nl, 1);
    st_sha256_update(&h, (const uint8_t *)sigtype, sizeof sigtype - 1);
    st_sha256_update(&h, key, SOTTO_KT_KEY_BYTES);
    st_sha256_final(&h, d);
    memcpy(id, d, KEYID_BYTES);
}

/* Origins (and so key names): 1..255 bytes of printable ASCII, no space or
 * '+' (signed-note forbids them in key names). */
int st_kt_origin_ok(const char *o, size_t len)
{
    if (len == 0 || len > SOTTO_KT_ORIGIN_MAX)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (o[i] <= ' ' || o[i] > '~' || o[i] == '+')
            return 0;
    return 1;
}

/* Decimal uint64 without leading zeros. */
static int parse_size(uint64_t *out, const char *s, size_t len)
{
    uint64_t v = 0;

    if (len == 0 || len > 20 || (len > 1 && s[0] == '0'))
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
            return -1;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return 0;
}

static size_t put_u64(char *out, uint64_t v)
{
    char tmp[20];
    size_t n = 0, i = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        out[i++] = tmp[--n];
    return i;
}

/* The note text; returns its length (buf holds at least 256 + 22 + 45). */
static size_t note_text(char *buf, const struct sotto_kt_checkpoint *cp, size_t olen)
{
    size_t n = 0;
    memcpy(buf, cp->origin, olen);
    n = olen;
    buf[n++] = '\n';
    n += put_u64(buf + n, cp->size);
    buf[n++] = '\n';
    st_kt_b64_encode(buf + n, cp->root, SOTTO_KT_HASH_BYTES);
    n += ROOT_B64;
    buf[n++] = '\n';
    return n;
}

int sotto_kt_checkpoint_sign(char *out, size_t *out_len, size_t cap,
                             const struct sotto_kt_checkpoint *cp,
                             const uint8_t log_priv[SOTTO_KT_PRIV_BYTES])
{
    uint8_t u[ST_X25519_BYTES], key[SOTTO_KT_KEY_BYTES], idsig[KEYID_BYTES + ST_SIG_BYTES];
    size_t olen = st_kt_strnlen(cp->origin, sizeof cp->origin), n, need;
    char text[SOTTO_KT_ORIGIN_MAX + 1 + 21 + ROOT_B64 + 1];
    int rc;

    *out_len = 0;
    if (!st_kt_origin_ok(cp->origin, olen))
        return SOTTO_ERR_INVALID_ARGUMENT;
    rc = st_x25519_public(u, log_priv);
    if (rc != SOTTO_OK)
        return rc;
    st_pubkey_encode(key, u);
    n = note_text(text, cp, olen);
    key_id(idsig, cp->origin, olen, key);
    rc = st_xeddsa_sign(idsig + KEYID_BYTES, log_priv, (const uint8_t *)text, n);
    if (rc != SOTTO_OK)
        return rc;
    need = n + 1 + (sizeof dash - 1) + olen + 1 + SIG_B64 + 1;
    if (need + 1 > cap)
        return SOTTO_ERR_TOO_LARGE;
    memcpy(out, text, n);
    out[n++] = '\n';
    memcpy(out + n, dash, sizeof dash - 1);
    n += sizeof dash - 1;
    memcpy(out + n, cp->origin, olen);
    n += olen;
    out[n++] = ' ';
    st_kt_b64_encode(out + n, idsig, sizeof idsig);
    n += SIG_B64;
    out[n++] = '\n';
    out[n] = '\0';
    *out_len = n;
    return SOTTO_OK;
}

/* Next line of [p, end): sets *line_len (without the newline); returns the
 * start of the following line, or NULL if there is no newline. */
static const char *next_line(const char *p, const char *end, size_t *line_len)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (nl == NULL)
        return NULL;
    *line_len = (size_t)(nl - p);
    return nl + 1;
}

/* The three checkpoint lines of the note text [p, end). */
static int parse_text(struct sotto_kt_checkpoint *cp, const char *p, const char *end)
{
    const char *l2, *l3, *rest;
    size_t n1, n2, n3, rlen;

    l2 = next_line(p, end, &n1);
    l3 = l2 ? next_line(l2, end, &n2) : NULL;
    rest = l3 ? next_line(l3, end, &n3) : NULL;
    if (rest != end || !st_kt_origin_ok(p, n1) || parse_size(&cp->size, l2, n2) != 0 ||
        n3 != ROOT_B64)
        return SOTTO_ERR_INVALID_MESSAGE;
    if (st_kt_b64_decode(cp->root, &rlen, sizeof cp->root, l3, n3) != SOTTO_OK ||
        rlen != SOTTO_KT_HASH_BYTES)
        return SOTTO_ERR_INVALID_MESSAGE;
    memcpy(cp->origin, p, n1);
    cp->origin[n1] = '\0';
    return SOTTO_OK;
}

struct sigcheck {
    const char *origin;
    size_t olen;
    const uint8_t *key;
    const char *text;
    size_t text_len;
    int found;
};

/* One signature line "— name base64"; verifies it if it names our key. */
static int check_sig_line(struct sigcheck *s, const char *p, size_t len)
{
    const char *sp, *b64;
    size_t nlen, blen, dlen;
    uint8_t idsig[KEYID_BYTES + ST_SIG_BYTES], id[KEYID_BYTES], u[ST_X25519_BYTES];

    if (len < sizeof dash - 1 || memcmp(p, dash, sizeof dash - 1) != 0)
        return SOTTO_ERR_INVALID_MESSAGE;
    p += sizeof dash - 1;
    len -= sizeof dash - 1;
    sp = memchr(p, ' ', len);
    if (sp == NULL || sp == p || sp + 1 == p + len)
        return SOTTO_ERR_INVALID_MESSAGE;
    nlen = (size_t)(sp - p);
    b64 = sp + 1;
    blen = len - nlen - 1;
    if (memchr(b64, ' ', blen) != NULL)
        return SOTTO_ERR_INVALID_MESSAGE;
    if (nlen != s->olen || memcmp(p, s->origin, nlen) != 0 || blen != SIG_B64)
        return SOTTO_OK; /* another key: ignored */
    if (st_kt_b64_decode(idsig, &dlen, sizeof idsig, b64, blen) != SOTTO_OK || dlen != sizeof idsig)
        return SOTTO_ERR_INVALID_MESSAGE;
    key_id(id, s->origin, s->olen, s->key);
    if (memcmp(id, idsig, KEYID_BYTES) != 0)
        return SOTTO_OK; /* same name, other key: ignored */
    if (st_pubkey_decode(u, s->key, SOTTO_KT_KEY_BYTES) != SOTTO_OK ||
        st_xeddsa_verify(idsig + KEYID_BYTES, u, (const uint8_t *)s->text, s->text_len) != SOTTO_OK)
        return SOTTO_ERR_INVALID_SIGNATURE;
    s->found = 1;
    return SOTTO_OK;
}

/* Control characters other than newline are not allowed in notes. */
static int clean(const char *note, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)note[i] < 0x20 && note[i] != '\n') || note[i] == 0x7f)
            return 0;
    return 1;
}

/* The separating blank line: the last "\n\n" (text ends at its first \n). */
static const char *find_split(const char *note, size_t len)
{
    for (size_t i = len - 1; i-- > 0;)
        if (note[i] == '\n' && note[i + 1] == '\n')
            return note + i + 1;
    return NULL;
}

int sotto_kt_checkpoint_verify(struct sotto_kt_checkpoint *cp, const char *note, size_t len,
                               const char *origin, const uint8_t log_key[SOTTO_KT_KEY_BYTES])
{
    struct sigcheck s = {.origin = origin, .key = log_key, .text = note};
    const char *split, *p, *end = note + len;
    int rc, lines = 0;

    memset(cp, 0, sizeof *cp);
    s.olen = st_kt_strnlen(origin, SOTTO_KT_ORIGIN_MAX + 1);
    if (!st_kt_origin_ok(origin, s.olen))
        return SOTTO_ERR_INVALID_ARGUMENT;
    if (len > SOTTO_KT_CHECKPOINT_MAX)
        return SOTTO_ERR_TOO_LARGE;
    if (len < 2 || !clean(note, len) || note[len - 1] != '\n' ||
        (split = find_split(note, len)) == NULL)
        return SOTTO_ERR_INVALID_MESSAGE;
    s.text_len = (size_t)(split - note);
    rc = parse_text(cp, note, split);
    if (rc == SOTTO_OK && strcmp(cp->origin, origin) != 0)
        rc = SOTTO_ERR_INVALID_MESSAGE;
    for (p = split + 1; rc == SOTTO_OK && p < end; lines++) {
        size_t llen = 0;
        const char *next = next_line(p, end, &llen);
        if (lines == SOTTO_KT_NOTE_SIGS_MAX)
            rc = SOTTO_ERR_TOO_LARGE;
        else
            rc = check_sig_line(&s, p, llen);
        p = next;
    }
    if (rc == SOTTO_OK && !s.found)
        rc = SOTTO_ERR_INVALID_SIGNATURE;
    if (rc != SOTTO_OK)
        memset(cp, 0, sizeof *cp);
    return rc;
}
