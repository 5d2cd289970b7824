/* sotto send (NAME | --group GROUP) (-m TEXT | --stdin | -a FILE [-m CAPTION]) */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "shared.h"
#include "client/attach.h"
#include "client/conn.h"
#include "crypto/crypto.h"

static const char help[] =
    "usage: sotto [-a ACCOUNT] send NAME (-m TEXT | --stdin | -a FILE [-m CAPTION])\n"
    "       sotto [-a ACCOUNT] send --group GROUP (-m TEXT | --stdin | -a FILE)\n"
    "\n"
    "Encrypts TEXT for every device of NAME (and your own other devices) and\n"
    "hands it to the server. The message is first written to the encrypted\n"
    "outbox on disk; if the server is down, or the process is killed, it stays\n"
    "there and is sent by the next command that reaches the server (send,\n"
    "receive, chat, daemon), oldest first, with backoff between attempts.\n"
    "\n"
    "Options:\n"
    "  -m, --message TEXT  the message text\n"
    "  --stdin             read the message from standard input (up to 64 KiB)\n"
    "  -a, --attach FILE   send FILE (up to the server's limit, 100 MiB by\n"
    "                      default): encrypted here with a fresh key, uploaded,\n"
    "                      and the key sent inside the message; -m adds a caption.\n"
    "                      Needs the server now (exit 3 when unreachable; nothing\n"
    "                      is queued); too large: exit 1\n"
    "  --name NAME         with -a: the file name the recipient sees (default:\n"
    "                      FILE's own; receivers keep only a safe base name)\n"
    "  -g, --group GROUP   send to a group (id or unique name; `sotto group`):\n"
    "                      encrypted once with your sender key and sent to every\n"
    "                      device of every other member\n"
    "\n"
    "Sending stops for a contact you verified whose identity key has changed:\n"
    "compare safety numbers again (`sotto verify NAME`, `sotto trust NAME\n"
    "--safety-number N`). Queued messages are never re-encrypted to a new key\n"
    "without that.\n"
    "\n"
    "Output: the message (-o json: a sotto.message.v1 object with status\n"
    "\"sent\" or \"queued\").\n"
    "Exit status: 0 sent or safely queued, 1 bad arguments or blocked contact,\n"
    "3 server unreachable (the message is queued), 4 untrusted key, 5 rate\n"
    "limited (queued).\n";

static char *read_stdin(size_t *len)
{
    size_t cap = SC_BODY_MAX + 2;
    char *buf = malloc(cap);
    *len = 0;
    if (buf == NULL)
        return NULL;
    *len = fread(buf, 1, cap - 1, stdin);
    /* One trailing newline is the shell's, not the message's. */
    if (*len > 0 && buf[*len - 1] == '\n' && *len <= SC_BODY_MAX + 1)
        (*len)--;
    buf[*len] = 0;
    return buf;
}

/* Streams path to the server (encrypting record by record, reconnecting
 * and resuming when the connection drops); *body, *blen = the stored
 * descriptor (with our local path). 0 or an exit code (printed). */
static int upload_file(struct cli *c, uint8_t **body, size_t *blen, const char *path,
                       const char *caption, const char *name)
{
    struct sc_attach_net net = {.reconnect = cli_attach_redial, .ctx = c};
    struct cli_error e;
    int rc = cli_connect(c, &net.conn, NULL, NULL, 0);
    if (rc != 0)
        return rc;
    rc = cli_attach_upload_file(&net, body, blen, path, caption, name, &e);
    sc_conn_close(net.conn);
    if (net.reconnects > 0 && !c->quiet)
        fprintf(stderr,
                "sotto: the connection dropped; reconnected %d time(s), resumed the upload at "
                "byte %llu of %llu\n",
                net.reconnects, (unsigned long long)net.resumed_at,
                (unsigned long long)cli_attach_ct_size_of(path));
    if (rc != 0)
        return cli_fail(c, e.code, e.name, e.hint, "%s", e.msg);
    return 0;
}

int cmd_send(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {{"message", required_argument, NULL, 'm'},
                                         {"stdin", no_argument, NULL, 'S'},
                                         {"attach", required_argument, NULL, 'a'},
                                         {"name", required_argument, NULL, 'N'},
                                         {"group", required_argument, NULL, 'g'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *text = NULL, *peer, *file = NULL, *fname = NULL, *group = NULL;
    char *owned = NULL;
    size_t len, sent;
    int opt, use_stdin = 0, rc, kind = SC_KIND_TEXT;
    struct sc_message m;

    while ((opt = getopt_long(argc, argv, "m:a:g:h", opts, NULL)) != -1) {
        switch (opt) {
        case 'g':
            group = optarg;
            break;
        case 'm':
            text = optarg;
            break;
        case 'S':
            use_stdin = 1;
            break;
        case 'a':
            file = optarg;
            break;
        case 'N':
            fname = optarg;
            break;
        case 'h':
            cli_help(help);
            return 0;
        default:
            return cli_fail(c, EXIT_USER, "usage",
                            "see `sotto send --help` (-a and -o go before the command)",
                            "bad option for send");
        }
    }
    if (optind + (group == NULL ? 1 : 0) != argc)
        return cli_fail(c, EXIT_USER, "usage", "usage: sotto send NAME -m TEXT",
                        "send needs exactly one recipient NAME");
    if (file != NULL && use_stdin)
        return cli_fail(c, EXIT_USER, "usage", "give a caption with -m CAPTION",
                        "--stdin does not go with -a");
    if (file == NULL && (text == NULL) == (use_stdin == 0))
        return cli_fail(c, EXIT_USER, "usage", "give the text with -m TEXT or --stdin",
                        "send needs exactly one of -m and --stdin");
    peer = group == NULL ? argv[optind] : NULL;
    rc = cli_open_store(c, 0, 0);
    if (rc != 0)
        return rc;
    if (file != NULL) {
        uint8_t *body = NULL;
        rc = upload_file(c, &body, &len, file, text, fname);
        if (rc != 0)
            return rc;
        owned = (char *)body;
        text = owned;
        kind = SC_KIND_ATTACHMENT;
    } else if (use_stdin) {
        owned = read_stdin(&len);
        if (owned == NULL)
            return cli_fail(c, EXIT_UNEXPECTED, "nomem", "", "out of memory");
        text = owned;
    } else {
        len = strlen(text);
    }
    if (group != NULL)
        rc = cli_queue_group(c, &m, group, text, len, kind);
    else
        rc = cli_queue_kind(c, &m, peer, text, len, kind, NULL);
    if (rc == 0 && group != NULL) {
        char mid[SC_MID_LEN + 1];
        memcpy(mid, m.mid, sizeof mid);
        rc = cli_flush_outbox(c, &sent);
        if (sc_store_message_get(c->store, &m, mid) == SOTTO_OK) {
            cli_print_message(c, &m);
            if (rc == 0 && m.status == SC_MSG_FAILED)
                rc = cli_fail(c, EXIT_USER, "not_group_member", "",
                              "you are no longer a member of the group; not sent");
            sc_message_clear(&m);
        }
    } else if (rc == 0) {
        char mid[SC_MID_LEN + 1];
        memcpy(mid, m.mid, sizeof mid);
        rc = cli_flush_outbox(c, &sent);
        if (sc_store_message_get(c->store, &m, mid) == SOTTO_OK) {
            struct sc_contact ct;
            cli_print_message(c, &m);
            if (rc == 0 && m.status == SC_MSG_FAILED)
                rc = cli_fail(c, EXIT_USER, "no_such_account",
                              "check the name; the message stays in the history, unsent",
                              "the server has no account '%s'", peer);
            else if (rc == 0 && m.status == SC_MSG_QUEUED &&
                     sc_store_contact_get(c->store, &ct, peer) == SOTTO_OK &&
                     ct.trust == SC_TRUST_CHANGED)
                rc = cli_fail(c, EXIT_UNTRUSTED, "untrusted_identity",
                              "compare safety numbers with `sotto verify NAME`, then `sotto "
                              "trust NAME --safety-number N`; the message is held until then",
                              "%s's identity key changed since you verified it", peer);
            else if (rc == 0 && m.status == SC_MSG_QUEUED && strcmp(c->kt_refused, peer) == 0)
                rc = cli_fail(c, EXIT_UNTRUSTED, "kt_refused",
                              "see the warning above; the message stays queued and is only sent "
                              "once the server shows a list signed by their key and proven in "
                              "its transparency log",
                              "the device list the server gave for %s failed its checks, so "
                              "nothing was encrypted to it",
                              peer);
            sc_message_clear(&m);
        }
    }
    if (owned != NULL && kind == SC_KIND_ATTACHMENT)
        st_wipe(owned, len);
    free(owned);
    return rc;
}
