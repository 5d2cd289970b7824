/*
 * libFuzzer target: session record parsing (storage.proto SessionRecord),
 * a serialize/parse round trip that must be stable, and the archived
 * states parsed one by one as trial decryption would.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "session/session.h"
#include "sotto/sotto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sotto_session_record *rec = NULL, *again = NULL;
    struct sotto_buf a = {NULL, 0}, b = {NULL, 0};
    uint8_t key[SOTTO_PUBLIC_KEY_BYTES];

    if (sotto_session_record_parse(&rec, data, size) != SOTTO_OK)
        return 0;
    (void)sotto_session_record_has_current(rec);
    (void)sotto_session_record_version(rec);
    if (sotto_session_record_remote_identity(key, rec) != SOTTO_OK)
        memset(key, 0, sizeof(key));
    for (size_t i = 0; i < rec->narchived; i++) {
        struct st_state *s = NULL;
        if (st_state_parse(&s, rec->archived[i].data, rec->archived[i].len) == SOTTO_OK)
            st_state_free(s);
    }
    if (sotto_session_record_serialize(&a, rec) == SOTTO_OK &&
        sotto_session_record_parse(&again, a.data, a.len) == SOTTO_OK &&
        sotto_session_record_serialize(&b, again) == SOTTO_OK) {
        if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
            abort(); /* a parsed record must re-serialize identically */
    }
    sotto_buf_free(&a);
    sotto_buf_free(&b);
    sotto_session_record_free(again);
    sotto_session_record_free(rec);
    return 0;
}
