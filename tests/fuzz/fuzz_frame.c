/*
 * libFuzzer target for sottod's wire framing (server/frame.c): the 2-byte
 * length reader fed in arbitrary chunks, and fragment reassembly under the
 * unauthenticated message limit. Input: 1 byte chunk size, then the stream.
 * Invariants: frames are never longer than declared and never empty, the
 * reassembled message never exceeds its limit.
 */
#include <stdlib.h>
#include <string.h>

#include "../../server/frame.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sd_framer f;
    struct sd_reasm r;
    size_t chunk;

    if (size < 1) {
        return 0;
    }
    chunk = (size_t)data[0] + 1;
    data++;
    size--;
    sd_framer_init(&f);
    sd_reasm_init(&r, SD_MSG_MAX_UNAUTH);
    while (size > 0) {
        const uint8_t *p = data, *frame;
        size_t len = size < chunk ? size : chunk, flen;
        size_t left = len;
        data += len;
        size -= len;
        while (left > 0) {
            int rc = sd_framer_feed(&f, &p, &left, &frame, &flen);
            if (rc < 0) {
                goto out;
            }
            if (rc == SD_FRAME_MORE) {
                break;
            }
            if (flen == 0 || flen > SD_FRAME_MAX) {
                abort();
            }
            rc = sd_reasm_add(&r, frame, flen);
            if (rc < 0) {
                goto out;
            }
            if (r.len > r.max) {
                abort();
            }
            if (rc == SD_FRAME_DONE) {
                sd_reasm_reset(&r);
            }
        }
    }
out:
    sd_reasm_free(&r);
    sd_framer_free(&f);
    return 0;
}
