#ifndef SD_ADMIN_H
#define SD_ADMIN_H

#include "config.h"

/* argv[0] is the view name. Returns the process exit status. */
int sd_admin_main(const struct sd_config *cfg, int argc, char **argv);

#endif
