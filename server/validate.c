/*
 * Size and shape checks of requests, kept free of I/O so the request fuzzer
 * (tests/fuzz/fuzz_request.c) runs them on arbitrary decoded input.
 */
#include "handlers.h"
#include "sdlimits.h"

enum { KYBER_PUB_MIN = 800 };

static int signed_ok(const Sotto__Server__SignedPreKey *k, size_t min, size_t max)
{
    return k != NULL && k->public_key.len >= min && k->public_key.len <= max &&
           k->signature.len == SD_SIG_BYTES;
}

int sd_validate_upload(const Sotto__Server__UploadKeys *u)
{
    if (u->n_one_time > SD_PREKEY_BATCH_MAX || u->n_kyber > SD_PREKEY_BATCH_MAX) {
        return -1;
    }
    if (u->signed_prekey != NULL && !signed_ok(u->signed_prekey, 33, 33)) {
        return -1;
    }
    if (u->kyber_last_resort != NULL &&
        !signed_ok(u->kyber_last_resort, KYBER_PUB_MIN, SD_KYBER_PUB_MAX)) {
        return -1;
    }
    for (size_t i = 0; i < u->n_one_time; i++) {
        if (u->one_time[i]->public_key.len != 33) {
            return -1;
        }
    }
    for (size_t i = 0; i < u->n_kyber; i++) {
        if (!signed_ok(u->kyber[i], KYBER_PUB_MIN, SD_KYBER_PUB_MAX)) {
            return -1;
        }
    }
    return 0;
}

int sd_validate_send(const Sotto__Server__Send *s)
{
    if (s->username == NULL || s->guid.len != SD_GUID_BYTES || s->n_envelopes == 0 ||
        s->n_envelopes > SD_DEVICES_MAX) {
        return -1;
    }
    for (size_t i = 0; i < s->n_envelopes; i++) {
        if (s->envelopes[i]->content.len == 0 || s->envelopes[i]->content.len > SD_CONTENT_MAX) {
            return -1;
        }
        for (size_t j = 0; j < i; j++) {
            if (s->envelopes[i]->device_id == s->envelopes[j]->device_id) {
                return -1;
            }
        }
    }
    return 0;
}

int sd_validate_ack(const Sotto__Server__Ack *a)
{
    if (a == NULL || a->n_guids == 0 || a->n_guids > SD_ACK_MAX) {
        return -1;
    }
    for (size_t i = 0; i < a->n_guids; i++) {
        if (a->guids[i].len != SD_GUID_BYTES) {
            return -1;
        }
    }
    return 0;
}
