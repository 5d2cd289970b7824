/*
 * Small blocking test client for sottod: spawns servers in temp dirs, speaks
 * the framed Noise protocol through server/chan.h, builds signed device
 * lists. Test code only: failures are reported, never hidden.
 */
#ifndef TCLIENT_H
#define TCLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "server.pb-c.h"

struct tsrv {
    pid_t pid;
    char dir[128];
    int port;
    int http_port;
    uint8_t key[32];
    const char *opts[16]; /* extra sottod arguments, NULL-terminated */
};

/* Creates a temp dir (first call) and starts sottod; waits for its ready file. */
int ts_start(struct tsrv *s);
/* SIGTERM and wait; returns the exit status or -1. */
int ts_stop(struct tsrv *s);
void ts_kill9(struct tsrv *s);
/* $SOTTO_E2E_SERVER_OPTS (extra sottod options, e.g. another store) or "",
 * for `sottod admin` command lines. */
const char *ts_extra_opts(void);
/* 1 when the extra options select the PostgreSQL store. */
int ts_store_is_postgres(void);
/* Removes the temp dir. */
void ts_cleanup(struct tsrv *s);

struct tdev {
    uint8_t priv[32];
    uint8_t pub[33];
    uint32_t id;
    uint32_t regid;
};

struct tuser {
    char name[40];
    uint8_t acct_priv[32];
    uint8_t acct_pub[33];
    uint64_t version;
    size_t ndev;
    struct tdev dev[8];
};

void tu_init(struct tuser *u, const char *name, size_t ndev);
/* Serialized SignedDeviceList over devices [0, n) at version; malloc'd
 * fields; free with tu_sdl_free. */
Sotto__Server__SignedDeviceList *tu_sdl(const struct tuser *u, size_t n, uint64_t version);
void tu_sdl_free(Sotto__Server__SignedDeviceList *s);

struct tc {
    int fd;
    struct sd_chan *chan;
    uint64_t next_id;
    Sotto__Server__Frame *queue[4096]; /* pushes seen while waiting for responses */
    size_t qhead, qlen;
    int dead;
};

/* Connects with the device key (XX, pinned server key), no Hello. */
int tc_open(struct tc *c, const struct tsrv *s, const struct tdev *d);
/* As tc_open with a chosen pattern (SD_CHAN_XX / SD_CHAN_IK) and pinned key. */
int tc_open_with(struct tc *c, int port, int pattern, const uint8_t server_key[32],
                 const struct tdev *d);
/* tc_open + Hello; returns the Hello response status or -1. */
int tc_connect(struct tc *c, const struct tsrv *s, const struct tdev *d);
void tc_close(struct tc *c);
/* Sends a request (id assigned) without waiting. Returns the id or 0. */
uint64_t tc_send_req(struct tc *c, Sotto__Server__Request *rq);
/* Waits up to timeout_ms for the response with this id; pushes are queued. */
Sotto__Server__Frame *tc_wait(struct tc *c, uint64_t id, int timeout_ms);
/* tc_send_req + tc_wait. Free with tc_free. */
Sotto__Server__Frame *tc_call(struct tc *c, Sotto__Server__Request *rq);
/* Next push (queued first), waiting up to timeout_ms; NULL on timeout. */
Sotto__Server__Frame *tc_push(struct tc *c, int timeout_ms);
/* As tc_push, but KeysLow pushes (sent after Hello when keys are low) are
 * dropped: for tests about envelopes. */
Sotto__Server__Frame *tc_push_msg(struct tc *c, int timeout_ms);
/* Next frame of any kind straight from the socket. */
Sotto__Server__Frame *tc_read(struct tc *c, int timeout_ms);
void tc_free(Sotto__Server__Frame *f);
/* Raw access for bad-input tests. */
int tc_write_raw(int fd, const void *p, size_t len);
int tc_write_msg(struct tc *c, const uint8_t *msg, size_t len, int more);
int tc_tcp(int port);
/* One encrypted fragment whose flag byte is `flag` (valid: 0 or 1). */
int tc_write_frag_flag(struct tc *c, uint8_t flag);

/* Convenience requests; each returns the response status or -1. */
int tu_register(struct tc *c, const struct tuser *u, size_t ndev);
int tu_set_devices(struct tc *c, struct tuser *u, size_t ndev);
int tu_upload(struct tc *c, uint32_t first_id, size_t n_onetime, size_t n_kyber, int last_resort);
int tu_send(struct tc *c, const char *to, const uint8_t guid[16], const uint32_t *dev,
            const uint32_t *regid, size_t n, const char *text);
int tu_ack(struct tc *c, const uint8_t (*guids)[16], size_t n);

#endif
