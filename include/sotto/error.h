/*
 * sotto error codes: one table, expanded into the enum, the stable names
 * (used in JSON and the peer-driver contract) and the messages for people.
 * 0 is success; every fallible libsotto function returns one of these.
 */
#ifndef SOTTO_ERROR_H
#define SOTTO_ERROR_H

#if defined(__GNUC__) || defined(__clang__)
#define SOTTO_MUST_CHECK __attribute__((warn_unused_result))
#else
#define SOTTO_MUST_CHECK
#endif

/* XX(enum suffix, stable name, message). Append only: values are stable. */
#define SOTTO_ERRNO_MAP(XX)                                                                        \
    XX(OK, "ok", "success")                                                                        \
    XX(INVALID_ARGUMENT, "invalid_argument", "invalid argument")                                   \
    XX(NOMEM, "nomem", "out of memory")                                                            \
    XX(CRYPTO, "crypto", "cryptographic library failure")                                          \
    XX(INVALID_KEY, "invalid_key", "invalid or malformed key")                                     \
    XX(WEAK_KEY, "weak_key", "key agreement produced an all-zero secret")                          \
    XX(INVALID_SIGNATURE, "invalid_signature", "signature does not verify")                        \
    XX(BAD_MAC, "bad_mac", "message authentication failed")                                        \
    XX(BAD_PADDING, "bad_padding", "bad padding after decryption")                                 \
    XX(TOO_LARGE, "too_large", "input exceeds the allowed size")                                   \
    XX(TRUNCATED, "truncated", "input ends too early")                                             \
    XX(INVALID_MESSAGE, "invalid_message", "message cannot be parsed")                             \
    XX(INVALID_VERSION, "invalid_version", "unsupported protocol version")                         \
    XX(DUPLICATE_MESSAGE, "duplicate_message", "message was already received")                     \
    XX(UNTRUSTED_IDENTITY, "untrusted_identity", "identity key is not trusted")                    \
    XX(INVALID_PREKEY, "invalid_prekey", "unknown or already used prekey")                         \
    XX(TOO_FAR_AHEAD, "too_far_ahead", "message counter is too far in the future")                 \
    XX(INVALID_STATE, "invalid_state", "operation not valid in the current state")                 \
    XX(NO_SESSION, "no_session", "no session with this peer")                                      \
    XX(UNSUPPORTED, "unsupported", "operation not supported")                                      \
    XX(NOT_FOUND, "not_found", "not found")                                                        \
    XX(STORE, "store", "the caller's store reported a failure")                                    \
    XX(VERSION_MISMATCH, "version_mismatch", "fingerprint versions differ")                        \
    XX(HANDSHAKE, "handshake", "noise handshake failed")                                           \
    XX(NONCE_EXHAUSTED, "nonce_exhausted", "noise nonce exhausted; reconnect")                     \
    XX(UNREACHABLE, "unreachable", "the server cannot be reached")                                 \
    XX(RATE_LIMITED, "rate_limited", "too many requests; try again later")                         \
    XX(REFUSED, "refused", "the server refused the request")                                       \
    XX(KT_BAD_PROOF, "kt_bad_proof", "transparency log proof does not verify")                     \
    XX(KT_INCONSISTENT, "kt_inconsistent", "transparency log checkpoints are inconsistent (fork)") \
    XX(KT_STALE, "kt_stale", "transparency log checkpoint is older than one already accepted")     \
    XX(KT_UNAUTHORISED, "kt_unauthorised",                                                         \
       "the transparency log shows a change to your account that you did not make")                \
    XX(NOT_GROUP_MEMBER, "not_group_member", "not a current member of that group")

enum sotto_err {
#define SOTTO_ERR_ENUM(name, str, msg) SOTTO_ERR_##name,
    SOTTO_ERRNO_MAP(SOTTO_ERR_ENUM)
#undef SOTTO_ERR_ENUM
        SOTTO_ERR__COUNT
};

#define SOTTO_OK SOTTO_ERR_OK

/* Stable machine name ("bad_mac"); "unknown" for a value not in the table. */
const char *sotto_err_name(int err);
/* Message for people ("message authentication failed"). */
const char *sotto_strerror(int err);

#endif
