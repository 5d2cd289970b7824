/*
 * Connections by (account, device), so waking a recipient after a commit
 * costs a bucket walk instead of a scan of every connection.
 */
#include "conn.h"

static size_t bucket(int64_t account_id, uint32_t device_id)
{
    uint64_t h = ((uint64_t)account_id * 0x9E3779B97F4A7C15ull) ^ device_id;
    h ^= h >> 29;
    return (size_t)(h % SD_INDEX_BUCKETS);
}

void sd_index_remove(struct sd_server *srv, struct sd_conn *c)
{
    struct sd_conn **p;

    if (!c->indexed) {
        return;
    }
    for (p = &srv->index[bucket(c->account_id, c->device_id)]; *p != NULL; p = &(*p)->idx_next) {
        if (*p == c) {
            *p = c->idx_next;
            break;
        }
    }
    c->idx_next = NULL;
    c->indexed = 0;
}

void sd_index_add(struct sd_server *srv, struct sd_conn *c)
{
    size_t b = bucket(c->account_id, c->device_id);

    sd_index_remove(srv, c);
    c->idx_next = srv->index[b];
    srv->index[b] = c;
    c->indexed = 1;
}

struct sd_conn *sd_index_first(struct sd_server *srv, int64_t account_id, uint32_t device_id)
{
    struct sd_conn *c = srv->index[bucket(account_id, device_id)];
    while (c != NULL && (c->account_id != account_id || c->device_id != device_id)) {
        c = c->idx_next;
    }
    return c;
}

struct sd_conn *sd_index_next(struct sd_conn *c)
{
    struct sd_conn *n = c->idx_next;
    while (n != NULL && (n->account_id != c->account_id || n->device_id != c->device_id)) {
        n = n->idx_next;
    }
    return n;
}
