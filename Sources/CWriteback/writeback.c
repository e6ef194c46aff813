#include "cwriteback.h"
#include <unistd.h>

int registry_flush(int fd) {
    return fdatasync(fd);
}
