/*
 * UnidentifiedSenderMessage.Message (the "USMC", the sealed content):
 * type 1, sender certificate 2, content 3, content hint 4, group id 5
 * (signal-wire.md section 7). As libsignal writes it, a default hint (0)
 * and an empty group id are left out.
 */
#include <string.h>

#include "sealed.pb-c.h"
#include "sealed/sealed.h"

typedef Sotto__Sealed__UnidentifiedSenderMessageContent pb_usmc;

static void to_pb(pb_usmc *p, const struct st_usmc *u)
{
    pb_usmc init = SOTTO__SEALED__UNIDENTIFIED_SENDER_MESSAGE_CONTENT__INIT;

    *p = init;
    p->has_type = 1;
    p->type = (Sotto__Sealed__UnidentifiedSenderMessageContent__Type)u->type;
    p->has_sender_certificate = 1;
    p->sender_certificate.data = (uint8_t *)u->cert;
    p->sender_certificate.len = u->cert_len;
    p->has_content = 1;
    p->content.data = (uint8_t *)u->content;
    p->content.len = u->content_len;
    p->has_content_hint = u->content_hint != 0;
    p->content_hint = u->content_hint;
    p->has_group_id = u->group_id != NULL && u->group_id_len > 0;
    p->group_id.data = (uint8_t *)u->group_id;
    p->group_id.len = u->group_id_len;
}

size_t st_usmc_size(const struct st_usmc *u)
{
    pb_usmc p;
    to_pb(&p, u);
    return sotto__sealed__unidentified_sender_message_content__get_packed_size(&p);
}

size_t st_usmc_write(uint8_t *out, const struct st_usmc *u)
{
    pb_usmc p;
    to_pb(&p, u);
    return sotto__sealed__unidentified_sender_message_content__pack(&p, out);
}

void st_usmc_clear(struct st_usmc *u)
{
    if (u->pb != NULL)
        sotto__sealed__unidentified_sender_message_content__free_unpacked(u->pb, NULL);
    memset(u, 0, sizeof *u);
}

static int known_type(uint32_t t)
{
    return t == SOTTO_SEALED_PREKEY || t == SOTTO_SEALED_WHISPER || t == SOTTO_SEALED_SENDERKEY ||
           t == SOTTO_SEALED_PLAINTEXT;
}

int st_usmc_parse(struct st_usmc *u, const uint8_t *in, size_t len)
{
    pb_usmc *p;

    memset(u, 0, sizeof *u);
    p = sotto__sealed__unidentified_sender_message_content__unpack(NULL, len, in);
    if (p == NULL)
        return SOTTO_ERR_INVALID_MESSAGE;
    u->pb = p;
    if (!p->has_type || !known_type((uint32_t)p->type) || !p->has_sender_certificate ||
        !p->has_content) {
        st_usmc_clear(u);
        return SOTTO_ERR_INVALID_MESSAGE;
    }
    u->type = (uint32_t)p->type;
    u->cert = p->sender_certificate.data;
    u->cert_len = p->sender_certificate.len;
    u->content = p->content.data;
    u->content_len = p->content.len;
    u->content_hint = p->has_content_hint ? p->content_hint : 0;
    if (p->has_group_id) {
        u->group_id = p->group_id.data;
        u->group_id_len = p->group_id.len;
    }
    return SOTTO_OK;
}

uint32_t sotto_sealed_type_from_ciphertext_type(uint32_t t)
{
    switch (t) {
    case 2:
        return SOTTO_SEALED_WHISPER;
    case 3:
        return SOTTO_SEALED_PREKEY;
    case 7:
        return SOTTO_SEALED_SENDERKEY;
    case 8:
        return SOTTO_SEALED_PLAINTEXT;
    default:
        return 0;
    }
}

uint32_t sotto_sealed_type_to_ciphertext_type(uint32_t t)
{
    switch (t) {
    case SOTTO_SEALED_WHISPER:
        return 2;
    case SOTTO_SEALED_PREKEY:
        return 3;
    case SOTTO_SEALED_SENDERKEY:
        return 7;
    case SOTTO_SEALED_PLAINTEXT:
        return 8;
    default:
        return 0;
    }
}
