/*
 * sotto chat: full-screen chat (ncurses). Conversation list on the left,
 * the selected conversation's history on the right with delivery marks,
 * a banner when the contact's key changed, and an input line. Stays
 * online (online.c): receives as messages arrive, sends the outbox.
 */
#include <curses.h>
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "online.h"

static const char help[] =
    "usage: sotto [-a ACCOUNT] chat [NAME]\n"
    "\n"
    "Full-screen chat. Left: conversations; right: the selected one, newest at\n"
    "the bottom; last line: what you type. NAME opens that conversation.\n"
    "\n"
    "Keys:\n"
    "  Enter            send the line (queued first; nothing typed is lost)\n"
    "  Tab, Up, Down    switch conversation\n"
    "  PageUp/PageDown  scroll the history\n"
    "  Esc, Ctrl-D      quit (also /quit)\n"
    "  /open NAME       start a conversation with NAME\n"
    "\n"
    "Marks after your messages: ... queued, + sent (the server has it),\n"
    "++ delivered, ++r read, ! held (the contact's key changed: verify again).\n"
    "A banner says when a contact's identity key changed or a contact added\n"
    "or removed a device.\n"
    "\n"
    "Exit status: 0 ok, 1 no terminal or bad arguments.\n";

enum { PEERS_MAX = 256, INPUT_MAX = 4096, LIST_W = 22 };

struct tui {
    struct cli *c;
    struct online net;
    char peers[PEERS_MAX][SC_NAME_MAX + 1];
    size_t npeers, sel;
    char input[INPUT_MAX];
    size_t ilen;
    int scroll;
    int dirty;
    char status[256];
    int typing; /* we told the open conversation that we are typing */
    /* A contact's device list changed (shown in that conversation's banner). */
    char notice_peer[SC_NAME_MAX + 1];
    char notice[160];
};

static int add_peer(struct tui *t, const char *name)
{
    for (size_t i = 0; i < t->npeers; i++)
        if (strcmp(t->peers[i], name) == 0)
            return (int)i;
    if (t->npeers == PEERS_MAX)
        return -1;
    snprintf(t->peers[t->npeers], SC_NAME_MAX + 1, "%s", name);
    return (int)t->npeers++;
}

static int peer_cb(void *ctx, const struct sc_contact *ct)
{
    add_peer(ctx, ct->name);
    return 0;
}

static void load_peers(struct tui *t)
{
    if (sc_store_contact_list(t->c->store, peer_cb, t) != SOTTO_OK)
        snprintf(t->status, sizeof t->status, "cannot read contacts");
}

static const char *mark(const struct sc_message *m)
{
    if (!m->outgoing)
        return "";
    switch (m->status) {
    case SC_MSG_QUEUED:
        return " ...";
    case SC_MSG_SENT:
        return " +";
    case SC_MSG_DELIVERED:
        return " ++";
    case SC_MSG_READ:
        return " ++r";
    case SC_MSG_FAILED:
        return " !";
    default:
        return "";
    }
}

struct hist {
    char **lines;
    size_t n, cap;
    char unread[SC_RECEIPT_MAX][SC_MID_LEN + 1]; /* incoming, not yet marked read */
    size_t nunread;
};

static int hist_cb(void *ctx, const struct sc_message *m)
{
    struct hist *h = ctx;
    char when[8], *line;
    time_t tt = (time_t)(m->ts / 1000);
    struct tm tm;
    size_t len = m->body_len + SC_NAME_MAX + 32;
    char *att = NULL;
    struct sc_message am;
    if (m->kind == SC_KIND_ATTACHMENT) {
        len = 2 * 4096 + 512;
        att = malloc(len);
        if (att == NULL)
            return 1;
        cli_attachment_text(att, len, m);
        am = *m;
        am.body = (uint8_t *)att;
        am.body_len = strlen(att);
        m = &am;
    }
    localtime_r(&tt, &tm);
    strftime(when, sizeof when, "%H:%M", &tm);
    if (h->n == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 64;
        char **g = realloc(h->lines, cap * sizeof *g);
        if (g == NULL) {
            free(att);
            return 1;
        }
        h->lines = g;
        h->cap = cap;
    }
    line = malloc(len);
    if (line == NULL) {
        free(att);
        return 1;
    }
    if (!m->outgoing && m->status == SC_MSG_RECEIVED && h->nunread < SC_RECEIPT_MAX)
        memcpy(h->unread[h->nunread++], m->mid, SC_MID_LEN + 1);
    if (m->kind == SC_KIND_REACTION)
        snprintf(line, len, "%s %s reacted %.*s", when, m->outgoing ? "me:" : "<<",
                 (int)m->body_len, (const char *)m->body);
    else
        snprintf(line, len, "%s %s %.*s%s", when, m->outgoing ? "me:" : "<<", (int)m->body_len,
                 (const char *)m->body, mark(m));
    free(att);
    h->lines[h->n++] = line;
    return 0;
}

static void draw_banner(struct tui *t, int x, int w)
{
    struct sc_contact ct;
    if (t->npeers == 0 || sc_store_contact_get(t->c->store, &ct, t->peers[t->sel]) != SOTTO_OK)
        return;
    if (ct.trust == SC_TRUST_CHANGED) {
        attron(A_REVERSE | A_BOLD);
        mvprintw(1, x, "%-*.*s", w, w,
                 " ! KEY CHANGED: sending is stopped. Run `sotto verify NAME`, then trust.");
        attroff(A_REVERSE | A_BOLD);
    } else if (ct.key_changed_at > 0) {
        attron(A_BOLD);
        mvprintw(1, x, "%-*.*s", w, w,
                 " ! This contact's identity key changed. Compare safety numbers.");
        attroff(A_BOLD);
    } else if (t->notice[0] && strcmp(t->notice_peer, t->peers[t->sel]) == 0) {
        attron(A_BOLD);
        mvprintw(1, x, "%-*.*s", w, w, t->notice);
        attroff(A_BOLD);
    } else {
        mvprintw(1, x, "%-*.*s", w, w, ct.trust == SC_TRUST_VERIFIED ? " verified" : "");
    }
}

/* The conversation on screen has been seen: tell the sender (read
 * receipt) and remember it, only when the receipt could be sent. */
static void mark_read(struct tui *t, struct hist *h)
{
    if (h->nunread == 0 || t->net.conn == NULL)
        return;
    if (sc_sync_send_read(&t->net.sync, t->peers[t->sel], h->unread, h->nunread) != SOTTO_OK)
        return;
    for (size_t i = 0; i < h->nunread; i++)
        if (sc_store_message_status(t->c->store, h->unread[i], SC_MSG_READ) != SOTTO_OK)
            break;
}

static void draw(struct tui *t)
{
    int rows, cols, hx = LIST_W + 1, hw, top = 2, bottom;
    struct hist h;
    getmaxyx(stdscr, rows, cols);
    hw = cols - hx;
    bottom = rows - 3;
    memset(&h, 0, sizeof h);
    erase();
    attron(A_REVERSE);
    mvprintw(0, 0, "%-*.*s", cols, cols, "");
    mvprintw(0, 0, " sotto - %s  [%s]  %s", t->c->cfg.account, t->net.conn ? "online" : "offline",
             t->status);
    attroff(A_REVERSE);
    for (size_t i = 0; i < t->npeers && (int)i + 1 < rows - 2; i++) {
        if (i == t->sel)
            attron(A_REVERSE);
        mvprintw((int)i + 1, 0, " %-*.*s", LIST_W - 1, LIST_W - 1, t->peers[i]);
        if (i == t->sel)
            attroff(A_REVERSE);
    }
    mvvline(1, LIST_W, ACS_VLINE, rows - 3);
    if (t->npeers > 0) {
        draw_banner(t, hx, hw);
        if (sc_store_message_list(t->c->store, t->peers[t->sel], 500, hist_cb, &h) == SOTTO_OK) {
            int avail = bottom - top + 1;
            int last = (int)h.n - 1 - t->scroll;
            int first = last - avail + 1;
            for (int i = first < 0 ? 0 : first, y = top; i <= last && y <= bottom; i++, y++)
                mvprintw(y, hx, "%.*s", hw, h.lines[i]);
        }
        for (size_t i = 0; i < h.n; i++)
            free(h.lines[i]);
        free(h.lines);
        mark_read(t, &h);
    } else {
        mvprintw(top, hx, "No conversations yet: type /open NAME");
    }
    mvhline(rows - 2, 0, ACS_HLINE, cols);
    mvprintw(rows - 1, 0, "> %s", t->input);
    {
        wchar_t w[INPUT_MAX];
        size_t n = mbstowcs(w, t->input, INPUT_MAX - 1);
        int width = n == (size_t)-1 ? (int)t->ilen : wcswidth(w, n);
        move(rows - 1, 2 + (width < 0 ? (int)n : width));
    }
    refresh();
}

static void send_line(struct tui *t)
{
    struct sc_message m;
    t->input[t->ilen] = 0;
    if (strcmp(t->input, "/quit") == 0) {
        t->dirty = -1;
        return;
    }
    if (strncmp(t->input, "/open ", 6) == 0) {
        int i = sc_name_valid(t->input + 6) ? add_peer(t, t->input + 6) : -1;
        if (i >= 0)
            t->sel = (size_t)i;
        else
            snprintf(t->status, sizeof t->status, "not a valid name");
    } else if (t->npeers == 0) {
        snprintf(t->status, sizeof t->status, "open a conversation first: /open NAME");
        return;
    } else if (t->ilen > 0) {
        /* stderr is the screen: errors go to the status bar instead. */
        int rc;
        t->c->quiet = 1;
        rc = cli_queue_message(t->c, &m, t->peers[t->sel], t->input, t->ilen);
        t->c->quiet = 0;
        if (rc == EXIT_UNTRUSTED) {
            snprintf(t->status, sizeof t->status, "not sent: verify the contact first");
            return;
        }
        if (rc != 0) {
            snprintf(t->status, sizeof t->status, "not sent (error %d)", rc);
            return;
        }
        online_flush(&t->net);
    }
    t->ilen = 0;
    t->input[0] = 0;
    t->scroll = 0;
}

/* Best effort typing indicator for the open conversation: start when the
 * input line gets its first character, stop when it is sent or emptied. */
static void set_typing(struct tui *t, int on)
{
    if (on == t->typing || t->npeers == 0 || t->net.conn == NULL)
        return;
    if (sc_sync_send_typing(&t->net.sync, t->peers[t->sel], on) == SOTTO_OK)
        t->typing = on;
    else
        t->typing = 0;
}

static void on_key_inner(struct tui *t, int ch, wint_t wc, int is_key)
{
    if (is_key) {
        if (ch == KEY_UP && t->sel > 0)
            t->sel--;
        else if (ch == KEY_DOWN && t->sel + 1 < t->npeers)
            t->sel++;
        else if (ch == KEY_PPAGE)
            t->scroll += 10;
        else if (ch == KEY_NPAGE)
            t->scroll = t->scroll > 10 ? t->scroll - 10 : 0;
        else if ((ch == KEY_BACKSPACE || ch == KEY_DC) && t->ilen > 0) {
            do
                t->ilen--;
            while (t->ilen > 0 && ((unsigned char)t->input[t->ilen] & 0xC0) == 0x80);
            t->input[t->ilen] = 0;
        } else if (ch == KEY_ENTER) {
            send_line(t);
        }
        return;
    }
    if (wc == 27 || wc == 4) {
        t->dirty = -1;
    } else if (wc == '\n' || wc == '\r') {
        send_line(t);
    } else if (wc == '\t') {
        if (t->npeers > 0)
            t->sel = (t->sel + 1) % t->npeers;
    } else if (wc == 127 || wc == 8) {
        on_key_inner(t, KEY_BACKSPACE, 0, 1);
    } else if (wc >= 32) {
        char mb[MB_LEN_MAX];
        mbstate_t st;
        size_t n;
        memset(&st, 0, sizeof st);
        n = wcrtomb(mb, (wchar_t)wc, &st);
        if (n != (size_t)-1 && t->ilen + n < INPUT_MAX) {
            memcpy(t->input + t->ilen, mb, n);
            t->ilen += n;
            t->input[t->ilen] = 0;
        }
    }
}

static void on_key(struct tui *t, int ch, wint_t wc, int is_key)
{
    size_t before = t->ilen;
    size_t sel = t->sel;
    on_key_inner(t, ch, wc, is_key);
    if (t->sel != sel) {
        size_t now = t->sel;
        t->sel = sel;
        set_typing(t, 0); /* tell the conversation we left */
        t->sel = now;
    } else if (before == 0 && t->ilen > 0 && t->input[0] != '/') {
        set_typing(t, 1);
    } else if (t->ilen == 0) {
        set_typing(t, 0);
    }
}

static void on_event(void *ctx, int64_t seq, const char *kind, const char *json)
{
    struct tui *t = ctx;
    (void)seq;
    t->dirty = t->dirty < 0 ? t->dirty : 1;
    if (strcmp(kind, "typing") == 0) {
        cJSON *o = cJSON_Parse(json);
        const char *peer = cJSON_GetStringValue(cJSON_GetObjectItem(o, "peer"));
        if (peer != NULL && cJSON_IsTrue(cJSON_GetObjectItem(o, "typing")))
            snprintf(t->status, sizeof t->status, "%s is typing...", peer);
        else
            t->status[0] = 0;
        cJSON_Delete(o);
        return;
    }
    if (strcmp(kind, "device_change") == 0) {
        cJSON *o = cJSON_Parse(json);
        const char *peer = cJSON_GetStringValue(cJSON_GetObjectItem(o, "peer"));
        double dev = cJSON_GetNumberValue(cJSON_GetObjectItem(o, "device"));
        if (peer != NULL) {
            snprintf(t->notice_peer, sizeof t->notice_peer, "%s", peer);
            snprintf(t->notice, sizeof t->notice,
                     cJSON_IsTrue(cJSON_GetObjectItem(o, "added"))
                         ? " ! %s has a new device (%.0f): it reads this conversation from now on."
                         : " %s removed device %.0f.",
                     peer, dev);
        }
        cJSON_Delete(o);
        return;
    }
    if (strcmp(kind, "message") == 0 && strstr(t->status, " is typing...") != NULL)
        t->status[0] = 0; /* the message they were typing arrived */
    if (strcmp(kind, "message") == 0 || strcmp(kind, "key_change") == 0 ||
        strcmp(kind, "history") == 0)
        load_peers(t);
}

int cmd_chat(struct cli *c, int argc, char **argv)
{
    struct tui *t;
    int rc;
    if (cli_wants_help(argc, argv)) {
        cli_help(help);
        return 0;
    }
    if (argc > 2 || (argc == 2 && !sc_name_valid(argv[1])))
        return cli_fail(c, EXIT_USER, "usage", "usage: sotto chat [NAME]",
                        "chat takes at most one valid NAME");
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
        return cli_fail(c, EXIT_USER, "no_tty", "use send/receive or the daemon in scripts",
                        "chat needs a terminal");
    rc = cli_open_store(c, 0, 0);
    if (rc != 0)
        return rc;
    t = calloc(1, sizeof *t);
    if (t == NULL)
        return EXIT_UNEXPECTED;
    t->c = c;
    t->net.c = c;
    t->net.quiet = 1;
    t->net.on_event = on_event;
    t->net.ctx = t;
    load_peers(t);
    if (argc == 2) {
        int i = add_peer(t, argv[1]);
        t->sel = i >= 0 ? (size_t)i : 0;
    }
    setlocale(LC_ALL, "");
    initscr();
    raw();
    noecho();
    keypad(stdscr, TRUE);
    set_escdelay(25);
    t->dirty = 1;
    while (t->dirty >= 0) {
        struct pollfd p[2] = {{.fd = STDIN_FILENO, .events = POLLIN}, {.fd = -1}};
        online_tick(&t->net);
        if (t->dirty > 0) {
            draw(t);
            t->dirty = 0;
        }
        p[1].fd = online_fd(&t->net);
        p[1].events = POLLIN;
        if (poll(p, 2, 300) <= 0) {
            t->dirty = 1; /* redraw now and then: statuses change in other processes */
            continue;
        }
        if (p[0].revents & POLLIN) {
            wint_t wc;
            int r = get_wch(&wc);
            if (r != ERR)
                on_key(t, r == KEY_CODE_YES ? (int)wc : 0, wc, r == KEY_CODE_YES);
            if (t->dirty >= 0)
                t->dirty = 1;
        }
    }
    endwin();
    online_close(&t->net);
    free(t);
    return 0;
}
