// All wrappers are inline in include/CCurlShim.h; this file gives the target a translation unit.
#include "CCurlShim.h"
