/* The error table: names are stable, every code has a message. */
#include <string.h>

#include "sotto/sotto.h"
#include "testutil.h"

int main(void)
{
    t_init();
    CHECK(strcmp(sotto_err_name(SOTTO_OK), "ok") == 0);
    CHECK(strcmp(sotto_err_name(SOTTO_ERR_BAD_MAC), "bad_mac") == 0);
    CHECK(strcmp(sotto_err_name(SOTTO_ERR_TOO_FAR_AHEAD), "too_far_ahead") == 0);
    CHECK(strcmp(sotto_err_name(-1), "unknown") == 0);
    CHECK(strcmp(sotto_err_name(SOTTO_ERR__COUNT), "unknown") == 0);
    for (int e = 0; e < SOTTO_ERR__COUNT; e++) {
        CHECK(strcmp(sotto_err_name(e), "unknown") != 0);
        CHECK(strlen(sotto_strerror(e)) > 0);
    }
    return t_done();
}
