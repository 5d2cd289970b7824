/* Server key file (keyfile.h). */
#include "keyfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/crypto.h"

void sd_hex(char *out, const uint8_t *in, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * len] = '\0';
}

void sd_fingerprint(char out[48], const uint8_t pub[32])
{
    uint8_t h[ST_SHA256_BYTES];
    char hex[33];
    size_t o = 0;

    st_sha256(h, pub, 32);
    sd_hex(hex, h, 16);
    for (size_t i = 0; i < 32; i += 4) {
        memcpy(out + o, hex + i, 4);
        o += 4;
        out[o++] = i + 4 < 32 ? ' ' : '\0';
    }
}

static int create_key(uint8_t priv[32], uint8_t pub[32], const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    int ok;

    if (fd < 0) {
        fprintf(stderr, "sottod: cannot create key file %s: %s\n", path, strerror(errno));
        return -1;
    }
    ok = st_x25519_keypair(pub, priv) == SOTTO_OK && write(fd, priv, 32) == 32 && fsync(fd) == 0;
    close(fd);
    if (!ok) {
        fprintf(stderr, "sottod: cannot write key file %s\n", path);
        unlink(path);
        st_wipe(priv, 32);
        return -1;
    }
    return 0;
}

int sd_keyfile_load(uint8_t priv[32], uint8_t pub[32], int *created, const char *path)
{
    struct stat sb;
    int fd;
    ssize_t n;

    *created = 0;
    if (stat(path, &sb) != 0 && errno == ENOENT) {
        *created = 1;
        return create_key(priv, pub, path);
    }
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &sb) != 0) {
        fprintf(stderr, "sottod: cannot open key file %s: %s\n", path, strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    if ((sb.st_mode & 077) != 0) {
        fprintf(stderr, "sottod: key file %s is readable by others; run: chmod 600 %s\n", path,
                path);
        close(fd);
        return -1;
    }
    n = read(fd, priv, 32);
    close(fd);
    if (n != 32 || st_x25519_public(pub, priv) != SOTTO_OK) {
        fprintf(stderr, "sottod: key file %s is not a 32-byte key\n", path);
        st_wipe(priv, 32);
        return -1;
    }
    return 0;
}
