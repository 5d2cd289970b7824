/* QR codes on the terminal (libqrencode), two modules per character cell
 * with Unicode half blocks, dark on light with a 2-module quiet zone. */
#include <qrencode.h>
#include <stdio.h>

#include "cli.h"

static int dark(const QRcode *q, int x, int y)
{
    if (x < 0 || y < 0 || x >= q->width || y >= q->width)
        return 0;
    return q->data[y * q->width + x] & 1;
}

/* Light modules print as full blocks so the code reads on dark terminals. */
static int render(QRcode *q)
{
    static const char *const cell[4] = {"\u2588", "\u2580", "\u2584", " "};
    const int quiet = 2;
    if (q == NULL)
        return SOTTO_ERR_TOO_LARGE;
    for (int y = -quiet; y < q->width + quiet; y += 2) {
        for (int x = -quiet; x < q->width + quiet; x++)
            fputs(cell[dark(q, x, y) << 1 | dark(q, x, y + 1)], stdout);
        fputc('\n', stdout);
    }
    QRcode_free(q);
    return SOTTO_OK;
}

int cli_print_qr(const char *text)
{
    return render(QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1));
}

int cli_print_qr_data(const uint8_t *data, size_t len)
{
    return render(QRcode_encodeData((int)len, data, 0, QR_ECLEVEL_M));
}
