#ifndef CWRITEBACK_H
#define CWRITEBACK_H

/// Starts writing the file's dirty pages to disk and returns without waiting for them (Linux
/// sync_file_range with SYNC_FILE_RANGE_WRITE), so that a later fsync finds little left to do.
/// Returns 0, or -1 with errno set; where the call does not exist it does nothing and returns 0.
int registry_start_writeback(int fd);

#endif
