#ifndef CWRITEBACK_H
#define CWRITEBACK_H

/// Makes the file's written bytes durable (fdatasync), for a background thread: what a later
/// fsync of the same file then finds left to do is only what was written since.
/// Returns 0, or -1 with errno set.
int registry_flush(int fd);

#endif
