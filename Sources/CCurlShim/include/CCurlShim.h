// Typed, non-variadic wrappers around libcurl's variadic functions, so that Swift can call
// them. This is no API of its own: one inline wrapper per argument type, nothing more
// (compare swift-corelibs-foundation's _CFURLSessionInterface).
#ifndef CCURLSHIM_H
#define CCURLSHIM_H

#include <curl/curl.h>

/// Callback type for CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION.
typedef size_t (*attrib_curl_write_cb)(char *data, size_t size, size_t count, void *userdata);

static inline CURLcode attrib_curl_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode attrib_curl_setopt_off_t(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode attrib_curl_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode attrib_curl_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode attrib_curl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode attrib_curl_setopt_write_cb(CURL *h, CURLoption o, attrib_curl_write_cb v) { return curl_easy_setopt(h, o, v); }

static inline CURLcode attrib_curl_getinfo_long(CURL *h, CURLINFO i, long *out) { return curl_easy_getinfo(h, i, out); }
static inline CURLcode attrib_curl_getinfo_double(CURL *h, CURLINFO i, double *out) { return curl_easy_getinfo(h, i, out); }
static inline CURLcode attrib_curl_getinfo_string(CURL *h, CURLINFO i, char **out) { return curl_easy_getinfo(h, i, out); }

#endif
