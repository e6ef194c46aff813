#ifndef CCURL_H
#define CCURL_H

#include <curl/curl.h>
#include <stddef.h>

/// libcurl's easy interface in calls Swift can make: curl_easy_setopt and curl_easy_getinfo
/// are variadic, which Swift cannot call, so each option type gets a typed wrapper. libcurl is
/// opened with dlopen on the first call (ccurl.c says why), so every call Swift makes goes
/// through here. Nothing else lives here; the Swift side (RegistryRemote's HTTPTransport) owns
/// the logic.

typedef size_t (*ccurl_data_callback)(char *data, size_t size, size_t count, void *context);
typedef int (*ccurl_progress_callback)(void *context, curl_off_t download_total, curl_off_t downloaded,
                                       curl_off_t upload_total, curl_off_t uploaded);

/// Opens libcurl.so.4 and runs curl_global_init(CURL_GLOBAL_DEFAULT), once per process (safe
/// to call again); CURLE_OK, or an error code with ccurl_load_error_message() saying why.
int ccurl_global_init(void);
const char *ccurl_load_error_message(void);

/// The easy calls themselves (NULL from ccurl_easy_init when libcurl could not be loaded).
CURL *ccurl_easy_init(void);
CURLcode ccurl_easy_perform(CURL *handle);
void ccurl_easy_cleanup(CURL *handle);
void ccurl_easy_reset(CURL *handle);
const char *ccurl_easy_strerror(CURLcode code);
struct curl_slist *ccurl_slist_append(struct curl_slist *list, const char *line);
void ccurl_slist_free_all(struct curl_slist *list);

CURLcode ccurl_set_long(CURL *handle, CURLoption option, long value);
CURLcode ccurl_set_offset(CURL *handle, CURLoption option, curl_off_t value);
CURLcode ccurl_set_string(CURL *handle, CURLoption option, const char *value);
CURLcode ccurl_set_pointer(CURL *handle, CURLoption option, void *value);
CURLcode ccurl_set_headers(CURL *handle, struct curl_slist *headers);
CURLcode ccurl_set_write(CURL *handle, ccurl_data_callback callback, void *context);
CURLcode ccurl_set_header_callback(CURL *handle, ccurl_data_callback callback, void *context);
CURLcode ccurl_set_read(CURL *handle, ccurl_data_callback callback, void *context);
CURLcode ccurl_set_progress(CURL *handle, ccurl_progress_callback callback, void *context);

CURLcode ccurl_get_long(CURL *handle, CURLINFO info, long *value);

/// What a write callback returns to pause the transfer, and a read callback to abort it.
size_t ccurl_write_pause(void);
size_t ccurl_read_abort(void);

#endif
