/* sotto react NAME (--target-id ID | --target-timestamp MS) --emoji E */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "client/sync.h"
#include "shared.h"

static const char help[] =
    "usage: sotto [-a ACCOUNT] react NAME (--target-id ID | --target-timestamp MS)\n"
    "                           --emoji E\n"
    "\n"
    "Reacts to a message of your conversation with NAME. The message is named by\n"
    "its id (the \"id\" of `sotto -o json history NAME`) or by its timestamp in\n"
    "milliseconds (\"ts\"). The reaction is queued and sent like a message and is\n"
    "shown in both histories as `reacted E to ID \"text\"` (-o json: a\n"
    "sotto.message.v1 object with \"type\":\"reaction\", \"target\" and the emoji\n"
    "as \"text\").\n"
    "\n"
    "Options:\n"
    "  --target-id ID          the message's id (32 hex digits)\n"
    "  --target-timestamp MS   the message's timestamp (ms since the epoch)\n"
    "  --emoji E               the reaction (up to 64 bytes of UTF-8)\n"
    "\n"
    "Exit status: as for send; 1 also when no such message is in the history.\n";

int cmd_react(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {{"target-id", required_argument, NULL, 'i'},
                                         {"target-timestamp", required_argument, NULL, 't'},
                                         {"emoji", required_argument, NULL, 'e'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *id = NULL, *ts = NULL, *emoji = NULL, *peer;
    char target[SC_MID_LEN + 1];
    int64_t when = 0;
    struct sc_message m;
    size_t sent;
    int opt, rc;

    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (opt == 'i')
            id = optarg;
        else if (opt == 't')
            ts = optarg;
        else if (opt == 'e')
            emoji = optarg;
        else if (opt == 'h') {
            cli_help(help);
            return 0;
        } else
            return cli_fail(c, EXIT_USER, "usage",
                            "see `sotto react --help` (-a and -o go before the command)",
                            "bad option for react");
    }
    if (optind + 1 != argc || emoji == NULL || (id == NULL) == (ts == NULL))
        return cli_fail(c, EXIT_USER, "usage",
                        "usage: sotto react NAME --target-id ID --emoji E (or "
                        "--target-timestamp MS)",
                        "react needs NAME, --emoji and one of --target-id, --target-timestamp");
    if (strlen(emoji) == 0 || strlen(emoji) > SC_EMOJI_MAX)
        return cli_fail(c, EXIT_USER, "bad_emoji", "give one emoji (up to 64 bytes)",
                        "the reaction must be 1-%d bytes", SC_EMOJI_MAX);
    peer = argv[optind];
    if (!sc_name_valid(peer))
        return cli_bad_name(c, peer);
    rc = cli_open_store(c, 0, 0);
    if (rc != 0)
        return rc;
    if (ts != NULL) {
        char *end;
        when = strtoll(ts, &end, 10);
        if (*ts == 0 || *end != 0)
            return cli_fail(c, EXIT_USER, "usage", "the timestamp is in ms, as in `history`",
                            "'%s' is not a timestamp", ts);
    }
    rc = cli_find_target(c, target, peer, id, when);
    if (rc != SOTTO_OK)
        return cli_fail_err(c, rc, "reading the history");
    if (target[0] == 0)
        return cli_fail(
            c, EXIT_USER, "no_such_message", "pick the id or ts from `sotto -o json history NAME`",
            "no message with that %s in your conversation with %s", id ? "id" : "timestamp", peer);
    rc = cli_queue_kind(c, &m, peer, emoji, strlen(emoji), SC_KIND_REACTION, target);
    if (rc != 0)
        return rc;
    {
        char mid[SC_MID_LEN + 1];
        memcpy(mid, m.mid, sizeof mid);
        rc = cli_flush_outbox(c, &sent);
        if (sc_store_message_get(c->store, &m, mid) == SOTTO_OK) {
            cli_print_message(c, &m);
            sc_message_clear(&m);
        }
    }
    return rc;
}
