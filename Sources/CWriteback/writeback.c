// sync_file_range is a GNU extension that Swift's Glibc module does not show.
#define _GNU_SOURCE
#include "cwriteback.h"
#include <fcntl.h>

int registry_start_writeback(int fd) {
#if defined(__linux__) && defined(SYNC_FILE_RANGE_WRITE)
    return sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#else
    (void)fd;
    return 0;
#endif
}
