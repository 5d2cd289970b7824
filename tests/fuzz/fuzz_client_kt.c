/*
 * libFuzzer target for the client's key-transparency checks
 * (client/kt_check.c): an AccountInfo from the server (checkpoint note,
 * leaf, index, inclusion proof, log key, signed device list) goes through
 * sc_kt_check_account against a scratch store. The log key in the input is
 * pinned first so the checks past the pin run too. Invariant: no crash, and
 * nothing is accepted without a checkpoint and a leaf.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/kt_check.h"
#include "client/sync.h"
#include "crypto/crypto.h"
#include "sotto/sotto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[] = "/tmp/sotto-fuzz-kt.XXXXXX";

static void cleanup(void)
{
    static const char *const files[] = {"store.db", "store.db-wal", "store.db-shm"};
    char path[64];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
}

static struct sc_store *scratch(void)
{
    static struct sc_store *st;
    char path[64];
    uint8_t key[32] = {1};

    if (st != NULL)
        return st;
    if (sotto_init() != SOTTO_OK || mkdtemp(dir) == NULL)
        abort();
    atexit(cleanup);
    snprintf(path, sizeof path, "%s/store.db", dir);
    if (sc_store_open(&st, path) != SOTTO_OK || sc_store_unlock_key(st, key) != SOTTO_OK)
        abort();
    return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Sotto__Server__AccountInfo *ai;
    struct sc_sync s;
    int rc;

    if (size > 64 * 1024)
        return 0;
    ai = sotto__server__account_info__unpack(NULL, size, data);
    if (ai == NULL)
        return 0;
    memset(&s, 0, sizeof s);
    s.store = scratch();
    strcpy(s.self, "me");
    if (ai->kt_log_key.len == 33 &&
        sc_store_secret_put(s.store, "kt_log_key", ai->kt_log_key.data, 33) != SOTTO_OK)
        abort();
    rc = sc_kt_check_account(&s, ai, "bob", ai->log_index);
    if (rc == SOTTO_OK && (ai->kt_checkpoint == NULL || ai->kt_leaf.len == 0))
        abort();
    sotto__server__account_info__free_unpacked(ai, NULL);
    return 0;
}
