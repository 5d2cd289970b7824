/* Token-bucket rate limits (ratelimit.h). */
#include "ratelimit.h"

#include <stdlib.h>
#include <string.h>

enum { RL_SLOTS = 8192, RL_PROBE = 8 };

struct bucket {
    uint64_t key; /* 0 = free */
    double tokens;
    uint64_t last_ms;
};

struct sd_ratelimit {
    struct sd_rate rates[5];
    struct bucket b[RL_SLOTS];
};

struct sd_ratelimit *sd_rl_new(const struct sd_config *cfg)
{
    struct sd_ratelimit *rl = calloc(1, sizeof(*rl));
    if (rl == NULL) {
        return NULL;
    }
    rl->rates[SD_RL_CONNECT] = cfg->connect_rate;
    rl->rates[SD_RL_REGISTER] = cfg->register_rate;
    rl->rates[SD_RL_BUNDLE] = cfg->bundle_rate;
    rl->rates[SD_RL_SEND] = cfg->send_rate;
    rl->rates[SD_RL_ATTACH] = cfg->attachment_rate;
    return rl;
}

void sd_rl_free(struct sd_ratelimit *rl)
{
    free(rl);
}

/* FNV-1a 64 of kind and key; never 0. */
static uint64_t hash(int kind, const char *key)
{
    uint64_t h = 1469598103934665603ull ^ (uint64_t)kind;
    for (; *key != '\0'; key++) {
        h ^= (unsigned char)*key;
        h *= 1099511628211ull;
    }
    return h == 0 ? 1 : h;
}

static struct bucket *find(struct sd_ratelimit *rl, uint64_t h, double burst, uint64_t now)
{
    struct bucket *victim = NULL;
    for (size_t i = 0; i < RL_PROBE; i++) {
        struct bucket *b = &rl->b[(h + i) % RL_SLOTS];
        if (b->key == h) {
            return b;
        }
        if (victim == NULL || b->key == 0 || b->last_ms < victim->last_ms) {
            victim = (victim != NULL && victim->key == 0) ? victim : b;
        }
    }
    victim->key = h;
    victim->tokens = burst;
    victim->last_ms = now;
    return victim;
}

int sd_rl_take(struct sd_ratelimit *rl, int kind, const char *key, double cost, uint64_t now_ms,
               uint32_t *retry_ms)
{
    const struct sd_rate *r = &rl->rates[kind];
    struct bucket *b = find(rl, hash(kind, key), r->burst, now_ms);
    double need;

    *retry_ms = 0;
    if (now_ms > b->last_ms) {
        b->tokens += (double)(now_ms - b->last_ms) / 1000.0 * r->per_sec;
        if (b->tokens > r->burst) {
            b->tokens = r->burst;
        }
    }
    b->last_ms = now_ms;
    if (b->tokens >= cost) {
        b->tokens -= cost;
        return 1;
    }
    need = cost - b->tokens;
    *retry_ms = r->per_sec > 0 ? (uint32_t)(need / r->per_sec * 1000.0) + 1 : 3600000u;
    return 0;
}
