// libcurl through dlopen, on the first remote exchange: linked, its ~30 libraries (TLS,
// Kerberos, LDAP, SSH, …) were mapped and relocated at the start of every command, `ls`
// included: `registry ls` of a small registry went from 27 to 38 ms of wall time when
// libcurl was linked (perf stat -r 20, release build). The header still gives the types and
// constants; only the calls go through pointers resolved once.
#include "ccurl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

typedef CURLcode (*global_init_fn)(long);
typedef CURL *(*easy_init_fn)(void);
typedef CURLcode (*easy_setopt_fn)(CURL *, CURLoption, ...);
typedef CURLcode (*easy_getinfo_fn)(CURL *, CURLINFO, ...);
typedef CURLcode (*easy_perform_fn)(CURL *);
typedef void (*easy_handle_fn)(CURL *);
typedef const char *(*easy_strerror_fn)(CURLcode);
typedef struct curl_slist *(*slist_append_fn)(struct curl_slist *, const char *);
typedef void (*slist_free_all_fn)(struct curl_slist *);

static pthread_once_t ccurl_once = PTHREAD_ONCE_INIT;
static CURLcode ccurl_init_result = CURLE_FAILED_INIT;
static char ccurl_load_error[512] = "libcurl.so.4 was not loaded";

static global_init_fn p_global_init;
static easy_init_fn p_easy_init;
static easy_setopt_fn p_easy_setopt;
static easy_getinfo_fn p_easy_getinfo;
static easy_perform_fn p_easy_perform;
static easy_handle_fn p_easy_cleanup, p_easy_reset;
static easy_strerror_fn p_easy_strerror;
static slist_append_fn p_slist_append;
static slist_free_all_fn p_slist_free_all;

static void ccurl_init(void) {
    void *library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        const char *why = dlerror();
        snprintf(ccurl_load_error, sizeof ccurl_load_error, "%s", why ? why : "libcurl.so.4 not found");
        return;
    }
#define LOAD(pointer, type, name) \
    if (!(pointer = (type)dlsym(library, name))) { \
        snprintf(ccurl_load_error, sizeof ccurl_load_error, "libcurl.so.4 has no %s", name); \
        return; \
    }
    LOAD(p_global_init, global_init_fn, "curl_global_init")
    LOAD(p_easy_init, easy_init_fn, "curl_easy_init")
    LOAD(p_easy_setopt, easy_setopt_fn, "curl_easy_setopt")
    LOAD(p_easy_getinfo, easy_getinfo_fn, "curl_easy_getinfo")
    LOAD(p_easy_perform, easy_perform_fn, "curl_easy_perform")
    LOAD(p_easy_cleanup, easy_handle_fn, "curl_easy_cleanup")
    LOAD(p_easy_reset, easy_handle_fn, "curl_easy_reset")
    LOAD(p_easy_strerror, easy_strerror_fn, "curl_easy_strerror")
    LOAD(p_slist_append, slist_append_fn, "curl_slist_append")
    LOAD(p_slist_free_all, slist_free_all_fn, "curl_slist_free_all")
#undef LOAD
    ccurl_init_result = p_global_init(CURL_GLOBAL_DEFAULT);
}

int ccurl_global_init(void) {
    pthread_once(&ccurl_once, ccurl_init);
    return (int)ccurl_init_result;
}

const char *ccurl_load_error_message(void) { return ccurl_load_error; }

CURL *ccurl_easy_init(void) { return ccurl_global_init() == CURLE_OK ? p_easy_init() : NULL; }
CURLcode ccurl_easy_perform(CURL *handle) { return p_easy_perform(handle); }
void ccurl_easy_cleanup(CURL *handle) { p_easy_cleanup(handle); }
void ccurl_easy_reset(CURL *handle) { p_easy_reset(handle); }
const char *ccurl_easy_strerror(CURLcode code) { return p_easy_strerror ? p_easy_strerror(code) : "libcurl is not loaded"; }
struct curl_slist *ccurl_slist_append(struct curl_slist *list, const char *line) { return p_slist_append(list, line); }
void ccurl_slist_free_all(struct curl_slist *list) { if (list) p_slist_free_all(list); }

CURLcode ccurl_set_long(CURL *handle, CURLoption option, long value) { return p_easy_setopt(handle, option, value); }
CURLcode ccurl_set_offset(CURL *handle, CURLoption option, curl_off_t value) { return p_easy_setopt(handle, option, value); }
CURLcode ccurl_set_string(CURL *handle, CURLoption option, const char *value) { return p_easy_setopt(handle, option, value); }
CURLcode ccurl_set_pointer(CURL *handle, CURLoption option, void *value) { return p_easy_setopt(handle, option, value); }
CURLcode ccurl_set_headers(CURL *handle, struct curl_slist *headers) { return p_easy_setopt(handle, CURLOPT_HTTPHEADER, headers); }

CURLcode ccurl_set_write(CURL *handle, ccurl_data_callback callback, void *context) {
    CURLcode code = p_easy_setopt(handle, CURLOPT_WRITEFUNCTION, callback);
    return code != CURLE_OK ? code : p_easy_setopt(handle, CURLOPT_WRITEDATA, context);
}

CURLcode ccurl_set_header_callback(CURL *handle, ccurl_data_callback callback, void *context) {
    CURLcode code = p_easy_setopt(handle, CURLOPT_HEADERFUNCTION, callback);
    return code != CURLE_OK ? code : p_easy_setopt(handle, CURLOPT_HEADERDATA, context);
}

CURLcode ccurl_set_read(CURL *handle, ccurl_data_callback callback, void *context) {
    CURLcode code = p_easy_setopt(handle, CURLOPT_READFUNCTION, callback);
    return code != CURLE_OK ? code : p_easy_setopt(handle, CURLOPT_READDATA, context);
}

CURLcode ccurl_set_progress(CURL *handle, ccurl_progress_callback callback, void *context) {
    CURLcode code = p_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, callback);
    if (code != CURLE_OK) return code;
    code = p_easy_setopt(handle, CURLOPT_XFERINFODATA, context);
    return code != CURLE_OK ? code : p_easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);
}

CURLcode ccurl_get_long(CURL *handle, CURLINFO info, long *value) { return p_easy_getinfo(handle, info, value); }

size_t ccurl_write_pause(void) { return CURL_WRITEFUNC_PAUSE; }
size_t ccurl_read_abort(void) { return CURL_READFUNC_ABORT; }
