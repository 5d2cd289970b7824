/*
 * libsotto: the Signal protocol (X3DH/PQXDH, Double Ratchet, sender keys,
 * sealed sender), key transparency and franking, with no I/O.
 * This umbrella header is the whole public API.
 */
#ifndef SOTTO_H
#define SOTTO_H

#include <stddef.h>
#include <stdint.h>

#include "sotto/error.h"
#include "sotto/fingerprint.h"
#include "sotto/group.h"
#include "sotto/sealed.h"
#include "sotto/kt.h"
#include "sotto/session.h"

#define SOTTO_VERSION_STRING "0.1.0"

/*
 * Initialise the crypto back ends. Call once before anything else; safe to
 * call again and from several threads. Returns SOTTO_OK or SOTTO_ERR_CRYPTO.
 */
SOTTO_MUST_CHECK int sotto_init(void);

/*
 * Replace the randomness source (tests and reproducible runs only). fn fills
 * out with len bytes; NULL restores the system source. Process-wide: the one
 * piece of mutable global state in libsotto, so tests can pin randomness.
 */
typedef void sotto_random_fn(void *ctx, uint8_t *out, size_t len);
void sotto_random_set_source(sotto_random_fn *fn, void *ctx);

#endif
