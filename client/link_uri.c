/*
 * Device link URIs (client/link_uri.h): a strict, bounded parser over
 * (pointer, length) and the canonical builder. No percent-decoding: see the
 * grammar in the header.
 */
#include <stdio.h>
#include <string.h>

#include "client/link_uri.h"

#include "client/hex.h"

static const char prefix[] = "sotto://link?";

enum { HAVE_ACCOUNT = 1, HAVE_KEY = 2, HAVE_REGID = 4, HAVE_ALL = 7, KEY_NAME_MAX = 32 };

/* One "key=value" pair, as slices of the input. */
struct pair {
    const char *key, *val;
    size_t klen, vlen;
};

static int unreserved(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

static int keychar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

static int is(const struct pair *p, const char *name)
{
    return p->klen == strlen(name) && memcmp(p->key, name, p->klen) == 0;
}

/* Splits s[*pos..len) at the next '&' into *p; refuses characters outside
 * the grammar (this is where '%', '#', spaces and NULs are caught). */
static int next_pair(struct pair *p, const char **why, const char *s, size_t len, size_t *pos)
{
    size_t i = *pos;
    p->key = s + i;
    while (i < len && keychar(s[i]))
        i++;
    p->klen = (size_t)(s + i - p->key);
    if (p->klen == 0 || p->klen > KEY_NAME_MAX || i >= len || s[i] != '=') {
        *why = i < len && s[i] == '%' ? "percent-encoding is not used in link URIs"
                                      : "expected key=value pairs joined by '&'";
        return -1;
    }
    p->val = s + ++i;
    while (i < len && unreserved(s[i]))
        i++;
    p->vlen = (size_t)(s + i - p->val);
    if (i < len && s[i] != '&') {
        *why = s[i] == '%' ? "percent-encoding is not used in link URIs"
                           : "unexpected character in a value (trailing junk?)";
        return -1;
    }
    if (i < len && i + 1 == len) {
        *why = "the URI ends with '&'";
        return -1;
    }
    *pos = i < len ? i + 1 : i;
    return 0;
}

static int take_account(struct sc_link_info *o, const struct pair *p)
{
    if (p->vlen == 0 || p->vlen > SC_NAME_MAX)
        return -1;
    memcpy(o->account, p->val, p->vlen);
    o->account[p->vlen] = 0;
    return sc_name_valid(o->account) ? 0 : -1;
}

static int take_key(struct sc_link_info *o, const struct pair *p)
{
    if (sc_hex_decode(o->device_key, SC_IDKEY_BYTES, p->val, p->vlen) != SOTTO_OK)
        return -1;
    return o->device_key[0] == 0x05 ? 0 : -1;
}

static int take_regid(struct sc_link_info *o, const struct pair *p)
{
    uint32_t v = 0;
    if (p->vlen == 0 || p->vlen > 5 || p->val[0] == '0')
        return -1;
    for (size_t i = 0; i < p->vlen; i++) {
        if (p->val[i] < '0' || p->val[i] > '9')
            return -1;
        v = v * 10 + (uint32_t)(p->val[i] - '0');
    }
    if (v > SC_LINK_REGID_MAX)
        return -1;
    o->registration_id = v;
    return 0;
}

/* Stores one known pair in *o; unknown keys are skipped. */
static int take(struct sc_link_info *o, int *have, const char **why, const struct pair *p)
{
    int bit = is(p, "account")           ? HAVE_ACCOUNT
              : is(p, "device_key")      ? HAVE_KEY
              : is(p, "registration_id") ? HAVE_REGID
                                         : 0;
    if (bit == 0)
        return 0;
    if (*have & bit) {
        *why = "a key appears twice";
        return -1;
    }
    *have |= bit;
    switch (bit) {
    case HAVE_ACCOUNT:
        *why = "account is not an account name ([a-z0-9._-], 1 to 64 characters)";
        return take_account(o, p);
    case HAVE_KEY:
        *why = "device_key is not 66 hex digits of a key starting with 05";
        return take_key(o, p);
    default:
        *why = "registration_id is not a number from 1 to 16380";
        return take_regid(o, p);
    }
}

int sc_link_uri_parse(struct sc_link_info *out, const char **why, const char *uri, size_t len)
{
    const char *dummy;
    size_t pos = sizeof prefix - 1;
    int have = 0, rc = SOTTO_ERR_INVALID_MESSAGE;
    struct pair p;

    memset(out, 0, sizeof *out);
    if (why == NULL)
        why = &dummy;
    *why = "not a sotto link URI (it starts with sotto://link?)";
    if (len > SC_LINK_URI_MAX) {
        *why = "the URI is too long to be a sotto link URI";
        return SOTTO_ERR_TOO_LARGE;
    }
    if (len < pos || memcmp(uri, prefix, pos) != 0)
        goto out;
    while (pos < len) {
        if (next_pair(&p, why, uri, len, &pos) != 0 || take(out, &have, why, &p) != 0)
            goto out;
    }
    if (have != HAVE_ALL) {
        *why = !(have & HAVE_ACCOUNT) ? "account is missing"
               : !(have & HAVE_KEY)   ? "device_key is missing"
                                      : "registration_id is missing";
        goto out;
    }
    *why = "";
    rc = SOTTO_OK;
out:
    if (rc != SOTTO_OK)
        memset(out, 0, sizeof *out);
    return rc;
}

int sc_link_uri_build(char *out, size_t cap, const struct sc_link_info *in)
{
    static const char hex[] = "0123456789abcdef";
    char key[2 * SC_IDKEY_BYTES + 1];
    int n;
    if (cap > 0)
        out[0] = 0;
    if (memchr(in->account, 0, sizeof in->account) == NULL || !sc_name_valid(in->account) ||
        in->device_key[0] != 0x05 || in->registration_id == 0 ||
        in->registration_id > SC_LINK_REGID_MAX)
        return SOTTO_ERR_INVALID_ARGUMENT;
    for (size_t i = 0; i < SC_IDKEY_BYTES; i++) {
        key[2 * i] = hex[in->device_key[i] >> 4];
        key[2 * i + 1] = hex[in->device_key[i] & 15];
    }
    key[sizeof key - 1] = 0;
    n = snprintf(out, cap, "%saccount=%s&device_key=%s&registration_id=%u", prefix, in->account,
                 key, (unsigned)in->registration_id);
    if (n < 0 || (size_t)n >= cap) {
        if (cap > 0)
            out[0] = 0;
        return SOTTO_ERR_TOO_LARGE;
    }
    return SOTTO_OK;
}
