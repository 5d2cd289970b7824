/*
 * libFuzzer target for sottod's request parsing: a decrypted message is
 * decoded as a Frame (protobuf-c) and every request body goes through the
 * same checks the handlers run first: usernames, signed device lists
 * (signature, account binding, device entries), key uploads, sends, acks,
 * and the transparency-log leaves a Register or SetDevices asks for (built
 * from the request as server/handlers_account.c does, then verified).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "sotto/kt.h"
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

/* The DL_UPDATE leaf of a request's list, as sottod builds and checks it. */
static void check_leaf(const Sotto__Server__SignedDeviceList *sdl, const uint8_t *ak, size_t aklen,
                       const ProtobufCBinaryData *uuid, const ProtobufCBinaryData *sig)
{
    struct sotto_kt_leaf l;
    uint8_t key[33] = {5}, id[16] = {0};

    if (sdl == NULL || sdl->signature.len != 64 || sig->len != 64) {
        return;
    }
    if (aklen == 33) {
        memcpy(key, ak, 33);
    }
    if (uuid != NULL && uuid->len == 16) {
        memcpy(id, uuid->data, 16);
    }
    if (sotto_kt_leaf_dl_update(&l, id, key, 1, sdl->device_list.data, sdl->device_list.len,
                                sdl->signature.data) != SOTTO_OK) {
        return;
    }
    memcpy(l.signature, sig->data, 64);
    (void)sotto_kt_leaf_verify(&l);
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
        check_leaf(rq->register_->devices, rq->register_->account_key.data,
                   rq->register_->account_key.len, &rq->register_->kt_uuid,
                   &rq->register_->kt_dl_sig);
    } else if (rq != NULL && rq->body_case == SOTTO__SERVER__REQUEST__BODY_SET_DEVICES &&
               rq->set_devices) {
        check_devlist(rq->set_devices->devices, "fuzz", NULL, 0);
        check_leaf(rq->set_devices->devices, NULL, 0, NULL, &rq->set_devices->kt_dl_sig);
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
