/*
 * Group commit (DESIGN.md "Durability"): sends and acks handled during one
 * loop iteration are queued here and written in one store transaction by a
 * uv_check handle after the iteration's I/O. Responses go out only after the
 * transaction committed, so an acked send is on disk.
 */
#ifndef SD_COMMIT_H
#define SD_COMMIT_H

struct sd_server;

#include <stdint.h>

#include "store/store.h"

enum sd_pending_kind { SD_PENDING_SEND, SD_PENDING_ACK };

struct sd_conn;

struct sd_pending {
    struct sd_pending *next;
    struct sd_conn *conn; /* NULL once the connection closed */
    uint64_t req_id;
    int kind;
    int64_t account_id; /* send: recipient; ack: acking device's account */
    uint32_t device_id; /* ack: acking device */
    size_t n;
    struct sd_envelope *envs; /* send: n envelopes, contents owned */
    uint8_t (*guids)[16];     /* ack: n guids */
    int status;               /* store status after the batch */
    uint32_t full_device;     /* send refused: device whose queue is full */
};

void sd_pending_enqueue(struct sd_server *srv, struct sd_pending *p);
void sd_pending_free(struct sd_pending *p);
/* Runs the queued batch now (also called when draining). */
void sd_commit_flush(struct sd_server *srv);

#endif
