/*
 * libFuzzer target for what the client takes from sottod: a decrypted
 * message decoded as a Frame (protobuf-c, as client/conn.c does), and the
 * parts the client then trusts only after checks: signed device lists
 * (client/devlist.c: signature, account binding, entries) in account
 * answers and bundles, envelope fields. Invariants: a list that verifies
 * is within SC_MAX_DEVICES and names the account asked for.
 */
#include <stdlib.h>
#include <string.h>

#include "client/conn.h"
#include "client/devlist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_account(const Sotto__Server__AccountInfo *ai)
{
    struct sc_devlist dl;
    const char *name;
    if (ai == NULL)
        return;
    name = ai->username != NULL && sc_name_valid(ai->username) ? ai->username : "alice";
    if (ai->account_key.len != SC_IDKEY_BYTES)
        return;
    if (sc_devlist_verify(&dl, ai->devices, name, ai->account_key.data) != SOTTO_OK)
        return;
    if (dl.n == 0 || dl.n > SC_MAX_DEVICES || strcmp(dl.username, name) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Sotto__Server__Frame *f = sotto__server__frame__unpack(NULL, size, data);
    if (f == NULL)
        return 0;
    if (f->kind_case == SOTTO__SERVER__FRAME__KIND_RESPONSE && f->response != NULL) {
        const Sotto__Server__Response *rs = f->response;
        const Sotto__Server__Bundle *b = SC_RS_BODY(rs, BUNDLE, bundle);
        check_account(SC_RS_BODY(rs, ACCOUNT, account));
        if (b != NULL)
            check_account(b->account);
    }
    if (f->kind_case == SOTTO__SERVER__FRAME__KIND_PUSH && f->push != NULL &&
        f->push->body_case == SOTTO__SERVER__PUSH__BODY_ENVELOPE && f->push->envelope != NULL) {
        const Sotto__Server__Envelope *e = f->push->envelope;
        /* The receive path's first checks (client/sync_recv.c). */
        if (e->guid.len == 16 && e->source != NULL && strlen(e->source) <= SC_NAME_MAX)
            (void)sc_name_valid(e->source);
    }
    sotto__server__frame__free_unpacked(f, NULL);
    return 0;
}
