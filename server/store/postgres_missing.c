/* Builds without libpq: server.store = postgres fails with a clear reason. */
#include "log.h"
#include "store/store.h"

int sd_store_postgres_open(struct sd_store **out, const char *conninfo, int readonly)
{
    (void)conninfo;
    (void)readonly;
    *out = NULL;
    sd_log(SD_LOG_ERROR, "this sottod was built without PostgreSQL support",
           "hint=\"install libpq-dev (scripts/deps) and rebuild, or set server.store = sqlite\"");
    return SD_ST_ERROR;
}
