/* sotto device list | add URI [--name N] [--history[=N]] [--wait S] |
 * rename ID NAME | remove ID */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "client/account.h"
#include "client/conn.h"
#include "client/link_uri.h"
#include "client/sync.h"

static const char help[] =
    "usage: sotto [-a ACCOUNT] device list\n"
    "       sotto [-a ACCOUNT] device add URI [--name NAME] [--history[=N]] [--wait S]\n"
    "       sotto [-a ACCOUNT] device rename ID NAME\n"
    "       sotto [-a ACCOUNT] device remove ID\n"
    "\n"
    "Manages the devices of your account. Every device that can read your\n"
    "messages is on a device list signed by your account key; contacts encrypt\n"
    "to exactly the devices on that list.\n"
    "\n"
    "  list        this device and the others on the list\n"
    "  add URI     add the device that printed URI (`sotto link` on it); only\n"
    "              on the primary device, which holds the account key\n"
    "      --name NAME     name it (see rename)\n"
    "      --history[=N]   opt-in: also send it the last N messages of this\n"
    "                      device's history (default 1000), end-to-end\n"
    "                      encrypted; sent as soon as the new device is online\n"
    "                      (here, or by the next send/receive on this device)\n"
    "      --wait S        wait up to S seconds for that transfer\n"
    "  rename ID NAME  name a device of the account (at most 64 bytes); the\n"
    "              name is copied to your other devices, never to the server\n"
    "  remove ID   remove device ID from the list; it can no longer read new\n"
    "              messages\n"
    "\n"
    "Output: one line per device (-o json: sotto.device.v1 objects with id,\n"
    "identity_key, registration_id, name, this).\n"
    "Exit status: 0 ok, 1 bad arguments or not the primary device, 3 server\n"
    "error.\n";

static void emit_device(struct cli *c, uint32_t id, const uint8_t key[SC_IDKEY_BYTES],
                        uint32_t regid, int self)
{
    char hex[2 * SC_IDKEY_BYTES + 1], name[SC_DEVICE_NAME_MAX + 1];
    cli_hex(hex, key, SC_IDKEY_BYTES);
    if (sc_device_name_get(c->store, name, sizeof name, id) != SOTTO_OK)
        name[0] = 0;
    if (c->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "id", id);
        cJSON_AddStringToObject(o, "identity_key", hex);
        cJSON_AddNumberToObject(o, "registration_id", regid);
        cJSON_AddStringToObject(o, "name", name);
        cJSON_AddBoolToObject(o, "this", self);
        cli_emit(c, "sotto.device.v1", o);
    } else {
        printf("%3u  %s%s%s%s\n", id, hex, name[0] ? "  " : "", name,
               self ? "  (this device)" : "");
    }
}

static int list(struct cli *c, const struct sc_account *a)
{
    struct sc_device d[SC_MAX_DEVICES];
    size_t n;
    int rc = sc_store_devices_get(c->store, d, SC_MAX_DEVICES, &n, a->name);
    if (rc != SOTTO_OK)
        return cli_fail_err(c, rc, "reading the device list");
    if (!c->json) {
        char hex[2 * SC_IDKEY_BYTES + 1];
        cli_hex(hex, a->account_pub, SC_IDKEY_BYTES);
        printf("Account %s, account key %s\n", a->name, a->account_pub[0] ? hex : "(unknown)");
    }
    emit_device(c, a->device_id, a->device_pub, a->registration_id, 1);
    for (size_t i = 0; i < n && i < SC_MAX_DEVICES; i++)
        if (d[i].id != a->device_id)
            emit_device(c, d[i].id, d[i].identity_key, d[i].registration_id, 0);
    return 0;
}

/* Uploads the new list (signed by the account key); stores it on success. */
static int publish(struct cli *c, const struct sc_device *d, size_t n)
{
    struct sc_conn *conn;
    struct sc_sync s;
    char msg[256];
    int rc = cli_online(c, &conn, &s, 0);
    if (rc != 0)
        return rc;
    rc = sc_sync_set_devices(&s, d, n, msg, sizeof msg);
    sc_conn_close(conn);
    if (rc == SOTTO_ERR_REFUSED)
        return cli_fail(c, EXIT_SERVER, "refused", "see the server's reason above",
                        "the server refused the device list: %s", msg);
    if (rc != SOTTO_OK)
        return cli_fail_err(c, rc, "publishing the device list");
    return 0;
}

struct add_opts {
    const char *name;
    long history; /* messages to transfer; 0 = none */
    long wait_s;
};

/* Parses add's options (argv after the URI). */
static int add_options(struct cli *c, struct add_opts *o, int argc, char **argv)
{
    memset(o, 0, sizeof *o);
    for (int i = 0; i < argc; i++) {
        char *end;
        if (strcmp(argv[i], "--name") == 0 && i + 1 < argc) {
            o->name = argv[++i];
            if (!sc_device_name_valid((const uint8_t *)o->name, strlen(o->name)))
                return cli_fail(c, EXIT_USER, "bad_name", "use at most 64 printable bytes",
                                "'%s' is not a usable device name", o->name);
        } else if (strcmp(argv[i], "--history") == 0) {
            o->history = 1000;
        } else if (strncmp(argv[i], "--history=", 10) == 0) {
            o->history = strtol(argv[i] + 10, &end, 10);
            if (*end != 0 || o->history <= 0 || o->history > 100000)
                return cli_fail(c, EXIT_USER, "usage", "N is 1 to 100000", "bad history count '%s'",
                                argv[i] + 10);
        } else if (strcmp(argv[i], "--wait") == 0 && i + 1 < argc) {
            o->wait_s = strtol(argv[++i], &end, 10);
            if (*end != 0 || o->wait_s < 0 || o->wait_s > 3600)
                return cli_fail(c, EXIT_USER, "usage", "S is 0 to 3600 seconds", "bad wait '%s'",
                                argv[i]);
        } else {
            return cli_fail(c, EXIT_USER, "usage", "see `sotto device --help`",
                            "unknown option '%s' for device add", argv[i]);
        }
    }
    return 0;
}

/* After device add: names the new device and queues (and, with --wait,
 * waits for) the history transfer. */
static int after_add(struct cli *c, uint32_t id, const struct add_opts *o)
{
    struct sc_conn *conn;
    struct sc_sync s;
    size_t sent;
    int rc = cli_online(c, &conn, &s, 0);
    if (rc != 0)
        return rc;
    if (o->name != NULL)
        rc = sc_sync_rename_device(&s, id, o->name);
    if (rc == SOTTO_OK && o->history > 0)
        rc = sc_sync_queue_history(&s, id, (uint32_t)o->history);
    for (long t = 0; rc == SOTTO_OK && o->history > 0; t++) {
        uint8_t *b = NULL;
        size_t n = 0;
        int pending;
        rc = sc_sync_flush(&s, cli_now_ms(), &sent);
        if (rc != SOTTO_OK)
            break;
        rc = sc_store_secret_get(c->store, &b, &n, "history_pending");
        pending = rc == SOTTO_OK && n >= 4 && (b[0] | b[1] | b[2] | b[3]) != 0;
        sc_free_secret(b, n);
        rc = SOTTO_OK;
        if (!pending) {
            if (!c->json)
                printf("Sent recent history to device %u.\n", id);
            break;
        }
        if (t >= o->wait_s) {
            if (!c->json)
                printf("Recent history (up to %ld messages) goes to device %u once it is online\n"
                       "(`sotto receive` there), with the next send or receive here.\n",
                       o->history, id);
            break;
        }
        sleep(1);
    }
    sc_conn_close(conn);
    return rc == SOTTO_OK ? 0 : cli_fail_err(c, rc, "sending history to the new device");
}

static int add(struct cli *c, const struct sc_account *a, const char *uri, int argc, char **argv)
{
    struct add_opts o;
    struct sc_device d[SC_MAX_DEVICES], nd;
    struct sc_link_info li;
    const char *why;
    size_t n;
    uint32_t next = 2;
    int rc = add_options(c, &o, argc, argv);
    if (rc != 0)
        return rc;
    if (sc_link_uri_parse(&li, &why, uri, strlen(uri)) != SOTTO_OK)
        return cli_fail(c, EXIT_USER, "bad_uri", "copy the whole URI `sotto link` printed",
                        "'%.300s' is not a valid sotto link URI: %s", uri, why);
    if (strcmp(li.account, a->name) != 0)
        return cli_fail(c, EXIT_USER, "wrong_account", "run link with -a on the new device",
                        "the URI is for account '%s', this is '%s'", li.account, a->name);
    memset(&nd, 0, sizeof nd);
    memcpy(nd.identity_key, li.device_key, SC_IDKEY_BYTES);
    nd.registration_id = li.registration_id;
    if (!a->primary)
        return cli_fail(c, EXIT_USER, "not_primary", "run this on the primary device",
                        "only the primary device holds the account key that signs devices");
    rc = sc_store_devices_get(c->store, d, SC_MAX_DEVICES, &n, a->name);
    if (rc != SOTTO_OK)
        return cli_fail_err(c, rc, "reading the device list");
    if (n >= SC_MAX_DEVICES - 1)
        return cli_fail(c, EXIT_USER, "too_many", "remove a device first",
                        "the account has the maximum of %d devices", SC_MAX_DEVICES);
    for (size_t i = 0; i < n; i++) {
        if (memcmp(d[i].identity_key, nd.identity_key, SC_IDKEY_BYTES) == 0)
            return cli_fail(c, EXIT_USER, "exists", "", "that device is already device %u",
                            d[i].id);
        if (d[i].id >= next)
            next = d[i].id + 1;
    }
    nd.id = next;
    d[n++] = nd;
    rc = publish(c, d, n);
    if (rc != 0)
        return rc;
    /* The new device learns the names of the others once it is online. */
    if (sc_device_names_resend(c->store) != SOTTO_OK && !c->quiet)
        fprintf(stderr, "sotto: could not note the device names for the new device\n");
    if (o.name != NULL || o.history > 0)
        rc = after_add(c, nd.id, &o);
    emit_device(c, nd.id, nd.identity_key, nd.registration_id, 0);
    return rc;
}

static int rename_dev(struct cli *c, const struct sc_account *a, const char *arg, const char *name)
{
    struct sc_device d[SC_MAX_DEVICES];
    struct sc_conn *conn;
    struct sc_sync s;
    size_t n, sent;
    char *end;
    unsigned long id = strtoul(arg, &end, 10);
    int rc, found = id == a->device_id;
    if (*end || id == 0)
        return cli_fail(c, EXIT_USER, "usage", "ID is a number from `sotto device list`",
                        "bad device id '%s'", arg);
    if (!sc_device_name_valid((const uint8_t *)name, strlen(name)))
        return cli_fail(c, EXIT_USER, "bad_name", "use at most 64 printable bytes",
                        "'%s' is not a usable device name", name);
    rc = sc_store_devices_get(c->store, d, SC_MAX_DEVICES, &n, a->name);
    for (size_t i = 0; rc == SOTTO_OK && i < n && i < SC_MAX_DEVICES; i++)
        found |= d[i].id == id;
    if (rc != SOTTO_OK)
        return cli_fail_err(c, rc, "reading the device list");
    if (!found)
        return cli_fail(c, EXIT_USER, "not_found", "see `sotto device list`",
                        "there is no device %lu", id);
    rc = cli_online(c, &conn, &s, 0);
    if (rc != 0)
        return rc;
    rc = sc_sync_rename_device(&s, (uint32_t)id, name);
    if (rc == SOTTO_OK)
        rc = sc_sync_flush(&s, cli_now_ms(), &sent); /* copies the name now if it can */
    sc_conn_close(conn);
    if (rc != SOTTO_OK)
        return cli_fail_err(c, rc, "renaming the device");
    return 0;
}

static int remove_dev(struct cli *c, const struct sc_account *a, const char *arg)
{
    struct sc_device d[SC_MAX_DEVICES];
    size_t n, k = 0;
    char *end;
    unsigned long id = strtoul(arg, &end, 10);
    int rc;
    if (*end || id == 0)
        return cli_fail(c, EXIT_USER, "usage", "ID is a number from `sotto device list`",
                        "bad device id '%s'", arg);
    if (id == a->device_id)
        return cli_fail(c, EXIT_USER, "self", "remove it from another device",
                        "this is the device you are using");
    if (!a->primary)
        return cli_fail(c, EXIT_USER, "not_primary", "run this on the primary device",
                        "only the primary device can change the device list");
    rc = sc_store_devices_get(c->store, d, SC_MAX_DEVICES, &n, a->name);
    if (rc != SOTTO_OK)
        return cli_fail_err(c, rc, "reading the device list");
    for (size_t i = 0; i < n && i < SC_MAX_DEVICES; i++)
        if (d[i].id != id)
            d[k++] = d[i];
    if (k == n)
        return cli_fail(c, EXIT_USER, "not_found", "see `sotto device list`",
                        "there is no device %lu", id);
    rc = publish(c, d, k);
    if (rc != 0)
        return rc;
    if (!c->json)
        printf("Removed device %lu.\n", id);
    return 0;
}

int cmd_device(struct cli *c, int argc, char **argv)
{
    struct sc_account a;
    int rc;
    if (cli_wants_help(argc, argv) || argc < 2) {
        cli_help(help);
        return argc < 2 ? EXIT_USER : 0;
    }
    if (!((strcmp(argv[1], "list") == 0 && argc == 2) ||
          (strcmp(argv[1], "add") == 0 && argc >= 3) ||
          (strcmp(argv[1], "rename") == 0 && argc == 4) ||
          (strcmp(argv[1], "remove") == 0 && argc == 3)))
        return cli_fail(c, EXIT_USER, "usage", "see `sotto device --help`",
                        "unknown device command or wrong arguments");
    rc = cli_open_store(c, 0, 0);
    if (rc != 0)
        return rc;
    rc = sc_account_load(c->store, &a);
    if (rc != SOTTO_OK)
        return cli_fail_err(c, rc, "reading this account");
    if (strcmp(argv[1], "list") == 0)
        return list(c, &a);
    if (strcmp(argv[1], "add") == 0)
        return add(c, &a, argv[2], argc - 3, argv + 3);
    if (strcmp(argv[1], "rename") == 0)
        return rename_dev(c, &a, argv[2], argv[3]);
    return remove_dev(c, &a, argv[2]);
}
