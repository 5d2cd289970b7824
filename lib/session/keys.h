/* Prekey records as the session code reads them (keys.c, kyber_prekey.c). */
#ifndef ST_SESSION_KEYS_H
#define ST_SESSION_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "session/session.h"

SOTTO_MUST_CHECK int st_prekey_record_load(uint32_t *id, uint8_t pub[ST_KEY_BYTES],
                                           uint8_t priv[ST_KEY_BYTES], const uint8_t *data,
                                           size_t len);
SOTTO_MUST_CHECK int st_signed_prekey_record_load(uint32_t *id, uint8_t pub[ST_KEY_BYTES],
                                                  uint8_t priv[ST_KEY_BYTES],
                                                  uint8_t sig[ST_SIG_BYTES], const uint8_t *data,
                                                  size_t len);
/* Kyber prekey record: the serialized secret key (type byte first). */
SOTTO_MUST_CHECK int st_kyber_prekey_record_load(uint32_t *id, uint8_t sk[ST_KYBER_SK_BYTES],
                                                 const uint8_t *data, size_t len);

/* PQXDH KEM steps (kyber_prekey.c): encapsulate to a serialized Kyber
 * public key (1569 B), decapsulate a serialized ciphertext (1569 B). */
SOTTO_MUST_CHECK int st_pqxdh_encaps(uint8_t ct[ST_KYBER_CT_BYTES], uint8_t ss[ST_KEY_BYTES],
                                     const uint8_t *pk, size_t pklen);
SOTTO_MUST_CHECK int st_pqxdh_decaps(uint8_t ss[ST_KEY_BYTES], const uint8_t *ct, size_t ctlen,
                                     const uint8_t sk[ST_KYBER_SK_BYTES]);

#endif
