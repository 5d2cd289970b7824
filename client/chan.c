/*
 * The client end of the server channel (docs/server-api.md "Transport"):
 * TCP connect with a deadline, Noise_IK_25519_ChaChaPoly_BLAKE2b as
 * initiator, frames of a 2-byte big-endian length, and messages split into
 * encrypted fragments of 1 flag byte + data. The first handshake frame
 * starts with a byte naming the pattern (2 = IK); the prologue is
 * "sotto-server-v1" || that byte.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "chan.h"
#include "client/account.h"
#include "crypto/crypto.h"
#include "transport/noise.h"

static const char prologue_text[] = "sotto-server-v1";

int64_t sc_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits until fd is ready for events or the deadline passes. */
static int wait_fd(int fd, short events, int64_t deadline)
{
    struct pollfd p = {.fd = fd, .events = events};
    for (;;) {
        int64_t left = deadline - sc_mono_ms();
        int rc;
        if (left <= 0)
            return SOTTO_ERR_UNREACHABLE;
        rc = poll(&p, 1, (int)(left > 60000 ? 60000 : left));
        if (rc > 0)
            return SOTTO_OK;
        if (rc < 0 && errno != EINTR)
            return SOTTO_ERR_UNREACHABLE;
    }
}

static int connect_tcp(int *fd, const char *host, const char *port, int64_t deadline)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL, *ai;
    int rc = SOTTO_ERR_UNREACHABLE;
    *fd = -1;
    if (getaddrinfo(host, port, &hints, &res) != 0)
        return SOTTO_ERR_UNREACHABLE;
    for (ai = res; ai != NULL && *fd < 0; ai = ai->ai_next) {
        int s =
            socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
        int err = 0;
        socklen_t el = sizeof err;
        if (s < 0)
            continue;
        if (connect(s, ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS) {
            close(s);
            continue;
        }
        if (wait_fd(s, POLLOUT, deadline) != SOTTO_OK ||
            getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &el) != 0 || err != 0) {
            close(s);
            continue;
        }
        /* Frames go out as a 2-byte header and a body: without this, Nagle
         * holds the body back until the server's delayed ACK (40 ms). */
        (void)setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &(int){1}, sizeof(int));
        *fd = s;
        rc = SOTTO_OK;
    }
    freeaddrinfo(res);
    return rc;
}

static int write_all(int fd, const uint8_t *p, size_t len, int64_t deadline)
{
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n > 0) {
            p += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            if (wait_fd(fd, POLLOUT, deadline) != SOTTO_OK)
                return SOTTO_ERR_UNREACHABLE;
            continue;
        }
        return SOTTO_ERR_UNREACHABLE;
    }
    return SOTTO_OK;
}

static int read_all(int fd, uint8_t *p, size_t len, int64_t deadline)
{
    while (len > 0) {
        ssize_t n = recv(fd, p, len, 0);
        if (n > 0) {
            p += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            if (wait_fd(fd, POLLIN, deadline) != SOTTO_OK)
                return SOTTO_ERR_UNREACHABLE;
            continue;
        }
        return SOTTO_ERR_UNREACHABLE; /* EOF or error */
    }
    return SOTTO_OK;
}

static int write_frame(struct sc_chan *ch, const uint8_t *p, size_t len, int64_t deadline)
{
    uint8_t hdr[2] = {(uint8_t)(len >> 8), (uint8_t)len};
    int rc;
    if (len == 0 || len > SC_FRAME_MAX)
        return SOTTO_ERR_TOO_LARGE;
    rc = write_all(ch->fd, hdr, 2, deadline);
    return rc == SOTTO_OK ? write_all(ch->fd, p, len, deadline) : rc;
}

int sc_chan_frame_len(size_t *len, const uint8_t hdr[2])
{
    *len = (size_t)hdr[0] << 8 | hdr[1];
    return *len == 0 ? SOTTO_ERR_INVALID_MESSAGE : SOTTO_OK;
}

int sc_chan_reasm(uint8_t **msg, size_t *len, size_t *cap, const uint8_t *frag, size_t flen)
{
    size_t n;
    if (flen < 1 || frag[0] > 1)
        return SOTTO_ERR_INVALID_MESSAGE;
    n = flen - 1;
    if (*len > SC_MSG_MAX || n > SC_MSG_MAX - *len)
        return SOTTO_ERR_TOO_LARGE;
    if (*len + n > *cap) {
        size_t c = *len + n + 65536;
        uint8_t *g = realloc(*msg, c);
        if (g == NULL)
            return SOTTO_ERR_NOMEM;
        *msg = g;
        *cap = c;
    }
    if (n > 0)
        memcpy(*msg + *len, frag + 1, n);
    *len += n;
    return frag[0] == 0 ? SOTTO_OK : SC_CHAN_MORE;
}

/* Reads one frame into ch->frame. */
static int read_frame(struct sc_chan *ch, size_t *len, int64_t deadline)
{
    uint8_t hdr[2];
    int rc = read_all(ch->fd, hdr, 2, deadline);
    *len = 0;
    if (rc != SOTTO_OK)
        return rc;
    rc = sc_chan_frame_len(len, hdr);
    if (rc != SOTTO_OK)
        return rc;
    return read_all(ch->fd, ch->frame, *len, deadline);
}

static int handshake(struct sc_chan *ch, const uint8_t device_priv[32],
                     const uint8_t server_key[32], int64_t deadline)
{
    uint8_t prologue[sizeof prologue_text];
    struct st_noise_handshake *hs = NULL;
    size_t n, plen;
    int rc;

    memcpy(prologue, prologue_text, sizeof prologue_text - 1);
    prologue[sizeof prologue_text - 1] = SC_CHAN_IK;
    rc = st_noise_handshake_new(&hs, ST_NOISE_IK, 1, device_priv, server_key, prologue,
                                sizeof prologue);
    if (rc != SOTTO_OK)
        return rc;
    ch->frame[0] = SC_CHAN_IK;
    rc = st_noise_write_message(hs, ch->frame + 1, SC_FRAME_MAX - 1, &n, NULL, 0);
    if (rc == SOTTO_OK)
        rc = write_frame(ch, ch->frame, n + 1, deadline);
    if (rc == SOTTO_OK)
        rc = read_frame(ch, &n, deadline);
    if (rc == SOTTO_OK)
        rc = st_noise_read_message(hs, ch->plain, SC_FRAME_MAX, &plen, ch->frame, n);
    if (rc == SOTTO_OK)
        rc = st_noise_split(hs, &ch->t);
    st_noise_handshake_free(hs);
    return rc;
}

int sc_chan_open(struct sc_chan **out, const char *host, const char *port,
                 const uint8_t device_priv[32], const uint8_t server_key[32], int64_t deadline)
{
    struct sc_chan *ch = calloc(1, sizeof *ch);
    int rc;
    *out = NULL;
    if (ch == NULL)
        return SOTTO_ERR_NOMEM;
    rc = connect_tcp(&ch->fd, host, port, deadline);
    if (rc == SOTTO_OK) {
        rc = handshake(ch, device_priv, server_key, deadline);
        /* A server that takes the connection but hangs up on our IK message
         * does not hold the key we pinned (or is not a sotto server). */
        if (rc == SOTTO_ERR_UNREACHABLE && sc_mono_ms() < deadline)
            rc = SOTTO_ERR_HANDSHAKE;
    }
    if (rc != SOTTO_OK) {
        sc_chan_close(ch);
        return rc;
    }
    *out = ch;
    return SOTTO_OK;
}

void sc_chan_close(struct sc_chan *ch)
{
    if (ch == NULL)
        return;
    if (ch->fd >= 0)
        close(ch->fd);
    st_noise_transport_free(ch->t);
    free(ch->msg);
    st_wipe(ch, sizeof *ch);
    free(ch);
}

int sc_chan_send(struct sc_chan *ch, const uint8_t *msg, size_t len, int64_t deadline)
{
    size_t off = 0;
    do {
        size_t n = len - off > SC_FRAG_MAX ? SC_FRAG_MAX : len - off, clen;
        int rc;
        ch->plain[0] = off + n < len ? 1 : 0;
        memcpy(ch->plain + 1, msg + off, n);
        rc = st_noise_encrypt(ch->t, ch->frame, SC_FRAME_MAX, &clen, ch->plain, n + 1);
        if (rc == SOTTO_OK)
            rc = write_frame(ch, ch->frame, clen, deadline);
        if (rc != SOTTO_OK)
            return rc;
        off += n;
    } while (off < len);
    return SOTTO_OK;
}

int sc_chan_recv(struct sc_chan *ch, const uint8_t **msg, size_t *len, int64_t deadline)
{
    *msg = NULL;
    *len = 0;
    ch->msg_len = 0;
    for (;;) {
        size_t n, plen;
        int rc = read_frame(ch, &n, deadline);
        if (rc == SOTTO_OK)
            rc = st_noise_decrypt(ch->t, ch->plain, SC_FRAME_MAX, &plen, ch->frame, n);
        if (rc != SOTTO_OK)
            return rc == SOTTO_ERR_BAD_MAC ? SOTTO_ERR_UNREACHABLE : rc;
        rc = sc_chan_reasm(&ch->msg, &ch->msg_len, &ch->msg_cap, ch->plain, plen);
        if (rc == SOTTO_OK)
            break;
        if (rc != SC_CHAN_MORE)
            return rc;
    }
    *msg = ch->msg;
    *len = ch->msg_len;
    return SOTTO_OK;
}

int sc_chan_readable(struct sc_chan *ch, int timeout_ms)
{
    struct pollfd p = {.fd = ch->fd, .events = POLLIN};
    int rc = poll(&p, 1, timeout_ms);
    return rc > 0;
}
