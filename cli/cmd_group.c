/* sotto group create|list|add|remove|leave (docs/cli.md "Groups") */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "client/conn.h"
#include "client/group.h"
#include "client/sync.h"

static const char help[] =
    "usage: sotto [-a ACCOUNT] group create NAME --members A,B,...\n"
    "       sotto [-a ACCOUNT] group list\n"
    "       sotto [-a ACCOUNT] group add GROUP NAME\n"
    "       sotto [-a ACCOUNT] group remove GROUP NAME\n"
    "       sotto [-a ACCOUNT] group leave GROUP\n"
    "\n"
    "Group conversations. create makes a group (a random id, the name, you\n"
    "and the members) and sends its state to every member's devices and to\n"
    "your other devices over your 1:1 sessions. Any member may add or remove\n"
    "members (there are no admins yet); leave removes you. After a member\n"
    "leaves or is removed, every remaining member makes a new sender key\n"
    "before its next message, so whoever left cannot read what follows.\n"
    "GROUP is the group's id (from create or list) or its name when no other\n"
    "group of yours has that name.\n"
    "\n"
    "Send with `sotto send --group GROUP -m TEXT`, read with `sotto history\n"
    "--group GROUP`; `sotto receive` prints `[group NAME] alice: text`.\n"
    "\n"
    "Output: the group (-o json: sotto.group.v1 objects: group, name,\n"
    "version, members, member).\n"
    "Exit status: 0 ok, 1 bad arguments, unknown group or not a member,\n"
    "3 server unreachable (the change is stored here; members may not know).\n";

static void print_group(struct cli *c, const struct sc_group_rec *r)
{
    if (c->json) {
        cJSON *o = cJSON_CreateObject(), *mem;
        cJSON_AddStringToObject(o, "group", r->hex);
        cJSON_AddStringToObject(o, "name", r->g.name);
        cJSON_AddNumberToObject(o, "version", r->g.version);
        mem = cJSON_AddArrayToObject(o, "members");
        for (size_t i = 0; i < r->g.n_members; i++)
            cJSON_AddItemToArray(mem, cJSON_CreateString(r->g.members[i]));
        cJSON_AddBoolToObject(o, "member", sc_group_has(&r->g, c->cfg.account));
        cli_emit(c, "sotto.group.v1", o);
        return;
    }
    printf("%s  %s  v%u  ", r->hex, r->g.name, (unsigned)r->g.version);
    for (size_t i = 0; i < r->g.n_members; i++)
        printf("%s%s", i ? "," : "", r->g.members[i]);
    printf("%s\n", sc_group_has(&r->g, c->cfg.account) ? "" : "  (not a member)");
    fflush(stdout);
}

struct find_ctx {
    const char *arg;
    struct sc_group_rec *r;
    int found;
};

static int find_cb(void *ctx, const struct sc_group_rec *r)
{
    struct find_ctx *f = ctx;
    if (strcmp(r->hex, f->arg) == 0 || strcmp(r->g.name, f->arg) == 0) {
        if (f->found++ == 0 || strcmp(r->hex, f->arg) == 0)
            *f->r = *r;
        if (strcmp(r->hex, f->arg) == 0) {
            f->found = 1;
            return 1;
        }
    }
    return 0;
}

int cli_group_find(struct cli *c, struct sc_group_rec *r, const char *arg)
{
    struct find_ctx f = {arg, r, 0};
    int rc = sc_group_list(c->store, find_cb, &f);
    if (rc != SOTTO_OK && rc != 1)
        return cli_fail_err(c, rc, "reading the groups");
    if (f.found == 0)
        return cli_fail(c, EXIT_USER, "no_such_group", "see `sotto group list`", "no group '%s'",
                        arg);
    if (f.found > 1)
        return cli_fail(c, EXIT_USER, "ambiguous_group", "give the group id (`sotto group list`)",
                        "several groups are named '%s'", arg);
    return 0;
}

static int list_cb(void *ctx, const struct sc_group_rec *r)
{
    print_group(ctx, r);
    return 0;
}

/* "a,b,c" into m (at most cap names). */
static int split_members(struct cli *c, char (*m)[SC_NAME_MAX + 1], size_t cap, size_t *n,
                         const char *list)
{
    const char *p = list;
    *n = 0;
    while (*p) {
        size_t l = strcspn(p, ",");
        if (l > 0) {
            if (*n == cap)
                return cli_fail(c, EXIT_USER, "too_many_members", "",
                                "a group has at most %d members", SC_GROUP_MEMBERS_MAX);
            if (l > SC_NAME_MAX)
                return cli_fail(c, EXIT_USER, "bad_name", "names are 1-64 of a-z 0-9 . _ -",
                                "'%.*s' is not a valid account name", (int)l, p);
            memcpy(m[*n], p, l);
            m[*n][l] = 0;
            if (!sc_name_valid(m[*n]))
                return cli_bad_name(c, m[*n]);
            (*n)++;
        }
        p += l;
        if (*p == ',')
            p++;
    }
    return 0;
}

static int change_failed(struct cli *c, int rc, const char *doing)
{
    if (rc == SOTTO_ERR_NOT_GROUP_MEMBER)
        return cli_fail(c, EXIT_USER, "not_group_member", "", "you are not a member of that group");
    if (rc == SOTTO_ERR_DUPLICATE_MESSAGE)
        return cli_fail(c, EXIT_USER, "already_member", "", "already a member");
    if (rc == SOTTO_ERR_NOT_FOUND)
        return cli_fail(c, EXIT_USER, "not_a_member", "", "that account is not a member");
    if (rc == SOTTO_ERR_REFUSED)
        return cli_fail(c, EXIT_USER, "not_all_told",
                        "check the names (an account the server does not know is named above "
                        "with -o json, event no_such_account); the change is stored here",
                        "not every member could be sent the group's new state");
    if (rc == SOTTO_ERR_INVALID_ARGUMENT)
        return cli_fail(c, EXIT_USER, "bad_argument", "a group keeps at least one member",
                        "cannot do that to the group");
    return cli_fail_err(c, rc, doing);
}

static int run(struct cli *c, int argc, char **argv)
{
    const char *sub = argv[1];
    struct sc_group_rec r;
    struct sc_conn *conn;
    struct sc_sync s;
    char gid[SC_GID_LEN + 1];
    int rc;

    if (strcmp(sub, "list") == 0) {
        if (argc != 2)
            return cli_fail(c, EXIT_USER, "usage", "usage: sotto group list", "list takes nothing");
        rc = sc_group_list(c->store, list_cb, c);
        return rc == SOTTO_OK ? 0 : cli_fail_err(c, rc, "reading the groups");
    }
    if (strcmp(sub, "create") == 0) {
        char m[SC_GROUP_MEMBERS_MAX][SC_NAME_MAX + 1];
        size_t n = 0;
        if (argc != 5 || strcmp(argv[3], "--members") != 0)
            return cli_fail(c, EXIT_USER, "usage", "usage: sotto group create NAME --members A,B",
                            "create needs NAME and --members");
        if (strlen(argv[2]) == 0 || strlen(argv[2]) > SC_GROUP_NAME_MAX ||
            !sc_device_name_valid((const uint8_t *)argv[2], strlen(argv[2])))
            return cli_fail(c, EXIT_USER, "bad_group_name", "1-64 bytes, no control characters",
                            "bad group name");
        rc = split_members(c, m, SC_GROUP_MEMBERS_MAX - 1, &n, argv[4]);
        if (rc != 0)
            return rc;
        rc = cli_online(c, &conn, &s, 0);
        if (rc != 0)
            return rc;
        s.on_event = NULL; /* we print the group ourselves */
        rc = sc_sync_group_create(&s, gid, argv[2], (const char(*)[SC_NAME_MAX + 1]) m, n);
        sc_conn_close(conn);
        if (gid[0] != 0 && sc_group_load(c->store, &r, gid) == SOTTO_OK)
            print_group(c, &r);
        return rc == SOTTO_OK ? 0 : change_failed(c, rc, "sending the group to its members");
    }
    if ((strcmp(sub, "add") == 0 || strcmp(sub, "remove") == 0) && argc != 4)
        return cli_fail(c, EXIT_USER, "usage", "usage: sotto group add|remove GROUP NAME",
                        "%s needs GROUP and NAME", sub);
    if (strcmp(sub, "leave") == 0 && argc != 3)
        return cli_fail(c, EXIT_USER, "usage", "usage: sotto group leave GROUP",
                        "leave needs GROUP");
    if (strcmp(sub, "add") != 0 && strcmp(sub, "remove") != 0 && strcmp(sub, "leave") != 0)
        return cli_fail(c, EXIT_USER, "usage", "see `sotto group --help`",
                        "unknown group command '%s'", sub);
    rc = cli_group_find(c, &r, argv[2]);
    if (rc != 0)
        return rc;
    memcpy(gid, r.hex, sizeof gid);
    if (argc == 4 && !sc_name_valid(argv[3]))
        return cli_bad_name(c, argv[3]);
    rc = cli_online(c, &conn, &s, 0);
    if (rc != 0)
        return rc;
    s.on_event = NULL;
    if (strcmp(sub, "add") == 0)
        rc = sc_sync_group_add(&s, gid, argv[3]);
    else if (strcmp(sub, "remove") == 0)
        rc = sc_sync_group_remove(&s, gid, argv[3]);
    else
        rc = sc_sync_group_leave(&s, gid);
    sc_conn_close(conn);
    if (sc_group_load(c->store, &r, gid) == SOTTO_OK && rc != SOTTO_ERR_NOT_GROUP_MEMBER &&
        rc != SOTTO_ERR_NOT_FOUND && rc != SOTTO_ERR_DUPLICATE_MESSAGE &&
        rc != SOTTO_ERR_INVALID_ARGUMENT)
        print_group(c, &r);
    return rc == SOTTO_OK ? 0 : change_failed(c, rc, "sending the group to its members");
}

int cmd_group(struct cli *c, int argc, char **argv)
{
    int rc;
    if (argc < 2 || cli_wants_help(argc, argv)) {
        cli_help(help);
        return argc < 2 ? EXIT_USER : 0;
    }
    rc = cli_open_store(c, 0, 0);
    if (rc != 0)
        return rc;
    return run(c, argc, argv);
}

int cli_queue_group(struct cli *c, struct sc_message *m, const char *group, const char *text,
                    size_t len, int kind)
{
    struct sc_group_rec r;
    int rc = cli_group_find(c, &r, group);
    if (rc != 0)
        return rc;
    if (!sc_group_has(&r.g, c->cfg.account))
        return cli_fail(c, EXIT_USER, "not_group_member", "", "you are not a member of %s",
                        r.g.name);
    if (len == 0)
        return cli_fail(c, EXIT_USER, "empty", "give the text with -m TEXT or on stdin",
                        "the message is empty");
    if (len > SC_BODY_MAX)
        return cli_fail(c, EXIT_USER, "too_large", "split it into several messages",
                        "the message is %zu bytes; the limit is %d", len, SC_BODY_MAX);
    memset(m, 0, sizeof *m);
    sc_new_mid(m->mid);
    snprintf(m->peer, sizeof m->peer, "%s", c->cfg.account);
    memcpy(m->gid, r.hex, sizeof m->gid);
    m->outgoing = 1;
    m->ts = cli_now_ms();
    m->status = SC_MSG_QUEUED;
    m->body = (uint8_t *)text;
    m->body_len = len;
    m->kind = kind;
    return cli_outbox_add(c, m);
}

const char *cli_group_name(struct cli *c, char *out, size_t cap, const char *gid)
{
    struct sc_group_rec r;
    if (c->store != NULL && sc_group_load(c->store, &r, gid) == SOTTO_OK)
        snprintf(out, cap, "%s", r.g.name);
    else
        snprintf(out, cap, "%.8s", gid);
    return out;
}
