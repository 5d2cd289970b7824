/* Output, errors and small helpers shared by the subcommands. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "client/hex.h"

int cli_fail(struct cli *c, int code, const char *error_name, const char *hint, const char *fmt,
             ...)
{
    char what[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (c->quiet)
        return code;
    fprintf(stderr, "sotto: %s\n", what);
    if (hint != NULL && hint[0])
        fprintf(stderr, "  %s\n", hint);
    if (c->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "error", error_name);
        cJSON_AddStringToObject(o, "message", what);
        if (hint != NULL)
            cJSON_AddStringToObject(o, "hint", hint);
        cJSON_AddNumberToObject(o, "exit", code);
        cli_emit(c, "sotto.error.v1", o);
    }
    return code;
}

int cli_fail_err(struct cli *c, int err, const char *doing)
{
    const char *hint = "this is a bug or a damaged installation; please report it";
    int code = EXIT_UNEXPECTED;
    switch (err) {
    case SOTTO_ERR_BAD_MAC:
        code = EXIT_USER;
        hint = "the passphrase or key file is wrong (or the store was tampered with)";
        break;
    case SOTTO_ERR_STORE:
        code = EXIT_SERVER;
        hint = "check free disk space and the permissions of the data folder";
        break;
    case SOTTO_ERR_NOT_FOUND:
        code = EXIT_USER;
        hint = "check the name; `sotto contacts` lists who you know";
        break;
    case SOTTO_ERR_UNTRUSTED_IDENTITY:
        code = EXIT_UNTRUSTED;
        hint = "compare safety numbers with `sotto verify NAME`, then `sotto trust NAME "
               "--safety-number N`";
        break;
    case SOTTO_ERR_INVALID_ARGUMENT:
        code = EXIT_USER;
        hint = "see `sotto COMMAND --help`";
        break;
    case SOTTO_ERR_INVALID_VERSION:
        code = EXIT_USER;
        hint = "this store was written by a newer sotto; upgrade sotto";
        break;
    default:
        break;
    }
    return cli_fail(c, code, sotto_err_name(err), hint, "%s: %s", doing, sotto_strerror(err));
}

void cli_emit(struct cli *c, const char *schema, cJSON *obj)
{
    cJSON *out = cJSON_CreateObject();
    cJSON *item;
    char *text;
    (void)c;
    cJSON_AddStringToObject(out, "schema", schema);
    /* Move the fields behind "schema" so it is always first on the line. */
    while ((item = obj->child) != NULL) {
        cJSON_DetachItemViaPointer(obj, item);
        cJSON_AddItemToObject(out, item->string, item);
    }
    cJSON_Delete(obj);
    text = cJSON_PrintUnformatted(out);
    if (text != NULL) {
        fputs(text, stdout);
        fputc('\n', stdout);
        fflush(stdout);
    }
    cJSON_free(text);
    cJSON_Delete(out);
}

int cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return 1;
    return 0;
}

void cli_help(const char *text)
{
    fputs(text, stdout);
}

void cli_hex(char *out, const uint8_t *in, size_t len)
{
    sc_hex_encode(out, in, len);
}

int cli_unhex(uint8_t *out, size_t cap, size_t *len, const char *hex)
{
    size_t n = strlen(hex);
    *len = 0;
    if (n % 2 != 0 || n / 2 > cap || sc_hex_decode(out, n / 2, hex, n) != SOTTO_OK)
        return SOTTO_ERR_INVALID_ARGUMENT;
    *len = n / 2;
    return SOTTO_OK;
}

int64_t cli_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void cli_close(struct cli *c)
{
    sc_store_close(c->store);
    c->store = NULL;
}

int cli_bad_name(struct cli *c, const char *name)
{
    return cli_fail(c, EXIT_USER, "bad_name", "names are 1-64 of a-z 0-9 . _ -",
                    "'%s' is not a valid account name", name);
}
