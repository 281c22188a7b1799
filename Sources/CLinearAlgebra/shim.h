// LAPACKE and CBLAS from Debian's liblapacke-dev and libopenblas-dev.
// Only the Swift module LinearAlgebra may import this module.
#include <lapacke.h>
#include <cblas.h>
