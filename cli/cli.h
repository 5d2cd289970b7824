/*
 * The `sotto` command: shared context, output and error helpers for the
 * subcommands (one file each, cmd_*.c, dispatched from the table in main.c).
 *
 * Exit codes (stable, documented in docs/cli.md and every --help):
 *   0 ok, 1 user error, 2 unexpected, 3 server or I/O, 4 untrusted key,
 *   5 rate limited.
 * Errors go to stderr as "sotto: <what happened>\n  <what to do>"; with
 * -o json also as one JSON object {"schema":"sotto.error.v1",...} on stdout.
 */
#ifndef SOTTO_CLI_H
#define SOTTO_CLI_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "client/config.h"
#include "client/store.h"

enum cli_exit {
    EXIT_OK_ = 0,
    EXIT_USER = 1,
    EXIT_UNEXPECTED = 2,
    EXIT_SERVER = 3,
    EXIT_UNTRUSTED = 4,
    EXIT_RATE_LIMITED = 5,
};

struct cli {
    const char *prog;
    const char *account; /* -a, or NULL */
    int json;            /* -o json */
    int quiet;           /* cli_fail prints nothing (the TUI owns the screen) */
    struct sc_config cfg;
    struct sc_store *store;            /* opened by cli_open_store */
    int existed;                       /* the store was there before cli_open_store */
    int trust_opt;                     /* --trust-new-identities, -1 = from the config */
    char attach_dir[SC_PATH_MAX + 16]; /* set by cli_attach_dir */
    char kt_refused[SC_NAME_MAX + 1];  /* last account a KT check refused ("" none) */
};

struct cli_cmd {
    const char *name;
    int (*fn)(struct cli *c, int argc, char **argv);
    const char *description;
};

/* Prints the error (text on stderr, JSON on stdout with -o json) and
 * returns code, so commands can `return cli_fail(...)`. */
int cli_fail(struct cli *c, int code, const char *error_name, const char *hint, const char *fmt,
             ...) __attribute__((format(printf, 5, 6)));
/* "NAME is not a valid account name" (exit 1, printed). */
int cli_bad_name(struct cli *c, const char *name);
/* Maps a sotto_err from the client library to an exit code and message. */
int cli_fail_err(struct cli *c, int err, const char *doing);

/* Emits obj (adds "schema": schema first) as one line of JSON, frees obj. */
void cli_emit(struct cli *c, const char *schema, cJSON *obj);

/* Loads config for c->account; opens and unlocks the store. create: make
 * the store if missing (register/link; c->existed tells); otherwise a
 * missing account is an error. */
int cli_open_store(struct cli *c, int create, int use_keyfile);
void cli_close(struct cli *c);

/* True if argv[i] is -h or --help. */
int cli_wants_help(int argc, char **argv);
/* Prints a --help text. */
void cli_help(const char *text);

/* Hex helpers. */
void cli_hex(char *out, const uint8_t *in, size_t len);
int cli_unhex(uint8_t *out, size_t cap, size_t *len, const char *hex);

/* Milliseconds since the epoch (the wall clock, for message timestamps). */
int64_t cli_now_ms(void);

/* Renders text as a QR code with Unicode half blocks on out. */
int cli_print_qr(const char *text);
int cli_print_qr_data(const uint8_t *data, size_t len);

/* <data dir>/attachments, where received attachments are saved. */
const char *cli_attach_dir(struct cli *c);
/* Messages (msg.c): status names, JSON objects, queueing. */
const char *cli_status_name(int status);
const char *cli_trust_name(int trust);
cJSON *cli_message_json(const struct sc_message *m);
void cli_print_message(struct cli *c, const struct sc_message *m);
/* Checks block/trust state for peer and queues text; 0 or an exit code. */
int cli_queue_message(struct cli *c, struct sc_message *m, const char *peer, const char *text,
                      size_t len);

/* The same for a message of another kind (SC_KIND_REACTION: text = emoji,
 * target = the message's id). */
int cli_queue_kind(struct cli *c, struct sc_message *m, const char *peer, const char *text,
                   size_t len, int kind, const char *target);

/* "caption [attachment NAME, SIZE bytes -> PATH]" for an attachment. */
void cli_attachment_text(char *out, size_t cap, const struct sc_message *m);
/* Prints an incoming message event (msg.c). */
void cli_print_event_message(struct cli *c, const cJSON *o);

struct sc_conn;
/* Server glue (net.c). Each returns 0 or an exit code after printing. */
int cli_register_with_server(struct cli *c, const char *server, const char *server_key);
/* Sends what is due in the outbox; *sent gets the count. Prints nothing on
 * success; when the server is unreachable notes that messages stay queued
 * and returns EXIT_SERVER. */
int cli_flush_outbox(struct cli *c, size_t *sent);
/* Connects (or prints why not). quiet_if_none: return -1 silently when no
 * server is configured. */
int cli_connect(struct cli *c, struct sc_conn **conn, const char *server, const char *key,
                int quiet_if_none);
struct sc_sync;
/* Connects and completes a linked device's registration; 0 or an exit code
 * (printed), -1 with quiet_if_none when no server is configured. */
int cli_online(struct cli *c, struct sc_conn **conn, struct sc_sync *s, int quiet_if_none);
/* Flushes the outbox, then prints incoming messages: until the server's
 * queue is empty, or timeout_s (-1 = none), or forever with follow. */
int cli_receive(struct cli *c, int follow, long timeout_s, long max, size_t *got);
/* sc_event_fn printing events for people (or JSON). */
void cli_on_event(void *ctx, int64_t seq, const char *kind, const char *json);

struct sc_account;
/* sotto://link?... for this device (cmd_link.c). */
void cli_link_uri(char *out, size_t cap, const struct sc_account *a);

/* Groups (cmd_group.c): finds GROUP (id, or a unique name) into *r (0 or
 * an exit code, printed); queues a group message like cli_queue_kind;
 * the name of group gid (or its id's start) into out. */
struct sc_group_rec;
int cli_group_find(struct cli *c, struct sc_group_rec *r, const char *arg);
int cli_queue_group(struct cli *c, struct sc_message *m, const char *group, const char *text,
                    size_t len, int kind);
const char *cli_group_name(struct cli *c, char *out, size_t cap, const char *gid);

/* Queues m (history + outbox, durable) and journals it as a "message"
 * event; 0 or an exit code (printed). */
int cli_outbox_add(struct cli *c, const struct sc_message *m);

/* Subcommands (cmd_*.c). */
int cmd_group(struct cli *c, int argc, char **argv);
int cmd_register(struct cli *c, int argc, char **argv);
int cmd_link(struct cli *c, int argc, char **argv);
int cmd_device(struct cli *c, int argc, char **argv);
int cmd_send(struct cli *c, int argc, char **argv);
int cmd_receive(struct cli *c, int argc, char **argv);
int cmd_verify(struct cli *c, int argc, char **argv);
int cmd_trust(struct cli *c, int argc, char **argv);
int cmd_contacts(struct cli *c, int argc, char **argv);
int cmd_block(struct cli *c, int argc, char **argv);
int cmd_history(struct cli *c, int argc, char **argv);
int cmd_chat(struct cli *c, int argc, char **argv);
int cmd_daemon(struct cli *c, int argc, char **argv);
int cmd_react(struct cli *c, int argc, char **argv);
int cmd_typing(struct cli *c, int argc, char **argv);
int cmd_timer(struct cli *c, int argc, char **argv);
int cmd_read(struct cli *c, int argc, char **argv);
int cmd_attachment(struct cli *c, int argc, char **argv);

/* sc_attach_net.reconnect for the commands (cmd_attachment.c): ctx is the
 * struct cli; dials the configured server quietly. */
int cli_attach_redial(void *ctx, struct sc_conn **conn);

#endif
