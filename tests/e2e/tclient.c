/* Test client and server spawner for the e2e tests (tclient.h). */
#include "tclient.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "chan.h"
#include "crypto/crypto.h"
#include "frame.h"
#include "sdlimits.h"
#include "sotto/kt.h"

static void msleep(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int unhex(uint8_t *out, const char *hex, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1) {
            return -1;
        }
        out[i] = (uint8_t)v;
    }
    return 0;
}

static int read_ready(struct tsrv *s)
{
    char path[200], line[200];
    FILE *f;
    int got = 0;

    snprintf(path, sizeof(path), "%s/ready", s->dir);
    f = fopen(path, "r");
    if (f == NULL) {
        return -1;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        if (sscanf(line, "port=%d", &s->port) == 1) {
            got |= 1;
        } else if (sscanf(line, "http_port=%d", &s->http_port) == 1) {
            got |= 2;
        } else if (strncmp(line, "key=", 4) == 0 && unhex(s->key, line + 4, 32) == 0) {
            got |= 4;
        }
    }
    fclose(f);
    return got == 7 ? 0 : -1;
}

/* Splits $name into argv words (at most 8); returns their number. */
static int env_words(const char **argv, char *buf, size_t cap, const char *name)
{
    const char *w = getenv(name);
    int n = 0;

    if (w == NULL || strlen(w) >= cap) {
        return 0;
    }
    snprintf(buf, cap, "%s", w);
    for (char *p = buf; *p != '\0' && n < 8;) {
        while (*p == ' ') {
            *p++ = '\0';
        }
        if (*p == '\0') {
            break;
        }
        argv[n++] = p;
        while (*p != '\0' && *p != ' ') {
            p++;
        }
    }
    return n;
}

int ts_start(struct tsrv *s)
{
    char ready[200], data[200], port[16], log[200], wrap[200], extra[600];
    const char *argv[48];
    int n = 0;

    if (s->dir[0] == '\0') {
        snprintf(s->dir, sizeof(s->dir), "/tmp/sotto-e2e-XXXXXX");
        if (mkdtemp(s->dir) == NULL) {
            return -1;
        }
    }
    snprintf(ready, sizeof(ready), "%s/ready", s->dir);
    snprintf(data, sizeof(data), "%s/var", s->dir);
    snprintf(log, sizeof(log), "%s/sottod.log", s->dir);
    snprintf(port, sizeof(port), "%d", s->port);
    unlink(ready);
    n = env_words(argv, wrap, sizeof(wrap), "SOTTO_E2E_WRAP"); /* e.g. "valgrind -q" */
    argv[n++] = SOTTOD_PATH;
    argv[n++] = "-d";
    argv[n++] = data;
    argv[n++] = "-p";
    argv[n++] = port; /* 0 first, then the same port again on restart */
    argv[n++] = "--http-port";
    argv[n++] = "0";
    argv[n++] = "--ready-file";
    argv[n++] = ready;
    for (size_t i = 0; s->opts[i] != NULL && n < 38; i++) {
        argv[n++] = s->opts[i];
    }
    /* e.g. SOTTO_E2E_SERVER_OPTS="-o server.store=postgres -o postgres.conninfo=..."
     * (tests/pg/e2e_postgres.sh); the test's own options come first */
    n += env_words(argv + n, extra, sizeof(extra), "SOTTO_E2E_SERVER_OPTS");
    argv[n] = NULL;
    s->pid = fork();
    if (s->pid < 0) {
        return -1;
    }
    if (s->pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive a killed test */
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    for (int i = 0; i < 2000; i++) {
        int st;
        if (read_ready(s) == 0) {
            return 0;
        }
        if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
            s->pid = 0;
            return -1;
        }
        msleep(10);
    }
    return -1;
}

const char *ts_extra_opts(void)
{
    const char *o = getenv("SOTTO_E2E_SERVER_OPTS");
    return o != NULL ? o : "";
}

int ts_store_is_postgres(void)
{
    return strstr(ts_extra_opts(), "store=postgres") != NULL;
}

int ts_stop(struct tsrv *s)
{
    int st = 0;
    if (s->pid <= 0) {
        return -1;
    }
    kill(s->pid, SIGTERM);
    if (waitpid(s->pid, &st, 0) != s->pid) {
        return -1;
    }
    s->pid = 0;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

void ts_kill9(struct tsrv *s)
{
    if (s->pid > 0) {
        kill(s->pid, SIGKILL);
        waitpid(s->pid, NULL, 0);
        s->pid = 0;
    }
}

void ts_cleanup(struct tsrv *s)
{
    char cmd[200];
    if (s->dir[0] != '\0' && getenv("SOTTO_KEEP_TMP") == NULL) {
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s->dir);
        if (system(cmd) != 0) {
            fprintf(stderr, "cannot remove %s\n", s->dir);
        }
    }
}

/* ---- users and device lists ---- */

static void new_key(uint8_t priv[32], uint8_t pub33[33])
{
    uint8_t pub[32];
    if (st_x25519_keypair(pub, priv) != SOTTO_OK) {
        abort();
    }
    st_pubkey_encode(pub33, pub);
}

void tu_init(struct tuser *u, const char *name, size_t ndev)
{
    memset(u, 0, sizeof(*u));
    snprintf(u->name, sizeof(u->name), "%s", name);
    new_key(u->acct_priv, u->acct_pub);
    u->ndev = ndev;
    for (size_t i = 0; i < ndev; i++) {
        new_key(u->dev[i].priv, u->dev[i].pub);
        u->dev[i].id = (uint32_t)i + 1;
        u->dev[i].regid = 1 + st_random_u32() % 16000;
    }
}

Sotto__Server__SignedDeviceList *tu_sdl(const struct tuser *u, size_t n, uint64_t version)
{
    static const char ctx[] = "sotto device list v1";
    Sotto__Server__DeviceList dl = SOTTO__SERVER__DEVICE_LIST__INIT;
    Sotto__Server__DeviceEntry ents[8], *ep[8];
    Sotto__Server__SignedDeviceList *s = calloc(1, sizeof(*s));
    uint8_t *buf;
    size_t len;

    sotto__server__signed_device_list__init(s);
    dl.username = (char *)u->name;
    dl.account_key.data = (uint8_t *)u->acct_pub;
    dl.account_key.len = 33;
    dl.version = version;
    for (size_t i = 0; i < n; i++) {
        sotto__server__device_entry__init(&ents[i]);
        ents[i].device_id = u->dev[i].id;
        ents[i].identity_key.data = (uint8_t *)u->dev[i].pub;
        ents[i].identity_key.len = 33;
        ents[i].registration_id = u->dev[i].regid;
        ep[i] = &ents[i];
    }
    dl.n_devices = n;
    dl.devices = ep;
    len = sotto__server__device_list__get_packed_size(&dl);
    buf = malloc(sizeof(ctx) + len);
    memcpy(buf, ctx, sizeof(ctx));
    sotto__server__device_list__pack(&dl, buf + sizeof(ctx));
    s->signature.data = malloc(64);
    s->signature.len = 64;
    if (st_xeddsa_sign(s->signature.data, u->acct_priv, buf, sizeof(ctx) + len) != SOTTO_OK) {
        abort();
    }
    s->device_list.data = malloc(len);
    memcpy(s->device_list.data, buf + sizeof(ctx), len);
    s->device_list.len = len;
    free(buf);
    return s;
}

void tu_sdl_free(Sotto__Server__SignedDeviceList *s)
{
    free(s->device_list.data);
    free(s->signature.data);
    free(s);
}

/* ---- connection ---- */

int tc_tcp(int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0) {
        return -1;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int tc_write_raw(int fd, const void *p, size_t len)
{
    const uint8_t *b = p;
    while (len > 0) {
        ssize_t n = send(fd, b, len, MSG_NOSIGNAL);
        if (n <= 0) {
            if (n < 0 && errno == EINTR) {
                continue;
            }
            return -1;
        }
        b += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Reads exactly len bytes within timeout_ms; -1 on error/EOF, -2 timeout. */
static int read_full(int fd, uint8_t *p, size_t len, int timeout_ms)
{
    while (len > 0) {
        struct pollfd pf = {.fd = fd, .events = POLLIN};
        int r = poll(&pf, 1, timeout_ms);
        ssize_t n;
        if (r == 0) {
            return -2;
        }
        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        n = recv(fd, p, len, 0);
        if (n <= 0) {
            if (n < 0 && errno == EINTR) {
                continue;
            }
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int read_frame(struct tc *c, uint8_t *buf, size_t *len, int timeout_ms)
{
    uint8_t hdr[2];
    int rc = read_full(c->fd, hdr, 2, timeout_ms);
    if (rc != 0) {
        return rc;
    }
    *len = (size_t)hdr[0] << 8 | hdr[1];
    rc = read_full(c->fd, buf, *len, 10000);
    return rc == 0 ? 0 : -1;
}

static int write_frame(int fd, const uint8_t *p, size_t len)
{
    uint8_t hdr[2];
    sd_frame_header(hdr, len);
    return tc_write_raw(fd, hdr, 2) == 0 && tc_write_raw(fd, p, len) == 0 ? 0 : -1;
}

int tc_open(struct tc *c, const struct tsrv *s, const struct tdev *d)
{
    return tc_open_with(c, s->port, SD_CHAN_XX, s->key, d);
}

int tc_open_with(struct tc *c, int port, int pattern, const uint8_t server_key[32],
                 const struct tdev *d)
{
    static uint8_t out[SD_FRAME_MAX], in[SD_FRAME_MAX];
    size_t outlen = 0, inlen = 0;
    int done = 0;

    memset(c, 0, sizeof(*c));
    c->fd = tc_tcp(port);
    if (c->fd < 0 || sd_chan_connect(&c->chan, pattern, d->priv, server_key) != SD_CHAN_OK) {
        goto fail;
    }
    if (sd_chan_step(c->chan, out, &outlen, NULL, 0, &done) != SD_CHAN_OK ||
        write_frame(c->fd, out, outlen) != 0) {
        goto fail;
    }
    while (!done) {
        if (read_frame(c, in, &inlen, 5000) != 0 ||
            sd_chan_step(c->chan, out, &outlen, in, inlen, &done) != SD_CHAN_OK) {
            goto fail;
        }
        if (outlen > 0 && write_frame(c->fd, out, outlen) != 0) {
            goto fail;
        }
    }
    c->next_id = 1;
    return 0;
fail:
    tc_close(c);
    c->dead = 1;
    return -1;
}

int tc_connect(struct tc *c, const struct tsrv *s, const struct tdev *d)
{
    Sotto__Server__Request rq = SOTTO__SERVER__REQUEST__INIT;
    Sotto__Server__Hello h = SOTTO__SERVER__HELLO__INIT;
    Sotto__Server__Frame *f;
    int st;

    if (tc_open(c, s, d) != 0) {
        return -1;
    }
    h.min_version = 1;
    h.max_version = 1;
    h.agent = "e2e-test";
    rq.body_case = SOTTO__SERVER__REQUEST__BODY_HELLO;
    rq.hello = &h;
    f = tc_call(c, &rq);
    if (f == NULL) {
        return -1;
    }
    st = (int)f->response->status;
    tc_free(f);
    return st;
}

void tc_close(struct tc *c)
{
    if (c->fd >= 0) {
        close(c->fd);
    }
    c->fd = -1;
    sd_chan_free(c->chan);
    c->chan = NULL;
    while (c->qlen > 0) {
        tc_free(c->queue[c->qhead]);
        c->qhead = (c->qhead + 1) % 4096;
        c->qlen--;
    }
}

int tc_write_msg(struct tc *c, const uint8_t *msg, size_t len, int more)
{
    static uint8_t pt[SD_FRAME_MAX], ct[SD_FRAME_MAX];
    size_t off = 0;

    do {
        size_t n = len - off < SD_FRAG_MAX ? len - off : SD_FRAG_MAX, clen = 0;
        pt[0] = (off + n < len || more) ? 1 : 0;
        memcpy(pt + 1, msg + off, n);
        if (sd_chan_encrypt(c->chan, ct, &clen, pt, n + 1) != SD_CHAN_OK ||
            write_frame(c->fd, ct, clen) != 0) {
            c->dead = 1;
            return -1;
        }
        off += n;
    } while (off < len);
    return 0;
}

int tc_write_frag_flag(struct tc *c, uint8_t flag)
{
    uint8_t pt[8] = {flag, 1, 2, 3}, ct[8 + SD_NOISE_TAG];
    size_t clen = 0;
    if (sd_chan_encrypt(c->chan, ct, &clen, pt, 4) != SD_CHAN_OK) {
        return -1;
    }
    return write_frame(c->fd, ct, clen);
}

uint64_t tc_send_req(struct tc *c, Sotto__Server__Request *rq)
{
    Sotto__Server__Frame f = SOTTO__SERVER__FRAME__INIT;
    size_t len;
    uint8_t *buf;
    int rc;

    if (c->dead || c->chan == NULL) {
        return 0;
    }
    rq->id = c->next_id++;
    f.kind_case = SOTTO__SERVER__FRAME__KIND_REQUEST;
    f.request = rq;
    len = sotto__server__frame__get_packed_size(&f);
    buf = malloc(len + 1);
    sotto__server__frame__pack(&f, buf);
    rc = tc_write_msg(c, buf, len, 0);
    free(buf);
    return rc == 0 ? rq->id : 0;
}

Sotto__Server__Frame *tc_read(struct tc *c, int timeout_ms)
{
    static uint8_t ct[SD_FRAME_MAX], pt[SD_FRAME_MAX];
    struct sd_reasm r;
    Sotto__Server__Frame *f = NULL;
    size_t ctlen, ptlen;
    int rc;

    if (c->dead || c->chan == NULL) {
        return NULL;
    }
    sd_reasm_init(&r, 4 << 20);
    for (;;) {
        rc = read_frame(c, ct, &ctlen, timeout_ms);
        if (rc != 0) {
            c->dead = rc == -1;
            break;
        }
        if (sd_chan_decrypt(c->chan, pt, &ptlen, ct, ctlen) != SD_CHAN_OK) {
            c->dead = 1;
            break;
        }
        rc = sd_reasm_add(&r, pt, ptlen);
        if (rc < 0) {
            c->dead = 1;
            break;
        }
        if (rc == SD_FRAME_DONE) {
            f = sotto__server__frame__unpack(NULL, r.len, r.buf);
            c->dead = f == NULL;
            break;
        }
    }
    sd_reasm_free(&r);
    return f;
}

static void enqueue(struct tc *c, Sotto__Server__Frame *f)
{
    if (c->qlen == 4096) {
        fprintf(stderr, "tclient: push queue overflow\n");
        abort();
    }
    c->queue[(c->qhead + c->qlen) % 4096] = f;
    c->qlen++;
}

Sotto__Server__Frame *tc_wait(struct tc *c, uint64_t id, int timeout_ms)
{
    for (;;) {
        Sotto__Server__Frame *f = tc_read(c, timeout_ms);
        if (f == NULL) {
            return NULL;
        }
        if (f->kind_case == SOTTO__SERVER__FRAME__KIND_PUSH) {
            enqueue(c, f);
            continue;
        }
        if (f->kind_case == SOTTO__SERVER__FRAME__KIND_RESPONSE &&
            (f->response->id == id || f->response->id == 0)) {
            return f;
        }
        tc_free(f); /* a response to a request nobody waits for */
    }
}

Sotto__Server__Frame *tc_call(struct tc *c, Sotto__Server__Request *rq)
{
    uint64_t id = tc_send_req(c, rq);
    return id == 0 ? NULL : tc_wait(c, id, 10000);
}

Sotto__Server__Frame *tc_push(struct tc *c, int timeout_ms)
{
    Sotto__Server__Frame *f;

    if (c->qlen > 0) {
        f = c->queue[c->qhead];
        c->qhead = (c->qhead + 1) % 4096;
        c->qlen--;
        return f;
    }
    for (;;) {
        f = tc_read(c, timeout_ms);
        if (f == NULL || f->kind_case == SOTTO__SERVER__FRAME__KIND_PUSH) {
            return f;
        }
        tc_free(f);
    }
}

Sotto__Server__Frame *tc_push_msg(struct tc *c, int timeout_ms)
{
    for (;;) {
        Sotto__Server__Frame *f = tc_push(c, timeout_ms);
        if (f == NULL || f->push->body_case != SOTTO__SERVER__PUSH__BODY_KEYS_LOW) {
            return f;
        }
        tc_free(f);
    }
}

void tc_free(Sotto__Server__Frame *f)
{
    if (f != NULL) {
        sotto__server__frame__free_unpacked(f, NULL);
    }
}

/* ---- convenience requests ---- */

static int status_of(struct tc *c, Sotto__Server__Request *rq)
{
    Sotto__Server__Frame *f = tc_call(c, rq);
    int st;
    if (f == NULL) {
        return -1;
    }
    st = (int)f->response->status;
    tc_free(f);
    return st;
}

/* The user's log uuid: derived from the name (tests only; clients pick
 * 16 random bytes). */
static void tu_uuid(uint8_t uuid[16], const struct tuser *u)
{
    uint8_t h[32];
    st_sha256(h, (const uint8_t *)u->name, strlen(u->name));
    memcpy(uuid, h, 16);
}

/* The account key's signature over the DL_UPDATE leaf of sdl. */
static void tu_dl_sig(uint8_t sig[64], const struct tuser *u,
                      const Sotto__Server__SignedDeviceList *sdl, uint64_t version)
{
    struct sotto_kt_leaf l;
    uint8_t uuid[16];

    tu_uuid(uuid, u);
    if (sotto_kt_leaf_dl_update(&l, uuid, u->acct_pub, version, sdl->device_list.data,
                                sdl->device_list.len, sdl->signature.data) != SOTTO_OK ||
        sotto_kt_leaf_sign(&l, u->acct_priv) != SOTTO_OK) {
        abort();
    }
    memcpy(sig, l.signature, 64);
}

int tu_register(struct tc *c, const struct tuser *u, size_t ndev)
{
    Sotto__Server__Request rq = SOTTO__SERVER__REQUEST__INIT;
    Sotto__Server__Register g = SOTTO__SERVER__REGISTER__INIT;
    struct sotto_kt_leaf create;
    uint8_t uuid[16], dl_sig[64];
    int st;

    g.username = (char *)u->name;
    g.account_key.data = (uint8_t *)u->acct_pub;
    g.account_key.len = 33;
    g.devices = tu_sdl(u, ndev, 1);
    tu_uuid(uuid, u);
    sotto_kt_leaf_create(&create, uuid, u->acct_pub);
    if (sotto_kt_leaf_sign(&create, u->acct_priv) != SOTTO_OK) {
        abort();
    }
    tu_dl_sig(dl_sig, u, g.devices, 1);
    g.kt_uuid = (ProtobufCBinaryData){16, uuid};
    g.kt_create_sig = (ProtobufCBinaryData){64, create.signature};
    g.kt_dl_sig = (ProtobufCBinaryData){64, dl_sig};
    rq.body_case = SOTTO__SERVER__REQUEST__BODY_REGISTER;
    rq.register_ = &g;
    st = status_of(c, &rq);
    tu_sdl_free(g.devices);
    return st;
}

int tu_set_devices(struct tc *c, struct tuser *u, size_t ndev)
{
    Sotto__Server__Request rq = SOTTO__SERVER__REQUEST__INIT;
    Sotto__Server__SetDevices sd = SOTTO__SERVER__SET_DEVICES__INIT;
    uint8_t dl_sig[64];
    int st;

    sd.devices = tu_sdl(u, ndev, u->version);
    tu_dl_sig(dl_sig, u, sd.devices, u->version);
    sd.kt_dl_sig = (ProtobufCBinaryData){64, dl_sig};
    rq.body_case = SOTTO__SERVER__REQUEST__BODY_SET_DEVICES;
    rq.set_devices = &sd;
    st = status_of(c, &rq);
    tu_sdl_free(sd.devices);
    return st;
}

int tu_upload(struct tc *c, uint32_t first_id, size_t n_onetime, size_t n_kyber, int last_resort)
{
    Sotto__Server__Request rq = SOTTO__SERVER__REQUEST__INIT;
    Sotto__Server__UploadKeys u = SOTTO__SERVER__UPLOAD_KEYS__INIT;
    Sotto__Server__SignedPreKey spk = SOTTO__SERVER__SIGNED_PRE_KEY__INIT, lr = spk;
    Sotto__Server__OneTimePreKey *ot = calloc(n_onetime + 1, sizeof(*ot)), **otp;
    Sotto__Server__SignedPreKey *ky = calloc(n_kyber + 1, sizeof(*ky)), **kyp;
    static uint8_t ec[33] = {5}, sig[64], kyber[1569] = {8};
    int st;

    otp = calloc(n_onetime + 1, sizeof(*otp));
    kyp = calloc(n_kyber + 1, sizeof(*kyp));
    spk.key_id = first_id;
    spk.public_key = (ProtobufCBinaryData){33, ec};
    spk.signature = (ProtobufCBinaryData){64, sig};
    lr = spk;
    lr.public_key = (ProtobufCBinaryData){1569, kyber};
    for (size_t i = 0; i < n_onetime; i++) {
        sotto__server__one_time_pre_key__init(&ot[i]);
        ot[i].key_id = first_id + (uint32_t)i;
        ot[i].public_key = (ProtobufCBinaryData){33, ec};
        otp[i] = &ot[i];
    }
    for (size_t i = 0; i < n_kyber; i++) {
        ky[i] = lr;
        ky[i].key_id = first_id + (uint32_t)i;
        kyp[i] = &ky[i];
    }
    u.signed_prekey = &spk;
    u.n_one_time = n_onetime;
    u.one_time = otp;
    u.n_kyber = n_kyber;
    u.kyber = kyp;
    u.kyber_last_resort = last_resort ? &lr : NULL;
    rq.body_case = SOTTO__SERVER__REQUEST__BODY_UPLOAD_KEYS;
    rq.upload_keys = &u;
    st = status_of(c, &rq);
    free(ot);
    free(ky);
    free(otp);
    free(kyp);
    return st;
}

int tu_send(struct tc *c, const char *to, const uint8_t guid[16], const uint32_t *dev,
            const uint32_t *regid, size_t n, const char *text)
{
    Sotto__Server__Request rq = SOTTO__SERVER__REQUEST__INIT;
    Sotto__Server__Send s = SOTTO__SERVER__SEND__INIT;
    Sotto__Server__OutEnvelope env[16], *ep[16];

    s.username = (char *)to;
    s.guid = (ProtobufCBinaryData){16, (uint8_t *)guid};
    for (size_t i = 0; i < n; i++) {
        sotto__server__out_envelope__init(&env[i]);
        env[i].device_id = dev[i];
        env[i].registration_id = regid[i];
        env[i].type = 3;
        env[i].content = (ProtobufCBinaryData){strlen(text), (uint8_t *)text};
        ep[i] = &env[i];
    }
    s.n_envelopes = n;
    s.envelopes = ep;
    rq.body_case = SOTTO__SERVER__REQUEST__BODY_SEND;
    rq.send = &s;
    return status_of(c, &rq);
}

int tu_ack(struct tc *c, const uint8_t (*guids)[16], size_t n)
{
    Sotto__Server__Request rq = SOTTO__SERVER__REQUEST__INIT;
    Sotto__Server__Ack a = SOTTO__SERVER__ACK__INIT;
    ProtobufCBinaryData *g = calloc(n + 1, sizeof(*g));
    int st;

    for (size_t i = 0; i < n; i++) {
        g[i] = (ProtobufCBinaryData){16, (uint8_t *)guids[i]};
    }
    a.n_guids = n;
    a.guids = g;
    rq.body_case = SOTTO__SERVER__REQUEST__BODY_ACK;
    rq.ack = &a;
    st = status_of(c, &rq);
    free(g);
    return st;
}
