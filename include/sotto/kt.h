/*
 * Key transparency, stage A: the transparent binding log
 * (spec/transparency-and-reporting.md section 2.1). Pure computation, no I/O.
 *
 *   - Merkle tree hashing, inclusion and consistency proofs of RFC 9162
 *     section 2.1 (SHA-256, leaf SHA-256(0x00 || d), node
 *     SHA-256(0x01 || l || r)); an append-only tree that keeps only its
 *     frontier, so a server appends and gets roots in O(log n).
 *   - The canonical binary leaf (binding event) and the account-key-signed
 *     device list.
 *   - Checkpoints (C2SP tlog-checkpoint signed notes) signed with XEdDSA by
 *     the log key, and a client-side verifier that only moves forward along
 *     consistency proofs.
 *
 * Hashes are SOTTO_KT_HASH_BYTES arrays; tree sizes and indexes uint64_t.
 * Proofs are arrays of at most SOTTO_KT_PROOF_MAX hashes. Keys are
 * libsignal's 33-byte encoding (0x05 || u); private keys are 32-byte
 * Curve25519 scalars.
 */
#ifndef SOTTO_KT_H
#define SOTTO_KT_H

#include <stddef.h>
#include <stdint.h>

#include "sotto/error.h"

enum sotto_kt_sizes {
    SOTTO_KT_HASH_BYTES = 32,
    SOTTO_KT_PROOF_MAX = 64, /* hashes in a proof; longer proofs are refused */
    SOTTO_KT_UUID_BYTES = 16,
    SOTTO_KT_KEY_BYTES = 33,  /* public key: 0x05 || u */
    SOTTO_KT_PRIV_BYTES = 32, /* Curve25519 private key */
    SOTTO_KT_SIG_BYTES = 64,  /* XEdDSA */
    SOTTO_KT_DEVICE_NAME_MAX = 64,
    SOTTO_KT_DL_DEVICES_MAX = 32,
    /* leaf: 1+1+8 + 2+16 + 2+body + 8; body at most 2+33 + 8 + 2+32 + 2+64 */
    SOTTO_KT_LEAF_MAX = 38 + 143,
    /* one device: 4 + 2+33 + 8 + 2+64 */
    SOTTO_KT_DL_ENTRY_MAX = 113,
    /* 1 + 2+33 + 8 + 2 + devices + 2+64 */
    SOTTO_KT_DL_MAX = 112 + SOTTO_KT_DL_DEVICES_MAX * SOTTO_KT_DL_ENTRY_MAX,
    SOTTO_KT_ORIGIN_MAX = 255,
    SOTTO_KT_CHECKPOINT_MAX = 8192, /* note text plus all signature lines */
    SOTTO_KT_NOTE_SIGS_MAX = 16,
};

typedef uint8_t sotto_kt_hash[SOTTO_KT_HASH_BYTES];

/* ---- Merkle tree (lib/kt/merkle.c, lib/kt/proof.c, lib/kt/tree.c) ---- */

/* Leaf hash SHA-256(0x00 || data). */
void sotto_kt_leaf_hash(uint8_t out[SOTTO_KT_HASH_BYTES], const uint8_t *data, size_t len);
/* Interior node hash SHA-256(0x01 || left || right). */
void sotto_kt_node_hash(uint8_t out[SOTTO_KT_HASH_BYTES], const uint8_t left[SOTTO_KT_HASH_BYTES],
                        const uint8_t right[SOTTO_KT_HASH_BYTES]);
/* MTH(D[n]) over n leaf hashes (n = 0 gives SHA-256 of the empty string). */
void sotto_kt_root(uint8_t root[SOTTO_KT_HASH_BYTES], const sotto_kt_hash *leaves, uint64_t n);

/*
 * Inclusion proof PATH(index, D[n]) (RFC 9162 2.1.3.1) from all n leaf
 * hashes; proof has room for SOTTO_KT_PROOF_MAX hashes. index >= n:
 * SOTTO_ERR_INVALID_ARGUMENT.
 */
SOTTO_MUST_CHECK int sotto_kt_inclusion_proof(sotto_kt_hash proof[SOTTO_KT_PROOF_MAX],
                                              size_t *proof_len, const sotto_kt_hash *leaves,
                                              uint64_t n, uint64_t index);
/*
 * RFC 9162 2.1.3.2: SOTTO_OK if leaf is at index in the tree of size with
 * this root, else SOTTO_ERR_KT_BAD_PROOF (also for index >= size and for
 * proofs longer than SOTTO_KT_PROOF_MAX).
 */
SOTTO_MUST_CHECK int sotto_kt_inclusion_verify(uint64_t index, uint64_t size,
                                               const uint8_t leaf[SOTTO_KT_HASH_BYTES],
                                               const sotto_kt_hash *proof, size_t proof_len,
                                               const uint8_t root[SOTTO_KT_HASH_BYTES]);
/*
 * Consistency proof PROOF(size1, D[size2]) (RFC 9162 2.1.4.1) from the
 * first size2 leaf hashes. Needs 0 < size1 <= size2, else
 * SOTTO_ERR_INVALID_ARGUMENT. size1 == size2 gives the empty proof.
 */
SOTTO_MUST_CHECK int sotto_kt_consistency_proof(sotto_kt_hash proof[SOTTO_KT_PROOF_MAX],
                                                size_t *proof_len, const sotto_kt_hash *leaves,
                                                uint64_t size2, uint64_t size1);
/*
 * RFC 9162 2.1.4.2 with the edge cases settled: size1 == size2 needs an
 * empty proof and root1 == root2; size1 == 0 is always refused (an empty
 * tree proves nothing, and it is never a state a client has accepted);
 * size1 > size2 is refused. SOTTO_OK or SOTTO_ERR_KT_BAD_PROOF.
 */
SOTTO_MUST_CHECK int sotto_kt_consistency_verify(uint64_t size1, uint64_t size2,
                                                 const uint8_t root1[SOTTO_KT_HASH_BYTES],
                                                 const uint8_t root2[SOTTO_KT_HASH_BYTES],
                                                 const sotto_kt_hash *proof, size_t proof_len);

/*
 * An append-only tree that keeps only its frontier: the roots of the
 * perfect subtrees the leaves so far decompose into (at most 64, largest
 * first; one per set bit of the size). Append and root cost O(log n)
 * hashes. A server persists (size, frontier) and restores it at start.
 */
struct sotto_kt_tree;

SOTTO_MUST_CHECK int sotto_kt_tree_new(struct sotto_kt_tree **out);
void sotto_kt_tree_free(struct sotto_kt_tree *t);
uint64_t sotto_kt_tree_size(const struct sotto_kt_tree *t);
/* Appends one leaf hash. SOTTO_ERR_TOO_LARGE once the size is 2^64 - 1. */
SOTTO_MUST_CHECK int sotto_kt_tree_append(struct sotto_kt_tree *t,
                                          const uint8_t leaf[SOTTO_KT_HASH_BYTES]);
void sotto_kt_tree_root(const struct sotto_kt_tree *t, uint8_t root[SOTTO_KT_HASH_BYTES]);
/* Copies out the frontier (popcount(size) hashes, largest subtree first). */
void sotto_kt_tree_frontier(const struct sotto_kt_tree *t, sotto_kt_hash frontier[64],
                            size_t *count);
/* Replaces the state with (size, frontier); count must be popcount(size),
 * else SOTTO_ERR_INVALID_ARGUMENT and the tree is unchanged. */
SOTTO_MUST_CHECK int sotto_kt_tree_restore(struct sotto_kt_tree *t, uint64_t size,
                                           const sotto_kt_hash *frontier, size_t count);

/* ---- leaves: binding events (lib/kt/leaf.c) ---- */

enum sotto_kt_event {
    SOTTO_KT_ACCOUNT_CREATE = 1, /* signed by the AK (proof of possession) */
    SOTTO_KT_DL_UPDATE = 2,      /* signed by the AK */
    SOTTO_KT_ACCOUNT_RESET = 3,  /* the server's statement; no AK signature */
    /* 4 is reserved for NAME_BIND (stage A.2) */
};

enum sotto_kt_reset_reason {
    SOTTO_KT_RESET_REREGISTER = 1, /* re-registration by SMS or similar */
    SOTTO_KT_RESET_PIN = 2,        /* recovery with the registration PIN */
    SOTTO_KT_RESET_OPERATOR = 3,   /* operator action (support, abuse) */
};

#define SOTTO_KT_LEAF_VERSION 1
#define SOTTO_KT_NO_PREV UINT64_MAX /* prev_index of an ACCOUNT_CREATE */

/*
 * One binding event. Fields not used by the event type must be zero.
 * timestamp (ms since the Unix epoch) and prev_index (the account's previous
 * leaf, SOTTO_KT_NO_PREV for ACCOUNT_CREATE) are assigned by the log and are
 * not covered by the AK signature, which covers the event type, account_uuid
 * and the event body (lib/kt/leaf.c has the exact bytes).
 */
struct sotto_kt_leaf {
    uint8_t type;
    uint64_t timestamp;
    uint8_t account_uuid[SOTTO_KT_UUID_BYTES];
    uint8_t account_key[SOTTO_KT_KEY_BYTES]; /* AK, or AK' for a reset */
    uint64_t dl_version;                     /* DL_UPDATE */
    uint8_t dl_hash[SOTTO_KT_HASH_BYTES];    /* DL_UPDATE: SHA-256 of the signed DL */
    uint8_t reason;                          /* ACCOUNT_RESET */
    uint8_t signature[SOTTO_KT_SIG_BYTES];   /* CREATE, DL_UPDATE */
    uint64_t prev_index;
};

/* Canonical encoding; cap >= SOTTO_KT_LEAF_MAX always suffices. A leaf that
 * would not parse back is SOTTO_ERR_INVALID_ARGUMENT. */
SOTTO_MUST_CHECK int sotto_kt_leaf_encode(uint8_t *out, size_t *out_len, size_t cap,
                                          const struct sotto_kt_leaf *leaf);
/* Strict parse: exactly one encoding per leaf, no trailing bytes. Errors:
 * TRUNCATED, TOO_LARGE, INVALID_VERSION, INVALID_MESSAGE, INVALID_KEY. */
SOTTO_MUST_CHECK int sotto_kt_leaf_parse(struct sotto_kt_leaf *leaf, const uint8_t *in, size_t len);
/* Fills leaf->signature with the AK's XEdDSA signature (CREATE, DL_UPDATE). */
SOTTO_MUST_CHECK int sotto_kt_leaf_sign(struct sotto_kt_leaf *leaf,
                                        const uint8_t account_priv[SOTTO_KT_PRIV_BYTES]);
/* Checks the AK signature of a CREATE or DL_UPDATE; SOTTO_ERR_UNSUPPORTED
 * for ACCOUNT_RESET, which carries none. */
SOTTO_MUST_CHECK int sotto_kt_leaf_verify(const struct sotto_kt_leaf *leaf);

/* ---- signed device lists (lib/kt/device_list.c) ---- */

struct sotto_kt_device {
    uint32_t device_id;
    uint8_t identity_key[SOTTO_KT_KEY_BYTES];
    uint64_t added; /* ms since the Unix epoch */
    uint8_t name_len;
    uint8_t name[SOTTO_KT_DEVICE_NAME_MAX]; /* UTF-8, not NUL-terminated */
};

/* Devices are sorted by strictly increasing device_id (one encoding). */
struct sotto_kt_device_list {
    uint8_t account_key[SOTTO_KT_KEY_BYTES];
    uint64_t version;
    uint16_t n_devices;
    struct sotto_kt_device devices[SOTTO_KT_DL_DEVICES_MAX];
    uint8_t signature[SOTTO_KT_SIG_BYTES];
};

/* Signs with the AK (whose public key must be dl->account_key) and encodes;
 * cap >= SOTTO_KT_DL_MAX always suffices. */
SOTTO_MUST_CHECK int sotto_kt_dl_sign(uint8_t *out, size_t *out_len, size_t cap,
                                      struct sotto_kt_device_list *dl,
                                      const uint8_t account_priv[SOTTO_KT_PRIV_BYTES]);
SOTTO_MUST_CHECK int sotto_kt_dl_encode(uint8_t *out, size_t *out_len, size_t cap,
                                        const struct sotto_kt_device_list *dl);
/* Strict parse; does not check the signature. */
SOTTO_MUST_CHECK int sotto_kt_dl_parse(struct sotto_kt_device_list *dl, const uint8_t *in,
                                       size_t len);
/* SOTTO_OK or SOTTO_ERR_INVALID_SIGNATURE. */
SOTTO_MUST_CHECK int sotto_kt_dl_verify(const struct sotto_kt_device_list *dl);
/* H(signed DL) as a DL_UPDATE leaf carries it: SHA-256 of the encoding. */
void sotto_kt_dl_hash(uint8_t out[SOTTO_KT_HASH_BYTES], const uint8_t *encoded, size_t len);

/* ---- sotto's bindings (lib/kt/binding.c) ---- */

enum { SOTTO_KT_ORIGIN_FOR_KEY_BYTES = 26 }; /* "sotto-kt/" + 16 hex + NUL */

/* The origin line of sottod's log: "sotto-kt/" and the first 8 bytes of
 * SHA-256(log key) in hex, so pinning the key pins the origin. */
void sotto_kt_origin_for_key(char out[SOTTO_KT_ORIGIN_FOR_KEY_BYTES],
                             const uint8_t log_key[SOTTO_KT_KEY_BYTES]);
/* What a DL_UPDATE leaf carries of a server-stored signed device list:
 * SHA-256("sotto kt signed device list v1\0" || u32 len || list || sig).
 * SOTTO_ERR_TOO_LARGE for lists of 2^32 bytes or more. */
SOTTO_MUST_CHECK int sotto_kt_signed_list_hash(uint8_t out[SOTTO_KT_HASH_BYTES],
                                               const uint8_t *list, size_t list_len,
                                               const uint8_t sig[SOTTO_KT_SIG_BYTES]);
/* Unsigned ACCOUNT_CREATE and DL_UPDATE leaves (timestamp and prev_index
 * left for the log; sign with sotto_kt_leaf_sign). */
void sotto_kt_leaf_create(struct sotto_kt_leaf *leaf, const uint8_t uuid[SOTTO_KT_UUID_BYTES],
                          const uint8_t account_key[SOTTO_KT_KEY_BYTES]);
SOTTO_MUST_CHECK int sotto_kt_leaf_dl_update(struct sotto_kt_leaf *leaf,
                                             const uint8_t uuid[SOTTO_KT_UUID_BYTES],
                                             const uint8_t account_key[SOTTO_KT_KEY_BYTES],
                                             uint64_t dl_version, const uint8_t *list,
                                             size_t list_len,
                                             const uint8_t sig[SOTTO_KT_SIG_BYTES]);

/* ---- checkpoints (lib/kt/checkpoint.c, lib/kt/verifier.c) ---- */

struct sotto_kt_checkpoint {
    char origin[SOTTO_KT_ORIGIN_MAX + 1]; /* NUL-terminated */
    uint64_t size;
    uint8_t root[SOTTO_KT_HASH_BYTES];
};

/*
 * Signed note "<origin>\n<size>\n<base64 root>\n\n— <origin> <base64(key id
 * || sig)>\n", the log's key name being the origin. The signature is XEdDSA
 * by the log's Curve25519 key over the note text; signature type 0xff
 * followed by "sotto-xeddsa" in the key ID. Origins are 1..255 printable
 * ASCII bytes other than space and '+'. out gets a NUL after *out_len bytes;
 * cap >= SOTTO_KT_CHECKPOINT_MAX suffices.
 */
SOTTO_MUST_CHECK int sotto_kt_checkpoint_sign(char *out, size_t *out_len, size_t cap,
                                              const struct sotto_kt_checkpoint *cp,
                                              const uint8_t log_priv[SOTTO_KT_PRIV_BYTES]);
/*
 * Parses a checkpoint note and checks the signature of (origin, log_key).
 * Signature lines of other keys (witnesses) are ignored; a failing
 * signature of the log key, or none, is SOTTO_ERR_INVALID_SIGNATURE; a note
 * whose origin is not the expected one is SOTTO_ERR_INVALID_MESSAGE.
 */
SOTTO_MUST_CHECK int sotto_kt_checkpoint_verify(struct sotto_kt_checkpoint *cp, const char *note,
                                                size_t len, const char *origin,
                                                const uint8_t log_key[SOTTO_KT_KEY_BYTES]);

/*
 * A client's view of one log: the largest checkpoint it has accepted.
 * It moves forward only along a valid consistency proof.
 */
struct sotto_kt_verifier;

SOTTO_MUST_CHECK int sotto_kt_verifier_new(struct sotto_kt_verifier **out, const char *origin,
                                           const uint8_t log_key[SOTTO_KT_KEY_BYTES]);
void sotto_kt_verifier_free(struct sotto_kt_verifier *v);
/*
 * Offers a signed checkpoint and a consistency proof from the accepted
 * checkpoint to it (ignored for the first one; must be empty for an equal
 * size). On SOTTO_OK it becomes the accepted checkpoint (*cp, if not NULL,
 * gets it). Otherwise the state is unchanged and:
 *   INVALID_SIGNATURE / INVALID_MESSAGE  the note does not verify;
 *   KT_STALE         smaller than the accepted size (gossip may do that);
 *   KT_INCONSISTENT  the two signed checkpoints are not shown consistent:
 *                    same size with another root (proof of a fork), or the
 *                    proof fails. Keep sotto_kt_verifier_note() and this
 *                    note as fork evidence.
 */
SOTTO_MUST_CHECK int sotto_kt_verifier_update(struct sotto_kt_verifier *v,
                                              struct sotto_kt_checkpoint *cp, const char *note,
                                              size_t len, const sotto_kt_hash *proof,
                                              size_t proof_len);
/* The accepted checkpoint, or SOTTO_ERR_NOT_FOUND before the first one. */
SOTTO_MUST_CHECK int sotto_kt_verifier_current(const struct sotto_kt_verifier *v,
                                               struct sotto_kt_checkpoint *cp);
/* The accepted note's text (NULL, 0 before the first), for persistence and
 * fork evidence; restore by offering it to a fresh verifier. */
const char *sotto_kt_verifier_note(const struct sotto_kt_verifier *v, size_t *len);

#endif
