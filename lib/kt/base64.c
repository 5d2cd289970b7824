/* Standard base64 (RFC 4648 section 4) for checkpoint notes: padded, and
 * decoded strictly so each value has one text form. Not for secrets (the
 * table lookups depend on the data). */
#include "kt_internal.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t st_kt_b64_len(size_t len)
{
    return (len + 2) / 3 * 4;
}

void st_kt_b64_encode(char *out, const uint8_t *in, size_t len)
{
    size_t i = 0, o = 0;

    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = alphabet[v >> 18];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = alphabet[(v >> 6) & 63];
        out[o++] = alphabet[v & 63];
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        out[o++] = alphabet[v >> 18];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = '=';
        out[o++] = '=';
    } else if (len - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        out[o++] = alphabet[v >> 18];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = alphabet[(v >> 6) & 63];
        out[o++] = '=';
    }
}

static int value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

int st_kt_b64_decode(uint8_t *out, size_t *out_len, size_t cap, const char *in, size_t len)
{
    size_t o = 0;

    *out_len = 0;
    if (len % 4 != 0)
        return SOTTO_ERR_INVALID_MESSAGE;
    for (size_t i = 0; i < len; i += 4) {
        int last = i + 4 == len;
        int pad = (in[i + 3] == '=') + (in[i + 2] == '=' && in[i + 3] == '=');
        int v[4];
        uint32_t q = 0;
        size_t n = 3 - (size_t)pad;

        if (pad && !last)
            return SOTTO_ERR_INVALID_MESSAGE;
        for (int j = 0; j < 4 - pad; j++) {
            v[j] = value(in[i + (size_t)j]);
            if (v[j] < 0)
                return SOTTO_ERR_INVALID_MESSAGE;
            q = q << 6 | (uint32_t)v[j];
        }
        q <<= 6 * pad;
        /* canonical: the bits dropped by padding are zero */
        if ((pad == 1 && (q & 0xff)) || (pad == 2 && (q & 0xffff)))
            return SOTTO_ERR_INVALID_MESSAGE;
        if (o + n > cap)
            return SOTTO_ERR_TOO_LARGE;
        out[o++] = (uint8_t)(q >> 16);
        if (n > 1)
            out[o++] = (uint8_t)(q >> 8);
        if (n > 2)
            out[o++] = (uint8_t)q;
    }
    *out_len = o;
    return SOTTO_OK;
}
