/* Small helpers shared by sotto's test programs: checks that count instead
 * of aborting, hex, the shared/ vector folder and JSON loading. */
#ifndef SOTTO_TESTUTIL_H
#define SOTTO_TESTUTIL_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

extern int t_checks;
extern int t_failed;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        t_checks++;                                                                                \
        if (!(cond)) {                                                                             \
            t_failed++;                                                                            \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);               \
        }                                                                                          \
    } while (0)

#define CHECK_OK(expr)                                                                             \
    do {                                                                                           \
        int check_rc_ = (expr);                                                                    \
        t_checks++;                                                                                \
        if (check_rc_ != 0) {                                                                      \
            t_failed++;                                                                            \
            fprintf(stderr, "%s:%d: %s returned %d\n", __FILE__, __LINE__, #expr, check_rc_);      \
        }                                                                                          \
    } while (0)

/* Calls sotto_init; exits 1 with a message if it fails. */
void t_init(void);
/* Prints "<n> passed, <m> failed" and returns the process exit code. */
int t_done(void);

/* Path of a file under ../shared (exits loudly when shared/ is missing). */
const char *t_shared_path(const char *rel, char *buf, size_t cap);
/* Whole file, NUL-terminated; exits loudly if it cannot be read. */
char *t_read_file(const char *path, size_t *len);
/* Parsed JSON from shared/<rel>; exits loudly on failure. */
cJSON *t_load_shared_json(const char *rel);

/* Hex to a fresh malloc'd buffer (never NULL; length in *len). Returns NULL
 * for bad hex. */
uint8_t *t_unhex(const char *hex, size_t *len);
/* Hex field of a JSON object, or NULL if absent/not a string. */
uint8_t *t_json_hex(const cJSON *obj, const char *field, size_t *len);
void t_hex(char *out, const uint8_t *in, size_t len);
/* Print "<label>: <cases> cases, <failures> failures". */
void t_report_file(const char *label, int cases, int failures);

/* Deterministic randomness for reproducible runs: seeds a ChaCha20 stream
 * behind sotto_random_set_source. Prints the seed. */
void t_seed_random(uint64_t seed);

#endif
