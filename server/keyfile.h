/* The server's long-term Noise static key: 32 raw bytes in a 0600 file,
 * generated on first start. Clients pin the public key (or its fingerprint). */
#ifndef SD_KEYFILE_H
#define SD_KEYFILE_H

#include <stddef.h>
#include <stdint.h>

/* 0 ok; -1 with a message on stderr. *created = 1 if it was generated now. */
int sd_keyfile_load(uint8_t priv[32], uint8_t pub[32], int *created, const char *path);
/* "xxxx xxxx ..." : the first 16 bytes of SHA-256(pub) in hex groups. */
void sd_fingerprint(char out[48], const uint8_t pub[32]);
void sd_hex(char *out, const uint8_t *in, size_t len);

#endif
