/*
 * sottod's wire sizes and limits in one place (docs/server-api.md).
 * Unauthenticated peers get the smaller limits.
 */
#ifndef SD_SDLIMITS_H
#define SD_SDLIMITS_H

enum sd_limits {
    SD_PROTO_VERSION = 1, /* the one protocol version spoken */
    SD_FRAME_MAX = 65535, /* 2-byte big-endian length prefix */
    SD_NOISE_TAG = 16,
    SD_FRAG_MAX = SD_FRAME_MAX - SD_NOISE_TAG - 1, /* plaintext per fragment */
    SD_MSG_MAX_UNAUTH = 16 * 1024,                 /* reassembled message, before registration */
    SD_MSG_MAX_AUTH = 1024 * 1024,                 /* reassembled message, registered device */
    SD_CONTENT_MAX = 256 * 1024,                   /* one envelope's ciphertext */
    SD_DEVICES_MAX = 16,                           /* devices per account */
    SD_DEVICE_ID_MAX = 127,
    SD_REGID_MAX = 16380,
    SD_USERNAME_MIN = 3,
    SD_USERNAME_MAX = 32,
    SD_PUBKEY_BYTES = 33,
    SD_KYBER_PUB_MAX = 1569, /* Kyber1024 key with its type byte */
    SD_SIG_BYTES = 64,
    SD_GUID_BYTES = 16,
    SD_PREKEY_BATCH_MAX = 200,  /* one-time keys per upload */
    SD_PREKEY_STORE_MAX = 1000, /* one-time keys held per device */
    SD_PREKEY_LOW = 10,         /* KeysLow push below this */
    SD_ACK_MAX = 1000,          /* guids per Ack */
    SD_PUSH_WINDOW = 64,        /* unacked envelopes in flight per connection */
};

#endif
