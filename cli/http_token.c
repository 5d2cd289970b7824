/*
 * The --http listener's bearer token: a file only its owner can read,
 * created with 32 random bytes (64 hex digits) when absent. Only its
 * SHA-256 is kept in memory; a request's token is hashed the same way and
 * the two hashes compared in constant time, so neither the token's bytes
 * nor its length leak through timing. The token is never printed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "daemon.h"

enum { TOKEN_BYTES = 32, TOKEN_MIN = 16, TOKEN_MAX = 256 };

static int create_token(struct cli *c, const char *path)
{
    uint8_t raw[TOKEN_BYTES];
    char hex[2 * TOKEN_BYTES + 2];
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    int ok;
    if (fd < 0)
        return cli_fail(c, EXIT_USER, "token_file", "check the folder exists and is yours",
                        "cannot create the token file %s: %s", path, strerror(errno));
    st_random_bytes(raw, sizeof raw);
    cli_hex(hex, raw, sizeof raw);
    hex[2 * TOKEN_BYTES] = '\n';
    ok = write(fd, hex, 2 * TOKEN_BYTES + 1) == 2 * TOKEN_BYTES + 1;
    ok = close(fd) == 0 && ok;
    st_wipe(raw, sizeof raw);
    st_wipe(hex, sizeof hex);
    if (!ok) {
        unlink(path);
        return cli_fail(c, EXIT_SERVER, "token_file", "check the disk",
                        "cannot write the token file %s", path);
    }
    return 0;
}

/* Reads the token (one line, surrounding whitespace ignored) into tok. */
static int read_token(struct cli *c, char *tok, size_t cap, const char *path)
{
    struct stat sb;
    ssize_t n;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return cli_fail(c, EXIT_USER, "token_file", "give a regular file you own",
                        "cannot open the token file %s: %s", path, strerror(errno));
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_uid != geteuid() ||
        (sb.st_mode & 077) != 0) {
        close(fd);
        return cli_fail(c, EXIT_USER, "token_file_mode",
                        "run `chmod 600` on it (it must be yours and readable by you only)",
                        "the token file %s is readable by others or not yours; refusing it", path);
    }
    n = read(fd, tok, cap - 1);
    close(fd);
    if (n < 0)
        n = 0;
    tok[n] = 0;
    tok[strcspn(tok, "\r\n")] = 0;
    return 0;
}

int http_token_load(struct daemon *d, const char *path)
{
    char tok[TOKEN_MAX + 2];
    size_t len;
    int rc = 0;
    if (access(path, F_OK) != 0) {
        rc = create_token(d->c, path);
        if (rc != 0)
            return rc;
        fprintf(stderr, "sotto daemon: created a new bearer token in %s\n", path);
    }
    rc = read_token(d->c, tok, sizeof tok, path);
    if (rc != 0)
        return rc;
    len = strlen(tok);
    if (len < TOKEN_MIN || len > TOKEN_MAX || strpbrk(tok, " \t") != NULL)
        rc = cli_fail(d->c, EXIT_USER, "token_file",
                      "delete it to get a new random token, or write 16-256 characters "
                      "without spaces",
                      "the token file %s holds no usable token", path);
    else
        st_sha256(d->token_hash, (const uint8_t *)tok, len);
    st_wipe(tok, sizeof tok);
    return rc;
}

int http_token_ok(const struct daemon *d, const char *authorization)
{
    uint8_t h[ST_SHA256_BYTES];
    const char *t = authorization;
    int ok;
    if (strncasecmp(t, "Bearer ", 7) != 0)
        return 0;
    t += 7;
    while (*t == ' ')
        t++;
    st_sha256(h, (const uint8_t *)t, strlen(t));
    ok = st_ct_equal(h, d->token_hash, sizeof h);
    st_wipe(h, sizeof h);
    return ok;
}
