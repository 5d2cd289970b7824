/*
 * libFuzzer target for the client's channel parsing (client/chan.c):
 * the 2-byte frame header and fragment reassembly, as sc_chan_recv runs
 * them on what the server sends, then the protobuf Frame that sc_conn
 * unpacks from each message. The Noise decryption in between is skipped
 * (fuzzed bytes would never authenticate): each frame stands for its
 * decrypted plaintext. Invariants: frames are never empty, a message never
 * exceeds SC_MSG_MAX.
 */
#include <stdlib.h>
#include <string.h>

#include "client/chan.h"
#include "server.pb-c.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *msg = NULL;
    size_t len = 0, cap = 0;

    while (size >= 2) {
        size_t flen;
        uint8_t *frame;
        int rc;
        if (sc_chan_frame_len(&flen, data) != SOTTO_OK)
            break;
        if (flen == 0 || flen > SC_FRAME_MAX)
            abort();
        data += 2;
        size -= 2;
        if (flen > size)
            break; /* the connection ended inside a frame */
        frame = malloc(flen);
        if (frame == NULL)
            break;
        memcpy(frame, data, flen);
        data += flen;
        size -= flen;
        rc = sc_chan_reasm(&msg, &len, &cap, frame, flen);
        free(frame);
        if (len > SC_MSG_MAX || len > cap)
            abort();
        if (rc == SOTTO_OK) {
            Sotto__Server__Frame *f = sotto__server__frame__unpack(NULL, len, msg);
            if (f != NULL)
                sotto__server__frame__free_unpacked(f, NULL);
            len = 0;
        } else if (rc != SC_CHAN_MORE) {
            break;
        }
    }
    free(msg);
    return 0;
}
