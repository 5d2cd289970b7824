/*
 * `sottod admin accounts | devices USER | queues | log | verify-log | kt |
 * kt-leaves`: read-only views of
 * the store for operators. Safe while sottod runs (SQLite WAL readers).
 */
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "config.h"
#include "kt.h"
#include "log.h"
#include "store/store.h"

static int print_line(void *arg, const char *line)
{
    (void)arg;
    printf("%s\n", line);
    return 0;
}

int sd_admin_main(const struct sd_config *cfg, int argc, char **argv)
{
    struct sd_store *st;
    const char *what = argc > 0 ? argv[0] : "";
    int rc;

    if (argc < 1 || (strcmp(what, "devices") == 0 && argc < 2)) {
        fprintf(stderr,
                "usage: sottod [options] admin accounts | devices USERNAME | queues | log | "
                "verify-log | kt | kt-leaves\n");
        return 2;
    }
    if (sd_store_open(&st, cfg, 1) != SD_ST_OK) {
        fprintf(stderr, "sottod admin: cannot open %s\n",
                cfg->store == SD_STORE_POSTGRES ? "the PostgreSQL store (postgres.conninfo right?)"
                                                : "the database (is data_dir right?)");
        return 1;
    }
    if (strcmp(what, "kt") == 0 || strcmp(what, "kt-leaves") == 0) {
        char key[600];
        snprintf(key, sizeof(key), "%s/log.key", cfg->data_dir);
        rc = sd_kt_admin(st, key, strcmp(what, "kt-leaves") == 0, print_line, NULL);
    } else {
        rc = st->ops->admin_list(st, what, argc > 1 ? argv[1] : NULL, print_line, NULL);
    }
    st->ops->close(st);
    if (rc == SD_ST_NOT_FOUND) {
        fprintf(
            stderr,
            "sottod admin: unknown view \"%s\"; try accounts, devices, queues, log, verify-log, "
            "kt, kt-leaves\n",
            what);
        return 2;
    }
    return rc == SD_ST_OK ? 0 : 1;
}
