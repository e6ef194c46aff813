// glibc's allocator tuning (mallopt and its M_* settings), which the Glibc module leaves out.
#include <malloc.h>
