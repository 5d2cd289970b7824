/*
 * Request handlers. Each gets the request context, fills ctx->rs and says
 * whether to reply now, later (after the group commit) or reply and close.
 * Allocations for the response live in ctx's arena, freed after sending.
 */
#ifndef SD_HANDLERS_H
#define SD_HANDLERS_H

#include "conn.h"
#include "sdlimits.h"
#include "server.pb-c.h"

enum sd_handler_result { SD_H_REPLY, SD_H_DEFERRED, SD_H_CLOSE };

struct sd_arena_block;

struct sd_req {
    struct sd_conn *c;
    const Sotto__Server__Request *rq;
    Sotto__Server__Response *rs;
    struct sd_arena_block *arena;
};

typedef int (*sd_handler)(struct sd_req *r);

/* zeroed memory owned by the request; NULL on exhaustion */
void *sd_req_alloc(struct sd_req *r, size_t n);
/* Sets a non-OK status and a message for people; returns SD_H_REPLY. */
int sd_req_fail(struct sd_req *r, Sotto__Server__Status status, const char *msg);

/* devlist.c */
struct sd_devlist {
    uint64_t version;
    size_t n;
    struct sd_device devs[SD_DEVICES_MAX];
};
int sd_username_key(char key[40], const char *username);
/* Verifies a SignedDeviceList for (username_key, account_key). STATUS_OK or
 * the status to return; *msg says what was wrong. */
int sd_devlist_verify(struct sd_devlist *out, const char **msg,
                      const Sotto__Server__SignedDeviceList *sdl, const char *username_key,
                      const uint8_t account_key[33]);

/* validate.c: 0 if the request's sizes and counts are acceptable */
int sd_validate_upload(const Sotto__Server__UploadKeys *u);
int sd_validate_send(const Sotto__Server__Send *s);
int sd_validate_ack(const Sotto__Server__Ack *a);

/* handlers_account.c */
int sd_h_hello(struct sd_req *r);
int sd_h_register(struct sd_req *r);
int sd_h_set_devices(struct sd_req *r);
int sd_h_get_account(struct sd_req *r);
/* Fills an AccountInfo in r's arena from a stored account. */
Sotto__Server__AccountInfo *sd_account_info(struct sd_req *r, const struct sd_account *a);

/* handlers_keys.c */
int sd_h_upload_keys(struct sd_req *r);
int sd_h_fetch_bundle(struct sd_req *r);
int sd_h_key_status(struct sd_req *r);
/* Sends KeysLow to a registered device whose one-time keys run low. */
void sd_keys_check_low(struct sd_conn *c);

/* handlers_msg.c */
int sd_h_send(struct sd_req *r);
int sd_h_ack(struct sd_req *r);

/* handlers_attach.c: attachments (opaque blobs) in chunks */
int sd_h_attach_begin(struct sd_req *r);
int sd_h_attach_chunk(struct sd_req *r);
int sd_h_attach_finish(struct sd_req *r);
int sd_h_attach_get(struct sd_req *r);
/* Opens the blob store (cfg->blob_dir) and expires old blobs; 0 or -1. */
int sd_attach_open(struct sd_server *srv);
void sd_attach_close(struct sd_server *srv);
/* Drops unfinished uploads and blobs past their lifetimes. */
void sd_attach_expire(struct sd_server *srv, uint64_t now_ms);

#endif
