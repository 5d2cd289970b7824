/*
 * sotto daemon: keeps the store open and a connection to the server,
 * receives continuously, sends the outbox with backoff, and serves JSON-RPC
 * 2.0 (rpc.c) to local programs on a unix socket (mode 0600) or stdio.
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

#include "daemon.h"

static const char help[] =
    "usage: sotto [-a ACCOUNT] daemon (--socket PATH | --stdio)\n"
    "\n"
    "Runs in the foreground: stays connected to the server (reconnecting with\n"
    "backoff), receives and stores messages as they arrive, sends the outbox,\n"
    "and serves JSON-RPC 2.0 to local programs, one JSON object per line:\n"
    "\n"
    "  --socket PATH   listen on a unix socket (created mode 0600; only you can\n"
    "                  connect). An existing socket file is replaced.\n"
    "  --stdio         one client on standard input and output\n"
    "\n"
    "Methods (params are objects):\n"
    "  send {to, text}                 queue and send; result sotto.message.v1\n"
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
    "Errors use JSON-RPC codes, and 1 (user error) or 4 (untrusted key).\n"
    "\n"
    "Exit status: 0 on SIGINT/SIGTERM, 1 bad arguments, 3 socket error.\n";

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

static int loop(struct daemon *d, int lfd)
{
    while (!stop) {
        struct pollfd p[DAEMON_CLIENTS_MAX + 2];
        size_t np = 0, first_client;
        online_tick(&d->net);
        for (size_t i = 0; i < d->nclients; i++)
            rpc_push_events(d, d->clients[i]);
        if (lfd >= 0)
            p[np++] = (struct pollfd){.fd = lfd, .events = POLLIN};
        if (online_fd(&d->net) >= 0)
            p[np++] = (struct pollfd){.fd = online_fd(&d->net), .events = POLLIN};
        first_client = np;
        for (size_t i = 0; i < d->nclients; i++)
            p[np++] = (struct pollfd){.fd = d->clients[i]->in_fd, .events = POLLIN};
        if (poll(p, np, 500) < 0 && errno != EINTR)
            return EXIT_SERVER;
        if (lfd >= 0 && (p[0].revents & POLLIN)) {
            int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
            if (fd >= 0 && add_client(d, fd, fd) != 0)
                close(fd);
        }
        for (size_t i = d->nclients; i-- > 0;) {
            short ev = p[first_client + i].revents;
            if (first_client + i < np && (ev & (POLLIN | POLLHUP | POLLERR)) &&
                read_client(d, d->clients[i]) != 0) {
                int was_stdio = d->clients[i]->in_fd == STDIN_FILENO;
                drop_client(d, i);
                if (was_stdio)
                    return 0; /* --stdio: the client hung up */
            }
        }
    }
    return 0;
}

int cmd_daemon(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {{"socket", required_argument, NULL, 's'},
                                         {"stdio", no_argument, NULL, 'i'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *path = NULL;
    int opt, rc, use_stdio = 0, lfd = -1;
    struct daemon *d;

    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (opt) {
        case 's':
            path = optarg;
            break;
        case 'i':
            use_stdio = 1;
            break;
        case 'h':
            cli_help(help);
            return 0;
        default:
            return cli_fail(c, EXIT_USER, "usage",
                            "see `sotto daemon --help` (-a and -o go before the command)",
                            "bad option for daemon");
        }
    }
    if ((path == NULL) == (use_stdio == 0) || optind != argc)
        return cli_fail(c, EXIT_USER, "usage", "usage: sotto daemon (--socket PATH | --stdio)",
                        "daemon needs exactly one of --socket and --stdio");
    rc = cli_open_store(c, 0, 0);
    if (rc != 0)
        return rc;
    d = calloc(1, sizeof *d);
    if (d == NULL)
        return cli_fail(c, EXIT_UNEXPECTED, "nomem", "", "out of memory");
    d->c = c;
    d->net.c = c;
    if (path != NULL) {
        lfd = listen_unix(path);
        if (lfd < 0) {
            free(d);
            return cli_fail(c, EXIT_SERVER, "socket", "check the folder exists and is yours",
                            "cannot listen on %s: %s", path, strerror(errno));
        }
    } else if (add_client(d, STDIN_FILENO, STDOUT_FILENO) != 0) {
        free(d);
        return EXIT_UNEXPECTED;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);
    if (path != NULL)
        fprintf(stderr, "sotto daemon: account %s, listening on %s\n", c->cfg.account, path);
    rc = loop(d, lfd);
    while (d->nclients > 0)
        drop_client(d, d->nclients - 1);
    online_close(&d->net);
    if (lfd >= 0) {
        close(lfd);
        unlink(path);
    }
    free(d);
    return rc;
}
