#include "wycheproof.h"

#include <stdio.h>
#include <string.h>

#include "testutil.h"

int t_wycheproof_run(const char *file, t_wp_case_fn *fn, void *ctx)
{
    char rel[512];
    cJSON *root, *groups, *group;
    int cases = 0, failures = 0, skipped = 0;

    snprintf(rel, sizeof rel, "vectors/wycheproof/%s", file);
    root = t_load_shared_json(rel);
    groups = cJSON_GetObjectItemCaseSensitive(root, "testGroups");
    cJSON_ArrayForEach(group, groups)
    {
        const cJSON *tests = cJSON_GetObjectItemCaseSensitive(group, "tests"), *test;
        cJSON_ArrayForEach(test, tests)
        {
            const char *result = cJSON_GetObjectItemCaseSensitive(test, "result")->valuestring;
            int got = fn(group, test, ctx), ok;
            if (got == T_WP_SKIP) {
                skipped++;
                continue;
            }
            if (strcmp(result, "valid") == 0)
                ok = got == 1;
            else if (strcmp(result, "invalid") == 0)
                ok = got == 0;
            else
                ok = got != -1;
            cases++;
            if (!ok) {
                failures++;
                fprintf(stderr, "%s: tcId %d (%s) failed: got %d\n", file,
                        cJSON_GetObjectItemCaseSensitive(test, "tcId")->valueint, result, got);
            }
        }
    }
    cJSON_Delete(root);
    t_report_file(file, cases, failures);
    if (skipped > 0)
        printf("%s: %d cases skipped (parameters sotto does not use)\n", file, skipped);
    t_checks += cases;
    t_failed += failures;
    return failures;
}
