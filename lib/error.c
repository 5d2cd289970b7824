/* Names and messages for the error table in include/sotto/error.h. */
#include "sotto/error.h"

const char *sotto_err_name(int err)
{
    switch (err) {
#define SOTTO_ERR_NAME(name, str, msg)                                                             \
    case SOTTO_ERR_##name:                                                                         \
        return str;
        SOTTO_ERRNO_MAP(SOTTO_ERR_NAME)
#undef SOTTO_ERR_NAME
    default:
        return "unknown";
    }
}

const char *sotto_strerror(int err)
{
    switch (err) {
#define SOTTO_ERR_MSG(name, str, msg)                                                              \
    case SOTTO_ERR_##name:                                                                         \
        return msg;
        SOTTO_ERRNO_MAP(SOTTO_ERR_MSG)
#undef SOTTO_ERR_MSG
    default:
        return "unknown error";
    }
}
