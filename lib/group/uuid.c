/* UUID text form (RFC 9562 section 4) for distribution ids. */
#include <string.h>

#include "sotto/group.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int is_dash_at(size_t i)
{
    return i == 8 || i == 13 || i == 18 || i == 23;
}

int sotto_group_uuid_parse(uint8_t out[SOTTO_GROUP_UUID_BYTES], const char *s)
{
    size_t n = 0;

    if (out == NULL)
        return SOTTO_ERR_INVALID_ARGUMENT;
    memset(out, 0, SOTTO_GROUP_UUID_BYTES);
    if (s == NULL || strlen(s) != 36)
        return SOTTO_ERR_INVALID_ARGUMENT;
    for (size_t i = 0; i < 36; i++) {
        if (is_dash_at(i)) {
            if (s[i] != '-')
                goto bad;
            continue;
        }
        int hi = hexval(s[i]), lo = hexval(s[i + 1]);
        if (hi < 0 || lo < 0 || is_dash_at(i + 1))
            goto bad;
        out[n++] = (uint8_t)(hi << 4 | lo);
        i++;
    }
    return SOTTO_OK;
bad:
    memset(out, 0, SOTTO_GROUP_UUID_BYTES);
    return SOTTO_ERR_INVALID_ARGUMENT;
}

void sotto_group_uuid_format(char out[37], const uint8_t uuid[SOTTO_GROUP_UUID_BYTES])
{
    static const char digits[] = "0123456789abcdef";
    size_t o = 0;

    for (size_t i = 0; i < SOTTO_GROUP_UUID_BYTES; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = digits[uuid[i] >> 4];
        out[o++] = digits[uuid[i] & 15];
    }
    out[o] = '\0';
}
