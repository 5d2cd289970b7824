/* sotto chat: placeholder until the TUI lands. */
#include "cli.h"

int cmd_chat(struct cli *c, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_fail(c, EXIT_UNEXPECTED, "unsupported", "", "chat is not built yet");
}
