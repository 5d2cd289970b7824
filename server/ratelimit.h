/*
 * Token buckets keyed by (kind, address or account), in a fixed-size table:
 * memory is bounded no matter how many addresses knock. When the table is
 * full the least recently used bucket in the probe window is recycled.
 */
#ifndef SD_RATELIMIT_H
#define SD_RATELIMIT_H

#include <stdint.h>

#include "config.h"

enum sd_rl_kind { SD_RL_CONNECT, SD_RL_REGISTER, SD_RL_BUNDLE, SD_RL_SEND, SD_RL_ATTACH };

struct sd_ratelimit;

struct sd_ratelimit *sd_rl_new(const struct sd_config *cfg);
void sd_rl_free(struct sd_ratelimit *rl);
/* Takes `cost` tokens. 1 = allowed; 0 = limited, *retry_ms says when to retry. */
int sd_rl_take(struct sd_ratelimit *rl, int kind, const char *key, double cost, uint64_t now_ms,
               uint32_t *retry_ms);

#endif
