// libcurl from Debian's libcurl4-openssl-dev. Swift code uses CCurlShim's typed wrappers.
#include <curl/curl.h>
