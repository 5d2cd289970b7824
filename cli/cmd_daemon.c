/*
 * sotto daemon: keeps the store open and a connection to the server,
 * receives continuously, sends the outbox with backoff, and serves JSON-RPC
 * 2.0 (rpc.c, rpc_actions.c) to local programs on a unix socket (mode
 * 0600) or stdio, and with --http over authenticated HTTP (http_serve.c).
 * One thread, one poll() loop.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "daemon.h"

static const char help[] =
    "usage: sotto [-a ACCOUNT] daemon (--socket PATH | --stdio) [--http HOST:PORT\n"
    "                                  [--token-file F]]\n"
    "       sotto [-a ACCOUNT] daemon --http HOST:PORT [--token-file F]\n"
    "\n"
    "Runs in the foreground: stays connected to the server (reconnecting with\n"
    "backoff), receives and stores messages as they arrive, sends the outbox,\n"
    "and serves JSON-RPC 2.0 to local programs, one JSON object per line:\n"
    "\n"
    "  --socket PATH   listen on a unix socket (created mode 0600; only you can\n"
    "                  connect). An existing socket file is replaced.\n"
    "  --stdio         one client on standard input and output\n"
    "  --http HOST:PORT  also serve HTTP/1.1: POST /api/v1/rpc (one request) and\n"
    "                  GET /api/v1/events?subscriber=NAME (Server-Sent Events).\n"
    "                  Every request needs \"Authorization: Bearer TOKEN\" (else\n"
    "                  401). Plain HTTP: keep it on 127.0.0.1 (a warning is\n"
    "                  printed otherwise). Port 0 picks a free port (printed).\n"
    "  --token-file F  the token (default: token-http in the account's folder);\n"
    "                  created mode 0600 with 32 random bytes in hex if missing;\n"
    "                  refused if group or others can read it. Never printed.\n"
    "\n"
    "Methods (params are objects):\n"
    "  send {to, text}                 queue and send; result sotto.message.v1\n"
    "  send {to, attachment, text?, name?}  send the file at path attachment\n"
    "  react {to, target | target_ts, emoji}  react to a message\n"
    "  typing {to, on}                 typing indicator (true/false)\n"
    "  timer {to, seconds}             disappearing messages (0 = off)\n"
    "  attachment {id}                 where a received file was saved\n"
    "  subscribe {subscriber}          stream events after the subscriber's\n"
    "                                  cursor as \"event\" notifications\n"
    "  receive {subscriber, max?}      the same events as a result (pull)\n"
    "  ack {subscriber, seq}           move the cursor: events up to seq are done\n"
    "  history {peer?, limit?}         stored messages\n"
    "  conversations {}                peers with their last message\n"
    "  contacts {}                     sotto.contact.v1 objects\n"
    "  verify {name}                   sotto.safety_number.v1\n"
    "Events ({seq, kind, schema, event}) are kept in the store's journal and\n"
    "delivered at least once: a subscriber that did not ack an event gets it\n"
    "again after a restart of itself or of the daemon. Deduplicate by seq.\n"
    "Typing indicators of peers go to subscribers as \"typing\" notifications\n"
    "(not journalled, no seq).\n"
    "Errors use JSON-RPC codes, and 1 (user error) or 4 (untrusted key).\n"
    "\n"
    "Exit status: 0 on SIGINT/SIGTERM, 1 bad arguments or token file, 3 socket\n"
    "error.\n";

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static int listen_unix(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    mode_t old;
    int fd, rc;
    if (strlen(path) >= sizeof sa.sun_path)
        return -1;
    memcpy(sa.sun_path, path, strlen(path) + 1);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    unlink(path);
    old = umask(077); /* the socket is created 0600 */
    rc = bind(fd, (struct sockaddr *)&sa, sizeof sa);
    umask(old);
    if (rc != 0 || chmod(path, 0600) != 0 || listen(fd, 8) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void drop_client(struct daemon *d, size_t i)
{
    struct dclient *cl = d->clients[i];
    if (cl->in_fd != STDIN_FILENO)
        close(cl->in_fd);
    if (cl->buf != NULL)
        memset(cl->buf, 0, cl->len); /* an HTTP request may hold the token */
    free(cl->buf);
    free(cl);
    d->clients[i] = d->clients[--d->nclients];
}

static int add_client(struct daemon *d, int in_fd, int out_fd)
{
    struct dclient *cl;
    if (d->nclients == DAEMON_CLIENTS_MAX)
        return -1;
    cl = calloc(1, sizeof *cl);
    if (cl == NULL)
        return -1;
    cl->in_fd = in_fd;
    cl->out_fd = out_fd;
    d->clients[d->nclients++] = cl;
    return 0;
}

/* Reads what cl sent; handles complete lines. -1 when it is gone. */
static int read_client(struct daemon *d, struct dclient *cl)
{
    char chunk[4096];
    ssize_t n = read(cl->in_fd, chunk, sizeof chunk);
    char *nl;
    if (n <= 0)
        return n < 0 && errno == EINTR ? 0 : -1;
    if (cl->len + (size_t)n > DAEMON_LINE_MAX)
        return -1; /* a request line over the limit: hang up */
    {
        char *g = realloc(cl->buf, cl->len + (size_t)n + 1);
        if (g == NULL)
            return -1;
        cl->buf = g;
    }
    memcpy(cl->buf + cl->len, chunk, (size_t)n);
    cl->len += (size_t)n;
    cl->buf[cl->len] = 0;
    while ((nl = memchr(cl->buf, '\n', cl->len)) != NULL) {
        size_t used = (size_t)(nl - cl->buf) + 1;
        *nl = 0;
        if (nl > cl->buf)
            rpc_handle(d, cl, cl->buf);
        memmove(cl->buf, cl->buf + used, cl->len - used + 1);
        cl->len -= used;
    }
    return 0;
}

void daemon_flush(struct daemon *d)
{
    online_flush(&d->net);
}

static int read_any(struct daemon *d, struct dclient *cl)
{
    if (cl->kind == DC_LINE)
        return read_client(d, cl);
    return http_client_read(d, cl);
}

/* Drops clients that are gone, dead or timed out; 1 when the --stdio
 * client left (the daemon ends with it). */
static int sweep(struct daemon *d)
{
    int64_t now = cli_now_ms();
    for (size_t i = d->nclients; i-- > 0;) {
        struct dclient *cl = d->clients[i];
        if (cl->kind != DC_LINE && !cl->dead && http_client_tick(d, cl, now) != 0)
            cl->dead = 1;
        if (cl->dead) {
            int was_stdio = cl->in_fd == STDIN_FILENO;
            drop_client(d, i);
            if (was_stdio)
                return 1;
        }
    }
    return 0;
}

static int loop(struct daemon *d, int lfd)
{
    while (!stop) {
        struct pollfd p[DAEMON_CLIENTS_MAX + 3];
        size_t np = 0, first_client;
        int il = -1, ih = -1;
        online_tick(&d->net);
        for (size_t i = 0; i < d->nclients; i++)
            rpc_push_events(d, d->clients[i]);
        if (sweep(d))
            return 0;
        if (lfd >= 0) {
            il = (int)np;
            p[np++] = (struct pollfd){.fd = lfd, .events = POLLIN};
        }
        if (d->http_fd >= 0) {
            ih = (int)np;
            p[np++] = (struct pollfd){.fd = d->http_fd, .events = POLLIN};
        }
        if (online_fd(&d->net) >= 0)
            p[np++] = (struct pollfd){.fd = online_fd(&d->net), .events = POLLIN};
        first_client = np;
        for (size_t i = 0; i < d->nclients; i++)
            p[np++] = (struct pollfd){.fd = d->clients[i]->in_fd, .events = POLLIN};
        if (poll(p, np, 500) < 0 && errno != EINTR)
            return EXIT_SERVER;
        for (size_t i = d->nclients; i-- > 0;) {
            short ev = p[first_client + i].revents;
            if ((ev & (POLLIN | POLLHUP | POLLERR)) && read_any(d, d->clients[i]) != 0)
                d->clients[i]->dead = 1;
        }
        if (il >= 0 && (p[il].revents & POLLIN)) {
            int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
            if (fd >= 0 && add_client(d, fd, fd) != 0)
                close(fd);
        }
        if (ih >= 0 && (p[ih].revents & POLLIN))
            http_accept(d);
        if (sweep(d))
            return 0;
    }
    return 0;
}

struct dopts {
    const char *path, *http, *token_file;
    int use_stdio;
};

static int parse_opts(struct cli *c, struct dopts *o, int argc, char **argv)
{
    static const struct option opts[] = {
        {"socket", required_argument, NULL, 's'}, {"stdio", no_argument, NULL, 'i'},
        {"http", required_argument, NULL, 'H'},   {"token-file", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    int opt;
    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (opt) {
        case 's':
            o->path = optarg;
            break;
        case 'i':
            o->use_stdio = 1;
            break;
        case 'H':
            o->http = optarg;
            break;
        case 't':
            o->token_file = optarg;
            break;
        case 'h':
            cli_help(help);
            return -1;
        default:
            return cli_fail(c, EXIT_USER, "usage",
                            "see `sotto daemon --help` (-a and -o go before the command)",
                            "bad option for daemon");
        }
    }
    if ((o->path != NULL && o->use_stdio) ||
        (o->path == NULL && !o->use_stdio && o->http == NULL) || optind != argc)
        return cli_fail(c, EXIT_USER, "usage",
                        "usage: sotto daemon (--socket PATH | --stdio) [--http HOST:PORT]",
                        "daemon needs one of --socket and --stdio, or --http");
    if (o->token_file != NULL && o->http == NULL)
        return cli_fail(c, EXIT_USER, "usage", "give --http HOST:PORT too",
                        "--token-file goes with --http");
    return 0;
}

/* The token (before anything listens), then the listeners. */
static int setup(struct daemon *d, const struct dopts *o, int *lfd)
{
    struct cli *c = d->c;
    char def[SC_PATH_MAX + 16];
    int rc;
    if (o->http != NULL) {
        snprintf(def, sizeof def, "%s/token-http", c->cfg.data_dir);
        rc = http_token_load(d, o->token_file ? o->token_file : def);
        if (rc != 0)
            return rc;
        fprintf(stderr, "sotto daemon: the HTTP bearer token is in %s\n",
                o->token_file ? o->token_file : def);
        d->http_fd = http_listen(c, o->http);
        if (d->http_fd < 0)
            return EXIT_SERVER;
    }
    if (o->path != NULL) {
        *lfd = listen_unix(o->path);
        if (*lfd < 0)
            return cli_fail(c, EXIT_SERVER, "socket", "check the folder exists and is yours",
                            "cannot listen on %s: %s", o->path, strerror(errno));
        fprintf(stderr, "sotto daemon: account %s, listening on %s\n", c->cfg.account, o->path);
    } else if (o->use_stdio && add_client(d, STDIN_FILENO, STDOUT_FILENO) != 0) {
        return EXIT_UNEXPECTED;
    }
    return 0;
}

int cmd_daemon(struct cli *c, int argc, char **argv)
{
    struct dopts o = {NULL, NULL, NULL, 0};
    int rc, lfd = -1;
    struct daemon *d;

    rc = parse_opts(c, &o, argc, argv);
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    rc = cli_open_store(c, 0, 0);
    if (rc != 0)
        return rc;
    d = calloc(1, sizeof *d);
    if (d == NULL)
        return cli_fail(c, EXIT_UNEXPECTED, "nomem", "", "out of memory");
    d->c = c;
    d->net.c = c;
    d->net.on_event = rpc_on_event; /* typing indicators to subscribers */
    d->net.ctx = d;
    d->http_fd = -1;
    rc = setup(d, &o, &lfd);
    if (rc == 0) {
        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);
        signal(SIGPIPE, SIG_IGN);
        rc = loop(d, lfd);
    }
    while (d->nclients > 0)
        drop_client(d, d->nclients - 1);
    online_close(&d->net);
    if (lfd >= 0) {
        close(lfd);
        unlink(o.path);
    }
    if (d->http_fd >= 0)
        close(d->http_fd);
    st_wipe(d->token_hash, sizeof d->token_hash);
    free(d);
    return rc;
}
