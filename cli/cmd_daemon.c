/* sotto daemon: placeholder until the JSON-RPC server lands. */
#include "cli.h"

int cmd_daemon(struct cli *c, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_fail(c, EXIT_UNEXPECTED, "unsupported", "", "daemon is not built yet");
}
