/* sotto send NAME (-m TEXT | --stdin | -a FILE [-m CAPTION]) */
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
#include "client/attach.h"
#include "client/conn.h"
#include "crypto/crypto.h"

static const char help[] =
    "usage: sotto [-a ACCOUNT] send NAME (-m TEXT | --stdin | -a FILE [-m CAPTION])\n"
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

/* Maps an upload failure to an exit code (printed). */
static int upload_fail(struct cli *c, int err, const char *path, uint64_t size,
                       const struct sc_attach_net *net)
{
    switch (err) {
    case SOTTO_ERR_TOO_LARGE:
        return cli_fail(c, EXIT_USER, "too_large", "send a smaller file",
                        "the server refused '%s' (%llu bytes encrypted): larger than its "
                        "attachment limit",
                        path, (unsigned long long)sc_attach_ct_size(size));
    case SOTTO_ERR_INVALID_STATE:
        return cli_fail(c, EXIT_USER, "no_file", "do not change the file while sending it",
                        "'%s' changed or could not be read while being sent", path);
    case SOTTO_ERR_UNREACHABLE:
        return cli_fail(c, EXIT_SERVER, "unreachable",
                        "check the network and sottod, then send again (nothing was queued)",
                        "lost the server while uploading '%s' (%d reconnections)", path,
                        net->reconnects);
    default:
        return cli_fail_err(c, err, "uploading the attachment");
    }
}

/* Streams path to the server (encrypting record by record, reconnecting
 * and resuming when the connection drops); *body, *blen = the stored
 * descriptor (with our local path). 0 or an exit code (printed). */
static int upload_file(struct cli *c, uint8_t **body, size_t *blen, const char *path,
                       const char *caption, const char *name)
{
    struct sc_attach *a = calloc(1, sizeof *a);
    struct sc_attach_net net = {.reconnect = cli_attach_redial, .ctx = c};
    const char *base = strrchr(path, '/');
    struct stat sb;
    int rc = 0, err, fd = -1;

    *body = NULL;
    base = base != NULL ? base + 1 : path;
    if (name != NULL)
        base = name;
    if (a == NULL)
        return cli_fail(c, EXIT_UNEXPECTED, "nomem", "", "out of memory");
    if (*base == 0 || strlen(base) > SC_ATTACH_NAME_MAX) {
        rc = cli_fail(c, EXIT_USER, "bad_name", "give a file (its name: 1-255 bytes)",
                      "'%s' has no usable file name", path);
        goto out;
    }
    if (caption != NULL && strlen(caption) > SC_ATTACH_CAPTION_MAX) {
        rc = cli_fail(c, EXIT_USER, "too_large", "shorten the caption",
                      "the caption is over %d bytes", SC_ATTACH_CAPTION_MAX);
        goto out;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        rc = cli_fail(c, EXIT_USER, "no_file", "give a readable regular file",
                      "cannot read '%s'%s%s", path, fd < 0 ? ": " : "",
                      fd < 0 ? strerror(errno) : "");
        goto out;
    }
    if ((uint64_t)sb.st_size > SC_ATTACH_MAX ||
        sc_attach_ct_size((uint64_t)sb.st_size) > SC_ATTACH_MAX) {
        rc = cli_fail(c, EXIT_USER, "too_large", "send a smaller file (or split it)",
                      "'%s' is %lld bytes; attachments are limited to %llu bytes once "
                      "encrypted (16 bytes per 64 KiB are added)",
                      path, (long long)sb.st_size, (unsigned long long)SC_ATTACH_MAX);
        goto out;
    }
    snprintf(a->name, sizeof a->name, "%s", base);
    snprintf(a->caption, sizeof a->caption, "%s", caption != NULL ? caption : "");
    if (realpath(path, a->path) == NULL)
        snprintf(a->path, sizeof a->path, "%s", path);
    rc = cli_connect(c, &net.conn, NULL, NULL, 0);
    if (rc != 0)
        goto out;
    err = sc_attach_upload_fd(&net, a, fd);
    sc_conn_close(net.conn);
    if (net.reconnects > 0 && !c->quiet)
        fprintf(stderr,
                "sotto: the connection dropped; reconnected %d time(s), resumed the "
                "upload at byte %llu of %llu\n",
                net.reconnects, (unsigned long long)net.resumed_at,
                (unsigned long long)sc_attach_ct_size(a->size));
    if (err != SOTTO_OK) {
        rc = upload_fail(c, err, path, (uint64_t)sb.st_size, &net);
        goto out;
    }
    err = sc_attach_encode(body, blen, a, 1);
    if (err != SOTTO_OK)
        rc = cli_fail_err(c, err, "encoding the attachment");
out:
    if (fd >= 0)
        close(fd);
    if (a != NULL) {
        st_wipe(a, sizeof *a);
        free(a);
    }
    return rc;
}

int cmd_send(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        {"message", required_argument, NULL, 'm'}, {"stdin", no_argument, NULL, 'S'},
        {"attach", required_argument, NULL, 'a'},  {"name", required_argument, NULL, 'N'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    const char *text = NULL, *peer, *file = NULL, *fname = NULL;
    char *owned = NULL;
    size_t len, sent;
    int opt, use_stdin = 0, rc, kind = SC_KIND_TEXT;
    struct sc_message m;

    while ((opt = getopt_long(argc, argv, "m:a:h", opts, NULL)) != -1) {
        switch (opt) {
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
    if (optind + 1 != argc)
        return cli_fail(c, EXIT_USER, "usage", "usage: sotto send NAME -m TEXT",
                        "send needs exactly one recipient NAME");
    if (file != NULL && use_stdin)
        return cli_fail(c, EXIT_USER, "usage", "give a caption with -m CAPTION",
                        "--stdin does not go with -a");
    if (file == NULL && (text == NULL) == (use_stdin == 0))
        return cli_fail(c, EXIT_USER, "usage", "give the text with -m TEXT or --stdin",
                        "send needs exactly one of -m and --stdin");
    peer = argv[optind];
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
    rc = cli_queue_kind(c, &m, peer, text, len, kind, NULL);
    if (rc == 0) {
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
            sc_message_clear(&m);
        }
    }
    if (owned != NULL && kind == SC_KIND_ATTACHMENT)
        st_wipe(owned, len);
    free(owned);
    return rc;
}
