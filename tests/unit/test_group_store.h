/* An in-memory sender-key store for the group tests: a small table keyed
 * by (name, device, distribution id), with a switch to make calls fail and
 * counters of saves. */
#ifndef TEST_GROUP_STORE_H
#define TEST_GROUP_STORE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sotto/group.h"

#define MEM_STORE_MAX 16

struct mem_entry {
    char name[64];
    uint32_t device;
    uint8_t dist[16];
    uint8_t *bytes;
    size_t len;
};

struct mem_store {
    struct mem_entry e[MEM_STORE_MAX];
    size_t n;
    int fail_load, fail_save;
    int saves;
};

static inline struct mem_entry *mem_find(struct mem_store *m, const char *name, uint32_t device,
                                         const uint8_t dist[16])
{
    for (size_t i = 0; i < m->n; i++) {
        if (strcmp(m->e[i].name, name) == 0 && m->e[i].device == device &&
            memcmp(m->e[i].dist, dist, 16) == 0)
            return &m->e[i];
    }
    return NULL;
}

static inline int mem_load(void *ctx, const uint8_t **rec, size_t *len, const char *name,
                           uint32_t device, const uint8_t dist[16])
{
    struct mem_store *m = ctx;
    struct mem_entry *e;

    if (m->fail_load)
        return -1;
    e = mem_find(m, name, device, dist);
    *rec = e ? e->bytes : NULL;
    *len = e ? e->len : 0;
    return 0;
}

static inline int mem_save(void *ctx, const char *name, uint32_t device, const uint8_t dist[16],
                           const uint8_t *rec, size_t len)
{
    struct mem_store *m = ctx;
    struct mem_entry *e;

    if (m->fail_save)
        return -1;
    e = mem_find(m, name, device, dist);
    if (e == NULL) {
        if (m->n == MEM_STORE_MAX || strlen(name) >= sizeof e->name)
            return -1;
        e = &m->e[m->n++];
        snprintf(e->name, sizeof e->name, "%s", name);
        e->device = device;
        memcpy(e->dist, dist, 16);
        e->bytes = NULL;
    }
    free(e->bytes);
    e->bytes = malloc(len ? len : 1);
    if (e->bytes == NULL)
        return -1;
    memcpy(e->bytes, rec, len);
    e->len = len;
    m->saves++;
    return 0;
}

static inline void mem_remove(struct mem_store *m, const char *name, uint32_t device,
                              const uint8_t dist[16])
{
    struct mem_entry *e = mem_find(m, name, device, dist);
    if (e == NULL)
        return;
    free(e->bytes);
    *e = m->e[--m->n];
}

static inline void mem_free(struct mem_store *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->e[i].bytes);
    memset(m, 0, sizeof *m);
}

static inline struct sotto_sender_key_store mem_iface(struct mem_store *m)
{
    struct sotto_sender_key_store s = {.ctx = m, .load = mem_load, .save = mem_save};
    return s;
}

#endif
