/* Hex encoding (client/hex.h). */
#include "client/hex.h"

static int nibble(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

void sc_hex_encode(char *out, const uint8_t *in, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * len] = 0;
}

int sc_hex_decode(uint8_t *out, size_t n, const char *hex, size_t hexlen)
{
    if (hex == NULL || hexlen != 2 * n)
        return SOTTO_ERR_INVALID_ARGUMENT;
    for (size_t i = 0; i < n; i++) {
        int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return SOTTO_ERR_INVALID_ARGUMENT;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return SOTTO_OK;
}
