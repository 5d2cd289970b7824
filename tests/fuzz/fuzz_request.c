/*
 * libFuzzer target for sottod's request parsing: a decrypted message is
 * decoded as a Frame (protobuf-c) and every request body goes through the
 * same checks the handlers run first: usernames, signed device lists
 * (signature, account binding, device entries), key uploads, sends, acks.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "../../server/devlist.c"
#include "../../server/validate.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_devlist(const Sotto__Server__SignedDeviceList *sdl, const char *username,
                          const uint8_t *account_key, size_t klen)
{
    struct sd_devlist dl;
    const char *msg;
    char key[40];
    uint8_t ak[33] = {5};

    if (klen == 33) {
        memcpy(ak, account_key, 33);
    }
    if (username == NULL || sd_username_key(key, username) != 0) {
        snprintf(key, sizeof(key), "fuzz");
    }
    if (sd_devlist_verify(&dl, &msg, sdl, key, ak) == SOTTO__SERVER__STATUS__STATUS_OK &&
        (dl.n == 0 || dl.n > SD_DEVICES_MAX)) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Sotto__Server__Frame *f;
    const Sotto__Server__Request *rq;

    if (size > SD_MSG_MAX_AUTH) {
        return 0;
    }
    f = sotto__server__frame__unpack(NULL, size, data);
    if (f == NULL) {
        return 0;
    }
    rq = f->kind_case == SOTTO__SERVER__FRAME__KIND_REQUEST ? f->request : NULL;
    if (rq != NULL && rq->body_case == SOTTO__SERVER__REQUEST__BODY_REGISTER && rq->register_) {
        check_devlist(rq->register_->devices, rq->register_->username,
                      rq->register_->account_key.data, rq->register_->account_key.len);
    } else if (rq != NULL && rq->body_case == SOTTO__SERVER__REQUEST__BODY_SET_DEVICES &&
               rq->set_devices) {
        check_devlist(rq->set_devices->devices, "fuzz", NULL, 0);
    } else if (rq != NULL && rq->body_case == SOTTO__SERVER__REQUEST__BODY_UPLOAD_KEYS &&
               rq->upload_keys) {
        (void)sd_validate_upload(rq->upload_keys);
    } else if (rq != NULL && rq->body_case == SOTTO__SERVER__REQUEST__BODY_SEND && rq->send) {
        (void)sd_validate_send(rq->send);
    } else if (rq != NULL && rq->body_case == SOTTO__SERVER__REQUEST__BODY_ACK) {
        (void)sd_validate_ack(rq->ack);
    }
    sotto__server__frame__free_unpacked(f, NULL);
    return 0;
}
