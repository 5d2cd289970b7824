/*
 * The secure channel under the frames: Noise_XX / Noise_IK
 * 25519_ChaChaPoly_BLAKE2b (lib/transport). The first handshake frame from
 * the initiator carries one extra leading byte naming the pattern
 * (SD_CHAN_XX or SD_CHAN_IK); the prologue is "sotto-server-v1" followed by
 * that byte, so a changed pattern byte fails the handshake.
 *
 * The client's static key is its device identity key; the server's is its
 * long-term key (keyfile.c). Used by sottod (responder) and the e2e test
 * client (initiator).
 */
#ifndef SD_CHAN_H
#define SD_CHAN_H

#include <stddef.h>
#include <stdint.h>

enum sd_chan_pattern { SD_CHAN_XX = 1, SD_CHAN_IK = 2 };

enum sd_chan_status { SD_CHAN_OK = 0, SD_CHAN_ERR = -1 };

struct sd_chan;

/* Responder with static private key spriv. */
int sd_chan_accept(struct sd_chan **c, const uint8_t spriv[32]);
/* Initiator; rs (the server's static public key) is required for IK and,
 * when given for XX, checked against the key the server proves. */
int sd_chan_connect(struct sd_chan **c, int pattern, const uint8_t spriv[32], const uint8_t rs[32]);
/*
 * One handshake step. in/inlen is the peer's handshake frame (NULL/0 for the
 * initiator's first step). If *outlen > 0 afterwards, out (SD_FRAME_MAX
 * bytes) holds the next frame to send. *done is set once transport keys are
 * in place. SD_CHAN_ERR on any failure: close the connection.
 */
int sd_chan_step(struct sd_chan *c, uint8_t *out, size_t *outlen, const uint8_t *in, size_t inlen,
                 int *done);
/* The peer's static public key (valid after the handshake). */
void sd_chan_remote(const struct sd_chan *c, uint8_t rs[32]);
/* out holds len + 16 bytes. */
int sd_chan_encrypt(struct sd_chan *c, uint8_t *out, size_t *outlen, const uint8_t *in, size_t len);
/* out holds len bytes. */
int sd_chan_decrypt(struct sd_chan *c, uint8_t *out, size_t *outlen, const uint8_t *in, size_t len);
void sd_chan_free(struct sd_chan *c);

#endif
