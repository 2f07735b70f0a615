/*
 * The C API end to end: opens a project, analyses a change, reads its config and flows,
 * publishes an event, uses one handle from several threads, walks the error paths, and
 * times analyses. Built twice by scripts/c-test.sh (shared and static library) and run
 * under valgrind.
 *
 * Usage: analyze PROJECT_DIR [BENCH_RUNS]
 *   PROJECT_DIR  a git repository of examples/shop with branch `main` and, on branch
 *                `feature` (checked out), a change to src/lib/cart/store.ts
 *   BENCH_RUNS   analyses to time (default 20; 0 skips the benchmark)
 *
 * Exits 0 when every check passed, 1 otherwise (each failed check is printed).
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "perceo.h"

static int checks = 0;
static int failures = 0;

#define CHECK(cond, ...)                                         \
    do {                                                         \
        checks++;                                                \
        if (!(cond)) {                                           \
            failures++;                                          \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__);                        \
            fprintf(stderr, "\n");                               \
        }                                                        \
    } while (0)

static const char *status_name(PerceoStatus status) {
    switch (status) {
    case PERCEO_STATUS_OK: return "OK";
    case PERCEO_STATUS_ERROR: return "ERROR";
    case PERCEO_STATUS_INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case PERCEO_STATUS_PANIC: return "PANIC";
    }
    return "unknown status";
}

/* Checks a call's status and, for failures, the thread's last error code; frees both. */
static void expect(const char *what, PerceoStatus status, PerceoStatus want, const char *want_code) {
    char *code = perceo_last_error_code();
    char *message = perceo_last_error_message();
    CHECK(status == want, "%s: status %s, expected %s (last error: %s: %s)", what, status_name(status),
          status_name(want), code ? code : "(none)", message ? message : "(none)");
    if (status != want) {
        /* Already reported. */
    } else if (want == PERCEO_STATUS_OK) {
        CHECK(code == NULL && message == NULL, "%s: succeeded but the last error is %s", what, code ? code : "?");
    } else {
        CHECK(code != NULL && message != NULL && message[0] != '\0', "%s: failed without a last error", what);
        if (want_code != NULL) {
            CHECK(code != NULL && strcmp(code, want_code) == 0, "%s: error code %s, expected %s (%s)", what,
                  code ? code : "(none)", want_code, message ? message : "");
        }
    }
    perceo_string_free(code);
    perceo_string_free(message);
}

static void expect_contains(const char *what, const char *json, const char *needle) {
    CHECK(json != NULL && strstr(json, needle) != NULL, "%s: %s not found in %.200s%s", what, needle,
          json ? json : "(NULL)", json && strlen(json) > 200 ? "..." : "");
}

/* --- several threads analysing through one handle ------------------------------------ */

#define THREADS 4

struct worker {
    const PerceoProject *project;
    PerceoStatus status;
    int has_change_id;
    int last_error_was_clear;
};

static void *analyze_in_thread(void *arg) {
    struct worker *w = arg;
    /* A new thread starts without a last error, whatever other threads did. */
    char *code = perceo_last_error_code();
    w->last_error_was_clear = code == NULL;
    perceo_string_free(code);
    char *json = NULL;
    w->status = perceo_project_analyze(w->project, "main", "feature", NULL, &json);
    w->has_change_id = json != NULL && strstr(json, "\"changeId\"") != NULL;
    perceo_string_free(json);
    return NULL;
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s PROJECT_DIR [BENCH_RUNS]\n", argv[0]);
        return 2;
    }
    const char *dir = argv[1];
    int bench_runs = argc > 2 ? atoi(argv[2]) : 20;

    /* Version: static, the header's. */
    const char *version = perceo_version();
    CHECK(version != NULL && strcmp(version, PERCEO_VERSION) == 0, "perceo_version() is %s, the header says %s",
          version ? version : "(NULL)", PERCEO_VERSION);

    /* No error yet on this thread. */
    char *none = perceo_last_error_message();
    CHECK(none == NULL, "a fresh thread has a last error: %s", none);
    perceo_string_free(none);

    /* Open. */
    PerceoProject *project = NULL;
    expect("open", perceo_project_open(dir, NULL, &project), PERCEO_STATUS_OK, NULL);
    if (project == NULL) {
        fprintf(stderr, "FAIL: cannot open %s; stopping\n", dir);
        return 1;
    }

    /* Analyse main...feature. */
    char *report = NULL;
    double first_start = now_ms();
    PerceoStatus first = perceo_project_analyze(project, "main", "feature", NULL, &report);
    double first_ms = now_ms() - first_start;
    expect("analyze main..feature", first, PERCEO_STATUS_OK, NULL);
    expect_contains("analyze report", report, "\"changeId\"");
    expect_contains("analyze report", report, "\"checkout\"");
    expect_contains("analyze report", report, "src/lib/cart/store.ts");
    perceo_string_free(report);

    /* Options, the working tree, and a head defaulting to HEAD. */
    report = NULL;
    expect("analyze with onEmpty=smoke",
           perceo_project_analyze(project, "main", NULL, "{\"onEmpty\":\"smoke\"}", &report), PERCEO_STATUS_OK,
           NULL);
    expect_contains("analyze main..HEAD", report, "\"checkout\"");
    perceo_string_free(report);
    report = NULL;
    expect("analyze the working tree", perceo_project_analyze(project, NULL, NULL, NULL, &report),
           PERCEO_STATUS_OK, NULL);
    expect_contains("working-tree report", report, "\"changeId\"");
    perceo_string_free(report);

    /* Config and flows. */
    char *config = NULL;
    expect("config_json", perceo_project_config_json(project, &config), PERCEO_STATUS_OK, NULL);
    expect_contains("config JSON", config, "\"shop\"");
    expect_contains("config JSON", config, "\"nextjs\"");
    perceo_string_free(config);
    char *flows = NULL;
    expect("flows_json", perceo_project_flows_json(project, &flows), PERCEO_STATUS_OK, NULL);
    expect_contains("flows JSON", flows, "\"flows\"");
    expect_contains("flows JSON", flows, "\"checkout\"");
    perceo_string_free(flows);

    /* why and the module graph. */
    char *why = NULL;
    expect("why_json", perceo_project_why_json(project, "src/lib/cart/store.ts", &why), PERCEO_STATUS_OK, NULL);
    expect_contains("why JSON", why, "\"checkout\"");
    expect_contains("why JSON", why, "\"pages\"");
    perceo_string_free(why);
    char *deps = NULL;
    expect("module_graph_json", perceo_project_module_graph_json(project, NULL, "src/lib/cart/store.ts", &deps),
           PERCEO_STATUS_OK, NULL);
    expect_contains("module graph JSON", deps, "\"to\":\"src/lib/cart/store.ts\"");
    perceo_string_free(deps);
    char *unset = NULL;
    expect("module_graph_json with an unknown file",
           perceo_project_module_graph_json(project, "no/such.ts", NULL, &unset), PERCEO_STATUS_ERROR, "argument");
    CHECK(unset == NULL, "a failed module_graph_json set its out parameter");
    expect("why_json with a NULL file", perceo_project_why_json(project, NULL, &unset), PERCEO_STATUS_INVALID_ARGUMENT,
           "argument");

    /* Events. */
    char *event = NULL;
    expect("publish_event", perceo_project_publish_event(project, "custom.c.test", "{\"n\":1}", &event),
           PERCEO_STATUS_OK, NULL);
    expect_contains("event JSON", event, "\"custom.c.test\"");
    expect_contains("event JSON", event, "\"source\":\"c\"");
    perceo_string_free(event);
    expect("publish_event without an out parameter nor data",
           perceo_project_publish_event(project, "custom.c.test", NULL, NULL), PERCEO_STATUS_OK, NULL);

    /* One handle, several threads. */
    pthread_t threads[THREADS];
    struct worker workers[THREADS];
    /* This thread's last error must not leak into the workers. */
    PerceoProject *scratch = NULL;
    expect("open with a NULL directory", perceo_project_open(NULL, NULL, &scratch), PERCEO_STATUS_INVALID_ARGUMENT,
           "argument");
    CHECK(scratch == NULL, "a failed open set its out parameter");
    for (int i = 0; i < THREADS; i++) {
        workers[i] = (struct worker){.project = project};
        CHECK(pthread_create(&threads[i], NULL, analyze_in_thread, &workers[i]) == 0, "pthread_create %d", i);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        CHECK(workers[i].status == PERCEO_STATUS_OK, "thread %d: analyze returned %s", i,
              status_name(workers[i].status));
        CHECK(workers[i].has_change_id, "thread %d: no changeId in the report", i);
        CHECK(workers[i].last_error_was_clear, "thread %d: started with another thread's last error", i);
    }

    /* NULL arguments. */
    char *out = NULL;
    expect("analyze with a NULL project", perceo_project_analyze(NULL, "main", "feature", NULL, &out),
           PERCEO_STATUS_INVALID_ARGUMENT, "argument");
    CHECK(out == NULL, "a failed analyze set its out parameter");
    expect("analyze with a NULL out parameter", perceo_project_analyze(project, "main", "feature", NULL, NULL),
           PERCEO_STATUS_INVALID_ARGUMENT, "argument");
    expect("config_json with a NULL out parameter", perceo_project_config_json(project, NULL),
           PERCEO_STATUS_INVALID_ARGUMENT, "argument");
    expect("flows_json with a NULL project", perceo_project_flows_json(NULL, &out), PERCEO_STATUS_INVALID_ARGUMENT,
           "argument");
    expect("publish_event with a NULL type", perceo_project_publish_event(project, NULL, NULL, NULL),
           PERCEO_STATUS_INVALID_ARGUMENT, "argument");

    /* run_tests: option errors come back as errors, not as a run. */
    expect("run_tests with an unknown option", perceo_project_run_tests(project, "{\"flows\":1}", &out),
           PERCEO_STATUS_INVALID_ARGUMENT, "argument");
    expect("run_tests with a bad shard", perceo_project_run_tests(project, "{\"shard\":\"3/2\"}", &out),
           PERCEO_STATUS_ERROR, "argument");
    expect("run_tests with a NULL out parameter", perceo_project_run_tests(project, NULL, NULL),
           PERCEO_STATUS_INVALID_ARGUMENT, "argument");
    CHECK(out == NULL, "a failed run_tests set its out parameter");

    /* Invalid UTF-8. */
    PerceoProject *other = NULL;
    expect("open with invalid UTF-8", perceo_project_open("/tmp/\xff\xfe", NULL, &other),
           PERCEO_STATUS_INVALID_ARGUMENT, "argument");
    CHECK(other == NULL, "a failed open set its out parameter");
    expect("analyze with an invalid UTF-8 base", perceo_project_analyze(project, "ma\xc3(in", NULL, NULL, &out),
           PERCEO_STATUS_INVALID_ARGUMENT, "argument");

    /* Bad options and argument combinations. */
    expect("analyze with an unknown onEmpty",
           perceo_project_analyze(project, "main", "feature", "{\"onEmpty\":\"sometimes\"}", &out),
           PERCEO_STATUS_INVALID_ARGUMENT, "argument");
    expect("analyze with an unknown option", perceo_project_analyze(project, "main", "feature", "{\"x\":1}", &out),
           PERCEO_STATUS_INVALID_ARGUMENT, "argument");
    expect("analyze with options that are not JSON", perceo_project_analyze(project, "main", "feature", "{", &out),
           PERCEO_STATUS_INVALID_ARGUMENT, "argument");
    expect("analyze with a head but no base", perceo_project_analyze(project, NULL, "feature", NULL, &out),
           PERCEO_STATUS_INVALID_ARGUMENT, "argument");
    expect("publish_event with data that is not JSON",
           perceo_project_publish_event(project, "custom.c.test", "{nope", &out), PERCEO_STATUS_INVALID_ARGUMENT,
           "argument");
    CHECK(out == NULL, "a failed call set its out parameter");

    /* Core errors carry the core's code. */
    expect("open a directory without a project", perceo_project_open("/nonexistent/perceo/project", NULL, &other),
           PERCEO_STATUS_ERROR, "config.not_found");
    CHECK(other == NULL, "a failed open set its out parameter");
    expect("open with a missing config path", perceo_project_open(dir, "/nonexistent/perceo.json", &other),
           PERCEO_STATUS_ERROR, "config.path_missing");
    expect("analyze an unknown ref", perceo_project_analyze(project, "no-such-branch", "feature", NULL, &out),
           PERCEO_STATUS_ERROR, "git");
    CHECK(out == NULL, "a failed analyze set its out parameter");

    /* A success clears the last error; a config path relative to the project works. */
    expect("open with a config path", perceo_project_open(dir, ".perceo/config.json", &other), PERCEO_STATUS_OK,
           NULL);
    CHECK(other != NULL, "open with a config path: no handle");
    perceo_project_free(other);

    /* NULL is fine for the free functions. */
    perceo_project_free(NULL);
    perceo_string_free(NULL);

    /* Benchmark: mean wall time of one analysis through the C API. */
    if (bench_runs > 0) {
        int ok = 1;
        double start = now_ms();
        for (int i = 0; i < bench_runs && ok; i++) {
            char *json = NULL;
            ok = perceo_project_analyze(project, "main", "feature", NULL, &json) == PERCEO_STATUS_OK;
            perceo_string_free(json);
        }
        double elapsed = now_ms() - start;
        CHECK(ok, "benchmark: an analysis failed");
        printf("bench: perceo_project_analyze(main, feature): first call %.2f ms, then mean %.2f ms over %d calls\n",
               first_ms, elapsed / bench_runs, bench_runs);
    }

    perceo_project_free(project);
    printf("%s: %d checks, %d failed\n", argv[0], checks, failures);
    return failures == 0 ? 0 : 1;
}
