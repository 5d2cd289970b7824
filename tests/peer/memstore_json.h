/* The whole memstore as one JSON object, for sotto-peer --state. */
#ifndef SOTTO_MEMSTORE_JSON_H
#define SOTTO_MEMSTORE_JSON_H

#include <cjson/cJSON.h>

#include "memstore.h"

cJSON *memstore_to_json(const struct memstore *ms);
int memstore_from_json(struct memstore *ms, const cJSON *j);

#endif
